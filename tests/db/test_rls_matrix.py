"""Every cell of db/tenancy/ACCESS_MATRIX.md, checked against the database.

The matrix document is parsed here, so the document and the rules cannot drift:
each (role, table, operation) cell becomes one test that connects as
`authenticator`, switches role and claims as the gateway does, and runs the
operation through the api view of that table:

- allowed select: sees exactly the rows in scope (computed from the fixture, not
  from the policies);
- allowed insert: a row in scope is written; a row outside the scope (another
  teacher's class, another author) and a row of another school are refused (42501);
- allowed update/delete: aimed at rows of both schools, it reaches exactly the
  rows in scope;
- denied (`no`): 42501, whatever the rows.

The two schools are built once for the module and committed; every test runs in
a transaction that is rolled back, so no test sees another's writes.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from tests.db.conftest import act_as
from tests.factories import School, SchoolRecords, make_school, make_school_records
from tests.support import expect_sqlstate

MATRIX_FILE = Path(__file__).resolve().parents[2] / "db" / "tenancy" / "ACCESS_MATRIX.md"
OPERATIONS = ("select", "insert", "update", "delete")
ROLES = ("school_admin", "teacher", "parent", "student", "partner_sync", "reporting", "anon")
PARTNER_CLIENT = "partner-client-1"


@dataclass(frozen=True)
class Cell:
    role: str
    table: str
    operation: str
    allowed: bool
    scope: str  # the key in backticks: school, roster, own, self, taught, children, audience, reported, -

    def __str__(self) -> str:
        return f"{self.role}-{self.table}-{self.operation}"


def read_matrix(path: Path = MATRIX_FILE) -> list[Cell]:
    """The cells of the matrix: one `## <role>` section per role, one row per table."""
    cells: list[Cell] = []
    role: str | None = None
    for line in path.read_text().splitlines():
        if heading := re.fullmatch(r"## (.+)", line.strip()):
            # A role's section, or another (`## Column privileges`: test_column_matrix.py).
            role = heading.group(1) if heading.group(1) in ROLES else None
            continue
        if role is None or not line.startswith("|") or line.startswith("|---") or line.startswith("| table "):
            continue
        columns = [c.strip() for c in line.strip().strip("|").split("|")]
        table, verdicts, scope_text = columns[0], columns[1:5], columns[5]
        scope = re.match(r"`([^`]+)`", scope_text)
        assert scope, f"{role}/{table}: the scope column must start with a `key`"
        for operation, verdict in zip(OPERATIONS, verdicts, strict=True):
            assert verdict in ("yes", "no"), f"{role}/{table}/{operation}: {verdict!r} is neither yes nor no"
            cells.append(Cell(role, table, operation, verdict == "yes", scope.group(1)))
    return cells


MATRIX = read_matrix()
TABLES = tuple(dict.fromkeys(c.table for c in MATRIX))


def base_table(table: str) -> str:
    return "audit.audit_log" if table == "audit_log" else f"data.{table}"


def key_column(table: str) -> str:
    return "school_id" if table == "school_settings" else "id"


def school_column(table: str) -> str:
    return "id" if table == "schools" else "school_id"


@dataclass(frozen=True)
class World:
    a: School  # the caller's school
    ra: SchoolRecords
    b: School  # another school
    rb: SchoolRecords


@pytest.fixture(scope="module")
async def world(database_url: str) -> AsyncIterator[World]:
    connection = await asyncpg.connect(database_url)
    try:
        a = await make_school(connection)
        ra = await make_school_records(connection, a)
        b = await make_school(connection)
        rb = await make_school_records(connection, b)
        yield World(a, ra, b, rb)
    finally:
        await connection.close()


def subject(role: str, s: School) -> UUID | str | None:
    """The `sub` claim the gateway would put in the role's token."""
    return {
        "school_admin": s.admin_user,
        "teacher": s.teacher_user,
        "parent": s.parent_user,
        "student": s.student_user,
        "partner_sync": PARTNER_CLIENT,
    }.get(role)


async def become(connection: asyncpg.Connection, role: str, w: World) -> None:
    await act_as(connection, role, school_id=w.a.id, sub=subject(role, w.a))


# Rows in scope for every allowed select whose scope is not the whole school,
# from what the fixture built, not from the policies under test.
def scoped_rows(s: School, r: SchoolRecords) -> dict[tuple[str, str], set[UUID]]:
    taught_work = {
        "assignments": {r.assignment, r.leaf_assignment},
        "assessments": {r.assessment, r.leaf_assessment},
        "grades": {r.grade, r.assessment_grade},
        "classes": {s.class_},
        "enrollments": {r.enrollment},
        "attendance_records": {r.attendance},
    }
    rows: dict[tuple[str, str], set[UUID]] = {}
    for role in ("teacher", "parent", "student"):
        rows.update({(role, table): ids for table, ids in taught_work.items()})
    rows.update({
        ("teacher", "users"): {s.teacher_user},
        ("teacher", "students"): {s.student},
        ("teacher", "teachers"): {s.teacher},
        ("teacher", "announcements"): {r.announcement_all, r.announcement_teachers},
        ("teacher", "discipline_incidents"): {r.incident},
        ("parent", "users"): {s.parent_user},
        ("parent", "students"): {s.student},
        ("parent", "parents"): {s.parent},
        ("parent", "student_parents"): {r.link},
        ("parent", "announcements"): {r.announcement_all, r.announcement_parents},
        ("parent", "invoices"): {r.invoice_student, r.invoice_parent, r.draft_invoice_student},
        ("parent", "invoice_items"): {r.item_student, r.item_parent, r.draft_item_student},
        ("parent", "payments"): {r.payment_student, r.payment_parent},
        ("student", "users"): {s.student_user},
        ("student", "students"): {s.student},
        ("student", "announcements"): {r.announcement_all, r.announcement_students},
    })  # fmt: skip
    return rows


# Rows that nothing points at (or whose dependants follow them), per table:
# what a delete may remove without a foreign-key error.
def deletable_rows(table: str, s: School, r: SchoolRecords) -> set[UUID]:
    return {
        "schools": {s.id},
        "users": {r.leaf_user},
        "school_settings": {r.settings},
        "audit_log": {r.audit_entry},
        "students": {r.spare_student},
        "teachers": {s.other_teacher},
        "parents": {r.leaf_parent},
        "student_parents": {r.link},
        "academic_terms": {s.term},
        "subjects": {r.subject},
        "rooms": {r.room},
        "classes": {r.leaf_class},
        "enrollments": {r.enrollment, r.other_enrollment},
        "attendance_records": {r.attendance, r.other_attendance},
        "assignments": {r.leaf_assignment, r.other_leaf_assignment},
        "assessments": {r.leaf_assessment, r.other_leaf_assessment},
        "grades": {r.grade, r.other_grade, r.assessment_grade, r.other_assessment_grade},
        "announcements": {r.announcement_all, r.announcement_teachers, r.announcement_parents,
                          r.announcement_students, r.announcement_admins},
        "discipline_incidents": {r.incident, r.other_incident},
        "health_records": {r.health_record, r.other_health_record},
        "communication_logs": {r.communication_log},
        "fee_types": {r.leaf_fee_type},
        "invoices": {r.draft_invoice_student, r.draft_invoice_other},
        "invoice_items": {r.draft_item_student, r.draft_item_other},
        "payments": {r.payment_student, r.payment_parent, r.payment_other},
    }[table]  # fmt: skip


def frozen_rows(r: SchoolRecords) -> set[UUID]:
    """Rows no update may touch whatever the caller: items of a sent invoice (finance rules)."""
    return {r.item_student, r.item_parent, r.item_other}


async def rows_in_school(committer: asyncpg.Connection, table: str, school_id: UUID) -> set[UUID]:
    """Every live row of `table` in one school, as the superuser sees it."""
    live = "and not is_deleted" if await committer.fetchval(
        "select exists (select from pg_attribute where attrelid = $1::regclass and attname = 'is_deleted')",
        base_table(table),
    ) else ""  # fmt: skip
    rows = await committer.fetch(
        f"select {key_column(table)} as key from {base_table(table)} where {school_column(table)} = $1 {live}", school_id
    )
    return {row["key"] for row in rows}


async def rows_in_scope(committer: asyncpg.Connection, cell: Cell, w: World) -> set[UUID]:
    if cell.scope == "school":
        return await rows_in_school(committer, cell.table, w.a.id)
    if cell.scope == "roster":  # users: reads the school's, writes all but ADMIN logins
        rows = await rows_in_school(committer, cell.table, w.a.id)
        if cell.operation == "select":
            return rows
        admins = await committer.fetch("select id from data.users where school_id = $1 and role = 'ADMIN'", w.a.id)
        return rows - {r["id"] for r in admins}
    return scoped_rows(w.a, w.ra)[(cell.role, cell.table)]


# --- rows to insert -------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """What a new row hangs off: the taught side of the caller's school, its other
    side (outside the teacher's/parent's/student's scope), or another school."""

    school_id: UUID
    class_id: UUID
    student_id: UUID
    author: UUID  # recorded_by, reported_by, created_by, ...
    parent_id: UUID
    gradable_assignment: UUID
    draft_invoice: UUID
    sent_invoice: UUID
    spare_student: UUID
    spare_teacher_user: UUID
    login_role: str = "TEACHER"  # a new login's role; outside a partner's scope: ADMIN


def side(w: World, which: str, role: str) -> Side:
    if which == "in":
        s, r = w.a, w.ra
        acting_user = subject(role, s)
        author = acting_user if isinstance(acting_user, UUID) else s.teacher_user
        return Side(s.id, s.class_, s.student, author, s.parent, r.leaf_assignment, r.draft_invoice_student,
                    r.invoice_student, r.spare_student, r.spare_teacher_user)  # fmt: skip
    if which == "out":
        s, r = w.a, w.ra
        return Side(s.id, s.other_class, s.other_student, s.other_teacher_user, s.parent, r.other_leaf_assignment,
                    r.draft_invoice_other, r.invoice_other, r.spare_student, r.spare_teacher_user, "ADMIN")  # fmt: skip
    s, r = w.b, w.rb
    return Side(s.id, s.class_, s.student, s.teacher_user, s.parent, r.leaf_assignment, r.draft_invoice_student,
                r.invoice_student, r.spare_student, r.spare_teacher_user)  # fmt: skip


def new_row(table: str, x: Side) -> dict[str, Any]:
    u = secrets.token_hex(4)
    now = datetime.now(timezone.utc)
    today = date.today()
    school = {"school_id": x.school_id}
    return {
        "schools": {"name": f"School {u}"},
        "users": school | {"email": f"new.{u}@example.test", "role": x.login_role},
        "school_settings": school,
        "audit_log": school | {"table_name": "students", "record_id": x.student_id, "action": "UPDATE"},
        "students": school | {"student_number": f"N-{u}", "first_name": "New", "last_name": "Student"},
        "teachers": school | {"user_id": x.spare_teacher_user, "first_name": "New", "last_name": "Teacher"},
        "parents": school | {"first_name": "New", "last_name": "Parent", "relation_to_student": "MOTHER"},
        "student_parents": school | {"student_id": x.spare_student, "parent_id": x.parent_id},
        "academic_terms": school | {"name": f"Term {u}", "start_date": date(2027, 1, 4), "end_date": date(2027, 3, 26)},
        "subjects": school | {"name": f"Subject {u}"},
        "rooms": school | {"name": f"Room {u}"},
        "classes": school | {"name": f"Class {u}", "academic_year": "2026-2027"},
        "enrollments": school | {"student_id": x.spare_student, "class_id": x.class_id},
        "attendance_records": school | {"date": date(2026, 10, 2), "status": "LATE", "student_id": x.student_id,
                                        "class_id": x.class_id, "recorded_by_id": x.author},
        "assignments": school | {"class_id": x.class_id, "title": f"Homework {u}"},
        "assessments": school | {"class_id": x.class_id, "name": f"Test {u}"},
        "grades": school | {"assignment_id": x.gradable_assignment, "student_id": x.student_id, "score": Decimal(7),
                            "recorded_by_user_id": x.author},
        "announcements": school | {"title": f"News {u}", "content": "Hello", "published_at": now,
                                   "created_by_user_id": x.author},
        "discipline_incidents": school | {"student_id": x.student_id, "reported_by_user_id": x.author,
                                          "incident_date": now, "description": "Pushed in line"},
        "health_records": school | {"student_id": x.student_id, "record_date": today, "type": "INJURY",
                                    "details": "Grazed knee", "recorded_by_user_id": x.author},
        "communication_logs": school | {"initiated_by_user_id": x.author, "party_type": "STUDENT",
                                        "party_id": x.student_id, "date": now, "summary": "Talked about homework"},
        "fee_types": school | {"name": f"Fee {u}", "amount": Decimal("5.00")},
        "invoices": school | {"student_id": x.student_id, "invoice_number": f"N-{u}", "issue_date": today,
                              "due_date": today + timedelta(days=30)},
        "invoice_items": school | {"invoice_id": x.draft_invoice, "description": "Books", "quantity": Decimal(1),
                                   "unit_price": Decimal("5.00")},
        "payments": school | {"invoice_id": x.sent_invoice, "amount": Decimal("1.00"), "method": "CARD"},
    }[table]  # fmt: skip


def insert_sql(table: str, row: dict[str, Any]) -> tuple[str, list[Any]]:
    columns = ", ".join(row)
    placeholders = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    return f"insert into api.{table} ({columns}) values ({placeholders}) returning {key_column(table)}", list(row.values())


# --- the tests ----------------------------------------------------------------


def test_the_matrix_covers_every_role_table_and_operation() -> None:
    cells = {(c.role, c.table, c.operation) for c in MATRIX}
    assert len(cells) == len(MATRIX), "each cell appears once"
    assert {c.role for c in MATRIX} == set(ROLES), "one section per API role"
    assert len(TABLES) == 25, "one row per table of the plan (24 in data, audit_log)"
    assert cells == {(r, t, o) for r in ROLES for t in TABLES for o in OPERATIONS}, "no cell is missing"


async def test_every_table_of_the_matrix_has_an_api_view(admin: asyncpg.Connection) -> None:
    views = {r["table_name"] for r in await admin.fetch("select table_name from information_schema.views where table_schema = 'api'")}
    assert set(TABLES) <= views


def test_scoped_rows_cover_exactly_the_scoped_selects_of_the_matrix(world: World) -> None:
    scoped = {
        (c.role, c.table) for c in MATRIX if c.operation == "select" and c.allowed and c.scope not in ("school", "roster")
    }
    assert scoped == set(scoped_rows(world.a, world.ra)), "every narrowed select has its expected rows, no more"


def test_a_denied_cell_has_no_scope_and_an_allowed_one_has_one() -> None:
    for c in MATRIX:
        if c.operation == "select":
            assert (c.scope == "-") == (not c.allowed), f"{c}: scope {c.scope!r} does not match the verdict"
        if c.allowed:
            select = next(s for s in MATRIX if (s.role, s.table, s.operation) == (c.role, c.table, "select"))
            assert select.allowed, f"{c}: a role that writes a table can also read it (RETURNING, PATCH)"


@pytest.mark.parametrize("cell", [c for c in MATRIX if c.operation == "select"], ids=str)
async def test_select(cell: Cell, world: World, authenticator: asyncpg.Connection, committer: asyncpg.Connection) -> None:
    key = key_column(cell.table)
    await become(authenticator, cell.role, world)
    if not cell.allowed:
        await expect_sqlstate(authenticator, "42501", f"select {key} from api.{cell.table}")
        return
    expected = await rows_in_scope(committer, cell, world)
    assert expected, "the fixture has rows in scope, so the check means something"
    seen = {r[key] for r in await authenticator.fetch(f"select {key} from api.{cell.table}")}
    assert seen == expected, f"{cell.role} sees exactly its rows of {cell.table}"


@pytest.mark.parametrize("cell", [c for c in MATRIX if c.operation == "insert"], ids=str)
async def test_insert(cell: Cell, world: World, authenticator: asyncpg.Connection) -> None:
    await become(authenticator, cell.role, world)
    sql, args = insert_sql(cell.table, new_row(cell.table, side(world, "in", cell.role)))
    if not cell.allowed:
        await expect_sqlstate(authenticator, "42501", sql, *args)
        return

    # A row of another school is refused by the WITH CHECK, whatever it points at.
    foreign_sql, foreign_args = insert_sql(cell.table, new_row(cell.table, side(world, "foreign", cell.role)))
    await expect_sqlstate(authenticator, "42501", foreign_sql, *foreign_args)
    if cell.scope != "school":
        # Inside the school but outside the role's scope: another class, another author,
        # an ADMIN login for a partner.
        out_sql, out_args = insert_sql(cell.table, new_row(cell.table, side(world, "out", cell.role)))
        await expect_sqlstate(authenticator, "42501", out_sql, *out_args)

    if cell.table == "school_settings":
        # One row per school: replace the school's row (the admin may delete it).
        await authenticator.execute("delete from api.school_settings")
    new_key = await authenticator.fetchval(sql, *args)
    seen = await authenticator.fetchval(
        f"select count(*) from api.{cell.table} where {key_column(cell.table)} = $1", new_key
    )
    assert seen == 1, f"{cell.role} wrote a row of {cell.table} in its scope and reads it back"


def update_sql(table: str) -> str:
    touch = "created_at" if table == "student_parents" else "occurred_at" if table == "audit_log" else "updated_at"
    return f"update api.{table} set {touch} = {touch} where {key_column(table)} = any($1::uuid[])"


@pytest.mark.parametrize("cell", [c for c in MATRIX if c.operation == "update"], ids=str)
async def test_update(cell: Cell, world: World, authenticator: asyncpg.Connection, committer: asyncpg.Connection) -> None:
    targets = (
        await rows_in_school(committer, cell.table, world.a.id) | await rows_in_school(committer, cell.table, world.b.id)
    ) - frozen_rows(world.ra) - frozen_rows(world.rb)
    await become(authenticator, cell.role, world)
    if not cell.allowed:
        await expect_sqlstate(authenticator, "42501", update_sql(cell.table), list(targets))
        return
    expected = await rows_in_scope(committer, cell, world) & targets
    assert expected, "some rows in scope are aimed at"
    status = await authenticator.execute(update_sql(cell.table), list(targets))
    assert status == f"UPDATE {len(expected)}", f"{cell.role} updates exactly its rows of {cell.table}"


@pytest.mark.parametrize("cell", [c for c in MATRIX if c.operation == "delete"], ids=str)
async def test_delete(cell: Cell, world: World, authenticator: asyncpg.Connection, committer: asyncpg.Connection) -> None:
    targets = deletable_rows(cell.table, world.a, world.ra) | deletable_rows(cell.table, world.b, world.rb)
    sql = f"delete from api.{cell.table} where {key_column(cell.table)} = any($1::uuid[]) returning {key_column(cell.table)}"
    await become(authenticator, cell.role, world)
    if not cell.allowed:
        await expect_sqlstate(authenticator, "42501", sql, list(targets))
        return
    expected = await rows_in_scope(committer, cell, world) & targets
    assert expected, "some rows in scope are aimed at"
    deleted = {r[key_column(cell.table)] for r in await authenticator.fetch(sql, list(targets))}
    assert deleted == expected, f"{cell.role} deletes exactly its rows of {cell.table}"
    left = await authenticator.fetchval(
        f"select count(*) from api.{cell.table} where {key_column(cell.table)} = any($1::uuid[])", list(expected)
    )
    assert left == 0, "deleted rows are gone from the api view"
