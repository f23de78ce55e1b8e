"""A small, fully linked school, inserted and committed by a superuser.

Each test that needs people gets a fresh school (unique names), so tests never
share rows and need no clean-up beyond the run's throw-away database.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import asyncpg

# Shaped like an argon2id hash but matching no password: these users cannot log in.
# Tests of login verification make real hashes (make_login_user).
PLACEHOLDER_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$W1Qm0Vv3n3w9GQvYzX1m7g"


@dataclass(frozen=True)
class School:
    id: UUID
    admin_user: UUID
    teacher_user: UUID
    teacher: UUID
    other_teacher_user: UUID
    other_teacher: UUID
    parent_user: UUID
    parent: UUID
    student_user: UUID
    student: UUID  # enrolled in `class_`, child of `parent`
    other_student: UUID  # enrolled in `other_class` only, nobody's child here
    class_: UUID  # taught by `teacher`
    other_class: UUID  # taught by `other_teacher`
    term: UUID


async def make_school(connection: asyncpg.Connection, label: str | None = None) -> School:
    tag = label or secrets.token_hex(4)
    fetch = connection.fetchval

    async def user(role: str, who: str) -> UUID:
        return await fetch(
            "insert into data.users (school_id, email, password_hash, role) values ($1, $2, $3, $4) returning id",
            school_id, f"{who}.{tag}@example.test", PLACEHOLDER_HASH, role,
        )  # fmt: skip

    async def teacher(user_id: UUID, last: str) -> UUID:
        return await fetch(
            "insert into data.teachers (school_id, user_id, first_name, last_name) values ($1, $2, 'Tess', $3) returning id",
            school_id, user_id, last,
        )  # fmt: skip

    async def student(number: str, user_id: UUID | None) -> UUID:
        return await fetch(
            """insert into data.students (school_id, student_number, first_name, last_name, user_id)
               values ($1, $2, 'Sam', $3, $4) returning id""",
            school_id, number, f"Student{number}", user_id,
        )  # fmt: skip

    async def klass(name: str, teacher_id: UUID) -> UUID:
        return await fetch(
            "insert into data.classes (school_id, name, academic_year, teacher_id) values ($1, $2, '2026-2027', $3) returning id",
            school_id, name, teacher_id,
        )  # fmt: skip

    async with connection.transaction():
        school_id = await fetch("insert into data.schools (name) values ($1) returning id", f"School {tag}")
        admin_user = await user("ADMIN", "admin")
        teacher_user = await user("TEACHER", "teacher")
        other_teacher_user = await user("TEACHER", "teacher2")
        parent_user = await user("PARENT", "parent")
        student_user = await user("STUDENT", "student")
        teacher_id = await teacher(teacher_user, "Teacher")
        other_teacher_id = await teacher(other_teacher_user, "Other")
        parent_id = await fetch(
            """insert into data.parents (school_id, user_id, first_name, last_name, relation_to_student)
               values ($1, $2, 'Pat', 'Parent', 'GUARDIAN') returning id""",
            school_id, parent_user,
        )  # fmt: skip
        student_id = await student("S-1", student_user)
        other_student_id = await student("S-2", None)
        class_id = await klass("Maths 7A", teacher_id)
        other_class_id = await klass("History 7B", other_teacher_id)
        await connection.execute(
            "insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3), ($1, $4, $5)",
            school_id, student_id, class_id, other_student_id, other_class_id,
        )  # fmt: skip
        await connection.execute(
            "insert into data.student_parents (school_id, student_id, parent_id) values ($1, $2, $3)",
            school_id, student_id, parent_id,
        )  # fmt: skip
        term_id = await fetch(
            """insert into data.academic_terms (school_id, name, start_date, end_date, type)
               values ($1, '2026-2027', $2, $3, 'YEAR') returning id""",
            school_id, date(2026, 9, 1), date(2027, 7, 15),
        )  # fmt: skip
    return School(
        id=school_id, admin_user=admin_user, teacher_user=teacher_user, teacher=teacher_id,
        other_teacher_user=other_teacher_user, other_teacher=other_teacher_id, parent_user=parent_user,
        parent=parent_id, student_user=student_user, student=student_id, other_student=other_student_id,
        class_=class_id, other_class=other_class_id, term=term_id,
    )  # fmt: skip


@dataclass(frozen=True)
class LoginUser:
    school_id: UUID
    user_id: UUID
    email: str
    password: str


async def make_login_user(
    connection: asyncpg.Connection,
    *,
    role: str = "TEACHER",
    password: str | None = None,
    password_hash: str | None = None,
    is_active: bool = True,
    school_id: UUID | None = None,
) -> LoginUser:
    """A committed user with a real argon2id hash of `password` (random when not
    given), in a fresh school unless `school_id` is given."""
    from db.passwords import hash_password

    tag = secrets.token_hex(4)
    password = password or secrets.token_urlsafe(12)
    async with connection.transaction():
        if school_id is None:
            school_id = await connection.fetchval(
                "insert into data.schools (name) values ($1) returning id", f"Login school {tag}"
            )
        email = f"{role.lower()}.{tag}@example.test"
        user_id = await connection.fetchval(
            """insert into data.users (school_id, email, password_hash, role, is_active)
               values ($1, $2, $3, $4, $5) returning id""",
            school_id, email, password_hash or hash_password(password), role, is_active,
        )  # fmt: skip
    return LoginUser(school_id=school_id, user_id=user_id, email=email, password=password)


@dataclass(frozen=True)
class SchoolRecords:
    """A row in every other table of a `School`, on both sides of each role's scope.

    "Taught" rows hang off `class_`/`student`/`teacher` (in the teacher's, the
    parent's and the student's scope); "other" rows hang off `other_class`/
    `other_student`/`other_teacher` (outside them). `leaf_*` rows have nothing
    pointing at them, so they can be deleted without a foreign-key error.
    """

    settings: UUID  # data.school_settings key: the school id
    subject: UUID
    room: UUID
    enrollment: UUID  # student in class_
    other_enrollment: UUID  # other_student in other_class
    link: UUID  # student_parents: student <-> parent
    spare_student: UUID  # no enrollment, no parent, no records
    spare_teacher_user: UUID  # a TEACHER login without a teacher row
    leaf_user: UUID
    leaf_parent: UUID
    leaf_class: UUID  # nobody teaches it
    attendance: UUID  # student in class_, recorded by teacher_user
    other_attendance: UUID  # other_student in other_class, recorded by other_teacher_user
    assignment: UUID  # class_, graded
    other_assignment: UUID  # other_class, graded
    leaf_assignment: UUID  # class_, no grades
    other_leaf_assignment: UUID  # other_class, no grades
    assessment: UUID
    other_assessment: UUID
    leaf_assessment: UUID
    other_leaf_assessment: UUID
    grade: UUID  # student on assignment
    other_grade: UUID  # other_student on other_assignment
    assessment_grade: UUID  # student on assessment
    other_assessment_grade: UUID  # other_student on other_assessment
    announcement_all: UUID  # the default audience: every role
    announcement_teachers: UUID
    announcement_parents: UUID
    announcement_students: UUID
    announcement_admins: UUID
    incident: UUID  # about student, reported by teacher_user
    other_incident: UUID  # about other_student, reported by other_teacher_user
    health_record: UUID
    other_health_record: UUID
    communication_log: UUID  # admin -> parent
    fee_type: UUID  # on every item
    leaf_fee_type: UUID  # on no item
    invoice_student: UUID  # SENT, billed to student, paid in part
    invoice_parent: UUID  # SENT, billed to parent only, paid in part
    invoice_other: UUID  # SENT, billed to other_student, paid in part
    draft_invoice_student: UUID  # DRAFT, billed to student, one item, no payment
    draft_invoice_other: UUID  # DRAFT, billed to other_student, one item, no payment
    item_student: UUID  # on invoice_student (frozen: the invoice is SENT)
    item_parent: UUID
    item_other: UUID
    draft_item_student: UUID  # on draft_invoice_student
    draft_item_other: UUID
    payment_student: UUID
    payment_parent: UUID
    payment_other: UUID
    audit_entry: UUID


async def make_school_records(connection: asyncpg.Connection, school: School) -> SchoolRecords:
    """Insert and commit (as a superuser) the rows of `SchoolRecords` for `school`."""
    tag = secrets.token_hex(4)
    fetch = connection.fetchval
    s = school.id

    async def assignment(class_id: UUID, title: str) -> UUID:
        return await fetch(
            "insert into data.assignments (school_id, class_id, title, max_score) values ($1, $2, $3, 100) returning id",
            s, class_id, title,
        )  # fmt: skip

    async def assessment(class_id: UUID, name: str) -> UUID:
        return await fetch(
            "insert into data.assessments (school_id, class_id, name, max_score) values ($1, $2, $3, 100) returning id",
            s, class_id, name,
        )  # fmt: skip

    async def grade(column: str, target: UUID, student_id: UUID, by: UUID) -> UUID:
        return await fetch(
            f"""insert into data.grades (school_id, {column}, student_id, score, recorded_by_user_id)
                values ($1, $2, $3, 50, $4) returning id""",
            s, target, student_id, by,
        )  # fmt: skip

    async def announcement(roles: list[str] | None) -> UUID:
        if roles is None:  # the column default: every role
            return await fetch(
                """insert into data.announcements (school_id, title, content, published_at, created_by_user_id)
                   values ($1, 'For everyone', 'Hello', now(), $2) returning id""",
                s, school.admin_user,
            )  # fmt: skip
        return await fetch(
            """insert into data.announcements (school_id, title, content, published_at, created_by_user_id, audience)
               values ($1, $2, 'Hello', now(), $3, jsonb_build_object('roles', $4::text[])) returning id""",
            s, "For " + ", ".join(roles), school.admin_user, roles,
        )  # fmt: skip

    async def invoice(number: str, student_id: UUID | None, parent_id: UUID | None) -> UUID:
        return await fetch(
            """insert into data.invoices (school_id, student_id, parent_id, invoice_number, issue_date, due_date)
               values ($1, $2, $3, $4, current_date, current_date + 30) returning id""",
            s, student_id, parent_id, f"{number}-{tag}",
        )  # fmt: skip

    async def item(invoice_id: UUID, fee_type_id: UUID) -> UUID:
        return await fetch(
            """insert into data.invoice_items (school_id, invoice_id, fee_type_id, description, quantity, unit_price)
               values ($1, $2, $3, 'Tuition', 1, 100) returning id""",
            s, invoice_id, fee_type_id,
        )  # fmt: skip

    async def send_and_pay(invoice_id: UUID) -> UUID:
        await connection.execute("update data.invoices set status = 'SENT' where id = $1", invoice_id)
        return await fetch(
            "insert into data.payments (school_id, invoice_id, amount, method) values ($1, $2, 10, 'CASH') returning id",
            s, invoice_id,
        )  # fmt: skip

    async with connection.transaction():
        await connection.execute("insert into data.school_settings (school_id) values ($1)", s)
        subject = await fetch("insert into data.subjects (school_id, name) values ($1, $2) returning id", s, f"Maths {tag}")
        room = await fetch("insert into data.rooms (school_id, name) values ($1, $2) returning id", s, f"Room {tag}")
        enrollment = await fetch(
            "select id from data.enrollments where school_id = $1 and student_id = $2 and class_id = $3",
            s, school.student, school.class_,
        )  # fmt: skip
        other_enrollment = await fetch(
            "select id from data.enrollments where school_id = $1 and student_id = $2 and class_id = $3",
            s, school.other_student, school.other_class,
        )  # fmt: skip
        link = await fetch(
            "select id from data.student_parents where school_id = $1 and student_id = $2 and parent_id = $3",
            s, school.student, school.parent,
        )  # fmt: skip
        spare_student = await fetch(
            """insert into data.students (school_id, student_number, first_name, last_name)
               values ($1, 'S-3', 'Spare', 'Student') returning id""",
            s,
        )  # fmt: skip
        users = {}
        for who, role in (("spare-teacher", "TEACHER"), ("leaf", "STUDENT")):
            users[who] = await fetch(
                "insert into data.users (school_id, email, password_hash, role) values ($1, $2, $3, $4) returning id",
                s, f"{who}.{tag}@example.test", PLACEHOLDER_HASH, role,
            )  # fmt: skip
        leaf_parent = await fetch(
            """insert into data.parents (school_id, first_name, last_name, relation_to_student)
               values ($1, 'Leaf', 'Parent', 'OTHER') returning id""",
            s,
        )  # fmt: skip
        leaf_class = await fetch(
            "insert into data.classes (school_id, name, academic_year) values ($1, 'Untaught 9Z', '2026-2027') returning id", s
        )
        attendance = await fetch(
            """insert into data.attendance_records (school_id, date, status, student_id, class_id, recorded_by_id)
               values ($1, date '2026-10-01', 'PRESENT', $2, $3, $4) returning id""",
            s, school.student, school.class_, school.teacher_user,
        )  # fmt: skip
        other_attendance = await fetch(
            """insert into data.attendance_records (school_id, date, status, student_id, class_id, recorded_by_id)
               values ($1, date '2026-10-01', 'ABSENT', $2, $3, $4) returning id""",
            s, school.other_student, school.other_class, school.other_teacher_user,
        )  # fmt: skip
        assignments = [await assignment(c, t) for c, t in (
            (school.class_, "Fractions"), (school.other_class, "Romans"),
            (school.class_, "Decimals"), (school.other_class, "Vikings"))]  # fmt: skip
        assessments = [await assessment(c, t) for c, t in (
            (school.class_, "Maths test"), (school.other_class, "History test"),
            (school.class_, "Maths quiz"), (school.other_class, "History quiz"))]  # fmt: skip
        grades = [
            await grade("assignment_id", assignments[0], school.student, school.teacher_user),
            await grade("assignment_id", assignments[1], school.other_student, school.other_teacher_user),
            await grade("assessment_id", assessments[0], school.student, school.teacher_user),
            await grade("assessment_id", assessments[1], school.other_student, school.other_teacher_user),
        ]
        announcements = [await announcement(r) for r in (None, ["TEACHER"], ["PARENT"], ["STUDENT"], ["ADMIN"])]
        incidents = [
            await fetch(
                """insert into data.discipline_incidents (school_id, student_id, reported_by_user_id, incident_date, description)
                   values ($1, $2, $3, now(), 'Running in the corridor') returning id""",
                s, student_id, by,
            )  # fmt: skip
            for student_id, by in ((school.student, school.teacher_user), (school.other_student, school.other_teacher_user))
        ]
        health = [
            await fetch(
                """insert into data.health_records (school_id, student_id, record_date, type, details, recorded_by_user_id)
                   values ($1, $2, current_date, 'ALLERGY', 'Peanuts', $3) returning id""",
                s, student_id, school.admin_user,
            )  # fmt: skip
            for student_id in (school.student, school.other_student)
        ]
        communication_log = await fetch(
            """insert into data.communication_logs (school_id, initiated_by_user_id, party_type, party_id, date, summary)
               values ($1, $2, 'PARENT', $3, now(), 'Called about homework') returning id""",
            s, school.admin_user, school.parent,
        )  # fmt: skip
        fee_type = await fetch(
            "insert into data.fee_types (school_id, name, amount) values ($1, $2, 100) returning id", s, f"Tuition {tag}"
        )
        leaf_fee_type = await fetch(
            "insert into data.fee_types (school_id, name, amount) values ($1, $2, 5) returning id", s, f"Trips {tag}"
        )
        invoices = [
            await invoice("INV-1", school.student, None),
            await invoice("INV-2", None, school.parent),
            await invoice("INV-3", school.other_student, None),
            await invoice("INV-4", school.student, None),
            await invoice("INV-5", school.other_student, None),
        ]
        items = [await item(i, fee_type) for i in invoices]
        payments = [await send_and_pay(i) for i in invoices[:3]]
        audit_entry = await fetch(
            """insert into audit.audit_log (school_id, table_name, record_id, action)
               values ($1, 'students', $2, 'UPDATE') returning id""",
            s, school.student,
        )  # fmt: skip
    return SchoolRecords(
        settings=s, subject=subject, room=room, enrollment=enrollment, other_enrollment=other_enrollment, link=link,
        spare_student=spare_student, spare_teacher_user=users["spare-teacher"], leaf_user=users["leaf"],
        leaf_parent=leaf_parent, leaf_class=leaf_class, attendance=attendance, other_attendance=other_attendance,
        assignment=assignments[0], other_assignment=assignments[1],
        leaf_assignment=assignments[2], other_leaf_assignment=assignments[3],
        assessment=assessments[0], other_assessment=assessments[1],
        leaf_assessment=assessments[2], other_leaf_assessment=assessments[3],
        grade=grades[0], other_grade=grades[1], assessment_grade=grades[2], other_assessment_grade=grades[3],
        announcement_all=announcements[0], announcement_teachers=announcements[1],
        announcement_parents=announcements[2], announcement_students=announcements[3],
        announcement_admins=announcements[4], incident=incidents[0], other_incident=incidents[1],
        health_record=health[0], other_health_record=health[1], communication_log=communication_log, fee_type=fee_type,
        leaf_fee_type=leaf_fee_type,
        invoice_student=invoices[0], invoice_parent=invoices[1], invoice_other=invoices[2],
        draft_invoice_student=invoices[3], draft_invoice_other=invoices[4],
        item_student=items[0], item_parent=items[1], item_other=items[2],
        draft_item_student=items[3], draft_item_other=items[4],
        payment_student=payments[0], payment_parent=payments[1], payment_other=payments[2], audit_entry=audit_entry,
    )  # fmt: skip


CALLER_ROLES = ("anon", "authenticator", "school_admin", "teacher", "parent", "student", "partner_sync", "reporting")


async def execute_holders(connection: asyncpg.Connection, function: str) -> set[str]:
    """The API roles (and the gateway's login) that may EXECUTE `function`
    (a regprocedure text such as 'api.set_current_term(uuid)'), PUBLIC grants included."""
    rows = await connection.fetch(
        "select r from unnest($1::text[]) as r where has_function_privilege(r, $2::regprocedure, 'execute')",
        list(CALLER_ROLES), function,
    )  # fmt: skip
    return {row["r"] for row in rows}
