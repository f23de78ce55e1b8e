"""Every integrity rule of db/migrations/sql/m0002_integrity_up.sql and db/integrity/triggers.sql, shown on the real database:
a write that breaks the rule fails with its SQLSTATE (and, where Postgres names
one, the constraint that refused it), next to a valid write that passes.

Rows are built by `Rows`: a minimal valid row per table, with the columns a case
overrides. Table and column names come only from the tables of cases below and
are quoted; every value is a bind parameter.
"""

from __future__ import annotations

import inspect
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from tests.factories import PLACEHOLDER_HASH, School, make_school
from tests.support import expect_sqlstate

OMIT = object()  # an override that leaves the column out of the INSERT
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)
ZERO, ONE = Decimal("0"), Decimal("1")


def tag() -> str:
    return secrets.token_hex(4)


def quoted(name: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


class Rows:
    """Valid rows of one school; `other` is a second school, for tenancy cases.

    An override may be a callable taking this `Rows` (sync or async), for values
    that only exist once the schools do (their ids, a fresh invoice...)."""

    def __init__(self, db: asyncpg.Connection, school: School, other: Rows | None = None) -> None:
        self.db, self.school, self.other = db, school, other

    async def statement(self, table: str, **overrides: Any) -> tuple[Any, ...]:
        """`(sql, *args)` of an INSERT of a valid row of `table`, changed by `overrides`."""
        values = {**await self.minimal(table), **await self.resolve(overrides)}
        values = {column: value for column, value in values.items() if value is not OMIT}
        columns = ", ".join(quoted(c) for c in values)
        params = ", ".join(f"${n}" for n in range(1, len(values) + 1))
        return (f"insert into {quoted(table)} ({columns}) values ({params}) returning *", *values.values())

    async def insert(self, table: str, **overrides: Any) -> asyncpg.Record:
        sql, *args = await self.statement(table, **overrides)
        return await self.db.fetchrow(sql, *args)

    async def new(self, table: str, **overrides: Any) -> UUID:
        return (await self.insert(table, **overrides))["id"]

    async def resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        resolved = {}
        for column, value in values.items():
            if callable(value):
                value = value(self)
                if inspect.isawaitable(value):
                    value = await value
            resolved[column] = value
        return resolved

    async def minimal(self, table: str) -> dict[str, Any]:
        s = self.school
        if table == "data.schools":
            return {"name": f"School {tag()}", "contact_email": "office@school.test"}
        return {"school_id": s.id, **await self._minimal_tenant_row(table)}

    async def _minimal_tenant_row(self, table: str) -> dict[str, Any]:  # noqa: C901 - one case per table
        s = self.school
        match table:
            case "data.school_settings":
                return {}
            case "data.users":
                return {"email": f"user.{tag()}@example.test", "password_hash": PLACEHOLDER_HASH, "role": "TEACHER"}
            case "data.students":
                return {"student_number": f"N-{tag()}", "first_name": "Ada", "last_name": "Lovelace"}
            case "data.teachers":
                return {"user_id": await self.new("data.users"), "first_name": "Tess", "last_name": "Ng"}
            case "data.parents":
                return {"first_name": "Pat", "last_name": "Lee", "relation_to_student": "GUARDIAN",
                        "contact_email": "pat@home.test"}  # fmt: skip
            case "data.academic_terms":
                return {"name": "Autumn", "start_date": date(2026, 9, 1), "end_date": date(2026, 12, 18)}
            case "data.subjects":
                return {"name": f"Subject {tag()}"}
            case "data.rooms":
                return {"name": f"Room {tag()}"}
            case "data.classes":
                return {"name": "Art 7C", "academic_year": "2026-2027"}
            case "data.enrollments":
                return {"student_id": await self.new("data.students"), "class_id": s.class_}
            case "data.attendance_records":
                return {"student_id": await self.new("data.students"), "date": date(2026, 10, 5), "status": "PRESENT",
                        "recorded_by_id": s.teacher_user}  # fmt: skip
            case "data.assignments":
                return {"class_id": s.class_, "title": "Fractions"}
            case "data.assessments":
                return {"name": "Midterm"}
            case "data.grades":
                return {"assignment_id": await self.new("data.assignments"), "student_id": s.student,
                        "recorded_by_user_id": s.teacher_user}  # fmt: skip
            case "data.announcements":
                return {"title": "Sports day", "content": "Bring water.", "published_at": AUTUMN,
                        "created_by_user_id": s.admin_user}  # fmt: skip
            case "data.discipline_incidents":
                return {"student_id": s.student, "reported_by_user_id": s.teacher_user, "incident_date": AUTUMN,
                        "description": "Late to class"}  # fmt: skip
            case "data.health_records":
                return {"student_id": s.student, "record_date": date(2026, 10, 5), "type": "ALLERGY",
                        "details": "Peanuts", "recorded_by_user_id": s.admin_user}  # fmt: skip
            case "data.communication_logs":
                return {"initiated_by_user_id": s.teacher_user, "party_type": "PARENT", "party_id": s.parent,
                        "date": AUTUMN, "summary": "Called about homework"}  # fmt: skip
            case "data.fee_types":
                return {"name": f"Fee {tag()}", "amount": Decimal("120.00")}
            case "data.invoices":
                return {"student_id": s.student, "invoice_number": f"INV-{tag()}", "issue_date": date(2026, 9, 1),
                        "due_date": date(2026, 9, 30)}  # fmt: skip
            case "data.invoice_items":
                return {"invoice_id": await self.new("data.invoices"), "description": "Tuition",
                        "unit_price": Decimal("100.00")}  # fmt: skip
            case "data.payments":
                # A sent invoice with something to pay: db/finance takes payments only on those.
                invoice = await self.new("data.invoices")
                await self.insert("data.invoice_items", invoice_id=invoice)
                await self.db.execute("update data.invoices set status = 'SENT' where id = $1", invoice)
                return {"invoice_id": invoice, "amount": Decimal("10.00")}
            case "audit.audit_log":
                return {"table_name": "students", "record_id": s.student, "action": "UPDATE"}
        raise AssertionError(f"no minimal row for {table}")


@pytest.fixture
async def rows(admin: asyncpg.Connection) -> AsyncIterator[Rows]:
    here, there = await make_school(admin), await make_school(admin)
    yield Rows(admin, here, Rows(admin, there))


def mine(attribute: str) -> Callable[[Rows], Any]:
    """This school's `attribute` (a School field), once the school exists."""
    return lambda r: getattr(r.school, attribute)


def other(attribute: str) -> Callable[[Rows], Any]:
    """The other school's `attribute`."""
    return lambda r: getattr(r.other.school, attribute)


def case(*values: Any, id: str) -> Any:  # noqa: A002 - pytest's own name
    return pytest.param(*values, id=id)


async def removing_for_real(db: asyncpg.Connection, table: str) -> None:
    """Let DELETE remove rows of `table` for the rest of the test's transaction.

    Soft delete (db/lifecycle) turns a DELETE into a mark with a BEFORE DELETE row
    trigger; ON DELETE rules are about rows really removed (a purge, a DBA), so such
    triggers are switched off here, found by type rather than by name. DDL inside
    the test's transaction: the rollback switches them on again."""
    triggers = await db.fetch(
        # tgtype bits: 1 row, 2 before, 8 delete.
        "select tgname from pg_trigger where tgrelid = to_regclass($1) and not tgisinternal and tgtype & 11 = 11",
        table,
    )
    for trigger in triggers:
        await db.execute(f"alter table {quoted(table)} disable trigger {quoted(trigger['tgname'])}")


# --- closed sets --------------------------------------------------------------------------

CLOSED_SETS = [
    ("data.users", "role", "TEACHER"),
    ("data.students", "gender", "NON_BINARY"),
    ("data.students", "enrollment_status", "GRADUATED"),
    ("data.attendance_records", "status", "LATE"),
    ("data.parents", "relation_to_student", "MOTHER"),
    ("data.assignments", "type", "QUIZ"),
    ("data.academic_terms", "type", "SEMESTER"),
    ("data.discipline_incidents", "severity", "MAJOR"),
    ("data.health_records", "type", "IMMUNIZATION"),
    ("data.communication_logs", "party_type", "PARENT"),
    ("data.communication_logs", "method", "SMS"),
    ("data.payments", "method", "MOBILE_MONEY"),
    ("data.rooms", "type", "GYM"),
    ("audit.audit_log", "action", "SOFT_DELETE"),
]


@pytest.mark.parametrize(("table", "column", "valid"), CLOSED_SETS, ids=str)
async def test_a_value_outside_the_closed_set_is_refused(rows: Rows, table: str, column: str, valid: str) -> None:
    # The near miss (lower case) is the realistic mistake: codes are upper case.
    error = await expect_sqlstate(rows.db, "23514", *await rows.statement(table, **{column: valid.lower()}))
    assert error.constraint_name == f"{table.split('.')[1]}_{column}_check", "its own closed-set check refuses it"
    assert (await rows.insert(table, **{column: valid}))[column] == valid, "a value of the set is stored"


async def test_an_invoice_status_outside_the_closed_set_is_refused(rows: Rows) -> None:
    # A new invoice must be a DRAFT (db/finance), so the set is shown on the step to SENT.
    invoice = await rows.new("data.invoices")
    await rows.insert("data.invoice_items", invoice_id=invoice)
    sql = "update data.invoices set status = $2 where id = $1 returning status"
    error = await expect_sqlstate(rows.db, "23514", sql, invoice, "sent")
    assert error.constraint_name == "invoices_status_check"
    assert await rows.db.fetchval(sql, invoice, "SENT") == "SENT"


async def test_a_party_type_outside_the_set_is_refused_by_its_check_not_as_a_missing_party(rows: Rows) -> None:
    teacher = {"party_type": "TEACHER", "party_id": mine("teacher")}
    error = await expect_sqlstate(rows.db, "23514", *await rows.statement("data.communication_logs", **teacher))
    assert error.constraint_name == "communication_logs_party_type_check"


# --- e-mail addresses ---------------------------------------------------------------------

EMAIL_COLUMNS = [("data.schools", "contact_email"), ("data.users", "email"), ("data.parents", "contact_email")]
NOT_EMAILS = ["no-at-sign.test", "two@@example.test", "has space@example.test", "nodot@localhost", "@example.test"]


@pytest.mark.parametrize(("table", "column"), EMAIL_COLUMNS)
@pytest.mark.parametrize("address", NOT_EMAILS)
async def test_an_address_that_is_not_an_email_is_refused(rows: Rows, table: str, column: str, address: str) -> None:
    error = await expect_sqlstate(rows.db, "23514", *await rows.statement(table, **{column: address}))
    assert error.constraint_name == f"{table.split('.')[1]}_{column}_check"


@pytest.mark.parametrize(("table", "column"), EMAIL_COLUMNS)
async def test_a_plain_email_address_is_accepted(rows: Rows, table: str, column: str) -> None:
    address = f"Jo.Doe+{tag()}@mail.example.test"
    assert (await rows.insert(table, **{column: address}))[column] == address


async def test_user_emails_are_unique_in_a_school_whatever_their_case(rows: Rows) -> None:
    address = f"Foo.{tag()}@x.test"
    await rows.insert("data.users", email=address)
    error = await expect_sqlstate(rows.db, "23505", *await rows.statement("data.users", email=address.lower()))
    assert error.constraint_name == "users_email_school_id_key"


async def test_another_school_may_use_the_same_email(rows: Rows) -> None:
    # Issue 13 F7: unique across schools, the conflict told one school that an
    # address is a login at another. A login names its school when it must.
    address = f"shared.{tag()}@x.test"
    await rows.insert("data.users", email=address)
    assert await rows.other.new("data.users", email=address.upper())


# --- uniques, per school, and freed by a soft delete --------------------------------------

UNIQUE_KEYS = [
    case("data.students", {"student_number": "N-100"}, "students_school_id_student_number_key", id="student number"),
    case("data.teachers", {"employee_id": "E-100"}, "teachers_school_id_employee_id_key", id="employee id"),
    case("data.invoices", {"invoice_number": "INV-100"}, "invoices_school_id_invoice_number_key", id="invoice number"),
    case("data.subjects", {"code": "MATH"}, "subjects_school_id_code_key", id="subject code"),
    case("data.subjects", {"name": "Mathematics"}, "subjects_school_id_name_key", id="subject name"),
    case("data.fee_types", {"name": "Tuition"}, "fee_types_school_id_name_key", id="fee type name"),
    case("data.rooms", {"name": "Lab 1"}, "rooms_school_id_name_key", id="room name"),
    case("data.payments", {"transaction_id": "TX-100"}, "payments_school_id_transaction_id_key", id="transaction id"),
]
EMAIL_KEY = case("data.users", {"email": lambda r: f"reused.{tag()}@x.test"}, "users_email_school_id_key", id="user email")


@pytest.mark.parametrize(("table", "key", "constraint"), UNIQUE_KEYS)
async def test_a_key_is_unique_within_a_school(rows: Rows, table: str, key: dict, constraint: str) -> None:
    await rows.insert(table, **key)
    error = await expect_sqlstate(rows.db, "23505", *await rows.statement(table, **key))
    assert error.constraint_name == constraint


@pytest.mark.parametrize(("table", "key", "constraint"), UNIQUE_KEYS)
async def test_another_school_may_use_the_same_key(rows: Rows, table: str, key: dict, constraint: str) -> None:
    await rows.insert(table, **key)
    assert await rows.other.new(table, **key)


@pytest.mark.parametrize(("table", "key", "constraint"), [*UNIQUE_KEYS, EMAIL_KEY])
async def test_a_soft_deleted_row_frees_its_key(rows: Rows, table: str, key: dict, constraint: str) -> None:
    key = await rows.resolve(key)
    first = await rows.new(table, **key)
    await rows.db.execute(f"update {quoted(table)} set is_deleted = true where id = $1", first)
    assert await rows.new(table, **key) != first


@pytest.mark.parametrize("target", ["assignment", "assessment"])
async def test_a_student_has_one_live_grade_per_assignment_or_assessment(rows: Rows, target: str) -> None:
    key = {"assignment_id": None, f"{target}_id": await rows.new(f"data.{target}s")}
    first = await rows.new("data.grades", **key)
    error = await expect_sqlstate(rows.db, "23505", *await rows.statement("data.grades", **key))
    assert error.constraint_name == f"grades_{target}_id_student_id_key"
    await rows.db.execute("update data.grades set is_deleted = true where id = $1", first)
    assert await rows.new("data.grades", **key), "a soft-deleted grade frees the place"


async def test_attendance_is_one_mark_per_student_day_and_session(rows: Rows) -> None:
    key = {"student_id": mine("student"), "date": date(2026, 10, 6)}
    for session in ("AM", "PM", None):
        await rows.insert("data.attendance_records", **key, session=session)
    for session in ("AM", None):  # None too: a day-level mark is unique (NULLS NOT DISTINCT)
        again = await rows.statement("data.attendance_records", **key, session=session)
        error = await expect_sqlstate(rows.db, "23505", *again)
        assert error.constraint_name == "attendance_records_student_day_session_key"


# --- CHECKs on one row --------------------------------------------------------------------

CHECKS = [
    case("data.academic_terms", {"start_date": date(2027, 1, 4), "end_date": date(2027, 1, 3)},
         {"start_date": date(2027, 1, 4), "end_date": date(2027, 1, 4)},
         "academic_terms_dates_check", id="term ends before it starts"),
    case("data.invoices", {"student_id": None, "parent_id": None}, {"student_id": None, "parent_id": mine("parent")},
         "invoices_billed_to_check", id="invoice billed to nobody"),
    case("data.invoices", {"due_date": date(2026, 8, 31)}, {"due_date": date(2026, 9, 1)},
         "invoices_dates_check", id="invoice due before issued"),
    case("data.enrollments", {"enrollment_date": date(2026, 9, 1), "completion_date": date(2026, 8, 1)},
         {"enrollment_date": date(2026, 9, 1), "completion_date": date(2026, 9, 1)},
         "enrollments_dates_check", id="enrollment completed before it began"),
    case("data.discipline_incidents", {"resolved_date": datetime(2026, 10, 4, tzinfo=UTC)}, {"resolved_date": AUTUMN},
         "discipline_incidents_resolved_date_check", id="incident resolved before it happened"),
    case("data.students", {"date_of_birth": date(1899, 12, 31)}, {"date_of_birth": date(2014, 3, 1)},
         "students_date_of_birth_check", id="student born before 1900"),
    case("data.rooms", {"capacity": -1}, {"capacity": 0}, "rooms_capacity_check", id="negative room capacity"),
    case("data.assignments", {"max_score": -ONE}, {"max_score": ZERO},
         "assignments_max_score_check", id="negative assignment max score"),
    case("data.assessments", {"max_score": -ONE}, {"max_score": ZERO},
         "assessments_max_score_check", id="negative assessment max score"),
    case("data.assessments", {"weight": -ONE}, {"weight": ZERO}, "assessments_weight_check", id="negative weight"),
    case("data.grades", {"score": -ONE}, {"score": ZERO}, "grades_score_check", id="negative score"),
    case("data.fee_types", {"amount": Decimal("-0.01")}, {"amount": ZERO}, "fee_types_amount_check", id="negative fee"),
    case("data.invoice_items", {"quantity": -ONE}, {"quantity": ZERO},
         "invoice_items_quantity_check", id="negative quantity"),
    case("data.invoice_items", {"unit_price": Decimal("-0.01")}, {"unit_price": ZERO},
         "invoice_items_unit_price_check", id="negative unit price"),
    case("data.payments", {"amount": ZERO}, {"amount": Decimal("0.01")},
         "payments_amount_check", id="payment of nothing"),
    case("data.announcements", {"audience": '{"roles": "TEACHER"}'}, {"audience": '{"roles": ["TEACHER"]}'},
         "announcements_audience_check", id="audience roles not a list"),
    case("data.school_settings", {"grading_scale_details": '"A-F"'}, {"grading_scale_details": '{"A": 90}'},
         "school_settings_grading_scale_details_check", id="grading scale a bare string"),
]  # fmt: skip

BLANK_NAMES = [
    ("data.schools", "name", "schools_name_check"),
    ("data.students", "student_number", "students_names_check"),
    ("data.students", "first_name", "students_names_check"),
    ("data.students", "last_name", "students_names_check"),
    ("data.teachers", "first_name", "teachers_names_check"),
    ("data.teachers", "last_name", "teachers_names_check"),
    ("data.parents", "first_name", "parents_names_check"),
    ("data.parents", "last_name", "parents_names_check"),
    ("data.classes", "name", "classes_name_check"),
    ("data.classes", "academic_year", "classes_name_check"),
    ("data.subjects", "name", "subjects_name_check"),
    ("data.rooms", "name", "rooms_name_check"),
    ("data.academic_terms", "name", "academic_terms_name_check"),
    ("data.fee_types", "name", "fee_types_name_check"),
    ("data.invoices", "invoice_number", "invoices_invoice_number_check"),
    ("data.announcements", "title", "announcements_title_check"),
]
CHECKS += [
    case(table, {column: "   "}, {column: f"X{tag()}"}, constraint, id=f"blank {table}.{column}")
    for table, column, constraint in BLANK_NAMES
]


@pytest.mark.parametrize(("table", "invalid", "valid", "constraint"), CHECKS)
async def test_a_row_breaking_a_check_is_refused_and_its_valid_twin_stored(
    rows: Rows, table: str, invalid: dict, valid: dict, constraint: str
) -> None:
    error = await expect_sqlstate(rows.db, "23514", *await rows.statement(table, **invalid))
    assert error.constraint_name == constraint
    assert await rows.insert(table, **valid)


def new_assessment(r: Rows) -> Any:
    return r.new("data.assessments")


@pytest.mark.parametrize("targets", [{"assignment_id": None}, {"assessment_id": new_assessment}], ids=["none", "both"])
async def test_a_grade_has_exactly_one_of_assignment_and_assessment(rows: Rows, targets: dict) -> None:
    error = await expect_sqlstate(rows.db, "23514", *await rows.statement("data.grades", **targets))
    assert error.constraint_name == "grades_target_check"


@pytest.mark.parametrize("target", ["assignment", "assessment"])
async def test_a_score_above_the_maximum_is_refused(rows: Rows, target: str) -> None:
    key = {"assignment_id": None, f"{target}_id": await rows.new(f"data.{target}s", max_score=Decimal("20.00"))}
    above = await rows.statement("data.grades", **key, score=Decimal("20.01"))
    error = await expect_sqlstate(rows.db, "23514", *above)
    assert error.constraint_name == "grades_score_within_max_check"
    assert await rows.new("data.grades", **key, score=Decimal("20.00")), "the maximum itself is a valid score"


async def test_raising_a_score_above_the_maximum_is_refused(rows: Rows) -> None:
    assignment = await rows.new("data.assignments", max_score=Decimal("10"))
    grade = await rows.new("data.grades", assignment_id=assignment, score=Decimal("7"))
    sql = "update data.grades set score = $2 where id = $1 returning score"
    await expect_sqlstate(rows.db, "23514", sql, grade, Decimal("10.5"))
    assert await rows.db.fetchval(sql, grade, Decimal("9.5")) == Decimal("9.50"), "a lower raise is stored"


# --- NOT NULL -----------------------------------------------------------------------------

REQUIRED = [
    ("data.users", "email"), ("data.users", "role"), ("data.students", "school_id"),
    ("data.students", "student_number"), ("data.classes", "academic_year"), ("data.attendance_records", "date"),
    ("data.attendance_records", "status"), ("data.grades", "student_id"), ("data.grades", "recorded_by_user_id"),
    ("data.announcements", "content"), ("data.communication_logs", "party_id"), ("data.health_records", "details"),
    ("data.fee_types", "amount"), ("data.invoices", "invoice_number"), ("data.invoice_items", "unit_price"),
    ("data.payments", "amount"), ("audit.audit_log", "record_id"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "column"), REQUIRED, ids=str)
async def test_a_row_missing_a_required_column_is_refused(rows: Rows, table: str, column: str) -> None:
    error = await expect_sqlstate(rows.db, "23502", *await rows.statement(table, **{column: OMIT}))
    assert error.column_name == column
    assert await rows.insert(table), "the same row with the column is stored"


# --- one school per row -------------------------------------------------------------------


def new_invoice_of_the_other_school(r: Rows) -> Any:
    return r.other.new("data.invoices")


TENANT_CASES = [
    case("data.enrollments", {"class_id": other("class_")}, {"class_id": mine("other_class")},
         "enrollments_class_id_tenant_fkey", id="enrollment in another school's class"),
    case("data.enrollments", {"school_id": other("id"), "class_id": other("class_")}, {},
         "enrollments_student_id_tenant_fkey", id="enrollment claiming the class's school for our student"),
    case("data.grades", {"student_id": other("student")}, {"student_id": mine("other_student")},
         "grades_student_id_tenant_fkey", id="grade for another school's student"),
    case("data.classes", {"teacher_id": other("teacher")}, {"teacher_id": mine("other_teacher")},
         "classes_teacher_id_tenant_fkey", id="class taught by another school's teacher"),
    case("data.invoice_items", {"invoice_id": new_invoice_of_the_other_school}, {},
         "invoice_items_invoice_id_tenant_fkey", id="item on another school's invoice"),
    case("data.attendance_records", {"student_id": other("student")}, {},
         "attendance_records_student_id_tenant_fkey", id="attendance of another school's student"),
    case("data.payments", {"invoice_id": new_invoice_of_the_other_school}, {},
         "payments_invoice_id_tenant_fkey", id="payment on another school's invoice"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "invalid", "valid", "constraint"), TENANT_CASES)
async def test_a_row_cannot_reference_another_schools_row(
    rows: Rows, table: str, invalid: dict, valid: dict, constraint: str
) -> None:
    error = await expect_sqlstate(rows.db, "23503", *await rows.statement(table, **invalid))
    assert error.constraint_name == constraint
    assert await rows.insert(table, **valid)


async def test_moving_a_class_to_another_schools_teacher_is_refused(rows: Rows) -> None:
    sql = "update data.classes set teacher_id = $2 where id = $1"
    await expect_sqlstate(rows.db, "23503", sql, rows.school.class_, rows.other.school.teacher)
    assert await rows.db.execute(sql, rows.school.class_, rows.school.other_teacher) == "UPDATE 1"


PARTIES = [
    case({"party_type": "PARENT", "party_id": other("parent")}, id="another school's parent"),
    case({"party_type": "STUDENT", "party_id": other("student")}, id="another school's student"),
    case({"party_type": "STUDENT", "party_id": mine("parent")}, id="a parent named as a student"),
    case({"party_type": "PARENT", "party_id": lambda r: uuid4()}, id="nobody at all"),
]


@pytest.mark.parametrize("party", PARTIES)
async def test_a_communication_must_name_a_party_of_the_school(rows: Rows, party: dict) -> None:
    error = await expect_sqlstate(rows.db, "23503", *await rows.statement("data.communication_logs", **party))
    assert error.constraint_name == "communication_logs_party_fkey"


@pytest.mark.parametrize("party_type", ["PARENT", "STUDENT"])
async def test_a_communication_with_a_parent_or_student_of_the_school_is_stored(rows: Rows, party_type: str) -> None:
    assert await rows.new("data.communication_logs", party_type=party_type, party_id=mine(party_type.lower()))


@pytest.mark.parametrize(("party_type", "table"), [("PARENT", "data.parents"), ("STUDENT", "data.students")])
async def test_a_party_named_by_a_communication_cannot_be_deleted(rows: Rows, party_type: str, table: str) -> None:
    named, unnamed = await rows.new(table), await rows.new(table)
    await rows.insert("data.communication_logs", party_type=party_type, party_id=named)
    await removing_for_real(rows.db, table)
    error = await expect_sqlstate(rows.db, "23503", f"delete from {quoted(table)} where id = $1", named)
    assert error.constraint_name == "communication_logs_party_fkey"
    assert await rows.db.execute(f"delete from {quoted(table)} where id = $1", unnamed) == "DELETE 1"


# --- the generated line total -------------------------------------------------------------


async def test_line_total_is_computed_by_the_database(rows: Rows) -> None:
    item = await rows.insert("data.invoice_items", quantity=Decimal("2.5"), unit_price=Decimal("10.10"))
    assert item["line_total"] == Decimal("25.25")


async def test_line_total_follows_the_quantity(rows: Rows) -> None:
    item = await rows.new("data.invoice_items", quantity=Decimal("2.5"), unit_price=Decimal("10.10"))
    sql = "update data.invoice_items set quantity = $2 where id = $1 returning line_total"
    assert await rows.db.fetchval(sql, item, Decimal("3")) == Decimal("30.30")


async def test_a_client_cannot_write_line_total(rows: Rows) -> None:
    await expect_sqlstate(rows.db, "428C9", *await rows.statement("data.invoice_items", line_total=Decimal("1.00")))
    item = await rows.new("data.invoice_items")
    sql = "update data.invoice_items set line_total = $2 where id = $1"
    await expect_sqlstate(rows.db, "428C9", sql, item, Decimal("1.00"))


# --- ON DELETE (rows removed for real) ----------------------------------------------------


async def test_deleting_a_teacher_unlinks_their_classes_but_keeps_the_school(rows: Rows) -> None:
    s = rows.school
    await removing_for_real(rows.db, "data.teachers")
    await rows.db.execute("delete from data.teachers where id = $1", s.teacher)
    klass = await rows.db.fetchrow("select teacher_id, school_id from data.classes where id = $1", s.class_)
    assert (klass["teacher_id"], klass["school_id"]) == (None, s.id)


async def test_deleting_an_invoice_deletes_its_items(rows: Rows) -> None:
    invoice = await rows.new("data.invoices")
    for _ in range(2):
        await rows.insert("data.invoice_items", invoice_id=invoice)
    await removing_for_real(rows.db, "data.invoices")
    await rows.db.execute("delete from data.invoices where id = $1", invoice)
    assert await rows.db.fetchval("select count(*) from data.invoice_items where invoice_id = $1", invoice) == 0


async def test_a_student_with_attendance_cannot_be_deleted(rows: Rows) -> None:
    s = rows.school
    await rows.insert("data.attendance_records", student_id=s.student)
    await removing_for_real(rows.db, "data.students")
    error = await expect_sqlstate(rows.db, "23503", "delete from data.students where id = $1", s.student)
    assert error.constraint_name == "attendance_records_student_id_tenant_fkey"


async def test_a_student_without_records_can_be_deleted_with_their_enrollments(rows: Rows) -> None:
    s = rows.school
    await removing_for_real(rows.db, "data.students")
    assert await rows.db.execute("delete from data.students where id = $1", s.other_student) == "DELETE 1"
    assert await rows.db.fetchval("select count(*) from data.enrollments where student_id = $1", s.other_student) == 0


# --- timestamps ---------------------------------------------------------------------------


async def test_updated_at_is_the_time_of_the_update_whatever_the_client_sends(
    committer: asyncpg.Connection, school: School
) -> None:
    # Two committed transactions: now() is the transaction's start, so one transaction cannot show a change.
    before = await committer.fetchval("select updated_at from data.students where id = $1", school.student)
    after = await committer.fetchrow(
        "update data.students set first_name = 'Samira', updated_at = $2 where id = $1 returning updated_at, now()",
        school.student, LONG_AGO,
    )  # fmt: skip
    assert after["updated_at"] == after["now"] > before


@pytest.mark.parametrize("table", ["data.students", "data.student_parents"])
async def test_created_at_cannot_be_changed_by_an_update(rows: Rows, table: str) -> None:
    sql = f"update {quoted(table)} set created_at = $2 where school_id = $1 returning created_at"
    now = await rows.db.fetchval("select now()")  # the rows were made in this transaction
    assert {row["created_at"] for row in await rows.db.fetch(sql, rows.school.id, LONG_AGO)} == {now}


async def test_created_at_is_set_by_the_database_on_insert(rows: Rows) -> None:
    student = await rows.insert("data.students", created_at=LONG_AGO, updated_at=LONG_AGO)
    now = await rows.db.fetchval("select now()")
    assert (student["created_at"], student["updated_at"]) == (now, now)
    # Either one sent alone is stamped too (the INSERT trigger runs when either differs from now()).
    assert (await rows.insert("data.students", updated_at=LONG_AGO))["updated_at"] == now
    assert (await rows.insert("data.students", created_at=LONG_AGO))["created_at"] == now
