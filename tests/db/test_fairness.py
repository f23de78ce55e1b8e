"""Issue 13 in the database: a login of one school cannot block another
school's imports (F3), reporting logins name no school (F4), and rotating a
partner's secret ends the tokens issued before it."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest

from db.database import with_user
from tests.db.conftest import act_as
from tests.db.test_reporting_login import as_school_admin
from tests.factories import School
from tests.support import expect_sqlstate


@pytest.fixture
async def attacker(database_url: str, school: School) -> AsyncIterator[asyncpg.Connection]:
    """`school`'s reporting login, connected as a BI tool would be."""
    password = secrets.token_urlsafe(24)
    name = await as_school_admin(database_url, school, "select api.create_reporting_login($1)", password)
    assert isinstance(name, str)
    connection = await asyncpg.connect(with_user(database_url, name, password))
    yield connection
    await connection.close()
    await as_school_admin(database_url, school, "select api.drop_reporting_login()")


async def gateway_as(database_url: str, role: str, school: School, sub: str) -> asyncpg.Connection:
    connection = await asyncpg.connect(with_user(database_url, "authenticator"))
    await connection.execute("begin")
    await act_as(connection, role, school_id=school.id, sub=sub)
    await connection.execute("set local lock_timeout = '1s'")
    return connection


async def test_f3_a_reporting_login_cannot_block_another_schools_import(
    database_url: str, attacker: asyncpg.Connection, other_school: School
) -> None:
    # What the attacker held on main: the advisory key import starts waited on.
    await attacker.execute(
        "select pg_advisory_lock(hashtext('data.sync_runs start'), hashtext($1))", str(other_school.id)
    )
    await expect_sqlstate(attacker, "42501", "select from roster.import_locks for update")
    victim = await gateway_as(database_url, "partner_sync", other_school, "pc-victim")
    try:
        started = time.monotonic()
        run = await victim.fetchval("select roster.start_run('HTTP', null, true)")
        assert run is not None
        assert time.monotonic() - started < 0.5, "the other school's import started at once"
    finally:
        await victim.close()  # rolled back; the run's session lock goes with the session


async def test_a_second_start_of_the_same_school_is_refused_at_once(database_url: str, school: School) -> None:
    first = await gateway_as(database_url, "partner_sync", school, "pc-first")
    second = await gateway_as(database_url, "partner_sync", school, "pc-second")
    try:
        await first.fetchval("select roster.start_run('HTTP', null, true)")  # not committed: holds the row
        started = time.monotonic()
        with pytest.raises(asyncpg.PostgresError) as caught:
            await second.fetchval("select roster.start_run('HTTP', null, true)")
        assert caught.value.sqlstate == "55006", caught.value  # the import route's 409 SDA423
        assert time.monotonic() - started < 0.5, "refused without waiting"
    finally:
        await first.close()
        await second.close()


async def test_f4_reporting_logins_name_no_school(
    database_url: str, school: School, attacker: asyncpg.Connection, committer: asyncpg.Connection
) -> None:
    names = [r["rolname"] for r in await attacker.fetch("select rolname from pg_roles")]  # readable by every login
    ours = await committer.fetchval("select role_name from auth.reporting_logins where school_id = $1", school.id)
    assert ours in names
    assert school.id.hex not in ours and str(school.id) not in ours
    again = await as_school_admin(database_url, school, "select api.create_reporting_login($1)", "x" * 20)
    assert again == ours, "a password rotation keeps the login's name"
    settings = await committer.fetchval(
        "select setconfig from pg_db_role_setting s join pg_roles r on r.oid = s.setrole where r.rolname = $1", ours
    )
    assert "lock_timeout=2s" in settings


async def test_rotating_a_partner_secret_ends_the_tokens_issued_before_it(
    database_url: str, school: School
) -> None:
    client_id = "pc_" + secrets.token_hex(8)
    await as_school_admin(
        database_url, school, "select client_id from roster.create_partner_client('SIS', $1, $2, 'hash-1')",
        ["urn:school-data-api:scope:roster.import"], client_id,
    )  # fmt: skip
    before = int(time.time()) - 60

    async def active(iat: int) -> bool:
        connection = await asyncpg.connect(with_user(database_url, "authenticator"))
        try:
            async with connection.transaction():
                await act_as(connection, "partner_sync", school_id=school.id, sub=client_id, iat=iat)
                return bool(await connection.fetchval("select auth.partner_client_active()"))
        finally:
            await connection.close()

    assert await active(before), "a token of the current secret works"
    await as_school_admin(database_url, school, "select client_id from roster.rotate_partner_secret($1, 'hash-2')", client_id)
    assert not await active(before), "a token issued before the rotation stops working"
    assert await active(int(time.time()) + 1), "a token issued after it works"
