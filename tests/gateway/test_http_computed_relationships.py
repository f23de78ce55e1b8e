"""Computed relationships over HTTP (PostgREST docs "Computed Relationships"),
db/tenancy/computed.sql:

    api.current_term(api.schools)       setof api.academic_terms rows 1  to-one
    api.current_classes(api.students)   setof api.classes                 to-many
    api.current_classes(api.teachers)   setof api.classes                 to-many

embedded by the function's name with filters, order, limit, !inner and spread
like any embed; the functions are SECURITY INVOKER over security_invoker views,
so RLS decides which rows each caller gets through them. Results are checked
against the database."""

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
    """make_school's year term is current and holds both classes; `student` is
    also enrolled in `other_class` (History 7B, taught by the other teacher);
    a third class (Art, of a past term) is not current."""
    made = await make_school(committer_session)
    db = committer_session
    async with db.transaction():
        await db.execute("update data.academic_terms set is_current = true where id = $1", made.term)
        await db.execute("update data.classes set academic_term_id = $2 where school_id = $1", made.id, made.term)
        await db.execute("insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3)",
                         made.id, made.student, made.other_class)  # fmt: skip
        past = await db.fetchval(
            """insert into data.academic_terms (school_id, name, start_date, end_date, type)
               values ($1, '2025-2026', '2025-09-01', '2026-07-15', 'YEAR') returning id""",
            made.id,
        )
        art = await db.fetchval(
            """insert into data.classes (school_id, name, academic_year, teacher_id, academic_term_id)
               values ($1, 'Art', '2025-2026', $2, $3) returning id""",
            made.id, made.teacher, past,
        )  # fmt: skip
        await db.execute("insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3)",
                         made.id, made.student, art)  # fmt: skip
    return made


@pytest.fixture(scope="module")
async def termless(committer_session: asyncpg.Connection) -> School:
    """No current term."""
    return await make_school(committer_session)


async def test_to_one_is_an_object(api: Api, school: School) -> None:
    rows = await get(api, "/schools?select=id,current_term(name,is_current)", school)
    assert rows == [{"id": str(school.id), "current_term": {"name": "2026-2027", "is_current": True}}]


async def test_to_one_without_a_row_is_null(api: Api, termless: School) -> None:
    assert await get(api, "/schools?select=id,current_term(name)", termless) == [
        {"id": str(termless.id), "current_term": None}
    ]
    assert await get(api, "/schools?select=id,current_term!inner(name)", termless) == []


async def test_to_one_may_be_spread_and_aliased(api: Api, school: School) -> None:
    rows = await get(api, "/schools?select=id,...current_term(term:name)", school)
    assert rows == [{"id": str(school.id), "term": "2026-2027"}]
    rows = await get(api, "/schools?select=now:current_term(id)", school)
    assert rows == [{"now": {"id": str(school.term)}}]


async def test_to_many_matches_the_database(api: Api, school: School, committer_session: asyncpg.Connection) -> None:
    rows = await get(api, "/students?select=student_number,current_classes(name)&current_classes.order=name"
                     "&order=student_number", school)  # fmt: skip
    expected = {}
    for number in ("S-1", "S-2"):
        names = await committer_session.fetch(
            """select c.name from api.students s cross join lateral api.current_classes(s) c
               where s.school_id = $1 and s.student_number = $2 order by c.name""",
            school.id, number,
        )  # fmt: skip
        expected[number] = [{"name": r["name"]} for r in names]
    assert expected == {"S-1": [{"name": "History 7B"}, {"name": "Maths 7A"}], "S-2": [{"name": "History 7B"}]}
    assert rows == [{"student_number": n, "current_classes": c} for n, c in expected.items()]


async def test_to_many_takes_filters_order_limit_and_inner(api: Api, school: School) -> None:
    rows = await get(api, "/students?select=student_number,current_classes(name)&current_classes.order=name.desc"
                     "&current_classes.limit=1&student_number=eq.S-1", school)  # fmt: skip
    assert rows == [{"student_number": "S-1", "current_classes": [{"name": "Maths 7A"}]}]
    rows = await get(api, "/students?select=student_number,current_classes!inner(name)"
                     "&current_classes.name=eq.Maths 7A", school)  # fmt: skip
    assert rows == [{"student_number": "S-1", "current_classes": [{"name": "Maths 7A"}]}]


async def test_to_many_may_be_spread(api: Api, school: School) -> None:
    """PostgREST 13's to-many spread: one array per column, from the function's rows."""
    rows = await get(api, "/students?select=student_number,...current_classes(name)&current_classes.order=name"
                     "&order=student_number", school)  # fmt: skip
    assert rows == [
        {"student_number": "S-1", "name": ["History 7B", "Maths 7A"]},
        {"student_number": "S-2", "name": ["History 7B"]},
    ]


async def test_nested_under_and_over_other_embeds(api: Api, school: School) -> None:
    rows = await get(api, "/teachers?select=full_name,current_classes(name,students(full_name))&order=last_name",
                     school)  # fmt: skip
    assert rows == [
        {"full_name": "Tess Other", "current_classes": [
            {"name": "History 7B", "students": [{"full_name": "Sam StudentS-1"}, {"full_name": "Sam StudentS-2"}]}]},
        {"full_name": "Tess Teacher", "current_classes": [
            {"name": "Maths 7A", "students": [{"full_name": "Sam StudentS-1"}]}]},
    ]  # fmt: skip
    rows = await get(api, "/classes?select=name,teachers(current_classes(name))&name=eq.Maths 7A", school)
    assert rows == [{"name": "Maths 7A", "teachers": {"current_classes": [{"name": "Maths 7A"}]}}]


async def test_rls_applies_inside_the_function(api: Api, school: School) -> None:
    # The teacher of Maths 7A sees S-1 (their student) but, of S-1's current
    # classes, only their own: History 7B is the other teacher's.
    rows = await get(api, "/students?select=student_number,current_classes(name)", school, "teacher")
    assert rows == [{"student_number": "S-1", "current_classes": [{"name": "Maths 7A"}]}]
    # The student sees both of their own classes; the parent those of their child.
    for role in ("student", "parent"):
        rows = await get(api, "/students?select=current_classes(name)&current_classes.order=name", school, role)
        assert rows == [{"current_classes": [{"name": "History 7B"}, {"name": "Maths 7A"}]}], role


async def test_other_schools_rows_are_not_reached(api: Api, school: School, termless: School) -> None:
    rows = await get(api, "/schools?select=id,current_term(name)", termless, "teacher")
    assert rows == [{"id": str(termless.id), "current_term": None}]


async def test_returned_rows_of_a_write_embed_it(api: Api, school: School) -> None:
    response = await api.patch(
        f"/schools?id=eq.{school.id}&select=id,current_term(name)",
        json={"contact_phone": "555-0100"},
        headers=as_role("school_admin", school, Prefer="return=representation"),
    )
    assert response.status_code == 200, response.text
    assert response.json() == [{"id": str(school.id), "current_term": {"name": "2026-2027"}}]


@pytest.mark.parametrize(
    ("path", "code", "words"),
    [
        ("/students?select=id,...current_classes(name.count())", "PGRST127", "many-to-many spreads"),
        ("/schools?select=id,current_term(name)&current_term.order=name", "PGRST100", "to-one"),
        ("/schools?select=id,current_term(nope)", "42703", "nope"),
        ("/classes?select=id,current_term(name)", "PGRST200", "'classes' and 'current_term'"),
    ],
)
async def test_errors(api: Api, school: School, path: str, code: str, words: str) -> None:
    response = await api.get(path, headers=as_role("school_admin", school))
    body = assert_canonical_error(response, 400, code)
    assert words in f"{body['message']} {body['details']} {body['hint']}"


async def test_a_relationship_is_not_callable_as_rpc(api: Api, school: School) -> None:
    response = await api.get("/rpc/current_term", headers=as_role("school_admin", school))
    assert_canonical_error(response, 404, "PGRST202")


async def test_an_enrollment_and_an_audit_entry_still_embed_their_school(api: Api, school: School) -> None:
    # db/tenancy/computed.sql: the computed relationship that
    # stands in for the foreign key m0017 dropped, an object as the key gave.
    rows = await get(
        api, f"/enrollments?select=student_id,schools(name)&student_id=eq.{school.student}&limit=1", school
    )
    name = await get(api, "/schools?select=name", school)
    assert rows == [{"student_id": str(school.student), "schools": name[0]}]
    entries = await get(api, "/audit_log?select=action,school:schools(id)&limit=1", school)
    assert entries == [{"action": entries[0]["action"], "school": {"id": str(school.id)}}]
    as_teacher = await get(api, "/enrollments?select=schools(name)&limit=1", school, role="teacher")
    assert as_teacher == [{"schools": name[0]}], "a teacher reads the enrollments of their classes, and their school"
