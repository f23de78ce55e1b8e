"""Import runs and their sessions (db/roster/runs.sql): a run whose
process stopped is failed as interrupted, at the next gateway start-up or the
school's next run; a second run of a school is refused with a 409 while one is
alive; a finished run leaves no lock on the pooled connection."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from db.database import with_user
from gateway.app import create_app
from gateway.identity.setup import SETUP, setup_args
from tests.factories import School, make_school
from tests.gateway.http_support import (  # noqa: F401
    api,
    as_role,
    assert_canonical_error,
    committer_session,
    gateway_app,
    settings_for,
)
from tests.roster.import_support import ZIP, import_zip
from tests.roster.oneroster_zip import build_zip, sample_roster
from tests.roster.test_import import partner
from tests.roster.test_import_cli import cli

INTERRUPTED = "interrupted: the gateway stopped before the run finished"


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


@asynccontextmanager
async def run_held(database_url: str, school: School) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """A run started the way the gateway starts one (authenticator, the admin's
    role and claims), its session kept open: a run still going. Closing the
    connection is the gateway process dying mid-run."""
    connection = await asyncpg.connect(with_user(database_url, "authenticator"))
    try:
        run_id = await start_run_on(connection, school)
        yield connection, run_id
    finally:
        await connection.close()


async def start_run_on(connection: asyncpg.Connection, school: School) -> str:
    claims = json.dumps({"role": "school_admin", "school_id": str(school.id), "sub": str(school.admin_user)})
    async with connection.transaction():
        await connection.execute(SETUP, *setup_args("school_admin", claims, "test"))
        return str(await connection.fetchval("select roster.start_run('HTTP', $1, false)", secrets.token_hex(32)))


async def status_of(db: asyncpg.Connection, run_id: str) -> tuple[str, str | None]:
    row = await db.fetchrow(
        "select status, report #>> '{error,message}' as reason from data.sync_runs where id = $1", run_id
    )
    return row["status"], row["reason"]


async def test_a_run_whose_gateway_stopped_is_failed_at_the_next_start_up(
    database_url: str, school: School, committer_session: asyncpg.Connection
) -> None:
    async with run_held(database_url, school) as (_, run_id):
        pass  # the session ends: the process that ran the import is gone
    assert await status_of(committer_session, run_id) == ("RUNNING", None), "nothing has looked yet"
    async with AsyncTestClient(create_app(settings_for(database_url))) as client:  # a gateway starts
        response = await client.get(f"/ims/oneroster/import/{run_id}", headers=as_role("school_admin", school))
    assert response.status_code == 200, response.text
    run = response.json()
    assert run["status"] == "FAILED" and run["finished_at"], "the start-up failed it"
    assert run["report"]["error"]["message"] == INTERRUPTED, "with the reason, for whoever reads the run"


async def test_a_reader_of_a_dead_run_sees_it_failed_without_a_restart(
    database_url: str, api: AsyncTestClient[Litestar], school: School
) -> None:
    async with run_held(database_url, school) as (_, run_id):
        alive = await api.get(f"/ims/oneroster/import/{run_id}", headers=as_role("school_admin", school))
        assert alive.json()["status"] == "RUNNING", "its session still holds the lock"
    response = await api.get(f"/ims/oneroster/import/{run_id}", headers=as_role("school_admin", school))
    run = response.json()
    assert (run["status"], run["report"]["error"]["message"]) == ("FAILED", INTERRUPTED), "another gateway died"


async def test_a_live_run_is_not_failed_by_a_start_up(
    database_url: str, school: School, committer_session: asyncpg.Connection
) -> None:
    async with run_held(database_url, school) as (_, run_id):
        async with AsyncTestClient(create_app(settings_for(database_url))):
            pass
        assert await status_of(committer_session, run_id) == ("RUNNING", None), "its session still holds the lock"


async def test_a_second_import_of_a_school_is_a_409_while_one_runs(
    database_url: str, api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    data = build_zip(sample_roster(secrets.token_hex(4)))
    async with run_held(database_url, school) as (_, running):
        response = await api.post("/ims/oneroster/import", content=data, headers={**partner(school), **ZIP})
        body = assert_canonical_error(response, 409, "SDA423")
        assert running in body["details"] and running in body["hint"], "says which run, and where to watch it"
        other = await make_school(committer_session)
        theirs = build_zip(sample_roster(secrets.token_hex(4)))
        assert (await import_zip(api, partner(other), theirs))["status"] == "APPLIED", "other schools are not held up"
        assert (
            await committer_session.fetchval("select count(*) from data.sync_runs where school_id = $1", school.id) == 1
        )
    # The holder's session ended: its run is dead, the next import fails it and goes ahead.
    run = await import_zip(api, partner(school), data)
    assert run["status"] == "APPLIED", run["report"]
    assert await status_of(committer_session, running) == ("FAILED", INTERRUPTED)


async def test_two_starts_at_once_let_one_run(database_url: str, school: School) -> None:
    first = await asyncpg.connect(with_user(database_url, "authenticator"))
    second = await asyncpg.connect(with_user(database_url, "authenticator"))
    try:
        claims = json.dumps({"role": "school_admin", "school_id": str(school.id), "sub": str(school.admin_user)})
        transaction = first.transaction()
        await transaction.start()
        await first.execute(SETUP, *setup_args("school_admin", claims, "test"))
        await first.fetchval("select roster.start_run('HTTP', 'a', false)")  # not committed yet
        # Issue 13 (F3): a start never waits on a lock; the second is refused at once.
        with pytest.raises(asyncpg.PostgresError) as refused:
            await asyncio.wait_for(start_run_on(second, school), timeout=2)
        assert refused.value.sqlstate == "55006", "a second start of the school is refused at once, no wait"
        await transaction.commit()
        with pytest.raises(asyncpg.PostgresError) as again:
            await start_run_on(second, school)
        assert again.value.sqlstate == "55006", "after the commit it sees the first run alive and refuses"
    finally:
        await first.close()
        await second.close()


async def test_a_finished_run_leaves_no_lock_behind(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    run = await import_zip(api, partner(school), build_zip(sample_roster(secrets.token_hex(4))))
    assert run["status"] == "APPLIED", run["report"]
    for _ in range(100):  # the task unlocks right after finish_run
        if not await committer_session.fetchval("select roster.run_is_alive($1)", run["id"]):
            break
        await asyncio.sleep(0.02)
    assert not await committer_session.fetchval("select roster.run_is_alive($1)", run["id"]), "the lock is released"
    again = await import_zip(api, partner(school), build_zip(sample_roster(secrets.token_hex(4))))
    assert again["status"] in ("APPLIED", "REJECTED"), "the school may run again at once"


async def test_the_cli_refuses_while_a_run_of_the_school_is_alive(
    database_url: str, school: School, tmp_path: Path
) -> None:
    path = tmp_path / "roster.zip"
    path.write_bytes(build_zip(sample_roster(secrets.token_hex(4))))
    async with run_held(database_url, school) as (_, running):
        refused = cli(str(path), "--school", str(school.id), database_url=database_url)
    assert refused.returncode == 2 and running in refused.stderr, refused.stderr
    assert refused.stdout == "", "no report: no run was started"


async def test_runs_started_in_the_same_millisecond_have_different_locks(admin: asyncpg.Connection) -> None:
    # uuidv7: the first 64 bits are mostly the time; the key takes the random tail.
    keys = await admin.fetch(
        "select roster.run_lock_key(id) as key from (values ($1::uuid), ($2::uuid)) as ids(id)",
        "01a218b4-83a6-7cfc-a77a-6ab3f3f712c6",
        "01a218b4-83a6-7cfc-8000-000000000001",
    )
    assert keys[0]["key"] != keys[1]["key"]
