"""A school's reporting login, end to end: an admin creates it through the API
(as the gateway would), a BI tool connects with it straight to Postgres, sees its
own school's rows and nothing else, and cannot write.

Logins are cluster roles, so each test creates one for a fresh school, commits,
and drops it again afterwards through the same API."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest

from db.database import with_user
from tests.db.conftest import act_as
from tests.factories import School, make_school_records
from tests.support import expect_sqlstate


@dataclass(frozen=True)
class ReportingLogin:
    name: str
    password: str


async def as_school_admin(database_url: str, school: School, sql: str, *args: object) -> object:
    """Run one statement as the school's admin through the gateway's login, committed."""
    gateway = await asyncpg.connect(with_user(database_url, "authenticator"))
    try:
        async with gateway.transaction():
            await act_as(gateway, "school_admin", school_id=school.id, sub=school.admin_user)
            return await gateway.fetchval(sql, *args)
    finally:
        await gateway.close()


@pytest.fixture
async def reporting_login(database_url: str, school: School) -> AsyncIterator[ReportingLogin]:
    password = secrets.token_urlsafe(24)
    name = await as_school_admin(database_url, school, "select api.create_reporting_login($1)", password)
    assert isinstance(name, str)
    yield ReportingLogin(name, password)
    await as_school_admin(database_url, school, "select api.drop_reporting_login()")


@pytest.fixture
async def bi_tool(database_url: str, reporting_login: ReportingLogin) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the reporting login, as Metabase or psql would open it."""
    connection = await asyncpg.connect(with_user(database_url, reporting_login.name, reporting_login.password))
    yield connection
    await connection.close()


async def test_the_login_has_an_opaque_name_and_is_registered_for_its_school(
    reporting_login: ReportingLogin, school: School, committer: asyncpg.Connection
) -> None:
    # Logs, pg_stat_activity and BI tools' settings show the name: it must not tell the school (issue 13 F4).
    assert re.fullmatch(r"rpt_[0-9a-f]{32}", reporting_login.name)
    assert school.id.hex not in reporting_login.name
    role = await committer.fetchrow(
        """select r.rolcanlogin, r.rolconnlimit, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolinherit,
                  pg_has_role(r.oid, 'reporting', 'member') as reporting,
                  (select s.setconfig from pg_db_role_setting s where s.setrole = r.oid and s.setdatabase = 0) as settings
           from pg_roles r where r.rolname = $1""",
        reporting_login.name,
    )
    assert role["rolcanlogin"] and role["reporting"] and role["rolinherit"], "a login that inherits `reporting`"
    assert not (role["rolsuper"] or role["rolbypassrls"] or role["rolcreaterole"])
    assert role["rolconnlimit"] == 5
    assert {"default_transaction_read_only=on", "statement_timeout=30s", "work_mem=32MB", "temp_file_limit=1GB"} <= set(
        role["settings"]
    )
    registered = await committer.fetchval("select school_id from auth.reporting_logins where role_name = $1", reporting_login.name)
    assert registered == school.id


async def test_the_login_sees_its_schools_rows_and_only_those(
    bi_tool: asyncpg.Connection, school: School, other_school: School, committer: asyncpg.Connection
) -> None:
    await make_school_records(committer, school)
    await make_school_records(committer, other_school)
    assert await bi_tool.fetchval("select auth.school_id()") == school.id
    for table in ("api.students", "api.classes", "api.grades", "api.invoices", "api.users"):
        seen = [r["school_id"] for r in await bi_tool.fetch(f"select distinct school_id from {table}")]
        assert seen == [school.id], f"{table}: rows of its school only"
        mine = await committer.fetchval(
            f"select count(*) from {table.replace('api.', 'data.')} where school_id = $1 and not is_deleted", school.id
        )
        assert await bi_tool.fetchval(f"select count(*) from {table}") == mine, f"{table}: all rows of its school"
    for view in ("reporting.students", "reporting.attendance_daily", "reporting.invoice_balances", "reporting.enrollment_counts"):
        seen = [r["school_id"] for r in await bi_tool.fetch(f"select distinct school_id from {view}")]
        assert seen == [school.id], f"{view}: figures of its school only"


async def test_the_reporting_views_add_up(bi_tool: asyncpg.Connection, school: School, committer: asyncpg.Connection) -> None:
    records = await make_school_records(committer, school)
    day = await bi_tool.fetchrow("select * from reporting.attendance_daily where date = date '2026-10-01'")
    assert (day["marks"], day["present"], day["absent"], day["attendance_rate"]) == (2, 1, 1, 0.5), (
        "one PRESENT and one ABSENT mark: a rate of one half"
    )
    classes = {r["class_id"]: r["enrolled_students"] for r in await bi_tool.fetch("select * from reporting.enrollment_counts")}
    assert classes == {school.class_: 1, school.other_class: 1, records.leaf_class: 0}
    invoice = await bi_tool.fetchrow("select * from reporting.invoice_balances where invoice_id = $1", records.invoice_student)
    assert (invoice["total_amount"], invoice["paid_amount"], invoice["balance_due"]) == (100, 10, 90)
    students = await bi_tool.fetch("select student_id, class_count from reporting.students order by student_number")
    assert [r["class_count"] for r in students] == [1, 1, 0], "S-1 and S-2 in one class each, S-3 in none"


async def test_forged_claims_do_not_move_the_login_to_another_school(
    bi_tool: asyncpg.Connection, school: School, other_school: School
) -> None:
    # The login connects straight to Postgres and may set any setting it likes.
    await bi_tool.execute(
        "select set_config('request.jwt.claims', $1, false)",
        json.dumps({"role": "school_admin", "school_id": str(other_school.id), "sub": str(other_school.admin_user)}),
    )
    assert await bi_tool.fetchval("select auth.school_id()") == school.id
    claims = await bi_tool.fetchrow("select auth.claims() as claims, auth.role() as role, auth.user_id() as user_id")
    assert (claims["claims"], claims["role"], claims["user_id"]) == ("{}", None, None), "a reporting login has no claims"
    assert [r["school_id"] for r in await bi_tool.fetch("select distinct school_id from api.students")] == [school.id]
    await expect_sqlstate(bi_tool, "42501", "select set_config('role', 'school_admin', false)")
    await expect_sqlstate(bi_tool, "42501", "select api.create_reporting_login('another-long-password-1')")


@pytest.mark.parametrize(
    "sql",
    [
        "insert into api.subjects (school_id, name) values ('{school}', 'Hacked')",
        "update api.students set first_name = 'Hacked'",
        "delete from api.enrollments",
        "create table reporting.stolen (id int)",
    ],
)
async def test_the_login_cannot_write(bi_tool: asyncpg.Connection, school: School, sql: str) -> None:
    statement = sql.format(school=school.id)
    # Two walls: the session is read-only by default (25006), and `reporting` holds
    # no write privilege (42501). PostgreSQL checks privileges on DML first.
    assert await bi_tool.fetchval("show transaction_read_only") == "on"
    with pytest.raises(asyncpg.PostgresError) as caught:
        async with bi_tool.transaction():
            await bi_tool.execute(statement)
    assert caught.value.sqlstate in ("25006", "42501"), f"refused: {caught.value}"
    # With the read-only setting overridden (a session may), privileges still refuse.
    async with bi_tool.transaction():
        await bi_tool.execute("set transaction read write")
        await expect_sqlstate(bi_tool, "42501", statement)


async def test_the_login_gets_no_health_records_nor_the_audit_log(bi_tool: asyncpg.Connection) -> None:
    await expect_sqlstate(bi_tool, "42501", "select count(*) from api.health_records")
    await expect_sqlstate(bi_tool, "42501", "select count(*) from api.audit_log")
    await expect_sqlstate(bi_tool, "42501", "select count(*) from data.students")


async def test_the_session_settings_protect_the_server(bi_tool: asyncpg.Connection) -> None:
    assert await bi_tool.fetchval("show statement_timeout") == "30s"
    assert await bi_tool.fetchval("show default_transaction_read_only") == "on"
    assert await bi_tool.fetchval("show work_mem") == "32MB"
    assert await bi_tool.fetchval("show temp_file_limit") == "1GB"
    assert await bi_tool.fetchval("select current_schemas(false)") == ["reporting", "api"]
    # The one guard a session could not lift itself: temp files are a superuser setting.
    await expect_sqlstate(bi_tool, "42501", "set temp_file_limit = '100GB'")


async def test_the_operator_sets_the_guards_for_new_logins(
    database_url: str, school: School, committer: asyncpg.Connection
) -> None:
    """school_data.reporting_* (ALTER DATABASE ... SET, or the CLI's REPORTING_*
    variables) are the operator's; an admin through the API cannot set them."""
    gateway = await asyncpg.connect(with_user(database_url, "authenticator"))
    try:
        async with gateway.transaction():
            await act_as(gateway, "school_admin", school_id=school.id, sub=school.admin_user)
            await gateway.execute(
                "select set_config('school_data.reporting_work_mem', '8MB', true),"
                " set_config('school_data.reporting_statement_timeout', '5s', true),"
                " set_config('school_data.reporting_temp_file_limit', '100MB', true),"
                " set_config('school_data.reporting_connection_limit', '2', true)"
            )
            name = await gateway.fetchval("select api.create_reporting_login($1)", secrets.token_urlsafe(24))
    finally:
        await gateway.close()
    try:
        role = await committer.fetchrow(
            """select r.rolconnlimit, (select s.setconfig from pg_db_role_setting s where s.setrole = r.oid) as settings
               from pg_roles r where r.rolname = $1""",
            name,
        )
        assert role["rolconnlimit"] == 2
        assert {"work_mem=8MB", "statement_timeout=5s", "temp_file_limit=100MB"} <= set(role["settings"])
    finally:
        await as_school_admin(database_url, school, "select api.drop_reporting_login()")


async def test_creating_again_rotates_the_password_under_the_same_name(
    database_url: str, reporting_login: ReportingLogin, school: School, committer: asyncpg.Connection
) -> None:
    before = await committer.fetchval("select rolpassword from pg_authid where rolname = $1", reporting_login.name)
    again = await as_school_admin(database_url, school, "select api.create_reporting_login($1)", secrets.token_urlsafe(24))
    after = await committer.fetchval("select rolpassword from pg_authid where rolname = $1", reporting_login.name)
    assert again == reporting_login.name
    assert before and after and before != after, "a new password (stored as a SCRAM verifier)"
    assert after.startswith("SCRAM-SHA-256$"), "never in clear text"
    assert await committer.fetchval("select count(*) from auth.reporting_logins where role_name = $1", again) == 1


async def test_dropping_the_login_removes_role_and_registration(
    database_url: str, school: School, committer: asyncpg.Connection
) -> None:
    name = await as_school_admin(database_url, school, "select api.create_reporting_login($1)", secrets.token_urlsafe(24))
    assert await as_school_admin(database_url, school, "select api.drop_reporting_login()") is True
    assert await committer.fetchval("select count(*) from pg_roles where rolname = $1", name) == 0
    assert await committer.fetchval("select count(*) from auth.reporting_logins where role_name = $1", name) == 0
    assert await as_school_admin(database_url, school, "select api.drop_reporting_login()") is False, "nothing left to drop"


async def test_only_a_school_admin_may_manage_the_login(authenticator: asyncpg.Connection, school: School) -> None:
    for role, sub in (("teacher", school.teacher_user), ("partner_sync", "partner-client-1"), ("reporting", None)):
        await act_as(authenticator, role, school_id=school.id, sub=sub)
        await expect_sqlstate(authenticator, "42501", "select api.create_reporting_login('a-long-enough-password')")
        await expect_sqlstate(authenticator, "42501", "select api.drop_reporting_login()")
    await act_as(authenticator, "school_admin", sub=school.admin_user)
    error = await expect_sqlstate(authenticator, "42501", "select api.create_reporting_login('a-long-enough-password')")
    assert "only a school administrator" in str(error), "an admin token without a school is refused"
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    await expect_sqlstate(authenticator, "22023", "select api.create_reporting_login('short')")


async def test_the_dashboard_views_add_up(bi_tool: asyncpg.Connection, school: School, committer: asyncpg.Connection) -> None:
    """db/tenancy/reporting_dashboards.sql on the factory's records: one PRESENT
    mark in `class_`, one ABSENT in `other_class` (week of 2026-09-28)."""
    await make_school_records(committer, school)
    weekly = {
        r["class_id"]: (r["week_start"].isoformat(), r["marks"], r["attendance_rate"])
        for r in await bi_tool.fetch("select * from reporting.attendance_class_weekly")
    }
    assert weekly == {school.class_: ("2026-09-28", 1, 1), school.other_class: ("2026-09-28", 1, 0)}
    students = {r["student_id"]: r["absent"] for r in await bi_tool.fetch("select * from reporting.attendance_student_weekly")}
    assert students == {school.student: 0, school.other_student: 1}
    graded = await bi_tool.fetchval("select sum(graded) from reporting.grade_distribution")
    assert graded == await committer.fetchval(
        "select count(*) from data.grades where school_id = $1 and assessment_id is not null and not is_deleted", school.id
    )
    open_balance = await bi_tool.fetchval("select sum(balance_due) from reporting.balance_ageing")
    assert open_balance == await committer.fetchval(
        "select sum(balance_due) from data.invoices where school_id = $1 and status in ('SENT', 'PARTIALLY_PAID')", school.id
    )
    collected = await bi_tool.fetchval("select sum(collected_amount) from reporting.fee_collection_monthly")
    assert collected == 30, "three payments of 10 (tests.factories)"
    terms = await bi_tool.fetch("select * from reporting.enrollment_by_term where classes > 0")
    assert sum(r["enrollments"] for r in terms) == await committer.fetchval(
        """select count(*) from data.enrollments e join data.classes c on c.school_id = e.school_id and c.id = e.class_id
           where e.school_id = $1 and c.academic_term_id is not null and not c.is_deleted""",
        school.id,
    )
