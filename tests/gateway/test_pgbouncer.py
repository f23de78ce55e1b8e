"""The gateway behind PgBouncer in transaction mode (Debian's 1.18), started as
README's "Scale-out" says: `serve --workers 2`, AUTHENTICATOR_URL through
PgBouncer, DB_STATEMENT_CACHE_SIZE=0, DB_CHANNEL_URL on PostgreSQL itself.

Issue 15: with the listener's LISTEN sent as a named prepared statement through
PgBouncer, the second worker died at start (`prepared statement
"__asyncpg_stmt_1__" already exists`) and uvicorn stopped the server. The
whole client and RLS suites run through PgBouncer with PGBOUNCER=1
(tests/pgbouncer.py); this is the part every run checks.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from db.database import with_user
from tests.factories import School
from tests.gateway.http_support import SECRET, as_role
from tests.http_process import free_port, http_process
from tests.pgbouncer import Bouncer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bounced_gateway(
    database_url: str, bouncer: Bouncer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """`serve --workers 2` with its pool through PgBouncer; (base URL, log file)."""

    direct = with_user(database_url, "authenticator")
    env = {k: v for k, v in os.environ.items() if k != "AUTHENTICATOR_URL"} | {
        "DATABASE_URL": database_url,
        "AUTHENTICATOR_URL": bouncer.url(direct),
        "DB_CHANNEL_URL": direct,
        "DB_STATEMENT_CACHE_SIZE": "0",
        "DB_POOL_MIN": "1",
        "DB_POOL_MAX": "8",
        "JWT_SECRET": SECRET,
        "LOG_LEVEL": "INFO",
    }
    port = free_port()
    log_path = tmp_path_factory.mktemp("bounced") / "serve.log"
    command = [sys.executable, "-m", "gateway", "serve", "--port", str(port), "--workers", "2"]
    url = f"http://127.0.0.1:{port}"
    # Both workers up: each logs its schema cache once at start.
    with http_process(command, ready_url=f"{url}/health/ready", log_path=log_path, env=env, cwd=REPO,
                      log_ready=lambda log: log.count("schema cache:") >= 2):  # fmt: skip
        yield url, log_path


async def test_two_workers_start_and_answer_through_pgbouncer(bounced_gateway: tuple[str, Path]) -> None:
    url, log_path = bounced_gateway
    async with httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/health/ready")).json() == {"status": "ok", "database": "ok"}
    assert "already exists" not in log_path.read_text()


async def test_each_school_sees_only_its_rows_under_concurrency(
    bounced_gateway: tuple[str, Path], schools: tuple[School, School], database_url: str
) -> None:
    """40 concurrent reads by two schools' admins share 4 server connections;
    every answer holds its own school's students only (the transaction-local
    role and claims never leak between clients of one server connection)."""
    url, _ = bounced_gateway
    a, b = schools
    # Other tests' gateways in this run may keep authenticator sessions open on
    # the same database: count what the burst adds, not what exists.
    before = await _authenticator_backends(database_url)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def read(school: School) -> set[str]:
            response = await client.get("/students?select=school_id", headers=as_role("school_admin", school))
            assert response.status_code == 200, response.text
            return {row["school_id"] for row in response.json()}

        answers = await asyncio.gather(*(read(a if n % 2 else b) for n in range(40)))
    for n, seen in enumerate(answers):
        assert seen == {str((a if n % 2 else b).id)}
    backends = await _authenticator_backends(database_url) - before
    assert backends <= 4, "40 concurrent reads open no more than PgBouncer's 4 server connections"


async def test_a_write_and_an_rpc_commit_through_pgbouncer(
    bounced_gateway: tuple[str, Path], schools: tuple[School, School], database_url: str
) -> None:
    url, _ = bounced_gateway
    a, _b = schools
    headers = as_role("school_admin", a, Prefer="return=representation")
    async with httpx.AsyncClient(base_url=url) as client:
        created = await client.post("/subjects", json={"name": "Bounced", "code": "BNC"}, headers=headers)
        assert created.status_code == 201, created.text
        again = await client.get(
            f"/subjects?id=eq.{created.json()[0]['id']}&select=name", headers=as_role("school_admin", a)
        )
    assert again.json() == [{"name": "Bounced"}]
    connection = await asyncpg.connect(database_url)
    try:
        school_id = await connection.fetchval(
            "select school_id from data.subjects where id = $1", created.json()[0]["id"]
        )
    finally:
        await connection.close()
    assert school_id == a.id


async def test_a_notify_reloads_both_workers_over_the_direct_channel(
    bounced_gateway: tuple[str, Path], database_url: str
) -> None:
    """LISTEN holds a session on PostgreSQL itself (DB_CHANNEL_URL), so a
    NOTIFY reaches both workers although their pools go through PgBouncer."""
    _, log_path = bounced_gateway
    before = log_path.read_text().count("schema cache:")
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("notify pgrst, 'reload schema'")
    finally:
        await connection.close()
    for _ in range(100):
        if log_path.read_text().count("schema cache:") >= before + 2:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no reload in both workers:\n{log_path.read_text()}")


async def _authenticator_backends(database_url: str) -> int:
    """Sessions of the gateway's login on the test database, the listeners' LISTEN sessions aside."""
    connection = await asyncpg.connect(database_url)
    try:
        return int(
            await connection.fetchval(
                "select count(*) from pg_stat_activity where usename = 'authenticator'"
                " and datname = current_database() and query not ilike 'listen%'"
            )
        )
    finally:
        await connection.close()
