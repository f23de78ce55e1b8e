"""Helpers shared by the test suites."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest


async def expect_sqlstate(connection: asyncpg.Connection, sqlstate: str, sql: str, *args: Any) -> asyncpg.PostgresError:
    """Run `sql` in a savepoint and assert it fails with `sqlstate`; the
    surrounding transaction stays usable."""
    with pytest.raises(asyncpg.PostgresError) as caught:
        async with connection.transaction():
            await connection.execute(sql, *args)
    assert caught.value.sqlstate == sqlstate, f"expected {sqlstate}, got {caught.value.sqlstate}: {caught.value}"
    return caught.value
