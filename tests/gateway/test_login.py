"""POST /auth/login and /auth/refresh against the real database.

The handlers run in a minimal Litestar app (the login routes, an ApiError
handler, a pool logged in as `authenticator`), so these tests depend only on
gateway/login.py and the tenancy functions (auth.login_lookup*, m0004).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from argon2 import PasswordHasher
from litestar import Litestar, Request, Response
from litestar.testing import AsyncTestClient

from db.database import with_user
from db.passwords import needs_rehash
from gateway.errors import ApiError
from gateway.identity.auth import AuthConfig, Authenticator
from gateway.identity.login import LoginService, LoginThrottle, SlidingWindow, login_routes
from gateway.identity.tokens import TokenConfig, TokenIssuer
from tests.factories import LoginUser, make_login_user

SECRET = "login-test-secret-" + "0123456789abcdef" * 3
INVALID = {
    "code": "SDA302",
    "message": "invalid email or password",
    "details": None,
    "hint": "If this email is a login at more than one school, send the school's school_id too",
}


def api_error_response(_: Request[Any, Any, Any], error: ApiError) -> Response[dict[str, Any]]:
    return Response(error.body(), status_code=error.status, headers=error.headers)


def make_service(*, per_email: int = 5, per_ip: int = 50) -> LoginService:
    return LoginService(
        TokenIssuer(TokenConfig(secret=SECRET)),
        LoginThrottle(
            per_email=SlidingWindow(limit=per_email, window=900), per_ip=SlidingWindow(limit=per_ip, window=900)
        ),
    )


@pytest.fixture
async def committer(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    yield connection
    await connection.close()


@pytest.fixture
def pool(database_url: str) -> str:
    """The gateway's login URL; the app opens its pool in its own lifespan (the
    test client runs the app on another event loop)."""
    return with_user(database_url, "authenticator")


def make_app(pool: str, service: LoginService | None) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(pool, min_size=1, max_size=4)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = Litestar(route_handlers=login_routes, exception_handlers={ApiError: api_error_response}, lifespan=[lifespan])
    if service is not None:
        app.state.login_service = service
    return app


@pytest.fixture
async def client(pool: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(make_app(pool, make_service())) as client:
        yield client


@pytest.fixture
async def user(committer: asyncpg.Connection) -> LoginUser:
    return await make_login_user(committer, role="TEACHER")


async def login(client: AsyncTestClient[Litestar], email: str, password: str) -> Any:
    return await client.post("/auth/login", json={"email": email, "password": password})


async def verified(token: str) -> Any:
    return await Authenticator(AuthConfig(jwt_secret=SECRET)).authenticate(f"Bearer {token}")


# --- login ----------------------------------------------------------------------------------------


async def test_login_returns_a_token_pair_that_verifies(client: AsyncTestClient[Litestar], user: LoginUser) -> None:
    response = await login(client, user.email, user.password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "role", "school_id"}
    assert (body["token_type"], body["expires_in"], body["role"]) == ("bearer", 900, "teacher")
    assert body["school_id"] == str(user.school_id)
    assert response.headers["cache-control"] == "no-store", "tokens must not be cached"
    caller = await verified(body["access_token"])
    assert caller.role == "teacher"
    assert caller.claims["school_id"] == str(user.school_id)
    assert caller.claims["sub"] == str(user.user_id)
    assert caller.claims["exp"] - caller.claims["iat"] == 900
    assert caller.claims["jti"]


async def test_email_is_matched_case_insensitively(client: AsyncTestClient[Litestar], user: LoginUser) -> None:
    response = await login(client, f"  {user.email.upper()} ", user.password)
    assert response.status_code == 200, response.text


async def test_admin_logs_in_as_school_admin(client: AsyncTestClient[Litestar], committer: asyncpg.Connection) -> None:
    admin = await make_login_user(committer, role="ADMIN")
    response = await login(client, admin.email, admin.password)
    assert response.status_code == 200, response.text
    assert (await verified(response.json()["access_token"])).role == "school_admin"


async def test_wrong_password_and_unknown_email_look_the_same(
    client: AsyncTestClient[Litestar], user: LoginUser
) -> None:
    wrong = await login(client, user.email, user.password + "x")
    unknown = await login(client, f"nobody.{user.user_id}@example.test", user.password)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == INVALID
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"
    assert wrong.content == unknown.content, "not even the bytes differ"


async def same_email_at_two_schools(committer: asyncpg.Connection) -> tuple[LoginUser, LoginUser]:
    """A teacher with a login at two schools under one address, a password at each."""
    first = await make_login_user(committer, role="TEACHER")
    second = await make_login_user(committer, role="TEACHER")
    await committer.execute("update data.users set email = $1 where id = $2", first.email.upper(), second.user_id)
    return first, second


async def test_an_email_at_two_schools_logs_in_to_the_school_named(
    client: AsyncTestClient[Litestar], committer: asyncpg.Connection
) -> None:
    first, second = await same_email_at_two_schools(committer)
    for user in (first, second):
        response = await client.post(
            "/auth/login", json={"email": first.email, "password": user.password, "school_id": str(user.school_id)}
        )
        assert response.status_code == 200, response.text
        assert response.json()["school_id"] == str(user.school_id), "the login of the school named"
    crossed = await client.post(
        "/auth/login", json={"email": first.email, "password": first.password, "school_id": str(second.school_id)}
    )
    assert (crossed.status_code, crossed.json()) == (401, INVALID), "one school's password opens no other school"


async def test_an_email_at_two_schools_without_a_school_is_refused_like_a_wrong_password(
    client: AsyncTestClient[Litestar], committer: asyncpg.Connection
) -> None:
    first, _ = await same_email_at_two_schools(committer)
    ambiguous = await login(client, first.email, first.password)
    unknown = await login(client, f"nobody.{first.user_id}@example.test", first.password)
    assert ambiguous.status_code == unknown.status_code == 401
    assert ambiguous.content == unknown.content, "nothing tells that the address is a login at two schools"


async def test_a_school_without_the_email_is_refused_like_an_unknown_email(
    client: AsyncTestClient[Litestar], committer: asyncpg.Connection, user: LoginUser
) -> None:
    other = await make_login_user(committer, role="TEACHER")
    response = await client.post(
        "/auth/login", json={"email": user.email, "password": user.password, "school_id": str(other.school_id)}
    )
    assert (response.status_code, response.json()) == (401, INVALID)
    alone = await client.post(
        "/auth/login", json={"email": user.email, "password": user.password, "school_id": str(user.school_id)}
    )
    assert alone.status_code == 200, "naming the school is allowed when the address is at one school only"


async def test_unknown_email_is_verified_against_a_dummy_hash(pool: str, user: LoginUser) -> None:
    service = make_service()
    async with AsyncTestClient(make_app(pool, service)) as client:
        response = await login(client, f"ghost.{user.user_id}@example.test", "whatever")
    assert response.status_code == 401
    # The hash exists only because a verification ran for the unknown email (same cost as a real one).
    dummy = service._dummy_hash
    assert dummy is not None and dummy.startswith("$argon2id$") and not needs_rehash(dummy)


async def test_user_without_a_password_is_refused_at_the_cost_of_a_real_check(
    pool: str, committer: asyncpg.Connection
) -> None:
    # '!' is what an account created through the API holds until a password is set (m0004).
    unset = await make_login_user(committer, password_hash="!")
    service = make_service()
    async with AsyncTestClient(make_app(pool, service)) as client:
        response = await login(client, unset.email, "!")
    assert (response.status_code, response.json()) == (401, INVALID)
    assert service._dummy_hash is not None, "verified against the dummy, not answered at once"


async def test_deactivated_user_is_refused(client: AsyncTestClient[Litestar], committer: asyncpg.Connection) -> None:
    inactive = await make_login_user(committer, is_active=False)
    response = await login(client, inactive.email, inactive.password)
    assert (response.status_code, response.json()) == (401, INVALID)


async def test_deleted_user_is_refused(
    client: AsyncTestClient[Litestar], committer: asyncpg.Connection, user: LoginUser
) -> None:
    await committer.execute("update data.users set is_deleted = true where id = $1", user.user_id)
    response = await login(client, user.email, user.password)
    assert (response.status_code, response.json()) == (401, INVALID)


@pytest.mark.parametrize(
    "body",
    [
        b"", b"not json", b"{}", b'{"email": "a@b.test"}', b'{"email": 1, "password": "x"}', b"[]",
        b'{"email": "a\\u0000@b.test", "password": "x"}',  # a NUL never reaches Postgres
        b'{"email": "a\\tb@b.test", "password": "x"}',
        b'{"email": "a@b.test", "password": "x", "school_id": "not-a-uuid"}',
    ],  # fmt: skip
)
async def test_malformed_body_is_a_400(client: AsyncTestClient[Litestar], body: bytes) -> None:
    response = await client.post("/auth/login", content=body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["code"]) == (400, "PGRST102")


async def test_oversized_password_is_refused_before_hashing(client: AsyncTestClient[Litestar], user: LoginUser) -> None:
    response = await login(client, user.email, "x" * 5000)
    assert (response.status_code, response.json()["code"]) == (400, "PGRST102")
    assert "xxxx" not in response.text, "the password is never echoed"


async def test_outdated_hash_is_replaced_on_login(
    client: AsyncTestClient[Litestar], committer: asyncpg.Connection
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("old-params-password")
    old = await make_login_user(committer, password="old-params-password", password_hash=weak)
    response = await login(client, old.email, old.password)
    assert response.status_code == 200, response.text
    stored = await committer.fetchval("select password_hash from data.users where id = $1", old.user_id)
    assert stored != weak and not needs_rehash(stored), "stored again with today's parameters"
    again = await login(client, old.email, old.password)
    assert again.status_code == 200, "the new hash verifies the same password"


# --- throttling -----------------------------------------------------------------------------------


async def test_repeated_failures_for_one_email_get_429(client: AsyncTestClient[Litestar], user: LoginUser) -> None:
    for _ in range(5):
        assert (await login(client, user.email, "wrong")).status_code == 401
    blocked = await login(client, user.email, user.password)
    assert blocked.status_code == 429, "even the right password waits: no more guesses are checked"
    assert blocked.json()["code"] == "SDA303"
    assert 1 <= int(blocked.headers["retry-after"]) <= 900


async def test_failures_of_one_email_do_not_block_another(
    client: AsyncTestClient[Litestar], user: LoginUser, committer: asyncpg.Connection
) -> None:
    other = await make_login_user(committer)
    for _ in range(5):
        await login(client, user.email, "wrong")
    assert (await login(client, other.email, other.password)).status_code == 200


async def test_success_clears_the_email_failures(client: AsyncTestClient[Litestar], user: LoginUser) -> None:
    for _ in range(4):
        await login(client, user.email, "wrong")
    assert (await login(client, user.email, user.password)).status_code == 200
    for _ in range(4):
        assert (await login(client, user.email, "wrong")).status_code == 401


async def test_one_client_spraying_many_emails_gets_429(pool: str, user: LoginUser) -> None:
    async with AsyncTestClient(make_app(pool, make_service(per_ip=3))) as client:
        for n in range(3):
            assert (await login(client, f"spray{n}.{user.user_id}@example.test", "guess")).status_code == 401
        response = await login(client, user.email, user.password)
    assert response.status_code == 429
    assert response.headers["retry-after"]


# --- refresh --------------------------------------------------------------------------------------


async def refresh(client: AsyncTestClient[Litestar], token: str) -> Any:
    return await client.post("/auth/refresh", json={"refresh_token": token})


async def test_refresh_returns_a_new_pair(client: AsyncTestClient[Litestar], user: LoginUser) -> None:
    first = (await login(client, user.email, user.password)).json()
    response = await refresh(client, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    caller = await verified(second["access_token"])
    assert (caller.role, caller.claims["sub"], caller.claims["school_id"]) == (
        "teacher",
        str(user.user_id),
        str(user.school_id),
    )


async def test_refresh_of_a_deactivated_user_is_refused(
    client: AsyncTestClient[Litestar], user: LoginUser, committer: asyncpg.Connection
) -> None:
    token = (await login(client, user.email, user.password)).json()["refresh_token"]
    await committer.execute("update data.users set is_active = false where id = $1", user.user_id)
    response = await refresh(client, token)
    assert (response.status_code, response.json()["code"]) == (401, "SDA304")


async def test_refresh_of_a_deleted_user_is_refused(
    client: AsyncTestClient[Litestar], user: LoginUser, committer: asyncpg.Connection
) -> None:
    token = (await login(client, user.email, user.password)).json()["refresh_token"]
    await committer.execute("update data.users set is_deleted = true where id = $1", user.user_id)
    assert (await refresh(client, token)).status_code == 401


async def test_refresh_after_a_password_change_is_refused(
    client: AsyncTestClient[Litestar], user: LoginUser, committer: asyncpg.Connection
) -> None:
    from db.passwords import hash_password

    token = (await login(client, user.email, user.password)).json()["refresh_token"]
    await committer.execute(
        "update data.users set password_hash = $2 where id = $1", user.user_id, hash_password("a new password")
    )
    assert (await refresh(client, token)).status_code == 401


async def test_refresh_picks_up_a_role_change(
    client: AsyncTestClient[Litestar], user: LoginUser, committer: asyncpg.Connection
) -> None:
    token = (await login(client, user.email, user.password)).json()["refresh_token"]
    await committer.execute("update data.users set role = 'ADMIN' where id = $1", user.user_id)
    response = await refresh(client, token)
    assert response.status_code == 200, response.text
    assert (await verified(response.json()["access_token"])).role == "school_admin"


async def test_an_access_token_cannot_refresh(client: AsyncTestClient[Litestar], user: LoginUser) -> None:
    access = (await login(client, user.email, user.password)).json()["access_token"]
    response = await refresh(client, access)
    assert (response.status_code, response.json()["code"]) == (401, "SDA304")


async def test_garbage_refresh_token_is_refused(client: AsyncTestClient[Litestar]) -> None:
    response = await refresh(client, "a.b.c")
    assert (response.status_code, response.json()["message"]) == (401, "invalid refresh token")


# --- configuration --------------------------------------------------------------------------------


async def test_service_is_built_from_the_environment_on_first_use(
    pool: str, user: LoginUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JWT_SECRET", SECRET)
    monkeypatch.setenv("JWT_ACCESS_TTL", "120")
    app = make_app(pool, None)
    async with AsyncTestClient(app) as client:
        response = await login(client, user.email, user.password)
    assert (response.status_code, response.json()["expires_in"]) == (200, 120)
    assert isinstance(app.state.login_service, LoginService)


async def test_login_without_a_secret_is_a_server_error(
    pool: str, user: LoginUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    async with AsyncTestClient(make_app(pool, None)) as client:
        response = await login(client, user.email, user.password)
    assert (response.status_code, response.json()["code"]) == (500, "PGRST300")
