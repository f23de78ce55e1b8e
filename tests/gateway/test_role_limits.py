"""Issue 13: per-role lock_timeout, work_mem and temp_file_limit on every
gateway transaction (gateway/identity/setup.py). Role settings (`alter role
... set`) do not apply after `SET ROLE`, so the gateway sets them per request
from its configuration; these tests read them back through real requests.

A probe schema of its own is served (DB_SCHEMA), so the `api` schema and its
OpenAPI document stay as they are; it is dropped after the module."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from db.database import with_user
from gateway.app import create_app
from gateway.http.config import Settings, load_settings
from gateway.identity.setup import SETUP, RoleLimits, setup_args
from tests.factories import School
from tests.gateway.http_support import as_role, assert_canonical_error, committer_session, schools, settings_for  # noqa: F401
from tests.gateway.test_http_socket import running

PROBE = "limits_probe"
ROLES = "anon, school_admin, teacher, parent, student, partner_sync"


@pytest.fixture(scope="module")
async def probe_schema(database_url: str) -> AsyncIterator[str]:
    """guards(): the settings the caller's transaction runs under; spill(n): a
    sort of n rows, which spills to a temporary file past work_mem."""
    admin = await asyncpg.connect(database_url)
    await admin.execute(f"""
        create schema {PROBE};
        create function {PROBE}.guards() returns json language sql stable as $$
            select json_build_object('role', current_user, 'work_mem', current_setting('work_mem'),
                                     'temp_file_limit', current_setting('temp_file_limit'),
                                     'lock_timeout', current_setting('lock_timeout'),
                                     'statement_timeout', current_setting('statement_timeout'))
        $$;
        create function {PROBE}.spill(n int) returns bigint language sql stable as $$
            select count(*) from (select g from generate_series(1, n) g order by md5(g::text)) s
        $$;
        grant usage on schema {PROBE} to {ROLES};
        grant execute on all functions in schema {PROBE} to {ROLES};
    """)  # fmt: skip
    try:
        yield PROBE
    finally:
        await admin.execute(f"drop schema {PROBE} cascade")
        await admin.close()


def probe_settings(database_url: str, **overrides: object) -> Settings:
    return settings_for(
        database_url,
        db_schema=PROBE,
        work_mem="5MB",
        work_mems={"teacher": "3MB", "student": "64kB"},
        temp_file_limit="300MB",
        temp_file_limits={"teacher": "7MB", "student": "1MB"},
        lock_timeout="4s",
        lock_timeouts={"teacher": "700ms"},
        **overrides,
    )


@pytest.fixture(scope="module")
async def probe(database_url: str, probe_schema: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(create_app(probe_settings(database_url))) as client:
        yield client


async def test_a_request_runs_under_its_roles_work_mem_temp_file_limit_and_lock_timeout(
    probe: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    teacher = await probe.get("/rpc/guards", headers=as_role("teacher", schools[0]))
    assert teacher.status_code == 200, teacher.text
    assert teacher.json() == {
        "role": "teacher", "work_mem": "3MB", "temp_file_limit": "7MB", "lock_timeout": "700ms", "statement_timeout": "10s",
    }  # fmt: skip
    admin = await probe.get("/rpc/guards", headers=as_role("school_admin", schools[0]))
    assert admin.json() == {
        "role": "school_admin", "work_mem": "5MB", "temp_file_limit": "300MB", "lock_timeout": "4s", "statement_timeout": "10s",
    }, "a role without its own value gets the default"  # fmt: skip


async def test_the_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTHENTICATOR_URL", "postgresql://authenticator@127.0.0.1:1/school")  # never connected to
    settings = load_settings({})
    assert settings.limits_for("teacher") == RoleLimits(
        statement_timeout="10s", lock_timeout="2s", work_mem="4MB", temp_file_limit="256MB"
    )
    assert settings.limits_for("school_admin").work_mem == "16MB"
    assert (settings.limits_for("anon").temp_file_limit, settings.limits_for("partner_sync").temp_file_limit) == (
        "16MB", "1GB",
    )  # fmt: skip
    custom = load_settings({"WORK_MEMS": "teacher=2MB", "TEMP_FILE_LIMITS": "teacher=-1", "LOCK_TIMEOUTS": "teacher=1s"})
    assert custom.limits_for("teacher") == RoleLimits(
        statement_timeout="10s", lock_timeout="1s", work_mem="2MB", temp_file_limit="-1"
    )
    assert custom.limits_for("school_admin").work_mem == "16MB", "a setting names roles; the others keep theirs"
    with pytest.raises(ValueError, match="memory or disk size"):
        load_settings({"WORK_MEM": "4MB; reset role"})


async def test_a_statement_past_its_roles_temp_file_limit_answers_400_with_a_hint(
    probe: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    # The student: 64kB of work_mem, 1MB of temporary disk; the sort needs ~10 MB.
    started = time.monotonic()
    refused = await probe.get("/rpc/spill?n=300000", headers=as_role("student", schools[0]))
    body = assert_canonical_error(refused, 400, "53400")
    assert "TEMP_FILE_LIMIT" in body["hint"]
    assert time.monotonic() - started < 10
    admin = await probe.get("/rpc/spill?n=300000", headers=as_role("school_admin", schools[0]))
    assert (admin.status_code, admin.json()) == (200, 300000), "within the admin's 300MB"


async def test_an_api_role_cannot_raise_its_temp_file_limit(database_url: str) -> None:
    """`authenticator` may set temp_file_limit (GRANT SET ON PARAMETER, before the
    role switch); the role it switches to may not, so no function it calls can."""
    connection = await asyncpg.connect(with_user(database_url, "authenticator"))
    try:
        async with connection.transaction():
            await connection.execute(SETUP, *setup_args("teacher", "{}", "t", RoleLimits(temp_file_limit="1MB")))
            assert await connection.fetchval("select current_setting('temp_file_limit')") == "1MB"
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute("select set_config('temp_file_limit', '100GB', true)")
    finally:
        await connection.close()


async def test_the_lock_timeout_is_per_role(
    database_url: str, schools: tuple[School, School], committer_session: asyncpg.Connection
) -> None:
    """Over a real socket: the teacher (300ms) is refused at once while the
    admin (default 30s) still waits, then is served when the lock goes."""
    settings = settings_for(database_url, lock_timeout="30s", lock_timeouts={"teacher": "300ms"})
    holder = await asyncpg.connect(database_url)
    with running(create_app(settings)) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            lock = holder.transaction()
            await lock.start()
            try:
                await holder.execute("lock table data.subjects in access exclusive mode")
                admin = asyncio.create_task(client.get("/subjects?select=id", headers=as_role("school_admin", schools[0])))
                started = time.monotonic()
                teacher = await client.get("/subjects?select=id", headers=as_role("teacher", schools[0]))
                waited = time.monotonic() - started
                await asyncio.sleep(0.5)
                assert not admin.done(), "the admin's lock timeout is longer: still waiting"
            finally:
                await lock.rollback()
                await holder.close()
            served = await admin
    body = assert_canonical_error(teacher, 503, "55P03")
    assert "LOCK_TIMEOUT" in body["hint"]
    assert waited < 2, f"the teacher waited {waited:.1f} s"
    assert served.status_code == 200, served.text
