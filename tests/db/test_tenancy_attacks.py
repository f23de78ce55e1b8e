"""Attacks on the tenant wall, each as the gateway would run them: a connection
logged in as `authenticator`, role and claims switched with act_as, statements
through the api views. Every attack must fail closed: refused (42501, 23503) or
reaching zero rows of the other school."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

import asyncpg
import pytest

from tests.db.conftest import act_as
from tests.factories import School, make_school_records
from tests.support import expect_sqlstate


async def as_admin(connection: asyncpg.Connection, s: School) -> None:
    await act_as(connection, "school_admin", school_id=s.id, sub=s.admin_user)


async def as_teacher(connection: asyncpg.Connection, s: School) -> None:
    await act_as(connection, "teacher", school_id=s.id, sub=s.teacher_user)


# --- writing into, or moving a row to, another school -------------------------


async def test_a_row_written_with_another_schools_id_is_refused(
    authenticator: asyncpg.Connection, school: School, other_school: School
) -> None:
    await as_admin(authenticator, school)
    error = await expect_sqlstate(
        authenticator, "42501",
        """insert into api.students (school_id, student_number, first_name, last_name)
           values ($1, 'X-1', 'Eve', 'Intruder')""",
        other_school.id,
    )  # fmt: skip
    assert "row-level security" in str(error), "the WITH CHECK of the policy refuses it"


async def test_an_upsert_cannot_take_over_another_schools_login(
    authenticator: asyncpg.Connection, school: School, other_school: School, committer: asyncpg.Connection
) -> None:
    # An upsert keyed on the other school's id takes the UPDATE path on a row the
    # caller may not update: the policy's USING refuses it instead of skipping it.
    await as_admin(authenticator, school)
    await expect_sqlstate(
        authenticator, "42501",
        """insert into api.users (id, school_id, email, role) values ($1, $2, $3, 'ADMIN')
           on conflict (id) do update set school_id = excluded.school_id, email = excluded.email""",
        other_school.teacher_user, school.id, f"takeover.{uuid4().hex[:8]}@example.test",
    )  # fmt: skip
    owner = await committer.fetchval("select school_id from data.users where id = $1", other_school.teacher_user)
    assert owner == other_school.id, "the other school's login is untouched"


@pytest.mark.parametrize(
    ("role", "table", "row_of"),
    [
        ("school_admin", "students", lambda s: s.student),
        ("school_admin", "users", lambda s: s.parent_user),
        ("school_admin", "classes", lambda s: s.class_),
        ("partner_sync", "classes", lambda s: s.class_),
        ("partner_sync", "students", lambda s: s.student),
    ],
)
async def test_an_update_cannot_move_a_row_to_another_school(
    authenticator: asyncpg.Connection, school: School, other_school: School, role: str, table: str, row_of
) -> None:
    sub = school.admin_user if role == "school_admin" else "partner-client-1"
    await act_as(authenticator, role, school_id=school.id, sub=sub)
    await expect_sqlstate(
        authenticator, "42501", f"update api.{table} set school_id = $1 where id = $2", other_school.id, row_of(school)
    )


async def test_a_school_admin_cannot_rename_another_school(
    authenticator: asyncpg.Connection, school: School, other_school: School, committer: asyncpg.Connection
) -> None:
    await as_admin(authenticator, school)
    assert await authenticator.execute("update api.schools set name = 'Pwned' where id = $1", other_school.id) == "UPDATE 0"
    assert await committer.fetchval("select name from data.schools where id = $1", other_school.id) != "Pwned"


async def test_a_teacher_cannot_move_attendance_into_a_class_they_do_not_teach(
    authenticator: asyncpg.Connection, school: School, committer: asyncpg.Connection
) -> None:
    records = await make_school_records(committer, school)
    await as_teacher(authenticator, school)
    await expect_sqlstate(
        authenticator, "42501", "update api.attendance_records set class_id = $1 where id = $2",
        school.other_class, records.attendance,
    )  # fmt: skip


async def test_a_teacher_cannot_grade_a_student_outside_their_classes(
    authenticator: asyncpg.Connection, school: School, committer: asyncpg.Connection
) -> None:
    records = await make_school_records(committer, school)
    await as_teacher(authenticator, school)
    await expect_sqlstate(
        authenticator, "42501",
        """insert into api.grades (school_id, assignment_id, student_id, score, recorded_by_user_id)
           values ($1, $2, $3, 10, $4)""",
        school.id, records.leaf_assignment, school.other_student, school.teacher_user,
    )  # fmt: skip


async def test_a_teacher_cannot_record_attendance_in_a_colleagues_name(
    authenticator: asyncpg.Connection, school: School
) -> None:
    await as_teacher(authenticator, school)
    await expect_sqlstate(
        authenticator, "42501",
        """insert into api.attendance_records (school_id, date, status, student_id, class_id, recorded_by_id)
           values ($1, current_date, 'PRESENT', $2, $3, $4)""",
        school.id, school.student, school.class_, school.other_teacher_user,
    )  # fmt: skip


async def test_a_partner_can_neither_take_over_nor_mint_an_admin_login(
    authenticator: asyncpg.Connection, school: School, committer: asyncpg.Connection
) -> None:
    await act_as(authenticator, "partner_sync", school_id=school.id, sub="partner-client-1")
    # An admin's email changed to the partner's own would hand it the account at
    # the next password reset: the admin's row is out of the partner's reach.
    status = await authenticator.execute(
        "update api.users set email = 'partner@evil.test' where id = $1", school.admin_user
    )
    assert status == "UPDATE 0"
    await expect_sqlstate(
        authenticator, "42501", "update api.users set role = 'ADMIN' where id = $1", school.teacher_user
    )
    await expect_sqlstate(
        authenticator, "42501",
        "insert into api.users (school_id, email, role) values ($1, $2, 'ADMIN')",
        school.id, f"minted.{uuid4().hex[:8]}@example.test",
    )  # fmt: skip
    assert await committer.fetchval("select role from data.users where id = $1", school.teacher_user) == "TEACHER"


# --- reading across schools ---------------------------------------------------


async def test_filtering_on_another_schools_ids_finds_nothing(
    authenticator: asyncpg.Connection, school: School, other_school: School
) -> None:
    await as_admin(authenticator, school)
    for table, row in (("students", other_school.student), ("users", other_school.admin_user),
                       ("classes", other_school.class_), ("schools", other_school.id)):  # fmt: skip
        assert await authenticator.fetchval(f"select count(*) from api.{table} where id = $1", row) == 0, table
    assert await authenticator.execute("update api.students set first_name = 'X' where id = $1", other_school.student) == (
        "UPDATE 0"
    )
    assert await authenticator.execute("delete from api.enrollments where student_id = $1", other_school.student) == (
        "DELETE 0"
    )


async def test_a_join_across_schools_finds_nothing(
    authenticator: asyncpg.Connection, school: School, other_school: School
) -> None:
    await as_admin(authenticator, school)
    rows = await authenticator.fetch(
        """select e.id from api.enrollments e
           join api.students s on s.id = e.student_id
           join api.classes c on c.id = e.class_id
           where s.school_id = $1 or c.school_id = $1 or e.school_id = $1""",
        other_school.id,
    )
    assert rows == []
    schools = await authenticator.fetch("select distinct school_id from api.enrollments")
    assert [r["school_id"] for r in schools] == [school.id], "only the caller's school shows up"


async def test_a_foreign_key_to_another_schools_row_is_refused(
    authenticator: asyncpg.Connection, school: School, other_school: School
) -> None:
    await as_admin(authenticator, school)
    # The row claims the caller's school, so RLS lets it through; the composite
    # key (school_id, student_id) finds no such student in this school.
    await expect_sqlstate(
        authenticator, "23503",
        "insert into api.enrollments (school_id, student_id, class_id) values ($1, $2, $3)",
        school.id, other_school.student, school.class_,
    )  # fmt: skip
    await expect_sqlstate(
        authenticator, "23503", "update api.classes set teacher_id = $1 where id = $2", other_school.teacher, school.class_
    )


async def test_a_filter_that_errors_cannot_probe_rows_outside_the_scope(
    authenticator: asyncpg.Connection, school: School
) -> None:
    # Division is not leakproof, so PostgreSQL applies the policy first: the
    # other student's row never reaches the filter and raises nothing.
    await as_teacher(authenticator, school)
    count = await authenticator.fetchval(
        "select count(*) from api.students where 1 / (case when id = $1 then 0 else 1 end) = 1", school.other_student
    )
    assert count == 1, "only the teacher's own student is counted, with no division by zero"


async def test_a_teacher_claiming_another_school_sees_none_of_its_classes(
    authenticator: asyncpg.Connection, school: School, other_school: School
) -> None:
    await act_as(authenticator, "teacher", school_id=other_school.id, sub=school.teacher_user)
    for table in ("classes", "students", "enrollments", "users", "teachers"):
        assert await authenticator.fetchval(f"select count(*) from api.{table}") == 0, table


async def test_a_soft_deleted_teacher_row_gives_no_scope(
    authenticator: asyncpg.Connection, school: School, committer: asyncpg.Connection
) -> None:
    await committer.execute("update data.teachers set is_deleted = true where id = $1", school.teacher)
    await as_teacher(authenticator, school)
    assert await authenticator.fetchval("select count(*) from api.students") == 0
    assert await authenticator.fetchval("select count(*) from api.classes") == 0


# --- functions ------------------------------------------------------------------


async def test_login_functions_are_not_callable_by_api_roles(
    authenticator: asyncpg.Connection, school: School, other_school: School
) -> None:
    await as_admin(authenticator, school)
    await expect_sqlstate(authenticator, "42501", "select * from auth.login_lookup_by_id($1)", other_school.admin_user)
    await expect_sqlstate(authenticator, "42501", "select * from auth.login_lookup('x@example.test')")
    await expect_sqlstate(
        authenticator, "42501", "select auth.set_password_hash($1, '$argon2id$v=19$m=1,t=1,p=1$eA$eA')", other_school.admin_user
    )


async def test_an_api_function_given_another_schools_invoice_finds_nothing(
    authenticator: asyncpg.Connection, school: School, other_school: School, committer: asyncpg.Connection
) -> None:
    exists = await committer.fetchval("select to_regprocedure('api.record_payment(uuid, numeric, text, text, timestamptz)')")
    assert exists is not None, "api.record_payment (db/finance) exists"
    other = await make_school_records(committer, other_school)
    await as_admin(authenticator, school)
    await expect_sqlstate(authenticator, "P0002", "select api.record_payment($1, 1)", other.invoice_student)
    paid = await committer.fetchval(
        "select count(*) from data.payments where invoice_id = $1 and not is_deleted", other.invoice_student
    )
    assert paid == 1, "no payment was added to the other school's invoice"


async def test_scope_helpers_answer_only_for_the_callers_school(
    authenticator: asyncpg.Connection, school: School, other_school: School
) -> None:
    await as_teacher(authenticator, school)
    classes = await authenticator.fetchval("select auth.teacher_class_ids()")
    assert classes == [school.class_]
    await act_as(authenticator, "teacher", school_id=other_school.id, sub=school.teacher_user)
    assert await authenticator.fetchval("select auth.teacher_class_ids()") == []


# --- forged identities --------------------------------------------------------


@pytest.mark.parametrize("target", ["postgres", "school_owner", "pg_read_all_data"])
async def test_authenticator_cannot_become_a_role_outside_the_api_roles(
    authenticator: asyncpg.Connection, school: School, target: str
) -> None:
    # act_as is what the gateway does with a token's role claim.
    error = await expect_sqlstate(authenticator, "42501", "select set_config('role', $1, true)", target)
    assert "permission denied to set role" in str(error)
    with pytest.raises(asyncpg.PostgresError) as caught:
        async with authenticator.transaction():
            await act_as(authenticator, target, school_id=school.id)
    assert caught.value.sqlstate == "42501"


async def test_authenticator_alone_reads_nothing(authenticator: asyncpg.Connection, school: School) -> None:
    await authenticator.execute(
        "select set_config('request.jwt.claims', $1, true)", json.dumps({"role": "school_admin", "school_id": str(school.id)})
    )
    await expect_sqlstate(authenticator, "42501", "select count(*) from api.students")
    await expect_sqlstate(authenticator, "42501", "select count(*) from data.students")


async def test_a_claimed_role_does_not_lend_its_privileges(
    authenticator: asyncpg.Connection, school: School
) -> None:
    # The session is `teacher`; only its claims say school_admin. Privileges and
    # policies follow the session role, never the claim.
    await authenticator.execute(
        "select set_config('role', 'teacher', true), set_config('request.jwt.claims', $1, true)",
        json.dumps({"role": "school_admin", "school_id": str(school.id), "sub": str(school.teacher_user)}),
    )
    await expect_sqlstate(authenticator, "42501", "select count(*) from api.health_records")
    await expect_sqlstate(authenticator, "42501", "select api.create_reporting_login('a-long-enough-password')")
    assert await authenticator.fetchval("select count(*) from api.students") == 1, "still only the teacher's student"


@pytest.mark.parametrize("school_claim", [None, "", "not-a-uuid", str(uuid4())])
async def test_claims_without_a_valid_school_see_nothing(
    authenticator: asyncpg.Connection, school: School, school_claim: str | None
) -> None:
    extra = {} if school_claim is None else {"school_id": school_claim}
    await act_as(authenticator, "school_admin", sub=school.admin_user, **extra)
    for table in ("students", "users", "schools", "audit_log", "academic_terms"):
        assert await authenticator.fetchval(f"select count(*) from api.{table}") == 0, table
    await expect_sqlstate(
        authenticator, "42501",
        "insert into api.subjects (school_id, name) values ($1, 'Stray')", school.id,
    )  # fmt: skip


async def test_api_roles_cannot_reach_the_tables_or_the_password_hashes(
    authenticator: asyncpg.Connection, school: School
) -> None:
    await as_admin(authenticator, school)
    await expect_sqlstate(authenticator, "42501", "select password_hash from data.users")
    await expect_sqlstate(authenticator, "42501", "select count(*) from data.students")
    await expect_sqlstate(authenticator, "42501", "select count(*) from audit.audit_log")
    await expect_sqlstate(authenticator, "42703", "select password_hash from api.users")


async def test_an_api_role_cannot_write_the_audit_log(authenticator: asyncpg.Connection, school: School) -> None:
    await as_admin(authenticator, school)
    await expect_sqlstate(
        authenticator, "42501",
        "insert into api.audit_log (school_id, table_name, record_id, action) values ($1, 'students', $2, 'DELETE')",
        school.id, school.student,
    )  # fmt: skip


async def test_a_login_made_through_the_api_has_no_usable_password(
    authenticator: asyncpg.Connection, school: School
) -> None:
    await act_as(authenticator, "partner_sync", school_id=school.id, sub="partner-client-1")
    user_id: UUID = await authenticator.fetchval(
        "insert into api.users (school_id, email, role) values ($1, $2, 'STUDENT') returning id",
        school.id, f"synced.{uuid4().hex[:8]}@example.test",
    )  # fmt: skip
    await authenticator.execute("reset role")
    row = await authenticator.fetchrow("select * from auth.login_lookup_by_id($1)", user_id)
    assert row["password_hash"] == "!", "not an argon2 hash: it never verifies until a password is set"
