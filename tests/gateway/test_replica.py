"""A streaming replica made by `school-gateway replica create|start` (a base
backup of the run's embedded server with its own binaries), and the gateway
reading from it (gateway/http/replicas.py): reads land on the replica (its
read pool's sessions in the replica's pg_stat_activity, the reads in the
replica's own table statistics), writes on the primary, a caller reads their own writes,
and reads still answer when the replica lags or is stopped.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from db.database import with_user
from gateway.app import create_app
from gateway.ops import replica as replica_ops
from tests.factories import School
from tests.gateway.http_support import as_role, settings_for

MAX_LAG = 0.5


@pytest.fixture(scope="module")
def replica_dir(server_url: str, database_url: str) -> Iterator[Path]:
    """The run's server copied and started as a hot standby (the replica commands' own functions)."""
    if not parse_qs(urlsplit(server_url).query).get("host", [""])[0].startswith("/"):
        pytest.skip("DATABASE_URL names a server of your own: `replica create` copies the embedded server only")
    # Not under pytest's basetemp: pytest (ours, or any other run by the same
    # user) makes pytest-of-<user> 0700 again, and the server's user must reach it.
    directory = Path(tempfile.mkdtemp(prefix="school-replica-")) / "pgdata"
    replica_ops.create(server_url, directory)
    replica_ops.start(directory)
    try:
        yield directory
    finally:
        try:
            replica_ops.stop(directory)
        except RuntimeError:
            pass  # the last test stops it
        shutil.rmtree(directory.parent, ignore_errors=True)


def database_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


@pytest.fixture(scope="module")
async def replica_admin(replica_dir: Path, database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(replica_ops.replica_url(replica_dir, "postgres", database_of(database_url)))
    yield connection
    connection.terminate()  # the last test stopped its server


@pytest.fixture(scope="module")
async def routed(replica_dir: Path, database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    url = replica_ops.replica_url(replica_dir, database=database_of(database_url))
    settings = settings_for(database_url, read_replica_urls=(url,), replica_max_lag=MAX_LAG,
                            replica_check_interval=0.1, replica_read_your_writes=2.0)  # fmt: skip
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def until(condition: object, seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not within the time allowed")


async def replica_status(client: AsyncTestClient[Litestar]) -> str:
    return (await client.get("/health/ready")).json()["replicas"][0]["status"]


async def test_health_reports_the_replica_and_its_lag(routed: AsyncTestClient[Litestar]) -> None:
    await until(lambda: _is(routed, "ok"))
    body = (await routed.get("/health/ready")).json()
    assert body["status"] == "ok"
    (replica,) = body["replicas"]
    assert replica["status"] == "ok" and replica["lag_seconds"] <= MAX_LAG and replica["lag_bytes"] >= 0


async def _is(client: AsyncTestClient[Litestar], status: str) -> bool:
    return await replica_status(client) == status


async def students_scans(connection: asyncpg.Connection) -> int:
    """Scans of data.students counted by this server (a standby counts its own reads)."""
    await connection.execute("select pg_stat_clear_snapshot()")
    return await connection.fetchval(
        "select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) from pg_stat_user_tables where relid = 'data.students'::regclass"
    )


async def test_reads_land_on_the_replica_and_writes_on_the_primary(
    routed: AsyncTestClient[Litestar], schools: tuple[School, School], replica_admin: asyncpg.Connection,
    committer_session: asyncpg.Connection,
) -> None:  # fmt: skip
    school, other = schools
    await until(lambda: _is(routed, "ok"))
    sessions = await replica_admin.fetchval(
        "select count(*) from pg_stat_activity where usename = 'authenticator' and application_name = 'school-gateway read'"
    )
    assert sessions >= 1, "the gateway's read pool holds sessions on the replica"
    before = await students_scans(replica_admin)
    for _ in range(3):
        response = await routed.get("/students?select=student_number", headers=as_role("school_admin", other))
        assert response.status_code == 200 and response.json(), response.text
    # Only the gateway's read pool reads students there; a backend reports its
    # counts at a transaction's end at most once a second, or after 10 s idle.
    await until(lambda: _more(replica_admin, before), seconds=20)
    subject = f"Replicated {secrets.token_hex(4)}"
    created = await routed.post("/subjects", json={"name": subject, "code": subject[-8:]},
                                headers=as_role("school_admin", school, Prefer="return=minimal"))  # fmt: skip
    assert created.status_code == 201, created.text
    assert await committer_session.fetchval("select count(*) from data.subjects where name = $1", subject) == 1
    # and the replica follows: the row arrives there by streaming
    await until(lambda: _count(replica_admin, subject))


async def _more(connection: asyncpg.Connection, before: int) -> bool:
    return await students_scans(connection) > before


async def _count(connection: asyncpg.Connection, name: str) -> bool:
    return bool(await connection.fetchval("select count(*) from data.subjects where name = $1", name))


async def test_a_caller_reads_their_own_write_at_once(
    routed: AsyncTestClient[Litestar], schools: tuple[School, School], replica_admin: asyncpg.Connection
) -> None:
    """Replay paused: the write exists on the primary only, and the writer still sees it."""
    school, _ = schools
    await replica_admin.execute("select pg_wal_replay_pause()")
    try:
        name = f"Own write {secrets.token_hex(4)}"
        headers = as_role("school_admin", school)
        created = await routed.post("/subjects", json={"name": name, "code": name[-8:]}, headers=headers)
        assert created.status_code == 201, created.text
        seen = await routed.get(f"/subjects?name=eq.{name}&select=name", headers=headers)
        assert seen.json() == [{"name": name}]
        assert not await _count(replica_admin, name), "the replica has not replayed it"
    finally:
        await replica_admin.execute("select pg_wal_replay_resume()")


async def test_a_lagging_replica_gets_no_reads(
    routed: AsyncTestClient[Litestar], schools: tuple[School, School], replica_admin: asyncpg.Connection,
    committer_session: asyncpg.Connection,
) -> None:  # fmt: skip
    school, other = schools
    await replica_admin.execute("select pg_wal_replay_pause()")
    try:
        name = f"Lagged {secrets.token_hex(4)}"
        await committer_session.execute(
            "insert into data.subjects (school_id, name, code) values ($1, $2, $3)", other.id, name, name[-8:]
        )
        await until(lambda: _is(routed, "lagging"))
        # another caller, no write of their own: the primary answers, with the row
        seen = await routed.get(f"/subjects?name=eq.{name}&select=name", headers=as_role("teacher", other))
        assert seen.status_code == 200 and seen.json() == [{"name": name}]
    finally:
        await replica_admin.execute("select pg_wal_replay_resume()")
    await until(lambda: _is(routed, "ok"))


async def test_reporting_logins_are_served_from_the_replica(
    replica_dir: Path, database_url: str, schools: tuple[School, School], tmp_path: Path,
    replica_admin: asyncpg.Connection,
) -> None:  # fmt: skip
    """`serve --reporting-listen` with READ_REPLICA_URLS: the listener fronts the
    replica, where the login (a role, replicated with its settings) reads its school."""
    import subprocess

    from gateway.ops.reporting_listener import Listen, reporting_target, start_in_thread
    from tests.http_process import free_port

    replica_url = replica_ops.replica_url(replica_dir, database=database_of(database_url))
    assert reporting_target(database_url, f"postgresql://x@elsewhere:5432/db,{replica_url}") == replica_url
    listen = Listen("127.0.0.1", free_port())
    start_in_thread(replica_url, listen, tmp_path)
    school, _ = schools
    password = secrets.token_urlsafe(24)
    name = await as_admin(database_url, school, "select api.create_reporting_login($1)", password)
    try:
        await until(lambda: _role_exists(replica_admin, name))
        url = f"postgresql://{name}:{password}@{listen.host}:{listen.port}/{database_of(database_url)}?sslmode=require"
        done = subprocess.run(["psql", url, "-X", "-A", "-t", "-c", "select pg_is_in_recovery(), count(distinct school_id) from reporting.students"],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "t|1", "on the standby, one school's rows"
    finally:
        await as_admin(database_url, school, "select api.drop_reporting_login()")


async def _role_exists(connection: asyncpg.Connection, name: str) -> bool:
    return bool(await connection.fetchval("select count(*) from pg_roles where rolname = $1", name))


async def as_admin(database_url: str, school: School, sql: str, *args: object) -> object:
    """One statement as the school's admin through the gateway's login, committed."""
    import json

    gateway = await asyncpg.connect(with_user(database_url, "authenticator"))
    try:
        async with gateway.transaction():
            claims = json.dumps({"role": "school_admin", "school_id": str(school.id), "sub": str(school.admin_user)})
            await gateway.execute(
                "select set_config('role', 'school_admin', true), set_config('request.jwt.claims', $1, true)", claims
            )
            return await gateway.fetchval(sql, *args)
    finally:
        await gateway.close()


async def test_reads_answer_with_the_replica_stopped(
    routed: AsyncTestClient[Litestar], schools: tuple[School, School], replica_dir: Path
) -> None:
    _, other = schools
    replica_ops.stop(replica_dir)
    response = await routed.get("/students?select=student_number", headers=as_role("school_admin", other))
    assert response.status_code == 200 and response.json()
    await until(lambda: _is(routed, "down"))
    again = await routed.get("/classes?select=name", headers=as_role("school_admin", other))
    assert again.status_code == 200 and again.json()
    assert (await routed.get("/health/ready")).json()["status"] == "ok", "the primary still serves"
