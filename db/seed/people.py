"""Users, students, teachers, parents and who is whose child, for one school.

Logins: the admin, every teacher (teachers.user_id is NOT NULL), and every
LOGIN_EVERY-th student and parent; the rest have profiles without a login,
as most young students and many parents do.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from db.seed.context import LOGIN_EVERY, SchoolContext
from db.seed.logins import Login, PasswordBook
from db.seed.vocabulary import FIRST_NAMES, LAST_NAMES, QUALIFICATIONS

SCHOOL_COLUMNS = ("id", "name", "address", "contact_email", "contact_phone")
USER_COLUMNS = ("id", "school_id", "email", "password_hash", "role", "is_active")
STUDENT_COLUMNS = (
    "id", "school_id", "student_number", "first_name", "last_name", "date_of_birth", "gender",
    "enrollment_status", "user_id",
)  # fmt: skip
TEACHER_COLUMNS = (
    "id", "user_id", "school_id", "first_name", "last_name", "employee_id", "date_of_joining",
    "qualification", "contact_phone",
)  # fmt: skip
PARENT_COLUMNS = (
    "id", "user_id", "school_id", "first_name", "last_name", "relation_to_student", "contact_phone",
    "contact_email",
)  # fmt: skip
STUDENT_PARENT_COLUMNS = ("id", "student_id", "parent_id", "school_id")

# Children per family, cycled over a shuffled roll: 4 students per 3 families.
FAMILY_SIZES = (2, 1, 1)
GENDERS = ("FEMALE", "MALE", "NON_BINARY", "UNDISCLOSED")
GENDER_WEIGHTS = (48, 48, 1, 3)


@dataclass
class People:
    school: tuple
    admin_user: UUID
    users: list[tuple] = field(default_factory=list)
    students: list[tuple] = field(default_factory=list)
    teachers: list[tuple] = field(default_factory=list)
    parents: list[tuple] = field(default_factory=list)
    student_parents: list[tuple] = field(default_factory=list)
    logins: list[Login] = field(default_factory=list)
    student_ids: list[UUID] = field(default_factory=list)  # by student index (groups are consecutive)
    teacher_ids: list[UUID] = field(default_factory=list)
    teacher_user_ids: list[UUID] = field(default_factory=list)
    parent_ids: list[UUID] = field(default_factory=list)
    billed_parent: list[UUID] = field(default_factory=list)  # by student index: who gets the invoice


def phone(rng) -> str:
    return f"+1 555 {rng.randrange(10**7):07d}"


def families(ctx: SchoolContext, rng) -> list[list[int]]:
    """Student indexes per family; siblings are spread over grades by the shuffle."""
    roll = list(range(ctx.size.students_per_school))
    rng.shuffle(roll)
    result: list[list[int]] = []
    start = 0
    for size in itertools.cycle(FAMILY_SIZES):
        if start >= len(roll):
            return result
        result.append(roll[start : start + size])
        start += size
    raise AssertionError("unreachable")


def build_people(ctx: SchoolContext, passwords: PasswordBook) -> People:
    rng = ctx.rng("people")
    user_ids = ctx.ids("users")
    accounts: list[tuple[UUID, str, str]] = []  # (id, email, role), hashed at the end in one batch

    def account(local: str, role: str) -> UUID:
        user_id = user_ids()
        accounts.append((user_id, ctx.email(local), role))
        return user_id

    school = (ctx.id, ctx.name, f"{ctx.index + 1} School Road, Springfield", ctx.email("office"), phone(rng))
    people = People(school=school, admin_user=account("admin", "ADMIN"))

    teacher_ids = ctx.ids("teachers")
    for k in range(ctx.teachers):
        user_id = account(f"teacher{k + 1}", "TEACHER")
        joined = date(2008 + rng.randrange(18), rng.randrange(1, 13), 1)
        row = (
            teacher_ids(), user_id, ctx.id, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), f"T{k + 1:04d}",
            joined, rng.choice(QUALIFICATIONS), phone(rng),
        )  # fmt: skip
        people.teachers.append(row)
        people.teacher_ids.append(row[0])
        people.teacher_user_ids.append(user_id)

    households = families(ctx, rng)
    surname = {i: rng.choice(LAST_NAMES) for i in range(len(households))}
    family_of = {student: f for f, members in enumerate(households) for student in members}

    student_ids = ctx.ids("students")
    for i in range(ctx.size.students_per_school):
        user_id = account(f"student{i // LOGIN_EVERY + 1}", "STUDENT") if i % LOGIN_EVERY == 0 else None
        grade = 6 + ctx.group_of(i) % 7  # grades 6 to 12
        born = date(2020 - grade, 1, 1) + timedelta(days=rng.randrange(365))
        row = (
            student_ids(), ctx.id, f"S{i + 1:05d}", rng.choice(FIRST_NAMES), surname[family_of[i]], born,
            rng.choices(GENDERS, GENDER_WEIGHTS)[0], "ACTIVE", user_id,
        )  # fmt: skip
        people.students.append(row)
        people.student_ids.append(row[0])

    parent_ids, link_ids = ctx.ids("parents"), ctx.ids("student_parents")
    people.billed_parent = [ctx.id] * ctx.size.students_per_school  # placeholders, all replaced below
    for f, members in enumerate(households):
        relations = (
            ("MOTHER", "FATHER") if f % 2 == 0 else (rng.choice(("MOTHER", "FATHER", "GUARDIAN", "GRANDPARENT")),)
        )
        for relation in relations:
            j = len(people.parents)
            first, last = rng.choice(FIRST_NAMES), surname[f]
            if j % LOGIN_EVERY == 0:
                user_id = account(f"parent{j // LOGIN_EVERY + 1}", "PARENT")
                email = ctx.email(f"parent{j // LOGIN_EVERY + 1}")
            else:
                user_id, email = None, f"{first}.{last}.{j + 1}@mail.{ctx.slug}.demo".lower()
            parent_id = parent_ids()
            people.parents.append((parent_id, user_id, ctx.id, first, last, relation, phone(rng), email))
            people.parent_ids.append(parent_id)
            for student in members:
                people.student_parents.append((link_ids(), people.student_ids[student], parent_id, ctx.id))
                if relation == relations[0]:
                    people.billed_parent[student] = parent_id

    hashes = passwords.hashes([email for _, email, _ in accounts])
    for (user_id, email, role), password_hash in zip(accounts, hashes, strict=True):
        people.users.append((user_id, ctx.id, email, password_hash, role, True))
        people.logins.append(Login(email, role, ctx.name))
    return people


def login_count(ctx: SchoolContext) -> int:
    """Logins of one school, known before any hashing: decides whether each gets its own hash."""
    students = ctx.size.students_per_school
    households = len(families(ctx, ctx.rng("count")))  # the family count does not depend on the shuffle
    parents = sum(2 if f % 2 == 0 else 1 for f in range(households))
    return 1 + ctx.teachers + -(-students // LOGIN_EVERY) + -(-parents // LOGIN_EVERY)
