"""Fixtures for SQL behaviour tests: fresh committed schools, and a connection
that logs in as `authenticator` and switches role and claims exactly as the
gateway does, inside a transaction rolled back after the test."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from db.database import with_user
from tests.factories import School, make_school
from tests.pgbouncer import enabled as pgbouncer_enabled


@pytest.fixture
async def committer(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection in autocommit, for setting up data other connections can see."""
    connection = await asyncpg.connect(database_url)
    yield connection
    await connection.close()


@pytest.fixture
async def school(committer: asyncpg.Connection) -> School:
    return await make_school(committer)


@pytest.fixture
async def other_school(committer: asyncpg.Connection) -> School:
    return await make_school(committer)


@pytest.fixture
async def authenticator(authenticator_url: str) -> AsyncIterator[asyncpg.Connection]:
    """The gateway's login, in a transaction that is rolled back after the test
    (through PgBouncer with PGBOUNCER=1: no named prepared statements then)."""
    connection = await asyncpg.connect(authenticator_url, statement_cache_size=0 if pgbouncer_enabled() else 100)
    transaction = connection.transaction()
    await transaction.start()
    try:
        yield connection
    finally:
        await transaction.rollback()
        await connection.close()


async def act_as(
    connection: asyncpg.Connection,
    role: str,
    *,
    school_id: UUID | None = None,
    sub: UUID | str | None = None,
    **extra_claims: Any,
) -> None:
    """Switch role and claims for the rest of the transaction, as the gateway does."""
    claims: dict[str, Any] = {"role": role, **extra_claims}
    if school_id is not None:
        claims["school_id"] = str(school_id)
    if sub is not None:
        claims["sub"] = str(sub)
    await connection.execute(
        "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", role, json.dumps(claims)
    )


# Helpers for tests of concurrent transactions (db/finance, db/terms). Imports here:
# this block is appended to the shared conftest.
import asyncio  # noqa: E402
from contextlib import asynccontextmanager  # noqa: E402


@asynccontextmanager
async def authenticators(database_url: str, count: int) -> AsyncIterator[list[asyncpg.Connection]]:
    """`count` separate gateway logins (autocommit), for tests of concurrent
    transactions; each caller opens its own transaction and calls act_as in it."""
    connections = await asyncio.gather(*(asyncpg.connect(with_user(database_url, "authenticator")) for _ in range(count)))
    try:
        yield list(connections)
    finally:
        await asyncio.gather(*(c.close() for c in connections))


async def set_request_id(connection: asyncpg.Connection, request_id: str) -> None:
    """The request id the gateway sets beside role and claims (auth.request_id())."""
    await connection.execute("select set_config('request.id', $1, true)", request_id)
