"""The generated data set: one `World` per school, and the tables in the order
they must be loaded (a row's references are always loaded before it).

Everything comes from `Size` (counts) and `Size.seed` (values): the same size
and seed give the same ids and values on every machine and Python version
(random.Random with str seeds, fixed word lists, no clock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from db.seed import finance as fi
from db.seed import pastoral as pa
from db.seed import people as pe
from db.seed import teaching as te
from db.seed.context import SchoolContext, Size
from db.seed.logins import MAX_INDIVIDUAL_HASHES, PasswordBook


@dataclass
class World:
    """One school's rows; the big tables are generators over these."""

    ctx: SchoolContext
    people: pe.People
    teaching: te.Teaching
    finance: fi.Finance
    pastoral: pa.Pastoral


@dataclass(frozen=True)
class Step:
    """A set-based statement run after a table's COPY, for what must happen between two loads."""

    label: str
    sql: str
    args: Callable[[World], tuple]


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[str, ...]
    rows: Callable[[World], Iterable[tuple]]
    then: Step | None = None
    schema: str = "data"


# Invoices take items only as DRAFTs and payments only once SENT (db/finance):
# sending comes between the two. The trigger checks each invoice has a total.
SEND_INVOICES = Step(
    "invoices sent",
    "update data.invoices set status = 'SENT' where school_id = $1 and id = any($2::uuid[])",
    lambda w: (w.ctx.id, w.finance.to_send),
)


def _big(
    generate: Callable[[SchoolContext, pe.People, te.Teaching], Iterator[tuple]],
) -> Callable[[World], Iterator[tuple]]:
    return lambda w: generate(w.ctx, w.people, w.teaching)


# Dependency order. audit.audit_log is not seeded: only triggers write it.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("schools", pe.SCHOOL_COLUMNS, lambda w: [w.people.school]),
    # Before the terms: inserting the current term points the settings at it (db/terms).
    TableSpec("school_settings", te.SETTINGS_COLUMNS, lambda w: w.teaching.settings),
    TableSpec("users", pe.USER_COLUMNS, lambda w: w.people.users),
    TableSpec("students", pe.STUDENT_COLUMNS, lambda w: w.people.students),
    TableSpec("teachers", pe.TEACHER_COLUMNS, lambda w: w.people.teachers),
    TableSpec("parents", pe.PARENT_COLUMNS, lambda w: w.people.parents),
    TableSpec("student_parents", pe.STUDENT_PARENT_COLUMNS, lambda w: w.people.student_parents),
    TableSpec("academic_terms", te.TERM_COLUMNS, lambda w: w.teaching.terms),
    TableSpec("subjects", te.SUBJECT_COLUMNS, lambda w: w.teaching.subjects),
    TableSpec("rooms", te.ROOM_COLUMNS, lambda w: w.teaching.rooms),
    TableSpec("classes", te.CLASS_COLUMNS, lambda w: w.teaching.class_rows),
    TableSpec("enrollments", te.ENROLLMENT_COLUMNS, _big(te.enrollments)),
    TableSpec("attendance_records", te.ATTENDANCE_COLUMNS, _big(te.attendance)),
    TableSpec("assignments", te.ASSIGNMENT_COLUMNS, lambda w: w.teaching.assignments),
    TableSpec("assessments", te.ASSESSMENT_COLUMNS, lambda w: w.teaching.assessments),
    TableSpec("grades", te.GRADE_COLUMNS, _big(te.grades)),
    TableSpec("announcements", pa.ANNOUNCEMENT_COLUMNS, lambda w: w.pastoral.announcements),
    TableSpec("discipline_incidents", pa.DISCIPLINE_COLUMNS, lambda w: w.pastoral.incidents),
    TableSpec("health_records", pa.HEALTH_COLUMNS, lambda w: w.pastoral.health),
    TableSpec("communication_logs", pa.COMMUNICATION_COLUMNS, lambda w: w.pastoral.communications),
    TableSpec("fee_types", fi.FEE_TYPE_COLUMNS, lambda w: w.finance.fee_types),
    # Invoices as drafts, their items, sending, then payments: the order the
    # finance triggers require; they derive totals, balances and statuses.
    TableSpec("invoices", fi.INVOICE_COLUMNS, lambda w: w.finance.invoices),
    TableSpec("invoice_items", fi.INVOICE_ITEM_COLUMNS, lambda w: w.finance.items, then=SEND_INVOICES),
    TableSpec("payments", fi.PAYMENT_COLUMNS, lambda w: w.finance.payments),
)


def password_book(size: Size) -> PasswordBook:
    """Each login its own hash when there are few; one shared hash otherwise."""
    logins = size.schools * pe.login_count(SchoolContext(size, 0))
    return PasswordBook(size.seed, individual=logins <= MAX_INDIVIDUAL_HASHES)


def build_world(size: Size, index: int, passwords: PasswordBook) -> World:
    ctx = SchoolContext(size, index)
    people = pe.build_people(ctx, passwords)
    teaching = te.build_teaching(ctx, people)
    return World(ctx, people, teaching, fi.build_finance(ctx, people), pa.build_pastoral(ctx, people))


def worlds(size: Size, passwords: PasswordBook) -> Iterator[World]:
    """School after school, so only one school's rows are in memory at a time."""
    for index in range(size.schools):
        yield build_world(size, index, passwords)
