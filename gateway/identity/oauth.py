"""POST /oauth/token: OAuth 2.0 client credentials (RFC 6749 §4.4) for partners.

The client authenticates with HTTP Basic (client_id:client_secret, §2.3.1) or
with client_id/client_secret form fields; `scope` may narrow what the client was
granted. The gateway, as `authenticator`, reads the client through
auth.partner_lookup (db/tenancy/auth.sql) and checks the secret with
argon2id in Python. The token: HS256 with JWT_SECRET, role partner_sync, the
client's school_id, sub = client_id, scope (space-separated), short-lived.
Errors are RFC 6749 §5.2 bodies, not the gateway's error shape: that is what
OAuth client libraries parse. A revoked client gets invalid_client here, and
the tokens it already holds stop working in Postgres (auth.partner_client_active).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
import time
import uuid
from typing import Annotated, Any, Final, Literal
from urllib.parse import parse_qs, unquote_plus

import jwt
import msgspec
from litestar import Request, Response, post

from db.passwords import verify_password

PARTNER_ROLE: Final = "partner_sync"
_DUMMY: dict[str, str] = {}
OAuthErrorCode = Literal["invalid_request", "invalid_client", "unsupported_grant_type", "invalid_scope", "server_error"]


class TokenForm(msgspec.Struct, frozen=True, kw_only=True):
    """The form POST /oauth/token reads (application/x-www-form-urlencoded)."""

    grant_type: Literal["client_credentials"]
    scope: str | msgspec.UnsetType = msgspec.UNSET  # space-separated; narrows what the client was granted
    # With client_secret, when the client does not authenticate with HTTP Basic.
    client_id: Annotated[str, msgspec.Meta(max_length=64)] | msgspec.UnsetType = msgspec.UNSET
    client_secret: Annotated[str, msgspec.Meta(max_length=256)] | msgspec.UnsetType = msgspec.UNSET


class TokenResponse(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 6749 §5.1."""

    access_token: str
    token_type: Literal["bearer"]
    expires_in: int
    scope: str


class OAuthError(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 6749 §5.2: what OAuth client libraries parse."""

    error: OAuthErrorCode
    error_description: str


def _error(status: int, error: OAuthErrorCode, description: str, *, basic: bool = False) -> Response[bytes]:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if basic:
        headers["WWW-Authenticate"] = 'Basic realm="oauth", charset="UTF-8"'
    body = OAuthError(error=error, error_description=description)
    return Response(msgspec.json.encode(body), status_code=status, media_type="application/json", headers=headers)


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return unquote_plus(client_id), unquote_plus(secret)


async def _dummy_hash() -> str:
    if "hash" not in _DUMMY:
        from db.passwords import hash_password

        _DUMMY["hash"] = await asyncio.to_thread(hash_password, "not-a-client-secret")
    return _DUMMY["hash"]


@post("/oauth/token", operation_id="oauthToken", tags=["oauth"], status_code=200)
async def token(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Exchange partner client credentials for a partner_sync access token."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _error(400, "invalid_request", "send application/x-www-form-urlencoded")
    raw = await request.body()
    if len(raw) > 8192:
        return _error(400, "invalid_request", "request too large")
    try:
        form = {k: v for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False).items()}
    except UnicodeDecodeError:
        return _error(400, "invalid_request", "the form is not UTF-8")
    if any(len(v) > 1 for v in form.values()):
        return _error(400, "invalid_request", "a parameter is repeated")
    fields = {k: v[0] for k, v in form.items()}

    basic = _basic_credentials(request.headers.get("authorization"))
    if basic is not None and ("client_secret" in fields):
        return _error(400, "invalid_request", "use one client authentication method, not two")
    client_id, secret = basic if basic is not None else (fields.get("client_id"), fields.get("client_secret"))

    if fields.get("grant_type") != "client_credentials":
        if not fields.get("grant_type"):
            return _error(400, "invalid_request", "grant_type is required")
        return _error(400, "unsupported_grant_type", "only client_credentials is supported")
    if not client_id or not secret or len(client_id) > 64 or len(secret) > 256:
        return _error(401, "invalid_client", "client authentication failed", basic=True)

    async with request.app.state.pool.acquire(timeout=5) as connection:
        row = await connection.fetchrow(
            "select client_id, school_id, secret_hash, scopes, revoked from auth.partner_lookup($1)", client_id
        )
    stored = row["secret_hash"] if row is not None else await _dummy_hash()
    matches = await asyncio.to_thread(verify_password, stored, secret)
    if row is None or not matches or row["revoked"]:
        return _error(401, "invalid_client", "client authentication failed", basic=True)

    granted = set(row["scopes"])
    asked = fields.get("scope")
    if asked is None or not asked.strip():
        scopes = granted
    else:
        # RFC 6749 section 3.3: the server may issue fewer scopes than asked
        # and says which in `scope`; Google's OneRoster suite asks for
        # rostering and gradebook scopes at once. Nothing granted is an error.
        scopes = set(asked.split()) & granted
        if not scopes:
            return _error(400, "invalid_scope", "the client was granted none of: " + " ".join(sorted(set(asked.split()))))

    # Signed with the key the gateway verifies with (settings.auth), so the
    # token works wherever this gateway's own tokens do.
    auth = request.app.state.gateway.settings.auth
    if not auth.jwt_secret:
        return _error(500, "server_error", "the gateway has no JWT secret to sign with")
    ttl = int(os.environ.get("JWT_ACCESS_TTL") or 15 * 60)
    issued = int(time.time())
    claims: dict[str, Any] = {
        "role": PARTNER_ROLE,
        "school_id": str(row["school_id"]),
        "sub": row["client_id"],
        "scope": " ".join(sorted(scopes)),
        "iat": issued,
        "exp": issued + ttl,
        "jti": str(uuid.uuid4()),
    }
    if auth.audience:
        claims["aud"] = auth.audience
    if auth.issuer:
        claims["iss"] = auth.issuer
    body = TokenResponse(
        access_token=jwt.encode(claims, auth.jwt_secret, algorithm="HS256"),
        token_type="bearer",
        expires_in=ttl,
        scope=claims["scope"],
    )
    return Response(
        msgspec.json.encode(body), media_type="application/json", headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
    )


oauth_routes = [token]
