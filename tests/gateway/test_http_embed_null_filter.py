"""Null filtering on embedded resources over HTTP (gateway/embed_null.py):
`students=not.is.null` keeps the parents with a row of the embed, `students=is.null`
those without, at the top level and inside an embed; answers checked against SQL."""

from __future__ import annotations

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error
from tests.gateway.http_support import get_ok as get

Api = AsyncTestClient[Litestar]


@pytest.fixture(scope="module")
async def school(committer_session: asyncpg.Connection) -> School:
    """make_school's two classes (each with a student and a teacher), and 'Empty'
    with neither."""
    made = await make_school(committer_session)
    await committer_session.execute(
        "insert into data.classes (school_id, name, academic_year) values ($1, 'Empty', '2026-2027')", made.id
    )
    return made


async def class_names(db: asyncpg.Connection, school: School, where: str) -> list[str]:
    return await db.fetchval(
        f"""select coalesce(array_agg(c.name order by c.name), '{{}}') from data.classes c
            where c.school_id = $1 and not c.is_deleted and {where}""",
        school.id,
    )


ENROLLED = "exists (select from data.enrollments e where e.class_id = c.id)"


async def test_not_is_null_keeps_the_parents_with_a_row(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    rows = await get(api, "/classes?select=name,students(id)&students=not.is.null&order=name", school)
    assert [r["name"] for r in rows] == await class_names(committer_session, school, ENROLLED)
    assert all(r["students"] for r in rows) and len(rows) == 2
    same = await get(api, "/classes?select=name,students(id)&students=is.not_null&order=name", school)
    assert same == rows


async def test_is_null_keeps_the_parents_without_one(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    rows = await get(api, "/classes?select=name,students(id)&students=is.null", school)
    assert rows == [
        {"name": name, "students": []} for name in await class_names(committer_session, school, f"not {ENROLLED}")
    ]
    assert rows == [{"name": "Empty", "students": []}]


async def test_a_to_one_embed_and_an_alias(api: Api, school: School) -> None:
    rows = await get(api, "/classes?select=name,teacher:teachers(last_name)&teacher=is.null", school)
    assert rows == [{"name": "Empty", "teacher": None}]
    assert len(await get(api, "/classes?select=name,teacher:teachers(last_name)&teacher=not.is.null", school)) == 2


async def test_the_embed_s_own_filters_come_first(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    number = await committer_session.fetchval("select student_number from data.students where id = $1", school.student)
    rows = await get(
        api, f"/classes?select=name,students(id)&students.student_number=eq.{number}&students=not.is.null", school
    )
    expected = await class_names(
        committer_session,
        school,
        f"exists (select from data.enrollments e where e.class_id = c.id and e.student_id = '{school.student}')",
    )
    assert [r["name"] for r in rows] == expected and len(expected) == 1


async def test_inside_an_embed(api: Api, school: School) -> None:
    rows = await get(api, "/schools?select=id,classes(name,students(id))&classes.students=is.null", school)
    assert rows == [{"id": str(school.id), "classes": [{"name": "Empty", "students": []}]}]


async def test_the_count_counts_the_filtered_parents(api: Api, school: School) -> None:
    response = await api.get("/classes?select=name,students(id)&students=not.is.null",
                             headers=as_role("school_admin", school) | {"Prefer": "count=exact"})  # fmt: skip
    assert response.status_code == 200 and response.headers["content-range"] == "0-1/2"


async def test_row_level_security_decides_what_a_row_is(api: Api, school: School) -> None:
    # A teacher reads their own class and its students only: to them, the other
    # teacher's class is not there at all, and 'Empty' has no student.
    rows = await get(api, "/classes?select=name,students(id)&students=not.is.null", school, role="teacher")
    assert len(rows) == 1 and rows[0]["students"] == [{"id": str(school.student)}]


async def test_a_write_is_not_narrowed_by_an_embed(api: Api, school: School) -> None:
    response = await api.patch("/classes?select=name,students(id)&students=is.null", json={"name": "Renamed"},
                               headers=as_role("school_admin", school))  # fmt: skip
    assert_canonical_error(response, 400, "PGRST100")
    assert await get(api, "/classes?select=name&name=eq.Renamed", school) == [], "nothing was written"


async def test_other_operators_on_an_embed_s_name_are_column_filters(api: Api, school: School) -> None:
    response = await api.get("/classes?select=name,students(id)&students=eq.1", headers=as_role("school_admin", school))
    assert_canonical_error(response, 400)
