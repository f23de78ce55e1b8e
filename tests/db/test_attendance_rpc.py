"""api.mark_class_attendance (db/terms): a whole class marked in one call, as
the caller, so row-level security decides which classes a teacher may mark."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import asyncpg
import pytest

from tests.db.conftest import act_as
from tests.factories import School, execute_holders
from tests.support import expect_sqlstate

MARK = "select api.mark_class_attendance($1, $2, $3::jsonb, $4)"
DAY = date(2026, 10, 5)


def records(*pairs: tuple[Any, str]) -> str:
    return json.dumps([{"student_id": str(student), "status": status} for student, status in pairs])


async def marks(db: asyncpg.Connection, school: School, session: str | None = None) -> list[tuple[Any, ...]]:
    rows = await db.fetch(
        """select student_id, status, class_id, recorded_by_id from api.attendance_records
           where school_id = $1 and date = $2 and session is not distinct from $3 order by student_id""",
        school.id, DAY, session,
    )  # fmt: skip
    return [tuple(r) for r in rows]


@pytest.fixture
async def teacher_api(authenticator: asyncpg.Connection, school: School) -> asyncpg.Connection:
    await act_as(authenticator, "teacher", school_id=school.id, sub=school.teacher_user)
    return authenticator


async def test_a_teacher_marks_their_class_in_one_call(teacher_api: asyncpg.Connection, school: School) -> None:
    written = await teacher_api.fetchval(MARK, school.class_, DAY, records((school.student, "PRESENT")), None)
    assert written == 1
    assert await marks(teacher_api, school) == [(school.student, "PRESENT", school.class_, school.teacher_user)]


async def test_marking_again_corrects_the_mark_instead_of_adding_one(teacher_api: asyncpg.Connection, school: School) -> None:
    await teacher_api.execute(MARK, school.class_, DAY, records((school.student, "PRESENT")), None)
    written = await teacher_api.fetchval(MARK, school.class_, DAY, records((school.student, "LATE")), None)
    assert written == 1, "a day-level mark (no session) is replaced: NULLS NOT DISTINCT"
    assert [m[1] for m in await marks(teacher_api, school)] == ["LATE"]


async def test_sessions_are_marked_separately(teacher_api: asyncpg.Connection, school: School) -> None:
    await teacher_api.execute(MARK, school.class_, DAY, records((school.student, "PRESENT")), "AM")
    await teacher_api.execute(MARK, school.class_, DAY, records((school.student, "ABSENT")), "PM")
    assert [m[1] for m in await marks(teacher_api, school, "AM")] + [m[1] for m in await marks(teacher_api, school, "PM")] == [
        "PRESENT", "ABSENT"
    ]  # fmt: skip


async def test_a_student_not_enrolled_in_the_class_is_refused_by_name(teacher_api: asyncpg.Connection, school: School) -> None:
    payload = records((school.student, "PRESENT"), (school.other_student, "PRESENT"))
    error = await expect_sqlstate(teacher_api, "23503", MARK, school.class_, DAY, payload, None)
    assert str(school.other_student) in str(error) and str(school.student) not in str(error), "the message names the stray"
    assert await marks(teacher_api, school) == [], "nothing is written when one record is wrong"


async def test_a_teacher_cannot_mark_another_teachers_class(teacher_api: asyncpg.Connection, school: School) -> None:
    await expect_sqlstate(teacher_api, "42501", MARK, school.other_class, DAY, records((school.other_student, "PRESENT")), None)


async def test_a_teacher_cannot_overwrite_a_mark_taken_in_another_class(
    authenticator: asyncpg.Connection, school: School
) -> None:
    # The student also sits the other class; its teacher marked the day first.
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    await authenticator.execute(
        "insert into api.enrollments (school_id, student_id, class_id) values ($1, $2, $3)", school.id, school.student, school.other_class
    )
    await act_as(authenticator, "teacher", school_id=school.id, sub=school.other_teacher_user)
    await authenticator.execute(MARK, school.other_class, DAY, records((school.student, "ABSENT")), None)
    await act_as(authenticator, "teacher", school_id=school.id, sub=school.teacher_user)
    await expect_sqlstate(authenticator, "42501", MARK, school.class_, DAY, records((school.student, "PRESENT")), None)


async def test_an_admin_marks_any_class_of_the_school(authenticator: asyncpg.Connection, school: School) -> None:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    assert await authenticator.fetchval(MARK, school.other_class, DAY, records((school.other_student, "EXCUSED")), None) == 1
    assert await marks(authenticator, school) == [(school.other_student, "EXCUSED", school.other_class, school.admin_user)]


@pytest.mark.parametrize(
    ("payload", "sqlstate"),
    [
        ('{"student_id": "x"}', "22023"),
        ('[{"student_id": 1, "status": "PRESENT"}]', "22023"),
        ('[{"status": "PRESENT"}]', "22023"),
        (None, "22023"),
    ],
    ids=["not an array", "id not a string", "no student", "null"],
)
async def test_a_malformed_payload_is_refused(teacher_api: asyncpg.Connection, school: School, payload: str | None, sqlstate: str) -> None:
    await expect_sqlstate(teacher_api, sqlstate, MARK, school.class_, DAY, payload, None)


async def test_an_unknown_status_is_refused_by_its_check(teacher_api: asyncpg.Connection, school: School) -> None:
    error = await expect_sqlstate(teacher_api, "23514", MARK, school.class_, DAY, records((school.student, "present")), None)
    assert error.constraint_name == "attendance_records_status_check"


async def test_a_student_listed_twice_is_refused(teacher_api: asyncpg.Connection, school: School) -> None:
    payload = records((school.student, "PRESENT"), (school.student, "ABSENT"))
    await expect_sqlstate(teacher_api, "22023", MARK, school.class_, DAY, payload, None)


@pytest.mark.parametrize("role", ["parent", "student", "partner_sync"])
async def test_other_roles_may_not_mark(authenticator: asyncpg.Connection, school: School, role: str) -> None:
    await act_as(authenticator, role, school_id=school.id, sub=school.parent_user)
    await expect_sqlstate(authenticator, "42501", MARK, school.class_, DAY, records((school.student, "PRESENT")), None)


async def test_only_teachers_and_admins_hold_execute_on_mark_class_attendance(admin: asyncpg.Connection) -> None:
    assert await execute_holders(admin, "api.mark_class_attendance(uuid, date, jsonb, text)") == {"school_admin", "teacher"}
