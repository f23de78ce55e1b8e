"""Partner clients for roster sync (OAuth 2.0 client credentials), managed by a
school's admins:

    POST /partners/clients                      {name, scopes} -> {client_id, client_secret, scopes}
    POST /partners/clients/{client_id}/rotate   -> {client_id, client_secret, scopes}
    POST /partners/clients/{client_id}/revoke   -> {client_id, revoked_at}

The secret is generated and hashed here (argon2id, db/passwords.py: the
embedded PostgreSQL has no pgcrypto) and shown once. Each call runs in the
admin's own transaction, with their role and claims set exactly as for any
gateway request (`in_caller_transaction`); the roster.* functions check the
role and write only rows of the caller's school (db/roster/partners.sql).
Listing is the ordinary resource /partner_clients (api.partner_clients, no hash).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Final

import asyncpg
import msgspec
from litestar import Request, Response, post

from db.passwords import hash_password
from gateway.errors import ApiError
from gateway.identity.auth import Caller
from gateway.identity.setup import SETUP, setup_args
from gateway.pg_errors import from_postgres

IMPORT_SCOPE: Final = "urn:school-data-api:scope:roster.import"
SCOPES: Final = frozenset(
    {
        "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly",
        "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly",
        "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly",
        # Every Gradebook scope of OneRoster 1.2's securitySchemes (m0019, m0058:
        # the CHECK on data.partner_clients.scopes lists the same).
        "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly",
        "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook-core.readonly",
        "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput",
        "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createpost",
        "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.delete",
        # Reads of assessment line items and results (no assessment write is served).
        "https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.readonly",
        IMPORT_SCOPE,
    }
)


class NewClient(msgspec.Struct, frozen=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    scopes: list[str]


class ClientSecret(msgspec.Struct, frozen=True, kw_only=True):
    client_id: str
    client_secret: str
    scopes: list[str]


class RevokedClient(msgspec.Struct, frozen=True, kw_only=True):
    client_id: str
    revoked_at: str  # RFC 3339; the client's tokens stopped working then


async def caller_of(request: Request[Any, Any, Any]) -> tuple[Caller, str]:
    """The verified caller and its claims JSON, as every gateway request gets them."""
    return await request.app.state.gateway.tokens.caller(request.headers.get("authorization"))


@asynccontextmanager
async def in_caller_transaction(
    request: Request[Any, Any, Any], caller: Caller, claims: str, *, timeout: str = "30s"
) -> AsyncIterator[asyncpg.Connection]:
    """One transaction on a pooled connection as the caller (role, claims,
    request id), the way gateway/execute.py runs a statement."""
    request_id = request.scope["state"].get("request_id", "")
    # The role's lock timeout, work_mem and temp_file_limit (README "Limits"); this timeout.
    limits = msgspec.structs.replace(
        request.app.state.gateway.settings.limits_for(caller.role), statement_timeout=timeout
    )
    try:
        async with request.app.state.pool.acquire(timeout=5) as connection:
            async with connection.transaction():
                await connection.execute(SETUP, *setup_args(caller.db_role, claims, request_id, limits))
                yield connection
    except asyncpg.PostgresError as error:
        raise from_postgres(error, role=caller.role, request_id=request_id) from None


def _require_admin(caller: Caller) -> None:
    if caller.role != "school_admin":
        raise ApiError(403, "SDA410", "only a school admin manages partner clients")


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _json(body: Any, status: int = 200) -> Response[bytes]:
    return Response(
        msgspec.json.encode(body), status_code=status, media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )  # fmt: skip


@post("/partners/clients", operation_id="createPartnerClient", tags=["partners"], status_code=201)
async def create_client(request: Request[Any, Any, Any]) -> Response[bytes]:
    caller, claims = await caller_of(request)
    _require_admin(caller)
    try:
        body = msgspec.json.decode(await request.body(), type=NewClient)
    except msgspec.DecodeError as error:
        raise ApiError(400, "PGRST102", "invalid request body", details=str(error)) from None
    unknown = sorted(set(body.scopes) - SCOPES)
    if unknown or not body.scopes:
        raise ApiError(400, "SDA411", "unknown or missing scopes", details=", ".join(unknown),
                       hint="allowed: " + ", ".join(sorted(SCOPES)))  # fmt: skip
    client_id = "pc_" + secrets.token_hex(12)
    secret = _new_secret()
    secret_hash = await asyncio.to_thread(hash_password, secret)
    async with in_caller_transaction(request, caller, claims) as connection:
        row = await connection.fetchrow(
            "select client_id, scopes from roster.create_partner_client($1, $2, $3, $4)",
            body.name, sorted(set(body.scopes)), client_id, secret_hash,
        )  # fmt: skip
    return _json(ClientSecret(client_id=row["client_id"], client_secret=secret, scopes=list(row["scopes"])), 201)


@post(
    "/partners/clients/{client_id:str}/rotate", operation_id="rotatePartnerSecret", tags=["partners"], status_code=200
)
async def rotate_client(request: Request[Any, Any, Any]) -> Response[bytes]:
    client_id: str = request.path_params["client_id"]
    caller, claims = await caller_of(request)
    _require_admin(caller)
    secret = _new_secret()
    secret_hash = await asyncio.to_thread(hash_password, secret)
    async with in_caller_transaction(request, caller, claims) as connection:
        row = await connection.fetchrow(
            "select client_id, scopes from roster.rotate_partner_secret($1, $2)", client_id, secret_hash
        )
    if row is None:
        raise ApiError(404, "SDA412", "no active partner client with this client_id in your school")
    return _json(ClientSecret(client_id=row["client_id"], client_secret=secret, scopes=list(row["scopes"])))


@post(
    "/partners/clients/{client_id:str}/revoke", operation_id="revokePartnerClient", tags=["partners"], status_code=200
)
async def revoke_client(request: Request[Any, Any, Any]) -> Response[bytes]:
    client_id: str = request.path_params["client_id"]
    caller, claims = await caller_of(request)
    _require_admin(caller)
    async with in_caller_transaction(request, caller, claims) as connection:
        row = await connection.fetchrow("select client_id, revoked_at from roster.revoke_partner_client($1)", client_id)
    if row is None:
        raise ApiError(404, "SDA412", "no partner client with this client_id in your school")
    return _json(RevokedClient(client_id=row["client_id"], revoked_at=row["revoked_at"].isoformat()))


partner_routes = [create_client, rotate_client, revoke_client]
