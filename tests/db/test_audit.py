"""The audit trail (db/audit): every change to a data table writes audit.audit_log
rows in the same transaction, with who, what, old and new; the log is append-only
for everyone, the owner and the superuser included."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from tests.db.conftest import act_as, set_request_id
from tests.factories import School
from tests.support import expect_sqlstate

STUDENT_INSERT = """insert into api.students (school_id, student_number, first_name, last_name)
                    values ($1, $2, 'Ada', 'Lovelace') returning id"""


async def log_of(connection: asyncpg.Connection, record_id: UUID, view: str = "api.audit_log") -> list[dict[str, Any]]:
    """The record's entries, oldest first. By id (uuidv7), not occurred_at: that is
    the transaction's start, and a test's transaction may start before its fixtures'."""
    rows = await connection.fetch(
        f"select * from {view} where record_id = $1 order by id", record_id
    )
    return [
        {**dict(r), "old_data": json.loads(r["old_data"]) if r["old_data"] else None,
         "new_data": json.loads(r["new_data"]) if r["new_data"] else None}
        for r in rows
    ]  # fmt: skip


async def as_admin(connection: asyncpg.Connection, school: School, request_id: str = "req-audit-1") -> None:
    await act_as(connection, "school_admin", school_id=school.id, sub=school.admin_user)
    await set_request_id(connection, request_id)


async def test_an_insert_is_logged_with_actor_request_and_new_data(authenticator: asyncpg.Connection, school: School) -> None:
    await as_admin(authenticator, school, "req-insert")
    student = await authenticator.fetchval(STUDENT_INSERT, school.id, "A-1")
    [entry] = await log_of(authenticator, student)
    assert (entry["action"], entry["table_name"], entry["school_id"]) == ("CREATE", "students", school.id)
    assert (entry["user_id"], entry["actor_role"], entry["actor_sub"]) == (school.admin_user, "school_admin", str(school.admin_user))
    assert entry["request_id"] == "req-insert", "the gateway's request id ties the entry to the HTTP request"
    assert entry["old_data"] is None and entry["new_data"]["first_name"] == "Ada"


async def test_an_update_is_logged_with_old_and_new_data(authenticator: asyncpg.Connection, school: School) -> None:
    await as_admin(authenticator, school)
    student = await authenticator.fetchval(STUDENT_INSERT, school.id, "A-2")
    await authenticator.execute("update api.students set last_name = 'Byron' where id = $1", student)
    update = (await log_of(authenticator, student))[-1]
    assert update["action"] == "UPDATE"
    assert (update["old_data"]["last_name"], update["new_data"]["last_name"]) == ("Lovelace", "Byron")


async def test_an_update_that_changes_nothing_is_not_logged(authenticator: asyncpg.Connection, school: School) -> None:
    await as_admin(authenticator, school)
    student = await authenticator.fetchval(STUDENT_INSERT, school.id, "A-3")
    await authenticator.execute("update api.students set last_name = last_name where id = $1", student)
    assert [e["action"] for e in await log_of(authenticator, student)] == ["CREATE"], "only updated_at moved"


async def test_a_soft_delete_is_logged_as_such(authenticator: asyncpg.Connection, school: School) -> None:
    await as_admin(authenticator, school)
    student = await authenticator.fetchval(STUDENT_INSERT, school.id, "A-4")
    await authenticator.execute("delete from api.students where id = $1", student)
    entry = (await log_of(authenticator, student))[-1]
    assert entry["action"] == "SOFT_DELETE"
    assert (entry["old_data"]["is_deleted"], entry["new_data"]["is_deleted"]) == (False, True)


async def test_a_hard_delete_is_logged_with_the_old_row(authenticator: asyncpg.Connection, school: School) -> None:
    await as_admin(authenticator, school)
    link = await authenticator.fetchval(
        "delete from api.student_parents where student_id = $1 returning id", school.student
    )
    [*_, entry] = await log_of(authenticator, link)
    assert (entry["action"], entry["old_data"]["parent_id"], entry["new_data"]) == ("DELETE", str(school.parent), None)


async def test_a_partner_is_logged_by_role_and_client_id_without_a_user(
    authenticator: asyncpg.Connection, school: School
) -> None:
    await act_as(authenticator, "partner_sync", school_id=school.id, sub="sis-vendor-42")
    student = await authenticator.fetchval(STUDENT_INSERT, school.id, "P-1")
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    [entry] = await log_of(authenticator, student)
    assert (entry["actor_role"], entry["actor_sub"], entry["user_id"]) == ("partner_sync", "sis-vendor-42", None)


async def test_a_user_of_another_school_is_not_recorded_as_the_user(
    authenticator: asyncpg.Connection, school: School, other_school: School
) -> None:
    # The log's (school_id, user_id) key points into the row's school only.
    await act_as(authenticator, "school_admin", school_id=school.id, sub=other_school.admin_user)
    student = await authenticator.fetchval(STUDENT_INSERT, school.id, "X-1")
    [entry] = await log_of(authenticator, student)
    assert (entry["user_id"], entry["actor_sub"]) == (None, str(other_school.admin_user))


async def test_system_work_without_claims_is_logged_as_the_database_role(admin: asyncpg.Connection, school: School) -> None:
    student = await admin.fetchval(
        "insert into data.students (school_id, student_number, first_name, last_name) values ($1, 'SYS-1', 'S', 'Y') returning id",
        school.id,
    )
    [entry] = await log_of(admin, student, view="audit.audit_log")
    assert (entry["actor_role"], entry["actor_sub"], entry["user_id"]) == (await admin.fetchval("select session_user::text"), None, None)


async def test_a_password_hash_never_reaches_the_log(admin: asyncpg.Connection, school: School) -> None:
    await admin.execute("update data.users set password_hash = '$argon2id$v=19$m=65536,t=3,p=4$bmV3$bmV3' where id = $1", school.teacher_user)
    entries = await log_of(admin, school.teacher_user, view="audit.audit_log")
    assert [e["action"] for e in entries] == ["CREATE", "UPDATE"], "a password change is logged..."
    assert all("password_hash" not in (e["old_data"] or {}) | (e["new_data"] or {}) for e in entries), "...without the hash"


async def test_a_change_rolled_back_leaves_no_entry(authenticator: asyncpg.Connection, school: School) -> None:
    await as_admin(authenticator, school)
    savepoint = authenticator.transaction()
    await savepoint.start()
    student = await authenticator.fetchval(STUDENT_INSERT, school.id, "RB-1")
    await savepoint.rollback()
    assert await log_of(authenticator, student) == [], "the entry shares the change's transaction"


async def test_a_bulk_copy_is_logged_row_for_row(admin: asyncpg.Connection, school: School) -> None:
    rows = [(school.id, f"BULK-{n}", "Bulk", f"Student{n}") for n in range(2000)]
    await admin.copy_records_to_table(
        "students", schema_name="data", records=rows, columns=["school_id", "student_number", "first_name", "last_name"]
    )
    logged = await admin.fetchval(
        """select count(*) from audit.audit_log
           where school_id = $1 and table_name = 'students' and action = 'CREATE' and new_data ->> 'first_name' = 'Bulk'""",
        school.id,
    )
    assert logged == 2000


async def test_every_data_table_has_statement_level_audit_triggers_with_transition_tables(admin: asyncpg.Connection) -> None:
    missing = await admin.fetch(
        """select c.relname, e.event
           from pg_class c
           join pg_namespace n on n.oid = c.relnamespace
           cross join (values ('insert'), ('update'), ('delete')) as e (event)
           where n.nspname = 'data' and c.relkind in ('r', 'p') and not c.relispartition  -- partitions: through the parent
             and not exists (
                 select from pg_trigger t
                 where t.tgrelid = c.oid and t.tgname = 'audit_after_' || e.event
                   and t.tgfoid = 'audit.record_changes()'::regprocedure
                   and t.tgtype & 1 = 0                                   -- FOR EACH STATEMENT
                   and coalesce(t.tgnewtable, t.tgoldtable) is not null)  -- REFERENCING ... TABLE"""
    )
    assert missing == []


async def test_the_audit_function_runs_as_the_owner_with_an_empty_search_path(admin: asyncpg.Connection) -> None:
    row = await admin.fetchrow(
        "select prosecdef, pg_get_userbyid(proowner) as owner, proconfig from pg_proc where oid = 'audit.record_changes()'::regprocedure"
    )
    assert (row["prosecdef"], row["owner"], row["proconfig"]) == (True, "school_owner", ['search_path=""'])


# --- append-only ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "update api.audit_log set action = 'UPDATE'",
        "delete from api.audit_log",
        "update audit.audit_log set action = 'UPDATE'",
        "delete from audit.audit_log",
        "truncate audit.audit_log",
    ],
)
async def test_a_school_admin_cannot_change_the_log(authenticator: asyncpg.Connection, school: School, statement: str) -> None:
    await as_admin(authenticator, school)
    await expect_sqlstate(authenticator, "42501", statement)


@pytest.mark.parametrize(
    "statement",
    ["update audit.audit_log set action = 'UPDATE'", "delete from audit.audit_log", "truncate audit.audit_log"],
)
async def test_the_owner_cannot_change_the_log(admin: asyncpg.Connection, school: School, statement: str) -> None:
    await admin.execute("set local role school_owner")
    error = await expect_sqlstate(admin, "42501", statement)
    assert "permission denied" in str(error), "the owner gave its own privileges up"


@pytest.mark.parametrize(
    "statement",
    ["update audit.audit_log set action = 'UPDATE'", "delete from audit.audit_log", "truncate audit.audit_log"],
)
async def test_not_even_the_superuser_can_change_the_log(admin: asyncpg.Connection, school: School, statement: str) -> None:
    error = await expect_sqlstate(admin, "42501", statement)
    assert "append-only" in str(error)


async def test_replica_mode_does_not_switch_the_guard_off(admin: asyncpg.Connection, school: School) -> None:
    await admin.execute("set local session_replication_role = replica")
    await expect_sqlstate(admin, "42501", "delete from audit.audit_log where school_id = $1", school.id)


async def test_no_api_role_holds_a_privilege_to_change_the_log(admin: asyncpg.Connection) -> None:
    holders = await admin.fetch(
        """select r.rolname, p.privilege
           from pg_roles r cross join (values ('UPDATE'), ('DELETE'), ('TRUNCATE')) as p (privilege)
           where r.rolname in ('school_owner', 'authenticator', 'anon', 'school_admin', 'teacher', 'parent',
                               'student', 'partner_sync', 'reporting')
             and has_table_privilege(r.oid, 'audit.audit_log', p.privilege)"""
    )
    assert holders == []


# --- cost -----------------------------------------------------------------------------------


@pytest.mark.benchmark
async def test_audit_overhead_on_a_10000_row_copy(admin: asyncpg.Connection, school: School) -> None:
    """Prints the time of a 10,000-row COPY into data.students with and without
    the audit triggers (pytest -m benchmark -s tests/db/test_audit.py)."""
    import time

    async def copy(label: str) -> float:
        rows = [(school.id, f"{label}-{n}", "Bench", f"Student{n}") for n in range(10_000)]
        started = time.perf_counter()
        await admin.copy_records_to_table(
            "students", schema_name="data", records=rows, columns=["school_id", "student_number", "first_name", "last_name"]
        )
        return time.perf_counter() - started

    for _ in range(2):  # warm up caches and the plan of the audit insert
        await copy(f"W{_}")
    audited = min([await copy(f"A{n}") for n in range(3)])
    await admin.execute("alter table data.students disable trigger audit_after_insert")  # rolled back with the test
    plain = min([await copy(f"P{n}") for n in range(3)])
    logged = await admin.fetchval(
        "select count(*) from audit.audit_log where table_name = 'students' and new_data ->> 'student_number' like 'P_-%'"
    )
    print(f"10,000-row COPY: {plain:.3f}s without audit, {audited:.3f}s with ({audited / plain:.2f}x)")
    assert logged == 0 and audited > 0
