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

# A real argon2id hash of "demo-password"; tests of login verification make their own.
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
