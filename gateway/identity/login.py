"""POST /auth/login and POST /auth/refresh: email + password -> token pair.

The database keeps the users; this module only asks it, as `authenticator`
(no role switch: the lookup functions are granted to that login alone), and
checks the password in Python (argon2id, db/passwords.py).

What an attacker can learn or do, and why not:
- Which emails exist: every failure (unknown email, wrong password, inactive
  user) returns the same 401 body, and an unknown email is verified against a
  dummy hash made with the same parameters, so the time taken is the same.
- Which emails exist at another school: emails are unique per school (m0052,
  issue 13 F7), so a login names its school (`school_id`) or, without one,
  succeeds only when exactly one school has the address. An address at two
  schools without `school_id` is the same 401 as a wrong password, after one
  password check like any other; the constant hint says what to send.
- Guess passwords: failures are counted per email and per client IP in a
  sliding window (default 5 per email, 50 per IP, in 15 minutes, see
  LoginThrottle); past the limit the answer is 429 with Retry-After and no
  password is checked. The counts are per process: N workers or replicas allow
  up to N times the limit. The client IP is the socket peer; behind a proxy run
  uvicorn with --proxy-headers/--forwarded-allow-ips rather than trusting
  X-Forwarded-For here.
- Exhaust the CPU: argon2 runs in worker threads (bounded pool), and a
  throttled request costs no hash at all.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Annotated, Any, Final, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from litestar import Request, Response, post
from litestar.datastructures import State

from db.passwords import hash_password, needs_rehash, verify_password
from gateway.errors import ApiError
from gateway.identity.tokens import LOGIN_ROLES, TokenIssuer, TokenPair, invalid_refresh_token

log = logging.getLogger("gateway.login")

# RFC 5321 caps an address at 254 octets; a password longer than 1 KiB is not a
# password, and argon2 would still have to hash all of it.
# No control characters: an address has none, and a NUL would reach Postgres,
# which cannot take it in text (found by schemathesis as a 500). Surrounding
# blanks are allowed: they are trimmed before the lookup.
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^\x00-\x1f\x7f]+$")]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class LoginBody(msgspec.Struct, frozen=True, kw_only=True):
    email: Email
    password: Password
    # The school of the login: needed when the address is a login at more than
    # one school (a teacher of two schools of one group), optional otherwise.
    school_id: UUID | None = None


class RefreshBody(msgspec.Struct, frozen=True, kw_only=True):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class LoginUser(msgspec.Struct, frozen=True, kw_only=True):
    """One row of auth.login_lookup / auth.login_lookup_by_id (tenancy, m0004)."""

    user_id: UUID
    school_id: UUID
    db_role: str
    password_hash: str | None
    is_active: bool


INVALID_LOGIN: Final = "invalid email or password"
# The same on every refusal, so it tells nothing about the address.
INVALID_LOGIN_HINT: Final = "If this email is a login at more than one school, send the school's school_id too"
# Token responses must not be cached by browsers or proxies (RFC 6749 §5.1).
NO_STORE: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_COLUMNS: Final = "user_id, school_id, db_role, password_hash, is_active"
LOOKUP_BY_EMAIL: Final = f"select {_COLUMNS} from auth.login_lookup($1, $2)"
LOOKUP_BY_ID: Final = f"select {_COLUMNS} from auth.login_lookup_by_id($1)"


class SlidingWindow:
    """At most `limit` events per key in the last `window` seconds.

    Keeps the last `limit` timestamps per key (older ones cannot matter) and at
    most `max_keys` keys, forgetting the least recently charged first, so an
    attacker spraying random emails costs bounded memory.
    """

    def __init__(
        self, *, limit: int, window: float, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a login throttle needs limit >= 1 and window > 0")
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it may now."""
        events = self._events.get(key)
        if events is None or len(events) < self.limit:
            return 0.0
        return max(0.0, events[0] + self.window - self.clock())

    def add(self, key: str) -> None:
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque(maxlen=self.limit)
        events.append(self.clock())
        self._events.move_to_end(key)
        while len(self._events) > self.max_keys:
            self._events.popitem(last=False)

    def remove_one(self, key: str) -> None:
        events = self._events.get(key)
        if events:
            events.pop()

    def clear(self, key: str) -> None:
        self._events.pop(key, None)


class LoginThrottle:
    """Failed logins per email and per client IP (documented limits: by default
    5 per email and 50 per IP in 15 minutes; LOGIN_MAX_FAILURES_PER_EMAIL,
    LOGIN_MAX_FAILURES_PER_IP, LOGIN_FAILURE_WINDOW). The IP limit is higher
    because a whole school often shares one address. Locking an email also
    locks its owner out for the window: the price of stopping guessing without
    knowing who is who."""

    def __init__(self, *, per_email: SlidingWindow, per_ip: SlidingWindow) -> None:
        self.per_email, self.per_ip = per_email, per_ip

    @classmethod
    def from_env(cls, clock: Callable[[], float] = time.monotonic) -> LoginThrottle:
        window = float(os.environ.get("LOGIN_FAILURE_WINDOW") or 15 * 60)
        return cls(
            per_email=SlidingWindow(
                limit=int(os.environ.get("LOGIN_MAX_FAILURES_PER_EMAIL") or 5), window=window, clock=clock
            ),
            per_ip=SlidingWindow(
                limit=int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP") or 50), window=window, clock=clock
            ),
        )

    def charge(self, email: str, ip: str) -> None:
        """Count one attempt, or raise 429 when either key is over its limit."""
        wait = max(self.per_email.retry_after(email), self.per_ip.retry_after(ip))
        if wait > 0:
            raise ApiError(
                429,
                "SDA303",
                "too many failed logins; try again later",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        self.per_email.add(email)
        self.per_ip.add(ip)

    def succeeded(self, email: str, ip: str) -> None:
        """A correct password clears the email's failures and refunds the IP's charge."""
        self.per_email.clear(email)
        self.per_ip.remove_one(ip)


class LoginService:
    """Per-process state of the login endpoints: token issuer, throttle, dummy hash."""

    def __init__(self, issuer: TokenIssuer, throttle: LoginThrottle) -> None:
        self.issuer = issuer
        self.throttle = throttle
        self._dummy_hash: str | None = None

    @classmethod
    def from_env(cls) -> LoginService:
        return cls(TokenIssuer.from_env(), LoginThrottle.from_env())

    async def dummy_hash(self) -> str:
        # Made with the current parameters, so verifying against it costs what a real verify costs.
        if self._dummy_hash is None:
            self._dummy_hash = await asyncio.to_thread(hash_password, os.urandom(16).hex())
        return self._dummy_hash


def login_service(state: State) -> LoginService:
    """The app's LoginService; the app may create it at start-up (fail fast on a
    bad JWT_SECRET), otherwise it is made on first use."""
    service = getattr(state, "login_service", None)
    if service is None:
        service = LoginService.from_env()
        state.login_service = service
    return service


T = TypeVar("T")


def _decode(body: bytes, kind: type[T]) -> T:
    try:
        return msgspec.json.decode(body, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        # msgspec names the field and the rule, never the value (no password in errors).
        raise ApiError(400, "PGRST102", "Invalid request body", details=str(error)) from None


async def _lookup(pool: asyncpg.Pool, sql: str, *args: Any) -> LoginUser | None:
    async with pool.acquire() as connection:
        rows = await connection.fetch(sql, *args)
    # Emails are unique per school (users_email_school_id_key): several rows
    # are one address at several schools, and without the school picking one
    # could log in the wrong login. Refused like an unknown address.
    return LoginUser(**dict(rows[0])) if len(rows) == 1 else None


def _client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _token_response(pair: TokenPair) -> Response[bytes]:
    return Response(msgspec.json.encode(pair), media_type="application/json", headers=NO_STORE)


@post("/auth/login", operation_id="authLogin", tags=["auth"], status_code=200)
async def login(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Exchange an email and password for an access token and a refresh token."""
    body = _decode(await request.body(), LoginBody)
    service = login_service(request.app.state)
    email_key, ip = body.email.strip().casefold(), _client_ip(request)
    # Counted before the password is checked, with no await in between, so
    # concurrent guesses cannot all slip under the limit; refunded on success.
    service.throttle.charge(email_key, ip)

    user = await _lookup(request.app.state.pool, LOOKUP_BY_EMAIL, body.email.strip(), body.school_id)
    # No user, or a user with no password yet ('!', m0004): verify against the
    # dummy so the answer takes as long as for a real account, then refuse.
    has_hash = user is not None and (user.password_hash or "").startswith("$argon2")
    stored = user.password_hash if has_hash and user is not None else None
    matches = await asyncio.to_thread(verify_password, stored or await service.dummy_hash(), body.password)
    if user is None or stored is None or not matches or not user.is_active or user.db_role not in LOGIN_ROLES:
        log.info("login refused from %s", ip)
        raise ApiError(401, "SDA302", INVALID_LOGIN, hint=INVALID_LOGIN_HINT, headers={"WWW-Authenticate": "Bearer"})
    service.throttle.succeeded(email_key, ip)

    if needs_rehash(stored):
        stored = await _rehash(request.app.state.pool, user.user_id, body.password, stored)
    pair = service.issuer.pair(user_id=user.user_id, school_id=user.school_id, role=user.db_role, password_hash=stored)
    return _token_response(pair)


async def _rehash(pool: asyncpg.Pool, user_id: UUID, password: str, current: str) -> str:
    """Store a hash with today's parameters; a failure must not fail the login."""
    fresh = await asyncio.to_thread(hash_password, password)
    try:
        async with pool.acquire() as connection:
            await connection.execute("select auth.set_password_hash($1, $2)", user_id, fresh)
    except (asyncpg.PostgresError, OSError):
        log.warning("could not store a rehashed password for user %s", user_id, exc_info=True)
        return current
    return fresh


@post("/auth/refresh", operation_id="authRefresh", tags=["auth"], status_code=200)
async def refresh(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Exchange a refresh token for a new token pair, if the user may still log in."""
    body = _decode(await request.body(), RefreshBody)
    service = login_service(request.app.state)
    claims = service.issuer.verify_refresh(body.refresh_token)
    user = await _lookup(request.app.state.pool, LOOKUP_BY_ID, claims.user_id)
    if (
        user is None
        or not user.is_active
        or user.db_role not in LOGIN_ROLES
        or not user.password_hash
        or not service.issuer.fingerprint_matches(claims, user.password_hash)
    ):
        raise invalid_refresh_token()
    # Role and school come from the database again, not from the old token.
    pair = service.issuer.pair(
        user_id=user.user_id, school_id=user.school_id, role=user.db_role, password_hash=user.password_hash
    )
    return _token_response(pair)


login_routes = [login, refresh]
