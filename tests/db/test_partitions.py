"""Partitioned history (issue 15, m0054): data.attendance_records by `date`
and audit.audit_log by `occurred_at`, one partition per month and a default
partition (db/partitions/partitions.sql, README "Scale-out")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest

from tests.db.conftest import act_as
from tests.factories import School, make_school_records
from tests.support import expect_sqlstate

PARENTS = ("data.attendance_records", "audit.audit_log")
API_ROLES = ["anon", "school_admin", "teacher", "parent", "student", "partner_sync", "reporting", "authenticator"]
PARTITIONS = """
    select i.inhrelid::regclass::text as name, i.inhparent::regclass::text as parent
    from pg_inherits i where i.inhparent = any($1::regclass[]) order by 1"""


def month_start(months_from_now: int) -> date:
    today = datetime.now(UTC).date()
    index = today.year * 12 + today.month - 1 + months_from_now
    return date(index // 12, index % 12 + 1, 1)


async def where_is(connection: asyncpg.Connection, table: str, row_id: object) -> str:
    return await connection.fetchval(f"select tableoid::regclass::text from {table} where id = $1", row_id)


async def mark(connection: asyncpg.Connection, school: School, day: date) -> object:
    return await connection.fetchval(
        """insert into data.attendance_records (school_id, date, status, student_id, class_id, recorded_by_id)
           values ($1, $2, 'PRESENT', $3, $4, $5) returning id""",
        school.id, day, school.student, school.class_, school.teacher_user,
    )  # fmt: skip


# --- where rows go ------------------------------------------------------------------------


async def test_a_mark_and_its_audit_entry_land_in_their_months_partitions(
    admin: asyncpg.Connection, school: School
) -> None:
    this_month = month_start(0)
    row = await mark(admin, school, this_month.replace(day=2))
    assert await where_is(admin, "data.attendance_records", row) == f"data.attendance_records_{this_month:%Y_%m}"
    entry = await admin.fetchval("select id from audit.audit_log where record_id = $1 and action = 'CREATE'", row)
    assert await where_is(admin, "audit.audit_log", entry) == f"audit.audit_log_{this_month:%Y_%m}"


async def test_a_month_without_a_partition_lands_in_the_default_partition(
    admin: asyncpg.Connection, school: School
) -> None:
    row = await mark(admin, school, date(2100, 1, 15))
    assert await where_is(admin, "data.attendance_records", row) == "data.attendance_records_default"
    assert await admin.fetchval("select count(*) from data.attendance_records where id = $1", row) == 1, (
        "read through the parent"
    )


async def test_ensure_partitions_moves_a_months_rows_out_of_the_default_partition(
    admin: asyncpg.Connection, school: School
) -> None:
    later = month_start(9)  # beyond the months `migrate` makes ahead
    row = await mark(admin, school, later.replace(day=3))
    entry = await admin.fetchval(
        """insert into audit.audit_log (school_id, occurred_at, table_name, record_id, action)
           values ($1, $2, 'students', $3, 'UPDATE') returning id""",
        school.id, datetime(later.year, later.month, 3, tzinfo=UTC), school.student,
    )  # fmt: skip
    assert await where_is(admin, "audit.audit_log", entry) == "audit.audit_log_default"
    await admin.execute("set local role school_owner")
    created = [r[0] for r in await admin.fetch("select data.ensure_partitions(9)")]
    await admin.execute("reset role")
    assert f"data.attendance_records_{later:%Y_%m}" in created and f"audit.audit_log_{later:%Y_%m}" in created
    assert await where_is(admin, "data.attendance_records", row) == f"data.attendance_records_{later:%Y_%m}"
    assert await where_is(admin, "audit.audit_log", entry) == f"audit.audit_log_{later:%Y_%m}"
    enabled = await admin.fetch(
        "select tgname, tgenabled::text from pg_trigger where tgrelid = 'audit.audit_log_default'::regclass and tgname like 'audit_log_refuse%'"
    )
    assert {r["tgenabled"] for r in enabled} == {"A"} and len(enabled) == 2, (
        "the default partition is append-only again"
    )
    await admin.execute("set local role school_owner")
    assert await admin.fetch("select data.ensure_partitions(9)") == [], "a second run finds its partitions"


async def test_ensure_partitions_is_for_the_owner_only(authenticator: asyncpg.Connection, school: School) -> None:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    await expect_sqlstate(authenticator, "42501", "select data.ensure_partitions(1)")


# --- row-level security through the parent, nothing through a partition ---------------------


async def test_two_schools_see_only_their_own_history(
    committer: asyncpg.Connection, authenticator: asyncpg.Connection, school: School, other_school: School
) -> None:
    mine = await make_school_records(committer, school)
    theirs = await make_school_records(committer, other_school)
    for me, own, foreign in ((school, mine, theirs), (other_school, theirs, mine)):
        await authenticator.execute("savepoint probe")
        await act_as(authenticator, "school_admin", school_id=me.id, sub=me.admin_user)
        seen = {r["id"] for r in await authenticator.fetch("select id from api.attendance_records")}
        assert own.attendance in seen and foreign.attendance not in seen
        assert (
            await authenticator.fetchval("select count(*) from api.attendance_records where school_id <> $1", me.id)
            == 0
        )
        assert await authenticator.fetchval("select count(*) from api.audit_log where school_id <> $1", me.id) == 0
        assert (
            await authenticator.fetchval("select count(*) from api.audit_log where record_id = $1", own.attendance) >= 1
        )
        assert (
            await authenticator.fetchval("select count(*) from api.audit_log where record_id = $1", foreign.attendance)
            == 0
        )
        await authenticator.execute("rollback to savepoint probe")


async def test_an_api_role_cannot_name_a_partition(
    admin: asyncpg.Connection, authenticator: asyncpg.Connection, school: School
) -> None:
    partitions = await admin.fetch(PARTITIONS, list(PARENTS))
    assert len(partitions) >= 2 * 5, "defaults and this month plus three ahead, for each table"
    for role in ("school_admin", "teacher", "reporting"):
        for p in partitions:
            await authenticator.execute("savepoint probe")
            await act_as(authenticator, role, school_id=school.id, sub=school.admin_user)
            await expect_sqlstate(authenticator, "42501", f"select count(*) from {p['name']}")
            await authenticator.execute("rollback to savepoint probe")


async def test_every_partition_forces_row_level_security_and_grants_nothing(admin: asyncpg.Connection) -> None:
    rows = await admin.fetch(
        """select c.oid::regclass::text as name, c.relrowsecurity, c.relforcerowsecurity,
                  (select array_agg(p.polname::text order by p.polname) from pg_policy p where p.polrelid = c.oid) as policies,
                  (select array_agg(r order by r) from unnest($2::text[]) r
                   where has_table_privilege(r, c.oid, 'select, insert, update, delete, truncate, references, trigger')
                      or has_any_column_privilege(r, c.oid, 'select, insert, update, references')) as privileged
           from pg_class c join pg_inherits i on i.inhrelid = c.oid where i.inhparent = any($1::regclass[])""",
        list(PARENTS), API_ROLES,
    )  # fmt: skip
    assert rows
    for r in rows:
        relname = r["name"].split(".", 1)[1]
        assert (r["relrowsecurity"], r["relforcerowsecurity"]) == (True, True), r["name"]
        assert r["policies"] == [f"{relname}_owner_all"], f"{r['name']}: the owner's policy only"
        assert r["privileged"] is None, f"{r['name']}: no API role holds a privilege"


# --- keys, indexes, triggers ---------------------------------------------------------------


async def test_keys_are_tenant_leading_and_every_partition_has_every_index(admin: asyncpg.Connection) -> None:
    keys = dict(
        await admin.fetch(
            """select conrelid::regclass::text, pg_get_constraintdef(oid) from pg_constraint
               where contype = 'p' and conrelid = any($1::regclass[])""",
            list(PARENTS),
        )
    )
    assert keys == {
        "data.attendance_records": "PRIMARY KEY (school_id, id, date)",
        "audit.audit_log": "PRIMARY KEY (school_id, id, occurred_at)",
    }
    missing = await admin.fetch(
        """select p.name, pi.indexrelid::regclass::text as parent_index
           from (""" + PARTITIONS.replace("order by 1", "") + """) p
           join pg_index pi on pi.indrelid = p.parent::regclass
           where not exists (select from pg_inherits ii join pg_index ci on ci.indexrelid = ii.inhrelid
                             where ii.inhparent = pi.indexrelid and ci.indrelid = p.name::regclass)""",
        list(PARENTS),
    )  # fmt: skip
    assert missing == []
    not_leading = await admin.fetch(
        """select i.indexrelid::regclass::text from pg_index i join pg_attribute a
               on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
           where i.indrelid = 'data.attendance_records'::regclass and a.attname <> 'school_id'"""
    )
    assert not_leading == [], "every attendance index leads with school_id"


async def test_audit_partitions_refuse_changes_even_to_the_superuser(admin: asyncpg.Connection, school: School) -> None:
    await mark(admin, school, month_start(0))
    partitions = [r["name"] for r in await admin.fetch(PARTITIONS, ["audit.audit_log"])]
    for statement in ["update audit.audit_log set action = 'UPDATE'", "delete from audit.audit_log where false",
                      "truncate audit.audit_log", *(f"delete from {p}" for p in partitions),
                      *(f"update {p} set action = 'UPDATE'" for p in partitions), *(f"truncate {p}" for p in partitions)]:  # fmt: skip
        await admin.execute("savepoint probe")
        error = await expect_sqlstate(admin, "42501", statement)
        assert "append-only" in str(error), statement
        await admin.execute("rollback to savepoint probe")


async def test_audit_triggers_on_the_parent_log_every_partitions_rows(
    admin: asyncpg.Connection, school: School
) -> None:
    rows = [await mark(admin, school, day) for day in (month_start(0), date(2100, 2, 1))]
    await admin.execute("update data.attendance_records set status = 'LATE' where id = any($1::uuid[])", rows)
    await admin.execute("delete from data.attendance_records where id = any($1::uuid[])", rows)
    actions = await admin.fetch(
        "select record_id, array_agg(action order by occurred_at, action) as actions from audit.audit_log where record_id = any($1::uuid[]) group by 1",
        rows,
    )
    assert {r["record_id"]: sorted(r["actions"]) for r in actions} == {r: ["CREATE", "DELETE", "UPDATE"] for r in rows}


# --- what reads the tables -----------------------------------------------------------------


async def test_the_register_and_the_reporting_views_still_answer(
    committer: asyncpg.Connection, authenticator: asyncpg.Connection, school: School
) -> None:
    records = await make_school_records(committer, school)
    await act_as(authenticator, "teacher", school_id=school.id, sub=school.teacher_user)
    day = month_start(0).replace(day=5)
    written = await authenticator.fetchval(
        "select api.mark_class_attendance($1, $2, $3::jsonb)",
        school.class_,
        day,
        json.dumps([{"student_id": str(school.student), "status": "LATE"}]),
    )
    assert written == 1
    assert (
        await authenticator.fetchval(
            "select status from api.attendance_records where student_id = $1 and date = $2", school.student, day
        )
        == "LATE"
    )
    await authenticator.execute("reset role")
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    assert (
        await authenticator.fetchval("select count(*) from api.attendance_records where id = $1", records.attendance)
        == 1
    )
    for view in ("attendance_daily", "attendance_class_weekly", "attendance_student_weekly"):
        await authenticator.execute("savepoint probe")
        await act_as(authenticator, "reporting", school_id=school.id)
        assert await authenticator.fetchval(f"select count(*) from reporting.{view}") >= 1, view
        await authenticator.execute("rollback to savepoint probe")


# --- retention: export, detach, drop -------------------------------------------------------


def gateway(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("table", ["attendance_records", "audit_log"])
async def test_an_old_month_is_exported_then_detached_and_dropped(
    database_url: str, committer: asyncpg.Connection, school: School, tmp_path: Path, table: str
) -> None:
    parent = {"attendance_records": "data.attendance_records", "audit_log": "audit.audit_log"}[table]
    name = f"{parent}_2001_01"
    await committer.execute("set role school_owner")
    bounds = (
        "('2001-01-01') to ('2001-02-01')"
        if table == "attendance_records"
        else "('2001-01-01 00:00+00') to ('2001-02-01 00:00+00')"
    )
    await committer.execute(f"create table {name} partition of {parent} for values from {bounds}")
    await committer.execute("select data.secure_partition($1::regclass)", name)
    await committer.execute("reset role")
    if table == "attendance_records":
        row = await mark(committer, school, date(2001, 1, 10))
    else:
        row = await committer.fetchval(
            """insert into audit.audit_log (school_id, occurred_at, table_name, record_id, action)
               values ($1, '2001-01-10 12:00+00', 'students', $2, 'UPDATE') returning id""", school.id, school.student
        )  # fmt: skip
    total = await committer.fetchval(f"select count(*) from {parent}")

    dry = gateway(
        database_url,
        "partitions",
        "detach",
        "--table",
        table,
        "--before",
        "2001-02-01",
        "--export",
        str(tmp_path),
        "--dry-run",
    )
    assert dry.returncode == 0 and name in dry.stdout, dry.stderr
    assert await committer.fetchval("select to_regclass($1) is not null", name), "a dry run drops nothing"

    done = gateway(
        database_url, "partitions", "detach", "--table", table, "--before", "2001-02-01", "--export", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    exported = (tmp_path / f"{name}.csv").read_text().splitlines()
    assert len(exported) == 2 and str(row) in exported[1], "a header and the month's one row"
    manifest = json.loads(next(tmp_path.glob(f"manifest-{table}-2001-02-01.json")).read_text())
    assert manifest["partitions"][0]["partition"] == name and manifest["partitions"][0]["rows"] == 1
    assert await committer.fetchval("select to_regclass($1) is null", name), "detached and dropped"
    assert await committer.fetchval(f"select count(*) from {parent}") == total - 1, "that month's rows only"
    assert await committer.fetchval("select to_regclass($1) is not null", f"{parent}_default"), (
        "the default partition stays"
    )


async def test_partitions_ensure_command_makes_months_ahead(database_url: str, admin: asyncpg.Connection) -> None:
    done = gateway(database_url, "partitions", "ensure", "--months-ahead", "4")
    assert done.returncode == 0, done.stderr
    ahead = month_start(4)
    for parent in PARENTS:
        assert await admin.fetchval("select to_regclass($1) is not null", f"{parent}_{ahead:%Y_%m}")
    again = gateway(database_url, "partitions", "ensure", "--months-ahead", "4")
    assert "0 created" in again.stdout
    bad = gateway(database_url, "partitions", "ensure", "--months-ahead", "500")
    assert bad.returncode == 1 and "months_ahead must be between 0 and 120" in bad.stderr
