"""Embedding on function results (PostgREST: a function returning `setof
api.<relation>` or one row of it embeds like the relation's rows):
`/rpc/search_students?search=...&select=*,classes(name)`
(db/tenancy/computed.sql) and the one row of api.set_current_term.
RLS applies to the embedded rows as to a read."""

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
    """make_school, with `student` (S-1) also in History 7B and the year term current."""
    made = await make_school(committer_session)
    await committer_session.execute(
        "insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3)",
        made.id, made.student, made.other_class,
    )  # fmt: skip
    await committer_session.execute("update data.academic_terms set is_current = true where id = $1", made.term)
    await committer_session.execute(
        "update data.classes set academic_term_id = $2 where school_id = $1", made.id, made.term
    )
    return made


async def test_the_search_matches_the_database(api: Api, school: School, committer_session: asyncpg.Connection) -> None:
    rows = await get(api, "/rpc/search_students?search=studentS-&select=student_number", school)
    expected = await committer_session.fetch(
        "select student_number from api.students where school_id = $1 order by last_name, first_name, id", school.id
    )
    assert rows == [{"student_number": r["student_number"]} for r in expected]
    assert await get(api, "/rpc/search_students?search=%25&select=id", school) == []  # % is not a wildcard


async def test_result_rows_embed_to_many_and_to_one(api: Api, school: School) -> None:
    rows = await get(api, "/rpc/search_students?search=S-1&select=student_number,classes(name)&classes.order=name",
                     school)  # fmt: skip
    assert rows == [{"student_number": "S-1", "classes": [{"name": "History 7B"}, {"name": "Maths 7A"}]}]
    rows = await get(
        api, "/rpc/search_students?search=S-2&select=student_number,schools!students_school_id_fkey(id)", school
    )
    assert rows == [{"student_number": "S-2", "schools": {"id": str(school.id)}}]


async def test_star_with_embeds_and_computed_ones(api: Api, school: School) -> None:
    rows = await get(api, "/rpc/search_students?search=S-1&select=*,full_name,current_classes(name)"
                     "&current_classes.order=name", school)  # fmt: skip
    assert len(rows) == 1
    row = rows[0]
    assert row["student_number"] == "S-1" and row["full_name"] == "Sam StudentS-1"
    assert row["current_classes"] == [{"name": "History 7B"}, {"name": "Maths 7A"}]


async def test_filters_order_limit_and_inner_with_embeds(api: Api, school: School) -> None:
    rows = await get(api, "/rpc/search_students?search=sam&select=student_number,classes!inner(name)"
                     "&classes.name=eq.Maths 7A", school)  # fmt: skip
    assert rows == [{"student_number": "S-1", "classes": [{"name": "Maths 7A"}]}]
    rows = await get(api, "/rpc/search_students?search=sam&select=student_number,classes(name)"
                     "&order=student_number.desc&limit=1", school)  # fmt: skip
    assert rows == [{"student_number": "S-2", "classes": [{"name": "History 7B"}]}]


async def test_rls_applies_to_the_rows_and_their_embeds(api: Api, school: School) -> None:
    # The teacher of Maths 7A finds their student only, with only their class.
    rows = await get(api, "/rpc/search_students?search=sam&select=student_number,classes(name)", school, "teacher")
    assert rows == [{"student_number": "S-1", "classes": [{"name": "Maths 7A"}]}]


async def test_one_row_of_a_relation_embeds_as_an_object(api: Api, school: School) -> None:
    response = await api.post(
        "/rpc/set_current_term?select=name,is_current,schools(id)",
        json={"p_term_id": str(school.term)},
        headers=as_role("school_admin", school),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "2026-2027", "is_current": True, "schools": {"id": str(school.id)}}


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/rpc/search_students?search=x&select=id,rooms(name)", 400, "PGRST200"),
        ("/rpc/search_students?search=x&select=id,classes(nope)", 400, "42703"),
        ("/rpc/search_students?search=x&select=id&classes.name=eq.x", 400, "PGRST108"),
        ("/rpc/search_students?search=x&classes.name=eq.x", 400, "PGRST108"),
        ("/rpc/search_students?search=x&select=id,...classes(count())", 400, "PGRST127"),  # to-many spread aggregates
    ],
)
async def test_errors(api: Api, school: School, path: str, status: int, code: str) -> None:
    assert_canonical_error(await api.get(path, headers=as_role("school_admin", school)), status, code)


async def test_an_embeds_limit_on_get_and_filter_on_post(api: Api, school: School) -> None:
    rows = await get(api, "/rpc/search_students?search=S-1&select=student_number,classes(name)"
                     "&classes.order=name.desc&classes.limit=1", school)  # fmt: skip
    assert rows == [{"student_number": "S-1", "classes": [{"name": "Maths 7A"}]}]
    response = await api.post(
        "/rpc/search_students?select=student_number,classes!inner(name)&classes.name=eq.History 7B"
        "&student_number=eq.S-1",
        json={"search": "sam"},
        headers=as_role("school_admin", school),
    )
    assert response.status_code == 200, response.text
    assert response.json() == [{"student_number": "S-1", "classes": [{"name": "History 7B"}]}]


async def test_paged_and_counted_with_an_inner_embed(api: Api, school: School, committer_session: asyncpg.Connection) -> None:
    """Range, Prefer: count and a filtering (!inner) embed on a function's rows:
    the count is of the rows the embed keeps, as on a table."""
    path = "/rpc/search_students?search=S-&select=student_number,classes!inner(name)&classes.name=eq.Maths 7A&order=student_number"
    headers = {**as_role("school_admin", school), "Prefer": "count=exact", "Range": "0-0"}
    response = await api.get(path, headers=headers)
    in_maths = await committer_session.fetch(
        """select s.student_number from data.students s join data.enrollments e on e.student_id = s.id
           join data.classes c on c.id = e.class_id
           where s.school_id = $1 and c.name = 'Maths 7A' and not s.is_deleted order by s.student_number""",
        school.id,
    )  # fmt: skip
    assert response.status_code == (206 if len(in_maths) > 1 else 200), response.text
    assert response.headers["content-range"] == f"0-0/{len(in_maths)}"
    assert response.json() == [{"student_number": in_maths[0]["student_number"], "classes": [{"name": "Maths 7A"}]}]
