"""gateway/tokens.py and the login throttle: no database."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from gateway.errors import ApiError
from gateway.identity.auth import AuthConfig, Authenticator
from gateway.identity.login import LoginThrottle, SlidingWindow
from gateway.identity.tokens import TokenConfig, TokenIssuer, ensure_jwt_secret

SECRET = "tokens-test-secret-" + "0123456789abcdef" * 3
USER, SCHOOL = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def issuer() -> TokenIssuer:
    return TokenIssuer(TokenConfig(secret=SECRET))


async def test_access_token_carries_the_documented_claims(issuer: TokenIssuer) -> None:
    token = issuer.access_token(user_id=USER, school_id=SCHOOL, role="parent")
    caller = await Authenticator(AuthConfig(jwt_secret=SECRET)).authenticate(f"Bearer {token}")
    assert caller.role == "parent"
    assert set(caller.claims) == {"sub", "school_id", "role", "iat", "exp", "jti"}
    assert caller.claims["exp"] - caller.claims["iat"] == 15 * 60


async def test_audience_and_issuer_are_stamped_when_configured() -> None:
    config = TokenConfig(secret=SECRET, audience="school-data-api", issuer="https://school.example.test")
    token = TokenIssuer(config).access_token(user_id=USER, school_id=SCHOOL, role="teacher")
    auth = Authenticator(
        AuthConfig(jwt_secret=SECRET, audience="school-data-api", issuer="https://school.example.test")
    )
    assert (await auth.authenticate(f"Bearer {token}")).role == "teacher"


@pytest.mark.parametrize("role", ["partner_sync", "anon", "postgres", "reporting"])
def test_login_tokens_are_only_for_user_roles(issuer: TokenIssuer, role: str) -> None:
    with pytest.raises(ValueError):
        issuer.access_token(user_id=USER, school_id=SCHOOL, role=role)


async def test_refresh_token_is_not_accepted_as_an_access_token(issuer: TokenIssuer) -> None:
    token = issuer.refresh_token(user_id=USER, password_hash="$argon2id$x")
    with pytest.raises(ApiError) as caught:
        await Authenticator(AuthConfig(jwt_secret=SECRET)).authenticate(f"Bearer {token}")
    assert (caught.value.status, caught.value.code) == (401, "PGRST301"), "another key: the signature fails"


def test_access_token_is_not_accepted_as_a_refresh_token(issuer: TokenIssuer) -> None:
    token = issuer.access_token(user_id=USER, school_id=SCHOOL, role="teacher")
    with pytest.raises(ApiError) as caught:
        issuer.verify_refresh(token)
    assert (caught.value.status, caught.value.code) == (401, "SDA304")


def test_refresh_token_round_trips_and_binds_the_password_hash(issuer: TokenIssuer) -> None:
    token = issuer.refresh_token(user_id=USER, password_hash="hash-1")
    claims = issuer.verify_refresh(token)
    assert claims.user_id == USER
    assert issuer.fingerprint_matches(claims, "hash-1")
    assert not issuer.fingerprint_matches(claims, "hash-2")
    assert "hash-1" not in str(jwt.decode(token, options={"verify_signature": False})), "the hash is not readable"


def test_expired_refresh_token_is_refused(issuer: TokenIssuer) -> None:
    token = issuer.refresh_token(user_id=USER, password_hash="h", now=time.time() - 8 * 24 * 3600)
    with pytest.raises(ApiError) as caught:
        issuer.verify_refresh(token)
    assert caught.value.code == "SDA304"


def test_refresh_token_from_another_secret_is_refused(issuer: TokenIssuer) -> None:
    other = TokenIssuer(TokenConfig(secret="x" * 40)).refresh_token(user_id=USER, password_hash="h")
    with pytest.raises(ApiError):
        issuer.verify_refresh(other)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": "short"},
        {"secret": SECRET, "access_ttl_seconds": 10},
        {"secret": SECRET, "access_ttl_seconds": 3600, "refresh_ttl_seconds": 600},
    ],
)
def test_unsafe_token_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        TokenConfig(**kwargs)  # type: ignore[arg-type]


def test_config_without_a_secret_is_pgrst300() -> None:
    with pytest.raises(ApiError) as caught:
        TokenConfig.from_env({})
    assert (caught.value.status, caught.value.code) == (500, "PGRST300")


def test_ensure_jwt_secret_generates_one_only_when_missing(capsys: pytest.CaptureFixture[str]) -> None:
    env: dict[str, str] = {}
    assert ensure_jwt_secret(env) is True
    assert len(env["JWT_SECRET"]) >= 32
    assert "stop working when the server restarts" in capsys.readouterr().err
    TokenConfig.from_env(env)  # usable as is
    kept = dict(env)
    assert ensure_jwt_secret(env) is False
    assert env == kept


def test_ensure_jwt_secret_keeps_a_configured_secret() -> None:
    env = {"JWT_SECRET": SECRET}
    assert ensure_jwt_secret(env) is False
    assert env["JWT_SECRET"] == SECRET


# --- the throttle ----------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_blocks_after_the_limit_and_reopens_when_it_slides() -> None:
    clock = Clock()
    window = SlidingWindow(limit=3, window=60, clock=clock)
    for _ in range(3):
        assert window.retry_after("k") == 0
        window.add("k")
        clock.now += 10
    assert window.retry_after("k") == pytest.approx(30), "the first event (t=1000) leaves the window at t=1060"
    clock.now = 1060.0
    assert window.retry_after("k") == 0


def test_sliding_window_memory_is_bounded() -> None:
    window = SlidingWindow(limit=1, window=60, max_keys=100, clock=Clock())
    for n in range(1000):
        window.add(f"email{n}")
    assert len(window._events) == 100
    assert window.retry_after("email999") > 0 and window.retry_after("email0") == 0


def test_throttle_answers_429_with_retry_after() -> None:
    clock = Clock()
    throttle = LoginThrottle(
        per_email=SlidingWindow(limit=2, window=900, clock=clock),
        per_ip=SlidingWindow(limit=10, window=900, clock=clock),
    )
    throttle.charge("a@x.test", "10.0.0.1")
    throttle.charge("a@x.test", "10.0.0.1")
    with pytest.raises(ApiError) as caught:
        throttle.charge("a@x.test", "10.0.0.1")
    assert (caught.value.status, caught.value.code, caught.value.headers) == (429, "SDA303", {"Retry-After": "900"})
    throttle.charge("b@x.test", "10.0.0.1")  # another email from the same address still may try


def test_throttle_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_EMAIL", "7")
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_IP", "70")
    monkeypatch.setenv("LOGIN_FAILURE_WINDOW", "600")
    throttle = LoginThrottle.from_env()
    assert (throttle.per_email.limit, throttle.per_ip.limit, throttle.per_email.window) == (7, 70, 600.0)
