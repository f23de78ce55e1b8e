"""Run db/bootstrap.sql: the cluster-wide roles the migrations rely on."""

from __future__ import annotations

import os
from pathlib import Path

import asyncpg

BOOTSTRAP_SQL = Path(__file__).with_name("bootstrap.sql")


async def bootstrap(admin_url: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        async with connection.transaction():
            # Serialise concurrent bootstraps of one cluster (tests, several workers):
            # CREATE ROLE is not idempotent under a race.
            await connection.execute("select pg_advisory_xact_lock(hashtext('school-data-api bootstrap'))")
            await connection.execute(BOOTSTRAP_SQL.read_text())
            password = os.environ.get("AUTHENTICATOR_PASSWORD")
            if password:
                # ALTER ROLE takes no bind parameters; format(%L) quotes the literal server-side.
                statement = await connection.fetchval("select format('alter role authenticator password %L', $1::text)", password)
                await connection.execute(statement)
    finally:
        await connection.close()
