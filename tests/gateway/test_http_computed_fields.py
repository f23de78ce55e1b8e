"""Computed fields over HTTP (PostgREST docs "Computed Fields"):
`api.full_name(api.students|teachers|parents) returns text`
(db/tenancy/computed.sql) is a read-only column of each of those
views: selected, filtered and ordered like a column, not part of `*`, inside
embeds and in a write's returned rows too. Values are checked against what the
database computes."""

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
    """make_school's students 'Sam StudentS-1', 'Sam StudentS-2', plus 'Anna Bell'."""
    made = await make_school(committer_session)
    await committer_session.execute(
        """insert into data.students (school_id, student_number, first_name, last_name)
           values ($1, 'C-1', 'Anna', 'Bell')""",
        made.id,
    )
    return made


async def full_names(db: asyncpg.Connection, school: School) -> list[str]:
    rows = await db.fetch(
        "select api.full_name(s) as name from api.students s where school_id = $1 order by 1", school.id
    )
    return [r["name"] for r in rows]


async def test_selected_like_a_column(api: Api, school: School, committer_session: asyncpg.Connection) -> None:
    rows = await get(api, "/students?select=student_number,full_name&order=student_number", school)
    assert [r["full_name"] for r in sorted(rows, key=lambda r: r["full_name"])] == await full_names(
        committer_session, school
    )
    assert {"student_number": "C-1", "full_name": "Anna Bell"} in rows


async def test_not_part_of_star(api: Api, school: School) -> None:
    rows = await get(api, "/students?select=*&limit=1", school)
    assert "full_name" not in rows[0] and "first_name" in rows[0]
    rows = await get(api, "/students?select=*,full_name&student_number=eq.C-1", school)
    assert rows[0]["full_name"] == "Anna Bell" and rows[0]["first_name"] == "Anna"


async def test_aliased_and_cast(api: Api, school: School) -> None:
    rows = await get(api, "/students?select=name:full_name::varchar&student_number=eq.C-1", school)
    assert rows == [{"name": "Anna Bell"}]


async def test_filtered(api: Api, school: School) -> None:
    rows = await get(api, "/students?select=student_number&full_name=ilike.*ann*", school)
    assert rows == [{"student_number": "C-1"}]
    rows = await get(api, "/students?select=student_number&or=(full_name.eq.Anna Bell,student_number.eq.S-2)"
                     "&order=student_number", school)  # fmt: skip
    assert rows == [{"student_number": "C-1"}, {"student_number": "S-2"}]
    assert await get(api, "/students?select=id&full_name=is.null", school) == []


async def test_ordered(api: Api, school: School, committer_session: asyncpg.Connection) -> None:
    rows = await get(api, "/students?select=full_name&order=full_name.desc", school)
    assert [r["full_name"] for r in rows] == list(reversed(await full_names(committer_session, school)))


async def test_in_an_embed(api: Api, school: School) -> None:
    rows = await get(api, "/classes?select=name,teachers(full_name),students(full_name)&order=name", school)
    assert rows == [
        {"name": "History 7B", "teachers": {"full_name": "Tess Other"}, "students": [{"full_name": "Sam StudentS-2"}]},
        {"name": "Maths 7A", "teachers": {"full_name": "Tess Teacher"}, "students": [{"full_name": "Sam StudentS-1"}]},
    ]
    rows = await get(api, "/classes?select=name,students!inner(id)&students.full_name=eq.Sam StudentS-2", school)
    assert [r["name"] for r in rows] == ["History 7B"]
    rows = await get(api, "/teachers?select=last_name,classes(students(full_name))&classes.students.order=full_name.desc"
                     "&last_name=eq.Teacher", school)  # fmt: skip
    assert rows == [{"last_name": "Teacher", "classes": [{"students": [{"full_name": "Sam StudentS-1"}]}]}]


async def test_parents_and_teachers_have_theirs(api: Api, school: School) -> None:
    assert await get(api, "/parents?select=full_name", school) == [{"full_name": "Pat Parent"}]
    rows = await get(api, "/teachers?select=full_name&order=full_name", school)
    assert rows == [{"full_name": "Tess Other"}, {"full_name": "Tess Teacher"}]


async def test_rls_applies(api: Api, school: School) -> None:
    # A student sees only their own row, computed field included.
    assert await get(api, "/students?select=full_name", school, "student") == [{"full_name": "Sam StudentS-1"}]


async def test_returned_by_a_write(api: Api, school: School) -> None:
    response = await api.post(
        "/students?select=student_number,full_name",
        json={"school_id": str(school.id), "student_number": "W-1", "first_name": "Wen", "last_name": "Ng"},
        headers=as_role("school_admin", school, Prefer="return=representation"),
    )
    assert response.status_code == 201, response.text
    assert response.json() == [{"student_number": "W-1", "full_name": "Wen Ng"}]


async def test_read_only(api: Api, school: School) -> None:
    response = await api.patch(
        "/students?student_number=eq.C-1", json={"full_name": "X"}, headers=as_role("school_admin", school)
    )
    assert response.status_code == 400, response.text
    assert_canonical_error(response, 400)


async def test_unknown_name_is_42703_with_a_suggestion(api: Api, school: School) -> None:
    response = await api.get("/students?select=full_nam", headers=as_role("school_admin", school))
    body = assert_canonical_error(response, 400, "42703")
    assert "full_name" in body["hint"]


async def test_a_function_of_another_relation_is_not_a_column(api: Api, school: School) -> None:
    response = await api.get("/classes?select=full_name", headers=as_role("school_admin", school))
    assert_canonical_error(response, 400, "42703")


async def test_not_callable_as_rpc(api: Api, school: School) -> None:
    response = await api.get("/rpc/full_name", headers=as_role("school_admin", school))
    assert_canonical_error(response, 404, "PGRST202")
