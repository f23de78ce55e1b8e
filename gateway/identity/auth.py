"""Who is calling: the Authorization header -> a verified `Caller` (role + claims).

The first stage of every request. No header means the `anon` role; a bearer
token must verify, or the request stops here with a 401 in PostgREST's shape
(PGRST301 the token itself is bad, PGRST303 its claims are refused) and a
`WWW-Authenticate: Bearer error="invalid_token"` header (RFC 6750 §3.1).

Rules, and why:
- The key decides the algorithm, never the token: HS256 only with JWT_SECRET;
  RS256/ES256 only with a key from JWT_JWKS_URL whose own type is that
  algorithm. So `alg: none`, HS/RS confusion (a token HMAC-signed with the
  public key as secret) and algorithm downgrades have no path to success.
- `exp` is required on every token, ours and an identity provider's: the
  gateway keeps no revocation list, so a token without expiry would be valid
  forever. `nbf`/`iat` are checked; 30 s leeway absorbs clock skew.
- `aud` and `iss` are required when JWT_AUDIENCE / JWT_ISSUER are set (and a
  token carrying `aud` is refused when no audience is configured: it was
  meant for another service).
- `role` must be one of API_ROLES. The database would refuse an unknown role,
  but `SET ROLE` to a role that exists (postgres, school_owner, authenticator,
  reporting) must never depend on grants being right, so we refuse first.
- `school_id` must be a uuid for every role but anon: the RLS helpers treat a
  malformed school_id as "no school", which is safe but a silent failure.
- Messages are constants: a token, or a library message that may quote one,
  never reaches the response.
"""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any, Final

import jwt
import msgspec

from gateway.errors import ApiError

# The roles a JWT may select (DESIGN.md "Schemas and roles"). `reporting` is
# absent on purpose: BI tools log in to Postgres directly with a per-school
# login and have no path through the gateway. Never postgres, school_owner or
# authenticator.
API_ROLES: Final = frozenset({"anon", "school_admin", "teacher", "parent", "student", "partner_sync"})
ANON: Final = "anon"

HMAC_ALGORITHM: Final = "HS256"
JWKS_ALGORITHMS: Final = frozenset({"RS256", "ES256"})
# RFC 7518 §3.2: an HS256 key must be at least as long as the hash (32 bytes);
# PostgREST enforces the same minimum for its secret.
MIN_SECRET_BYTES: Final = 32
# Far above any real token; a cheap guard before base64 and JSON decoding.
MAX_TOKEN_CHARS: Final = 8192

# The same pattern as auth.school_id() in db/tenancy/auth.sql, so the
# gateway and the database agree on what counts as a school id.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


class Caller(msgspec.Struct, frozen=True, kw_only=True):
    """The verified identity of one request: the role to `SET ROLE` to and the
    claims to put in `request.jwt.claims`."""

    role: str
    claims: dict[str, Any]


ANONYMOUS: Final = Caller(role=ANON, claims={"role": ANON})


class AuthConfig(msgspec.Struct, frozen=True, kw_only=True):
    jwt_secret: str | None = None
    jwks_url: str | None = None
    audience: str | None = None
    issuer: str | None = None
    leeway_seconds: float = 30.0
    # How long a fetched key set is trusted before it is fetched again; an
    # unknown `kid` forces an earlier fetch at most once per cooldown (PyJWT).
    jwks_cache_seconds: float = 300.0
    jwks_cooldown_seconds: float = 30.0
    # A school's own identity provider can sign anything; pinning its tokens to
    # that school stops its admins from minting tokens for another school.
    jwks_school_id: str | None = None

    def __post_init__(self) -> None:
        if self.jwt_secret is not None and len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long")
        if self.jwks_school_id is not None and not _UUID.fullmatch(self.jwks_school_id):
            raise ValueError("JWT_JWKS_SCHOOL_ID must be a uuid")
        if self.leeway_seconds < 0 or self.leeway_seconds > 300:
            raise ValueError("JWT_LEEWAY must be between 0 and 300 seconds")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> AuthConfig:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(name) or None  # an empty variable means "unset"

        return cls(
            jwt_secret=get("JWT_SECRET"),
            jwks_url=get("JWT_JWKS_URL"),
            audience=get("JWT_AUDIENCE"),
            issuer=get("JWT_ISSUER"),
            leeway_seconds=float(get("JWT_LEEWAY") or 30),
            jwks_cache_seconds=float(get("JWT_JWKS_CACHE_SECONDS") or 300),
            jwks_school_id=get("JWT_JWKS_SCHOOL_ID"),
        )


def _description(message: str) -> str:
    return message.replace("\\", "\\\\").replace('"', '\\"')


def invalid_token(code: str, message: str) -> ApiError:
    """A 401 for a token we refuse (PGRST301: cannot verify; PGRST303: claims)."""
    header = f'Bearer error="invalid_token", error_description="{_description(message)}"'
    return ApiError(401, code, message, headers={"WWW-Authenticate": header})


def _decode_failed(message: str) -> ApiError:
    return invalid_token("PGRST301", message)


def _claims_refused(message: str) -> ApiError:
    return invalid_token("PGRST303", message)


def _from_pyjwt(error: jwt.InvalidTokenError) -> ApiError:
    """PyJWT's exception -> PostgREST's code and a fixed message (never str(error))."""
    if isinstance(error, jwt.ExpiredSignatureError):
        return _claims_refused("JWT expired")
    if isinstance(error, jwt.ImmatureSignatureError):
        return _claims_refused("JWT not yet valid")
    if isinstance(error, jwt.InvalidAudienceError):
        return _claims_refused("JWT not in audience")
    if isinstance(error, jwt.InvalidIssuerError):
        return _claims_refused("JWT issuer not accepted")
    if isinstance(error, jwt.MissingRequiredClaimError):
        # error.claim is one of our own required names (exp, aud, iss), not token text.
        return _claims_refused(f"The JWT '{error.claim}' claim is required")
    if isinstance(error, jwt.InvalidSignatureError):
        return _decode_failed("JWT cryptographic operation failed")
    if isinstance(error, jwt.InvalidAlgorithmError):
        return _decode_failed("Wrong or unsupported encoding algorithm")
    if isinstance(error, jwt.InvalidKeyError):
        return _decode_failed("No suitable key or wrong key type")
    return _decode_failed("JWT couldn't be decoded")


def bearer_token(authorization: str) -> str:
    """The token of an `Authorization: Bearer <token>` header, or a 401."""
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        # Not silently anon: a client sending Basic credentials believes it is authenticated.
        raise _decode_failed("Authorization header must use the Bearer scheme")
    token = token.strip()
    if not token:
        raise _decode_failed("Empty JWT is sent in Authorization header")
    if len(token) > MAX_TOKEN_CHARS:
        raise _decode_failed("JWT couldn't be decoded")
    return token


def check_claims(claims: dict[str, Any]) -> Caller:
    """Verified claims -> Caller, or a 401 when they select no API role or no school."""
    if claims.get("typ") == "refresh":
        # Refresh tokens are signed with another key (gateway/tokens.py), so this
        # is a second lock: they only ever open POST /auth/refresh.
        raise _claims_refused("A refresh token is not an access token")
    role = claims.get("role")
    if not isinstance(role, str) or role not in API_ROLES:
        raise _claims_refused("The JWT 'role' claim must name an API role")
    school_id = claims.get("school_id")
    if school_id is None and role == ANON:
        return Caller(role=role, claims=claims)
    if not isinstance(school_id, str) or not _UUID.fullmatch(school_id):
        raise _claims_refused("The JWT 'school_id' claim must be a uuid")
    return Caller(role=role, claims=claims)


class Authenticator:
    """Verifies bearer tokens against the configured key sources.

    One instance per process (it holds the JWKS cache); `authenticate` is safe
    to call concurrently.
    """

    def __init__(self, config: AuthConfig) -> None:
        self.config = config
        self._jwks: jwt.PyJWKClient | None = None
        if config.jwks_url:
            self._jwks = jwt.PyJWKClient(
                config.jwks_url,
                cache_jwk_set=True,
                lifespan=config.jwks_cache_seconds,
                cooldown_duration=config.jwks_cooldown_seconds,
                timeout=5,
            )
        # PyJWT's defaults plus: exp is mandatory, and weak keys (RSA < 2048
        # bits, HMAC < 32 bytes) are refused even if an identity provider serves them.
        self._options: dict[str, Any] = {"require": ["exp"], "enforce_minimum_key_length": True}

    @classmethod
    def from_env(cls) -> Authenticator:
        return cls(AuthConfig.from_env())

    async def authenticate(self, authorization: str | None) -> Caller:
        if authorization is None:
            return ANONYMOUS
        token = bearer_token(authorization)
        claims, from_jwks = await self._verify(token)
        caller = check_claims(claims)
        pinned = self.config.jwks_school_id
        foreign = pinned is not None and str(caller.claims.get("school_id", "")).lower() != pinned.lower()
        if from_jwks and foreign and caller.role != ANON:
            raise _claims_refused("The JWT 'school_id' claim is not this identity provider's school")
        return caller

    async def _verify(self, token: str) -> tuple[dict[str, Any], bool]:
        """The verified claims, and whether the key came from the JWKS."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise _decode_failed("JWT couldn't be decoded") from None
        alg = header.get("alg")
        key: Any
        if alg == HMAC_ALGORITHM:
            if self.config.jwt_secret is None:
                raise self._no_key()
            key, from_jwks = self.config.jwt_secret, False
        elif isinstance(alg, str) and alg in JWKS_ALGORITHMS:
            if self._jwks is None:
                raise self._no_key()
            key, from_jwks = await self._jwks_key(header.get("kid"), alg), True
        else:
            raise _decode_failed("Wrong or unsupported encoding algorithm")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],  # exactly one, chosen by the key source above
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=self.config.leeway_seconds,
                options=self._options,  # type: ignore[arg-type]
            )
        except jwt.InvalidTokenError as error:
            raise _from_pyjwt(error) from None
        return claims, from_jwks

    def _no_key(self) -> ApiError:
        if self.config.jwt_secret is None and self._jwks is None:
            return ApiError(500, "PGRST300", "Server lacks JWT secret")
        return _decode_failed("No suitable key or wrong key type")

    async def _jwks_key(self, kid: Any, alg: str) -> jwt.PyJWK:
        assert self._jwks is not None
        if not isinstance(kid, str) or not kid:
            raise _decode_failed("No suitable key or wrong key type")
        try:
            # PyJWKClient fetches with blocking urllib: keep it off the event loop.
            key = await asyncio.to_thread(self._jwks.get_signing_key, kid)
        except jwt.PyJWKClientConnectionError:
            raise ApiError(
                503, "SDA301", "The identity provider's keys could not be fetched", hint="Retry later"
            ) from None
        except (jwt.PyJWKClientError, jwt.PyJWKError, jwt.PyJWKSetError):
            raise _decode_failed("No suitable key or wrong key type") from None
        # The key's own type fixes its algorithm (RSA -> RS256, P-256 -> ES256);
        # PyJWT checks this too, we refuse before any crypto runs.
        if key.algorithm_name != alg:
            raise _decode_failed("No suitable key or wrong key type")
        return key
