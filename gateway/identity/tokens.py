"""Tokens the gateway issues itself (POST /auth/login, POST /auth/refresh).

- Access token: HS256 with JWT_SECRET, short-lived (JWT_ACCESS_TTL, default
  15 min), claims sub, school_id, role, iat, exp, jti (+ aud/iss when
  JWT_AUDIENCE/JWT_ISSUER are set, so gateway/auth.py accepts it under the
  same rules as any other token).
- Refresh token: `typ: refresh`, longer-lived (JWT_REFRESH_TTL, default 7 days),
  carrying only the user id and a fingerprint of the password hash. It is
  signed with a key *derived* from JWT_SECRET, so it can never verify as an
  access token (and an access token never as a refresh token), whatever
  claims either carries. Refreshing re-reads the user (auth.login_lookup_by_id):
  a deactivated or deleted user, a changed role or a changed password take
  effect at the next refresh, i.e. within one access-token lifetime.

The gateway is stateless, so there is no revocation list: a stolen refresh
token works until it expires unless the user is deactivated or changes their
password.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
import time
import uuid
from collections.abc import MutableMapping
from typing import Annotated, Any, Final, Literal, cast, get_args
from uuid import UUID

import jwt
import msgspec

from gateway.errors import ApiError
from gateway.identity.auth import API_ROLES, MIN_SECRET_BYTES

# The roles a password login can yield: the ones auth.login_lookup returns.
# partner_sync uses client credentials from elsewhere; anon needs no token.
LoginRole = Literal["school_admin", "teacher", "parent", "student"]
LOGIN_ROLES: Final = frozenset(get_args(LoginRole))
assert LOGIN_ROLES <= API_ROLES

_REFRESH_KEY_LABEL: Final = b"school-data-api/refresh-token/v1"
_FINGERPRINT_LABEL: Final = b"school-data-api/password-fingerprint/v1"


class TokenConfig(msgspec.Struct, frozen=True, kw_only=True):
    secret: str
    access_ttl_seconds: int = 15 * 60
    refresh_ttl_seconds: int = 7 * 24 * 3600
    audience: str | None = None
    issuer: str | None = None

    def __post_init__(self) -> None:
        if len(self.secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long")
        if not 60 <= self.access_ttl_seconds <= 24 * 3600:
            raise ValueError("JWT_ACCESS_TTL must be between 60 seconds and one day")
        if not self.access_ttl_seconds < self.refresh_ttl_seconds <= 90 * 24 * 3600:
            raise ValueError("JWT_REFRESH_TTL must exceed JWT_ACCESS_TTL and be at most 90 days")

    @classmethod
    def from_env(cls, environ: MutableMapping[str, str] | None = None) -> TokenConfig:
        env = os.environ if environ is None else environ
        secret = env.get("JWT_SECRET") or ""
        if not secret:
            # PostgREST's code for the same situation; `school-gateway serve` prevents it.
            raise ApiError(500, "PGRST300", "Server lacks JWT secret")
        return cls(
            secret=secret,
            access_ttl_seconds=int(env.get("JWT_ACCESS_TTL") or 15 * 60),
            refresh_ttl_seconds=int(env.get("JWT_REFRESH_TTL") or 7 * 24 * 3600),
            audience=env.get("JWT_AUDIENCE") or None,
            issuer=env.get("JWT_ISSUER") or None,
        )


class TokenPair(msgspec.Struct, frozen=True, kw_only=True):
    """The body of a successful login or refresh (OAuth 2 token response shape, RFC 6749 §5.1)."""

    access_token: Annotated[str, msgspec.Meta(description="A JWT; send it as `Authorization: Bearer <token>`.")]
    token_type: Literal["bearer"] = "bearer"
    expires_in: Annotated[int, msgspec.Meta(description="Seconds until the access token expires.")]
    refresh_token: Annotated[str, msgspec.Meta(description="Exchange it at /auth/refresh for a new pair.")]
    role: Annotated[LoginRole, msgspec.Meta(description="The API role the access token carries.")]
    school_id: Annotated[str, msgspec.Meta(extra_json_schema={"format": "uuid"})]


class RefreshClaims(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    password_fingerprint: str


def invalid_refresh_token() -> ApiError:
    # One answer for every reason (bad signature, expired, user gone, password
    # changed): the client's only move is to log in again.
    return ApiError(401, "SDA304", "invalid refresh token", headers={"WWW-Authenticate": "Bearer"})


class TokenIssuer:
    def __init__(self, config: TokenConfig) -> None:
        self.config = config
        secret = config.secret.encode()
        self._refresh_key = hmac.new(secret, _REFRESH_KEY_LABEL, hashlib.sha256).digest()
        self._fingerprint_key = hmac.new(secret, _FINGERPRINT_LABEL, hashlib.sha256).digest()

    @classmethod
    def from_env(cls) -> TokenIssuer:
        return cls(TokenConfig.from_env())

    def password_fingerprint(self, password_hash: str) -> str:
        """Keyed, truncated digest of the stored hash: changes when the password
        does, and tells a token reader nothing about the hash."""
        return hmac.new(self._fingerprint_key, password_hash.encode(), hashlib.sha256).hexdigest()[:32]

    def access_token(self, *, user_id: UUID, school_id: UUID, role: str, now: float | None = None) -> str:
        if role not in LOGIN_ROLES:
            raise ValueError(f"refusing to issue a token for role {role!r}")
        issued = int(time.time() if now is None else now)
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "school_id": str(school_id),
            "role": role,
            "iat": issued,
            "exp": issued + self.config.access_ttl_seconds,
            "jti": str(uuid.uuid4()),
        }
        if self.config.audience:
            claims["aud"] = self.config.audience
        if self.config.issuer:
            claims["iss"] = self.config.issuer
        return jwt.encode(claims, self.config.secret, algorithm="HS256")

    def refresh_token(self, *, user_id: UUID, password_hash: str, now: float | None = None) -> str:
        issued = int(time.time() if now is None else now)
        claims = {
            "typ": "refresh",
            "sub": str(user_id),
            "pwd": self.password_fingerprint(password_hash),
            "iat": issued,
            "exp": issued + self.config.refresh_ttl_seconds,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self._refresh_key, algorithm="HS256")

    def pair(self, *, user_id: UUID, school_id: UUID, role: str, password_hash: str) -> TokenPair:
        now = time.time()
        return TokenPair(
            access_token=self.access_token(user_id=user_id, school_id=school_id, role=role, now=now),
            expires_in=self.config.access_ttl_seconds,
            refresh_token=self.refresh_token(user_id=user_id, password_hash=password_hash, now=now),
            role=cast(LoginRole, role),  # checked by access_token() above
            school_id=str(school_id),
        )

    def verify_refresh(self, token: str) -> RefreshClaims:
        try:
            claims = jwt.decode(
                token,
                self._refresh_key,
                algorithms=["HS256"],
                leeway=30,
                options={"require": ["exp", "sub", "typ", "pwd"]},
            )
        except jwt.InvalidTokenError:
            raise invalid_refresh_token() from None
        pwd = claims.get("pwd")
        if claims.get("typ") != "refresh" or not isinstance(pwd, str):
            raise invalid_refresh_token()
        try:
            user_id = UUID(str(claims["sub"]))
        except ValueError:
            raise invalid_refresh_token() from None
        return RefreshClaims(user_id=user_id, password_fingerprint=pwd)

    def fingerprint_matches(self, claims: RefreshClaims, password_hash: str) -> bool:
        return hmac.compare_digest(claims.password_fingerprint, self.password_fingerprint(password_hash))


def ensure_jwt_secret(environ: MutableMapping[str, str] | None = None) -> bool:
    """Make `school-gateway serve` work with no JWT_SECRET: generate a random one
    in the CLI process, before uvicorn starts, so every worker (spawned with a
    copy of this environment) signs and verifies with the same key.

    Returns True when a secret was generated. Tokens then die with the process.
    """
    env = os.environ if environ is None else environ
    if env.get("JWT_SECRET"):
        return False
    env["JWT_SECRET"] = secrets.token_urlsafe(48)  # 64 characters, 384 bits
    print(
        "school-gateway: JWT_SECRET is not set; using a random secret for this run. "
        "Tokens issued now stop working when the server restarts; "
        "set JWT_SECRET (at least 32 bytes) to keep them.",
        file=sys.stderr,
        flush=True,
    )
    return True
