"""To-many spreads over HTTP, as PostgREST 13 has them (docs "Spread embedded
resource"; test/spec/Feature/Query/SpreadQueriesSpec.hs, "one-to-many" and
"many-to-many relationships"): each spread column is a JSON array on the
parent, `[]` for a parent without related rows, `[null]` for a row whose value
is null; order/limit/filters inside apply to every array alike; nested to-one
embeds are arrays of objects, nested to-many ones arrays of arrays; `!inner`
keeps parents with rows; aggregates are PGRST127. Expected values come from SQL
on the data tables; RLS filters the spread rows (a teacher's view)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

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
    """Maths 7A (the teacher's): S-1 and M-1 (born 2014-03-01); History 7B
    (the other teacher's): S-2 and M-1; Empty 7C (the teacher's): nobody."""
    made = await make_school(committer_session)
    both = await committer_session.fetchval(
        """insert into data.students (school_id, student_number, first_name, last_name, date_of_birth)
           values ($1, 'M-1', 'Mo', 'Both', '2014-03-01') returning id""",
        made.id,
    )  # fmt: skip
    await committer_session.execute(
        "insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3), ($1, $2, $4)",
        made.id, both, made.class_, made.other_class,
    )  # fmt: skip
    await committer_session.execute(
        "insert into data.classes (school_id, name, academic_year, teacher_id) values ($1, 'Empty 7C', '2026-2027', $2)",
        made.id, made.teacher,
    )  # fmt: skip
    return made


async def arrays(
    session: asyncpg.Connection, school: UUID, columns: str, order: str = "s.student_number", where: str = "true"
) -> dict[str, list[list[Any]]]:
    """Per class name, its students' `columns` as lists, in `order` (SQL on the data tables)."""
    rows = await session.fetch(
        f"""select c.name, array_agg(row({columns}) order by {order}) filter (where s.id is not null) as r
            from data.classes c
            left join data.enrollments e on e.class_id = c.id
            left join data.students s on s.id = e.student_id and not s.is_deleted and {where}
            where c.school_id = $1 and not c.is_deleted group by c.name""",
        school,
    )  # fmt: skip
    return {row["name"]: [list(r) for r in row["r"] or []] for row in rows}


# One-to-many and many-to-many: one array per column ---------------------------


async def test_many_to_many_spreads_each_column_as_an_array(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    got = await get(api, "/classes?select=name,...students(first_name,last_name)&order=name"
                          "&students.order=student_number", school)  # fmt: skip
    expected = await arrays(committer_session, school.id, "s.first_name, s.last_name")
    assert got == [
        {"name": name, "first_name": [r[0] for r in expected[name]], "last_name": [r[1] for r in expected[name]]}
        for name in ("Empty 7C", "History 7B", "Maths 7A")
    ]
    assert got[2] == {"name": "Maths 7A", "first_name": ["Mo", "Sam"], "last_name": ["Both", "StudentS-1"]}


async def test_a_parent_without_rows_gets_an_empty_array_per_column(api: Api, school: School) -> None:
    """SpreadQueriesSpec "should return an empty array when no elements are found"."""
    got = await get(api, "/classes?select=name,...students(first_name,id)&name=eq.Empty 7C", school)
    assert got == [{"name": "Empty 7C", "first_name": [], "id": []}]


async def test_a_null_value_is_a_null_element(api: Api, school: School) -> None:
    """SpreadQueriesSpec: "a single null element array, not an empty one"."""
    got = await get(api, "/classes?select=name,...students(date_of_birth)&name=eq.Maths 7A"
                         "&students.order=student_number", school)  # fmt: skip
    assert got == [{"name": "Maths 7A", "date_of_birth": ["2014-03-01", None]}]


async def test_one_to_many_spread_with_aliases(api: Api, school: School, committer_session: asyncpg.Connection) -> None:
    got = await get(api, "/students?select=student_number,...enrollments(classes:class_id)&order=student_number",
                    school)  # fmt: skip
    expected = await committer_session.fetch(
        """select s.student_number, coalesce(array_agg(e.class_id::text) filter (where e.class_id is not null), '{}') c
           from data.students s left join data.enrollments e on e.student_id = s.id
           where s.school_id = $1 group by 1 order by 1""",
        school.id,
    )  # fmt: skip
    assert [(r["student_number"], sorted(r["classes"])) for r in got] == [
        (r["student_number"], sorted(r["c"])) for r in expected
    ]
    assert [r for r in got if r["student_number"] == "M-1"][0]["classes"] != []


async def test_every_column_of_a_to_many_spread(api: Api, school: School) -> None:
    got = await get(api, "/classes?select=...students(*)&name=eq.History 7B&students.order=student_number", school)
    (row,) = got
    assert row["student_number"] == ["M-1", "S-2"]
    assert {"id", "first_name", "date_of_birth", "school_id"} <= row.keys()
    assert all(len(values) == 2 for values in row.values())


# Order, limit, filters, !inner ----------------------------------------------------


async def test_order_and_limit_apply_to_every_array_alike(api: Api, school: School) -> None:
    got = await get(api, "/classes?select=name,...students(student_number,last_name)&name=eq.Maths 7A"
                         "&students.order=student_number.desc&students.limit=1", school)  # fmt: skip
    assert got == [{"name": "Maths 7A", "student_number": ["S-1"], "last_name": ["StudentS-1"]}]
    got = await get(api, "/classes?select=name,...students(last_name)&name=eq.Maths 7A"
                         "&students.order=student_number.desc", school)  # fmt: skip
    assert got == [{"name": "Maths 7A", "last_name": ["StudentS-1", "Both"]}]  # ordered by a column not selected


async def test_a_filter_inside_leaves_other_parents_empty(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    got = await get(api, "/classes?select=name,...students(student_number)&students.last_name=eq.Both&order=name",
                    school)  # fmt: skip
    expected = await arrays(committer_session, school.id, "s.student_number", where="s.last_name = 'Both'")
    assert got == [{"name": n, "student_number": [r[0] for r in expected[n]]} for n in sorted(expected)]
    assert got[0] == {"name": "Empty 7C", "student_number": []}


async def test_inner_keeps_only_parents_with_rows(api: Api, school: School) -> None:
    """SpreadQueriesSpec "works with inner joins"."""
    got = await get(api, "/classes?select=name,...students!inner(student_number)&order=name"
                         "&students.order=student_number", school)  # fmt: skip
    assert got == [
        {"name": "History 7B", "student_number": ["M-1", "S-2"]},
        {"name": "Maths 7A", "student_number": ["M-1", "S-1"]},
    ]
    got = await get(api, "/classes?select=name,...students!inner(student_number)&students.student_number=eq.S-2",
                    school)  # fmt: skip
    assert got == [{"name": "History 7B", "student_number": ["S-2"]}]
    counted = await api.get("/classes?select=name,...students!inner(id)",
                            headers=as_role("school_admin", school, Prefer="count=exact"))  # fmt: skip
    assert counted.headers["content-range"] == "0-1/2"  # the count leaves out the parents !inner drops


async def test_a_related_order_sorts_every_array(api: Api, school: School) -> None:
    """SpreadQueriesSpec "orders all the resulting arrays according to the
    related ordering columns in the spread relationship"."""
    got = await get(api, "/students?select=student_number,...classes(name,...teachers(last_name))&student_number=eq.M-1"
                         "&classes.order=teachers(last_name).desc", school)  # fmt: skip
    assert got == [{"student_number": "M-1", "name": ["Maths 7A", "History 7B"], "last_name": ["Teacher", "Other"]}]


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/classes?select=name,...students(pgrst_rows:last_name)&name=eq.Maths 7A&students.order=last_name",
         "pgrst_rows"),
        ("/classes?select=name,...students(pgrst_o1:last_name)&name=eq.Maths 7A&students.order=last_name", "pgrst_o1"),
        ("/classes?select=name,...teachers(pgrst_k1:last_name)&name=eq.Maths 7A&order=teachers(last_name)",
         "pgrst_k1"),  # a to-one spread's related order
    ],
)  # fmt: skip
async def test_aliases_like_the_laterals_own_columns_are_only_keys(
    api: Api, school: School, path: str, key: str
) -> None:
    got = await get(api, path, school)
    assert got == [{"name": "Maths 7A", key: ["Both", "StudentS-1"] if "students" in path else "Teacher"}]


async def test_inner_on_a_to_one_spread_drops_parents_without_its_row(
    api: Api, committer_session: asyncpg.Connection
) -> None:
    """PostgREST 13: any spread may be !inner (its INNER JOIN LATERAL)."""
    fresh = await make_school(committer_session)
    await committer_session.execute(
        "insert into data.classes (school_id, name, academic_year) values ($1, 'Free 7E', '2026-2027')", fresh.id
    )
    path = "/classes?select=name,...teachers{}(last_name)&order=name"
    assert await get(api, path.format(""), fresh) == [
        {"name": "Free 7E", "last_name": None}, {"name": "History 7B", "last_name": "Other"},
        {"name": "Maths 7A", "last_name": "Teacher"},
    ]  # fmt: skip
    assert await get(api, path.format("!inner"), fresh) == [
        {"name": "History 7B", "last_name": "Other"}, {"name": "Maths 7A", "last_name": "Teacher"}
    ]  # fmt: skip
    got = await get(api, "/classes?select=...teachers!inner(n:count())", fresh)
    expected = await committer_session.fetchval(
        "select count(*) from data.classes where school_id = $1 and teacher_id is not null", fresh.id
    )
    assert got == [{"n": expected}] == [{"n": 2}]


# Nested embeds ----------------------------------------------------------------------


async def test_nested_to_one_embeds_are_arrays_of_objects_or_flat_when_spread(api: Api, school: School) -> None:
    """SpreadQueriesSpec "nested non-spread many-to-one ... as an array of
    objects", "spread columns from a nested many-to-one relationship"."""
    path = "/classes?select=name,...enrollments({})&name=eq.Maths 7A&enrollments.order=student_id"
    objects = await get(api, path.format("students(student_number)"), school)
    flat = await get(api, path.format("...students(student_number)"), school)
    numbers = [s["student_number"] for s in objects[0]["students"]]
    assert sorted(numbers) == ["M-1", "S-1"]
    assert flat == [{"name": "Maths 7A", "student_number": numbers}]


async def test_nested_to_many_embeds_are_arrays_of_arrays(api: Api, school: School) -> None:
    got = await get(api, "/classes?select=name,...students(student_number,classes(name),...parents(first_name))"
                         "&name=eq.Maths 7A&students.order=student_number&students.classes.order=name", school)  # fmt: skip
    assert got == [{
        "name": "Maths 7A",
        "student_number": ["M-1", "S-1"],
        "classes": [[{"name": "History 7B"}, {"name": "Maths 7A"}], [{"name": "Maths 7A"}]],
        "first_name": [[], ["Pat"]],
    }]  # fmt: skip


async def test_an_empty_to_many_spread_shows_nothing(api: Api, school: School) -> None:
    got = await get(api, "/classes?select=name,...students()&order=name", school)
    assert got == [{"name": "Empty 7C"}, {"name": "History 7B"}, {"name": "Maths 7A"}]


async def test_aggregates_beside_a_to_many_spread_group_by_its_arrays(api: Api, school: School) -> None:
    got = await get(api, "/students?select=n:count(),...classes(name)&classes.order=name", school)
    assert sorted((r["name"], r["n"]) for r in got) == [
        (["History 7B"], 1), (["History 7B", "Maths 7A"], 1), (["Maths 7A"], 1)
    ]  # fmt: skip


# With the rest of the dialect -----------------------------------------------------------


async def test_keyset_pages_count_and_csv_with_a_to_many_spread(api: Api, school: School) -> None:
    path = "/classes?select=name,...students(student_number)&order=name&students.order=student_number&limit=2"
    first = await api.get(path, headers=as_role("school_admin", school, Prefer="count=exact"))
    assert first.status_code == 206, first.text
    assert first.headers["content-range"] == "0-1/3"
    assert first.json() == [
        {"name": "Empty 7C", "student_number": []},
        {"name": "History 7B", "student_number": ["M-1", "S-2"]},
    ]
    following = first.headers["link"].split(">")[0].lstrip("<")
    assert await get(api, following, school) == [{"name": "Maths 7A", "student_number": ["M-1", "S-1"]}]
    csv = await api.get(path, headers=as_role("school_admin", school, Accept="text/csv"))
    assert csv.text.splitlines()[1:] == ["Empty 7C,[]", 'History 7B,"[""M-1"", ""S-2""]"']


async def test_a_writes_returned_rows_and_a_functions_rows_spread_too(api: Api, school: School) -> None:
    response = await api.post(
        "/classes?select=name,...students(student_number)",
        json={"name": "New 7D", "academic_year": "2026-2027", "teacher_id": str(school.teacher)},
        headers=as_role("school_admin", school, Prefer="return=representation"),
    )
    assert response.status_code == 201, response.text
    assert response.json() == [{"name": "New 7D", "student_number": []}]
    deleted = await api.delete("/classes?name=eq.New 7D", headers=as_role("school_admin", school))
    assert deleted.status_code == 204, deleted.text  # the other tests count this school's classes
    got = await get(api, "/rpc/search_students?search=M-1&select=student_number,...classes(name)&classes.order=name",
                    school)  # fmt: skip
    assert got == [{"student_number": "M-1", "name": ["History 7B", "Maths 7A"]}]


# RLS: every spread row as the caller sees it ---------------------------------------


async def test_a_teacher_sees_only_the_spread_rows_rls_shows_them(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    """The teacher reads the students of their classes, and of each only the
    classes they teach (and the junction's rows of those): M-1's History 7B is
    not theirs, so not in M-1's array; the admin sees both."""
    path = "/students?select=student_number,...classes(name)&order=student_number&classes.order=name"
    teacher = await get(api, path, school, "teacher")
    taught = await committer_session.fetch(
        """select s.student_number, array_agg(c.name order by c.name) as names
           from data.students s join data.enrollments e on e.student_id = s.id
           join data.classes c on c.id = e.class_id and c.teacher_id = $2
           where s.school_id = $1 group by 1 order by 1""",
        school.id, school.teacher,
    )  # fmt: skip
    assert teacher == [{"student_number": r["student_number"], "name": list(r["names"])} for r in taught]
    assert teacher == [{"student_number": "M-1", "name": ["Maths 7A"]}, {"student_number": "S-1", "name": ["Maths 7A"]}]
    admin = await get(api, path, school)
    assert {"student_number": "M-1", "name": ["History 7B", "Maths 7A"]} in admin


async def test_a_teacher_gets_empty_arrays_for_their_class_without_students(api: Api, school: School) -> None:
    got = await get(api, "/classes?select=name,...students(student_number)&order=name"
                         "&students.order=student_number", school, "teacher")  # fmt: skip
    assert got == [{"name": "Empty 7C", "student_number": []}, {"name": "Maths 7A", "student_number": ["M-1", "S-1"]}]


async def test_another_schools_rows_never_spread(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    other = await make_school(committer_session)
    got = await get(api, "/classes?select=...students(student_number)&order=name", other)
    assert got == [{"student_number": ["S-2"]}, {"student_number": ["S-1"]}]


# Errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/classes?select=name,...students(count())", "PGRST127"),
        ("/students?select=id,...classes(name,...teachers(count()))", "PGRST127"),  # hoisted into the to-many spread
        ("/classes?select=name,...students(nope)", "42703"),
        ("/classes?select=name,...students(id)&order=students(last_name)", "PGRST118"),
    ],
)
async def test_errors(api: Api, school: School, path: str, code: str) -> None:
    response = await api.get(path, headers=as_role("school_admin", school))
    assert_canonical_error(response, 400, code)
