"""Resource embedding over HTTP against the real database: many-to-one,
one-to-many, many-to-many, nesting, aliases, !inner, hints, spread, embedded
filters/order/limit, the errors, and RLS applied inside every embed (the
embedded api views are queried as the caller)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error

Api = AsyncTestClient[Litestar]


@pytest.fixture(scope="module")
async def school(committer_session: asyncpg.Connection) -> School:
    """A school of its own; three more students (E-1..E-3) in `class_` (Maths 7A)."""
    made = await make_school(committer_session)
    for number in ("E-1", "E-2", "E-3"):
        student = await committer_session.fetchval(
            """insert into data.students (school_id, student_number, first_name, last_name)
               values ($1, $2, 'Em', $2) returning id""",
            made.id, number,
        )  # fmt: skip
        await committer_session.execute(
            "insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3)",
            made.id, student, made.class_,
        )  # fmt: skip
    return made


@pytest.fixture(scope="module")
async def other(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


async def get(api: Api, path: str, role: str, school: School, **headers: str) -> Any:
    response = await api.get(path, headers=as_role(role, school, **headers))
    assert response.status_code == 200, response.text
    return response.json()


async def test_many_to_one_is_an_object_or_null(api: Api, school: School) -> None:
    rows = await get(api, "/classes?select=name,teachers(last_name)&order=name", "school_admin", school)
    assert rows == [
        {"name": "History 7B", "teachers": {"last_name": "Other"}},
        {"name": "Maths 7A", "teachers": {"last_name": "Teacher"}},
    ]


async def test_many_to_one_without_a_row_is_null(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    await committer_session.execute(
        "insert into data.classes (school_id, name, academic_year) values ($1, 'Free study', '2026-2027')", school.id
    )
    rows = await get(api, "/classes?select=name,teachers(last_name)&name=eq.Free study", "school_admin", school)
    assert rows == [{"name": "Free study", "teachers": None}]


async def test_one_to_many_is_an_array(api: Api, school: School) -> None:
    rows = await get(api, f"/students?select=*,enrollments(*)&id=eq.{school.student}", "school_admin", school)
    assert len(rows) == 1 and rows[0]["student_number"] == "S-1"
    assert [(e["student_id"], e["class_id"]) for e in rows[0]["enrollments"]] == [
        (str(school.student), str(school.class_))
    ]


async def test_one_to_many_without_rows_is_an_empty_array(api: Api, school: School) -> None:
    rows = await get(api, "/teachers?select=last_name,classes(name)&order=last_name", "school_admin", school)
    assert rows == [
        {"last_name": "Other", "classes": [{"name": "History 7B"}]},
        {"last_name": "Teacher", "classes": [{"name": "Maths 7A"}]},
    ]
    rows = await get(api, f"/students?select=student_number,parents(last_name)&id=eq.{school.other_student}",
                     "school_admin", school)  # fmt: skip
    assert rows == [{"student_number": "S-2", "parents": []}]


async def test_many_to_many_through_enrollments_and_student_parents(api: Api, school: School) -> None:
    rows = await get(api, "/students?select=student_number,classes(name),parents(first_name)&order=student_number",
                     "school_admin", school)  # fmt: skip
    assert rows == [
        {"student_number": "E-1", "classes": [{"name": "Maths 7A"}], "parents": []},
        {"student_number": "E-2", "classes": [{"name": "Maths 7A"}], "parents": []},
        {"student_number": "E-3", "classes": [{"name": "Maths 7A"}], "parents": []},
        {"student_number": "S-1", "classes": [{"name": "Maths 7A"}], "parents": [{"first_name": "Pat"}]},
        {"student_number": "S-2", "classes": [{"name": "History 7B"}], "parents": []},
    ]


async def test_nested_embeds_and_aliases(api: Api, school: School) -> None:
    rows = await get(
        api,
        "/teachers?select=surname:last_name,lessons:classes(name,pupils:students(student_number))"
        "&order=last_name&lessons.pupils.order=student_number.desc",
        "school_admin",
        school,
    )
    assert rows == [
        {"surname": "Other", "lessons": [{"name": "History 7B", "pupils": [{"student_number": "S-2"}]}]},
        {"surname": "Teacher", "lessons": [{"name": "Maths 7A", "pupils": [
            {"student_number": n} for n in ("S-1", "E-3", "E-2", "E-1")]}]},
    ]  # fmt: skip


async def test_matches_the_database(api: Api, school: School, committer_session: asyncpg.Connection) -> None:
    """Each class's students as the embed gives them, and as SQL gives them."""
    rows = await get(api, "/classes?select=id,students(id)", "school_admin", school)
    expected = await committer_session.fetch(
        "select class_id, array_agg(student_id::text order by student_id) as ids from data.enrollments "
        "where school_id = $1 group by class_id",
        school.id,
    )
    by_class = {str(r["class_id"]): r["ids"] for r in expected}
    assert {r["id"]: sorted(s["id"] for s in r["students"]) for r in rows} == {
        r["id"]: by_class.get(r["id"], []) for r in rows
    }


async def test_keys_keep_the_order_of_the_select(api: Api, school: School) -> None:
    rows = await get(
        api,
        f"/classes?select=teachers(last_name),name,...teachers!teacher_id(first_name),id&id=eq.{school.class_}",
        "school_admin",
        school,
    )
    assert [list(row) for row in rows] == [["teachers", "name", "first_name", "id"]]


# RLS inside embeds ---------------------------------------------------------


async def test_a_teacher_embeds_only_enrolled_students_of_their_classes(api: Api, school: School) -> None:
    rows = await get(api, "/classes?select=name,students(student_number)&students.order=student_number",
                     "teacher", school)  # fmt: skip
    assert rows == [{"name": "Maths 7A", "students": [{"student_number": n} for n in ("E-1", "E-2", "E-3", "S-1")]}]
    # The other teacher's class is not even reachable through a student.
    rows = await get(api, f"/students?select=student_number,classes(name)&id=eq.{school.student}", "teacher", school)
    assert rows == [{"student_number": "S-1", "classes": [{"name": "Maths 7A"}]}]


async def test_a_teacher_embedding_teachers_sees_only_their_own_row(api: Api, school: School) -> None:
    rows = await get(api, "/classes?select=name,teachers(last_name)", "teacher", school)
    assert rows == [{"name": "Maths 7A", "teachers": {"last_name": "Teacher"}}]


async def test_a_parent_embeds_their_childs_classes_and_links(api: Api, school: School) -> None:
    rows = await get(api, "/students?select=student_number,classes(name),parents(first_name)", "parent", school)
    assert rows == [{"student_number": "S-1", "classes": [{"name": "Maths 7A"}], "parents": [{"first_name": "Pat"}]}]


async def test_a_parent_embedding_teachers_is_refused_as_the_view_is(api: Api, school: School) -> None:
    response = await api.get("/classes?select=name,teachers(last_name)", headers=as_role("parent", school))
    assert_canonical_error(response, 403, "42501")


async def test_another_schools_rows_never_appear_in_an_embed(api: Api, school: School, other: School) -> None:
    rows = await get(api, f"/students?select=id,classes(id)&classes.id=eq.{other.class_}", "school_admin", school)
    assert rows and all(r["classes"] == [] for r in rows)
    rows = await get(api, f"/students?select=id,classes!inner(id)&classes.id=eq.{other.class_}", "school_admin", school)
    assert rows == []
    seen = await get(api, "/classes?select=id,teachers(id),students(id)", "school_admin", school)
    theirs = {str(other.class_), str(other.teacher), str(other.student), str(other.other_class)}
    assert not theirs & {str(v) for r in seen for v in _ids(r)}


async def test_a_cross_school_link_cannot_be_made_even_by_a_superuser(
    committer_session: asyncpg.Connection, school: School, other: School
) -> None:
    """The join an embed could follow into another school cannot exist: the
    tenant foreign keys are on (school_id, x)."""
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await committer_session.execute(
            "insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3)",
            school.id, school.other_student, other.class_,
        )  # fmt: skip


async def test_a_cross_school_link_is_refused_over_http(api: Api, school: School, other: School) -> None:
    response = await api.post(
        "/enrollments",
        json={"student_id": str(school.other_student), "class_id": str(other.class_)},
        headers=as_role("school_admin", school),
    )
    assert response.status_code in (403, 409), response.text
    assert_canonical_error(response, response.status_code)


def _ids(row: Any) -> list[str]:
    if isinstance(row, dict):
        return [v for k, v in row.items() if k == "id"] + [i for v in row.values() for i in _ids(v)]
    if isinstance(row, list):
        return [i for v in row for i in _ids(v)]
    return []


# !inner, filters, order, limit, or, spread -----------------------------------


async def test_inner_keeps_only_parents_whose_embed_matches(api: Api, school: School) -> None:
    path = "/classes?select=name,students{}(student_number)&students.student_number=eq.E-2&order=name"
    rows = await get(api, path.format(""), "school_admin", school)
    assert [(r["name"], r["students"]) for r in rows if r["name"] != "Free study"] == [
        ("History 7B", []), ("Maths 7A", [{"student_number": "E-2"}])
    ]  # fmt: skip
    rows = await get(api, path.format("!inner"), "school_admin", school)
    assert rows == [{"name": "Maths 7A", "students": [{"student_number": "E-2"}]}]


async def test_inner_filters_the_exact_count(api: Api, school: School) -> None:
    response = await api.get(
        "/classes?select=name,students!inner(student_number)&students.student_number=like.E*",
        headers=as_role("school_admin", school, Prefer="count=exact"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-range"] == "0-0/1"


async def test_an_empty_embed_filters_without_showing(api: Api, school: School) -> None:
    rows = await get(
        api, "/classes?select=name,students!inner()&students.student_number=eq.S-2", "school_admin", school
    )
    assert rows == [{"name": "History 7B"}]


async def test_embedded_order_limit_offset(api: Api, school: School) -> None:
    path = (f"/classes?select=name,students(student_number)&id=eq.{school.class_}"
            "&students.order=student_number.desc&students.limit=2&students.offset=1")  # fmt: skip
    rows = await get(api, path, "school_admin", school)
    assert rows == [{"name": "Maths 7A", "students": [{"student_number": "E-3"}, {"student_number": "E-2"}]}]


async def test_embedded_or(api: Api, school: School) -> None:
    path = (f"/classes?select=students(student_number)&id=eq.{school.class_}"
            "&students.or=(student_number.eq.E-1,student_number.eq.S-1)&students.order=student_number")  # fmt: skip
    rows = await get(api, path, "school_admin", school)
    assert rows == [{"students": [{"student_number": "E-1"}, {"student_number": "S-1"}]}]


async def test_one_shape_many_values(api: Api, school: School) -> None:
    """Embedded values are parameters: one cached plan serves every value."""
    for number in ("E-1", "E-3"):
        path = f"/classes?select=students!inner(student_number)&students.student_number=eq.{number}&students.limit=1"
        assert await get(api, path, "school_admin", school) == [{"students": [{"student_number": number}]}]


async def test_spread_lifts_a_many_to_one_embed(api: Api, school: School) -> None:
    rows = await get(api, f"/classes?select=name,...teachers(first_name,last_name)&id=eq.{school.class_}",
                     "school_admin", school)  # fmt: skip
    assert rows == [{"name": "Maths 7A", "first_name": "Tess", "last_name": "Teacher"}]


async def test_spread_of_a_to_many_embed_gives_arrays(api: Api, school: School) -> None:
    """PostgREST 13 (more in test_http_embed_to_many_spread.py)."""
    rows = await get(api, "/teachers?select=last_name,...classes(name)&order=last_name", "school_admin", school)
    assert rows == [{"last_name": "Other", "name": ["History 7B"]}, {"last_name": "Teacher", "name": ["Maths 7A"]}]


# with the other Prefer/Accept features ----------------------------------------


@pytest.mark.parametrize("prefer", ["count=exact", "count=estimated", "count=planned"])
async def test_counts_with_an_inner_embed(api: Api, school: School, prefer: str) -> None:
    response = await api.get(
        "/classes?select=name,students!inner(student_number)&students.student_number=eq.E-1",
        headers=as_role("school_admin", school, Prefer=prefer),
    )
    assert response.status_code in (200, 206), response.text
    assert response.json() == [{"name": "Maths 7A", "students": [{"student_number": "E-1"}]}]
    if prefer != "count=planned":  # the planner's estimate may be anything
        assert response.headers["content-range"] == "0-0/1"


async def test_csv_with_an_embed(api: Api, school: School) -> None:
    response = await api.get(
        f"/classes?select=name,teachers(last_name)&id=eq.{school.class_}",
        headers=as_role("school_admin", school, Accept="text/csv"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    header, line = response.text.splitlines()
    assert header == "name,teachers" and line.startswith("Maths 7A,") and "Teacher" in line


async def test_an_ordered_read_with_embeds_pages_by_keyset(api: Api, school: School) -> None:
    """The cursor is on the parent's order; the embeds ride along (test_http_keyset_extended.py walks it)."""
    response = await api.get(
        "/students?select=student_number,classes(name)&order=student_number&limit=1",
        headers=as_role("school_admin", school),
    )
    assert response.status_code == 200, response.text
    assert response.json() == [{"student_number": "E-1", "classes": [{"name": "Maths 7A"}]}]
    after = await api.get(response.headers["link"].split(">")[0].lstrip("<"), headers=as_role("school_admin", school))
    assert after.json() == [{"student_number": "E-2", "classes": [{"name": "Maths 7A"}]}]


async def test_a_forged_cursor_with_embeds_is_refused(api: Api, school: School) -> None:
    response = await api.get(
        "/students?select=student_number,classes(name)&order=student_number&cursor=abc",
        headers=as_role("school_admin", school),
    )
    assert assert_canonical_error(response, 400, "PGRST100")["message"] == "invalid cursor"


# disambiguation and errors --------------------------------------------------


@pytest.mark.parametrize(
    "hint",
    ["classes_teacher_id_tenant_fkey", "teacher_id"],
)
async def test_a_hint_names_the_foreign_key(api: Api, school: School, hint: str) -> None:
    rows = await get(api, f"/classes?select=name,teachers!{hint}(last_name)&id=eq.{school.class_}",
                     "school_admin", school)  # fmt: skip
    assert rows == [{"name": "Maths 7A", "teachers": {"last_name": "Teacher"}}]


async def test_ambiguous_embeds_answer_300_with_the_choices(api: Api, school: School) -> None:
    response = await api.get("/students?select=*,schools(name)", headers=as_role("school_admin", school))
    body = assert_canonical_error(response, 300, "PGRST201")
    assert "'schools!students_school_id_fkey'" in body["hint"]
    assert "'schools!student_parents'" in body["hint"]
    assert {"cardinality": "many-to-one", "embedding": "students with schools",
            "relationship": "students_school_id_fkey using students(school_id) and schools(id)"} in body["details"]  # fmt: skip
    rows = await get(api, f"/students?select=schools!students_school_id_fkey(id)&id=eq.{school.student}",
                     "school_admin", school)  # fmt: skip
    assert rows == [{"schools": {"id": str(school.id)}}]


@pytest.mark.parametrize(
    ("select", "status", "code"),
    [
        ("*,rooms(*)", 400, "PGRST200"),  # no foreign key between them
        ("*,nope(*)", 400, "PGRST200"),
        ("*,teachers!no_such_fkey(*)", 400, "PGRST200"),
        ("*,classes(nope)", 400, "42703"),
        ("*,classes(*", 400, "PGRST100"),
        ("*,classes)(", 400, "PGRST100"),
        ("...classes", 400, "PGRST100"),
    ],
)
async def test_bad_embeds(api: Api, school: School, select: str, status: int, code: str) -> None:
    response = await api.get(f"/students?select={select}", headers=as_role("school_admin", school))
    assert_canonical_error(response, status, code)


async def test_parameters_of_an_embed_not_selected_are_refused(api: Api, school: School) -> None:
    response = await api.get("/students?select=id&classes.name=eq.x", headers=as_role("school_admin", school))
    assert_canonical_error(response, 400, "PGRST108")


@pytest.mark.parametrize(
    "select",
    [
        'id,"classes"(*)',
        "id,classes;drop table data.students(*)",
        'id,classes!x";drop table data.students;--(*)',
        "id,teachers!classes_teacher_id_tenant_fkey') or true--(*)",
        "id,classes(name::text;drop)",
    ],
)
async def test_injection_in_embed_names_and_hints_is_only_a_bad_request(api: Api, school: School, select: str) -> None:
    response = await api.get(f"/classes?select={select}", headers=as_role("school_admin", school))
    assert response.status_code == 400, response.text
    assert_canonical_error(response, 400)
    assert await get(api, "/students?select=id&limit=1", "school_admin", school)


async def test_an_alias_with_quotes_is_only_a_json_key(api: Api, school: School) -> None:
    rows = await get(api, f'/classes?select=t"x:teachers(last_name)&id=eq.{school.class_}', "school_admin", school)
    assert rows == [{'t"x': {"last_name": "Teacher"}}]


async def test_a_self_relationship_gives_children_or_the_parent(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    await committer_session.execute(
        """insert into data.academic_terms (school_id, name, start_date, end_date, type, parent_id)
           values ($1, 'Autumn', '2026-09-01', '2026-12-20', 'TERM', $2)""",
        school.id, school.term,
    )  # fmt: skip
    rows = await get(
        api,
        # PostgREST's names: the relation's own name gives the children, the key column the parent.
        "/academic_terms?select=name,children:academic_terms(name),parent:parent_id(name)&order=name",
        "school_admin",
        school,
    )
    assert rows == [
        {"name": "2026-2027", "children": [{"name": "Autumn"}], "parent": None},
        {"name": "Autumn", "children": [], "parent": {"name": "2026-2027"}},
    ]


# writes ---------------------------------------------------------------------


async def test_a_write_returns_its_embeds(api: Api, school: School) -> None:
    response = await api.post(
        "/classes?select=name,teachers(last_name)",
        json={"name": "Physics 8C", "academic_year": "2026-2027", "teacher_id": str(school.teacher)},
        headers=as_role("school_admin", school, Prefer="return=representation"),
    )
    assert response.status_code == 201, response.text
    assert response.json() == [{"name": "Physics 8C", "teachers": {"last_name": "Teacher"}}]
