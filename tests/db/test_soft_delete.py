"""Soft delete and purge (db/lifecycle): DELETE marks rows on every path and frees
their keys; api.purge_student removes a student's personal data for real, keeps
what the school must keep, and logs the purge without copying what it erased."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import asyncpg
import pytest

from tests.db.conftest import act_as, set_request_id
from tests.factories import School, execute_holders
from tests.support import expect_sqlstate

AUTUMN = datetime(2026, 10, 5, 9, 30, tzinfo=timezone.utc)


async def entries(connection: asyncpg.Connection, table: str, record_id, view: str = "api.audit_log") -> list[str]:
    return [r["action"] for r in await connection.fetch(
        f"select action from {view} where table_name = $1 and record_id = $2 order by id", table, record_id
    )]  # fmt: skip


# --- through the API ------------------------------------------------------------------------


async def test_delete_through_the_api_returns_the_row_and_hides_it(authenticator: asyncpg.Connection, school: School) -> None:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    deleted = await authenticator.fetch("delete from api.students where id = $1 returning id, student_number", school.other_student)
    assert [(r["id"], r["student_number"]) for r in deleted] == [(school.other_student, "S-2")], "DELETE ... RETURNING reports it"
    assert await authenticator.fetchval("select count(*) from api.students where id = $1", school.other_student) == 0
    assert await entries(authenticator, "students", school.other_student) == ["CREATE", "SOFT_DELETE"], "marked, not removed"


async def test_a_deleted_key_can_be_used_again(authenticator: asyncpg.Connection, school: School) -> None:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    await authenticator.execute("delete from api.students where id = $1", school.other_student)
    again = await authenticator.fetchval(
        "insert into api.students (school_id, student_number, first_name, last_name) values ($1, 'S-2', 'New', 'Pupil') returning id",
        school.id,
    )
    assert again != school.other_student, "the partial unique index let S-2 be reused"


async def test_a_bulk_delete_through_the_api_reports_every_row(authenticator: asyncpg.Connection, school: School) -> None:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    await authenticator.execute(
        "insert into api.rooms (school_id, name) select $1, 'Room ' || n from generate_series(1, 3) n", school.id
    )
    assert await authenticator.execute("delete from api.rooms where school_id = $1", school.id) == "DELETE 3"


async def test_a_deleted_login_is_also_disabled(authenticator: asyncpg.Connection, school: School) -> None:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    await authenticator.execute("delete from api.users where id = $1", school.parent_user)
    [entry] = await authenticator.fetch(
        "select new_data from api.audit_log where table_name = 'users' and record_id = $1 and action = 'SOFT_DELETE'",
        school.parent_user,
    )
    new = json.loads(entry["new_data"])
    assert (new["is_deleted"], new["is_active"]) == (True, False)


async def test_a_teacher_may_delete_only_grades_of_their_own_classes(authenticator: asyncpg.Connection, school: School) -> None:
    # The school's admin makes a grade in each class, in the test's transaction.
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    mine, theirs = [
        await authenticator.fetchval(
            """with a as (insert into api.assignments (school_id, class_id, title) values ($1, $2, 'Essay') returning id)
               insert into api.grades (school_id, assignment_id, student_id, score, recorded_by_user_id)
               select $1, a.id, $3, 7, $4 from a returning id""",
            school.id, klass, student, school.admin_user,
        )  # fmt: skip
        for klass, student in ((school.class_, school.student), (school.other_class, school.other_student))
    ]
    await act_as(authenticator, "teacher", school_id=school.id, sub=school.teacher_user)
    assert await authenticator.execute("delete from api.grades where id = $1", theirs) == "DELETE 0", "out of reach: 0 rows"
    assert await authenticator.fetchval("delete from api.grades where id = $1 returning id", mine) == mine
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    assert await authenticator.fetchval("select count(*) from api.grades where id = $1", theirs) == 1, "the other grade is untouched"


async def test_a_role_without_delete_rights_is_refused(authenticator: asyncpg.Connection, school: School) -> None:
    await act_as(authenticator, "teacher", school_id=school.id, sub=school.teacher_user)
    await expect_sqlstate(authenticator, "42501", "delete from api.students where id = $1", school.student)


# --- on the table (psql, a DBA) -------------------------------------------------------------


async def test_delete_on_the_table_marks_the_row(admin: asyncpg.Connection, school: School) -> None:
    assert await admin.execute("delete from data.students where id = $1", school.other_student) == "DELETE 0"
    assert await admin.fetchval("select is_deleted from data.students where id = $1", school.other_student) is True
    assert await entries(admin, "students", school.other_student, "audit.audit_log") == ["CREATE", "SOFT_DELETE"]


async def test_every_soft_delete_table_and_its_api_view_have_the_triggers(admin: asyncpg.Connection) -> None:
    missing = await admin.fetch(
        """select c.relname, v.relname as view
           from pg_class c
           join pg_namespace n on n.oid = c.relnamespace
           left join pg_class v on v.oid = to_regclass('api.' || quote_ident(c.relname))
           where n.nspname = 'data' and c.relkind in ('r', 'p') and not c.relispartition
             and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'is_deleted')
             and (not exists (select from pg_trigger t where t.tgrelid = c.oid and t.tgname = 'soft_delete_before_delete')
                  or (v.oid is not null
                      and not exists (select from pg_trigger t where t.tgrelid = v.oid and t.tgname = 'soft_delete_instead_of_delete')))"""
    )
    assert missing == []


# --- purge ----------------------------------------------------------------------------------


async def personal_records(db: asyncpg.Connection, school: School) -> dict[str, object]:
    """A health record, a discipline incident, a communication log about the
    student, and what the school keeps: attendance, a grade, an invoice with a payment."""
    s = school
    ids: dict[str, object] = {}
    ids["health"] = await db.fetchval(
        """insert into api.health_records (school_id, student_id, record_date, type, details, recorded_by_user_id)
           values ($1, $2, $3, 'ALLERGY', 'Severe peanut allergy', $4) returning id""",
        s.id, s.student, date(2026, 10, 1), s.admin_user,
    )  # fmt: skip
    ids["incident"] = await db.fetchval(
        """insert into api.discipline_incidents (school_id, student_id, reported_by_user_id, incident_date, description)
           values ($1, $2, $3, $4, 'Argued in the corridor') returning id""",
        s.id, s.student, s.teacher_user, AUTUMN,
    )  # fmt: skip
    ids["contact"] = await db.fetchval(
        """insert into api.communication_logs (school_id, initiated_by_user_id, party_type, party_id, date, summary)
           values ($1, $2, 'STUDENT', $3, $4, 'Talked about the incident') returning id""",
        s.id, s.teacher_user, s.student, AUTUMN,
    )  # fmt: skip
    ids["attendance"] = await db.fetchval(
        """insert into api.attendance_records (school_id, student_id, class_id, date, status, recorded_by_id)
           values ($1, $2, $3, $4, 'PRESENT', $5) returning id""",
        s.id, s.student, s.class_, date(2026, 10, 5), s.teacher_user,
    )  # fmt: skip
    ids["grade"] = await db.fetchval(
        """with a as (insert into api.assignments (school_id, class_id, title) values ($1, $2, 'Quiz') returning id)
           insert into api.grades (school_id, assignment_id, student_id, score, recorded_by_user_id)
           select $1, a.id, $3, 9, $4 from a returning id""",
        s.id, s.class_, s.student, s.admin_user,
    )  # fmt: skip
    ids["invoice"] = await db.fetchval(
        """insert into api.invoices (school_id, student_id, invoice_number, issue_date, due_date)
           values ($1, $2, 'INV-P1', $3, $4) returning id""",
        s.id, s.student, date(2026, 9, 1), date(2026, 9, 30),
    )  # fmt: skip
    await db.execute(
        "insert into api.invoice_items (school_id, invoice_id, description, unit_price) values ($1, $2, 'Tuition', 100)",
        s.id, ids["invoice"],
    )  # fmt: skip
    await db.execute("update api.invoices set status = 'SENT' where id = $1", ids["invoice"])
    await db.execute("select api.record_payment($1, 40)", ids["invoice"])
    return ids


async def test_a_purge_erases_personal_data_and_keeps_the_records_the_school_must_keep(
    authenticator: asyncpg.Connection, school: School
) -> None:
    s = school
    await act_as(authenticator, "school_admin", school_id=s.id, sub=s.admin_user)
    ids = await personal_records(authenticator, s)
    result = json.loads(await authenticator.fetchval("select api.purge_student($1, 'erasure request #1234')", s.student))
    assert result["removed"] == {"health_records": 1, "discipline_incidents": 1, "communication_logs": 1, "student_parents": 1}

    gone = await authenticator.fetchrow(
        """select (select count(*) from api.health_records where student_id = $1) as health,
                  (select count(*) from api.discipline_incidents where student_id = $1) as incidents,
                  (select count(*) from api.communication_logs where party_id = $1) as contacts,
                  (select count(*) from api.student_parents where student_id = $1) as guardians""",
        s.student,
    )
    assert dict(gone) == {"health": 0, "incidents": 0, "contacts": 0, "guardians": 0}

    student = await authenticator.fetchrow("select * from api.students where id = $1", s.student)
    assert (student["first_name"], student["last_name"], student["date_of_birth"], student["gender"]) == ("Erased", "Erased", None, None)
    assert student["student_number"] == f"ERASED-{s.student}"

    kept = await authenticator.fetchrow(
        """select (select student_id from api.attendance_records where id = $1) as attendance,
                  (select student_id from api.grades where id = $2) as grade,
                  (select student_id from api.invoices where id = $3) as invoice,
                  (select balance_due from api.invoices where id = $3) as balance""",
        ids["attendance"], ids["grade"], ids["invoice"],
    )  # fmt: skip
    assert dict(kept) == {"attendance": s.student, "grade": s.student, "invoice": s.student, "balance": Decimal("60.00")}


async def test_a_purge_disables_and_anonymises_the_login(authenticator: asyncpg.Connection, school: School) -> None:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    await authenticator.execute("select api.purge_student($1, 'erasure request')", school.student)
    assert await authenticator.fetchval("select count(*) from api.users where id = $1", school.student_user) == 0
    [entry] = await authenticator.fetch(
        "select new_data from api.audit_log where table_name = 'users' and record_id = $1 and action = 'PURGE'", school.student_user
    )
    login = json.loads(entry["new_data"])
    assert (login["email"], login["is_active"]) == (f"erased-{school.student_user}@erased.invalid", False)
    assert "password_hash" not in login


async def test_a_purge_is_logged_with_its_reason_and_copies_nothing_it_erased(
    authenticator: asyncpg.Connection, school: School
) -> None:
    s = school
    await act_as(authenticator, "school_admin", school_id=s.id, sub=s.admin_user)
    await set_request_id(authenticator, "req-purge")
    await personal_records(authenticator, s)
    before = await authenticator.fetchval("select id from api.audit_log order by id desc limit 1")
    await authenticator.execute("select api.purge_student($1, 'erasure request #1234')", s.student)
    during = await authenticator.fetch("select * from api.audit_log where id > $1 order by id", before)

    summary = [e for e in during if e["table_name"] == "students" and e["new_data"] and "reason" in json.loads(e["new_data"])]
    assert len(summary) == 1 and summary[0]["action"] == "PURGE"
    assert (summary[0]["user_id"], summary[0]["request_id"]) == (s.admin_user, "req-purge")
    assert json.loads(summary[0]["new_data"])["reason"] == "erasure request #1234"
    assert {e["action"] for e in during} == {"PURGE"}, "every change the purge made is logged as PURGE"
    text = " ".join(f"{e['old_data']} {e['new_data']}" for e in during)
    for erased in ("Severe peanut allergy", "Argued in the corridor", "Talked about the incident", "StudentS-1"):
        assert erased not in text, f"the purge's own entries do not copy {erased!r}"


async def test_the_log_of_the_student_before_the_purge_is_kept(authenticator: asyncpg.Connection, school: School) -> None:
    # Append-only wins over erasure (db/lifecycle/README.md): earlier entries stay.
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    await authenticator.execute("select api.purge_student($1, 'erasure request')", school.student)
    created = await authenticator.fetchval(
        "select new_data ->> 'last_name' from api.audit_log where table_name = 'students' and record_id = $1 and action = 'CREATE'",
        school.student,
    )
    assert created == "StudentS-1"


async def test_two_students_created_together_can_both_be_purged(authenticator: asyncpg.Connection, school: School) -> None:
    # uuidv7 ids of rows made in the same minute share their first 8 characters.
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    for student in (school.student, school.other_student):
        await authenticator.execute("select api.purge_student($1, 'erasure request')", student)
    numbers = await authenticator.fetch("select student_number from api.students where id = any($1::uuid[])", [school.student, school.other_student])
    assert len({r["student_number"] for r in numbers}) == 2


@pytest.mark.parametrize("role", ["teacher", "parent", "student", "partner_sync"])
async def test_only_an_admin_may_purge(authenticator: asyncpg.Connection, school: School, role: str) -> None:
    await act_as(authenticator, role, school_id=school.id, sub=school.teacher_user)
    await expect_sqlstate(authenticator, "42501", "select api.purge_student($1, 'because')", school.student)


async def test_an_admin_cannot_purge_a_student_of_another_school(
    authenticator: asyncpg.Connection, school: School, other_school: School
) -> None:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    error = await expect_sqlstate(authenticator, "42501", "select api.purge_student($1, 'because')", other_school.student)
    assert "student's school" in str(error)


async def test_a_purge_needs_a_reason(authenticator: asyncpg.Connection, school: School) -> None:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    await expect_sqlstate(authenticator, "22023", "select api.purge_student($1, '  ')", school.student)


async def test_only_admins_hold_execute_on_purge_student(admin: asyncpg.Connection) -> None:
    assert await execute_holders(admin, "api.purge_student(uuid, text)") == {"school_admin"}
