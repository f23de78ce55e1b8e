"""Aggregates inside embedded resources over HTTP (PostgREST 12's
`classes?select=name,enrollments(count())`), each answer checked against the
same aggregate in SQL on the data tables; RLS applies inside the embed (the
api view is queried as the caller), AGGREGATES_ROLES applies as at the top."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error, settings_for
from tests.gateway.http_support import get_ok as get

Api = AsyncTestClient[Litestar]
# A-1 is in both classes (the teacher's `class_` and the other teacher's
# `other_class`), A-2 in `class_` only, A-3 in none; grades by assignment.
SCORES = {"A-1": {"maths 1": "80", "history": "40"}, "A-2": {"maths 1": "70", "maths 2": "91"}, "A-3": {}}


@pytest.fixture(scope="module")
async def school(committer_session: asyncpg.Connection) -> School:
    made = await make_school(committer_session)
    db = committer_session
    classes = {"A-1": (made.class_, made.other_class), "A-2": (made.class_,), "A-3": ()}
    assignments: dict[str, UUID] = {}
    for title, class_id in (("maths 1", made.class_), ("maths 2", made.class_), ("history", made.other_class)):
        assignments[title] = await db.fetchval(
            "insert into data.assignments (school_id, class_id, title, max_score) values ($1, $2, $3, 100) returning id",
            made.id, class_id, title,
        )  # fmt: skip
    for number, scores in SCORES.items():
        student = await db.fetchval(
            """insert into data.students (school_id, student_number, first_name, last_name)
               values ($1, $2, 'Agg', $2) returning id""",
            made.id, number,
        )  # fmt: skip
        for class_id in classes[number]:
            await db.execute("insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3)",
                             made.id, student, class_id)  # fmt: skip
        for title, score in scores.items():
            await db.execute(
                """insert into data.grades (school_id, assignment_id, student_id, score, recorded_by_user_id)
                   values ($1, $2, $3, $4::text::numeric, $5)""",
                made.id, assignments[title], student, score, made.admin_user,
            )  # fmt: skip
    return made


async def test_enrollments_counted_per_class_as_sql_counts_them(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    got = await get(api, "/classes?select=id,enrollments(count())&order=id", school)
    expected = await committer_session.fetch(
        """select c.id, (select count(*) from data.enrollments e where e.school_id = c.school_id and e.class_id = c.id)
           from data.classes c where c.school_id = $1 order by c.id""",
        school.id,
    )
    assert got == [{"id": str(row["id"]), "enrollments": [{"count": row["count"]}]} for row in expected]
    assert [row["count"] for row in expected] != [0] * len(expected)


async def test_embed_count_without_parentheses_counts_as_postgrest_does(api: Api, school: School) -> None:
    """`enrollments(count)`, PostgREST's older form: the same counts as `count()`,
    also for a role outside AGGREGATES_ROLES (PostgREST needs no aggregates for it)."""
    modern = await get(api, "/classes?select=id,enrollments(count())&order=id", school)
    assert await get(api, "/classes?select=id,enrollments(count)&order=id", school) == modern
    parent = await api.get("/classes?select=id,students(count)&order=id", headers=as_role("parent", school))
    assert parent.status_code == 200, parent.text


async def test_a_teacher_counts_only_the_enrollments_rls_shows_them(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    path = "/students?select=student_number,enrollments(n:count())&student_number=like.A-*&order=student_number"
    admin, teacher = await get(api, path, school), await get(api, path, school, "teacher")
    assert admin == [{"student_number": n, "enrollments": [{"n": c}]} for n, c in (("A-1", 2), ("A-2", 1), ("A-3", 0))]
    # The teacher sees students of their class only, and only that class's enrollments.
    expected = await committer_session.fetch(
        """select s.student_number, count(*) as n from data.students s
           join data.enrollments e on e.school_id = s.school_id and e.student_id = s.id
           where s.school_id = $1 and s.student_number like 'A-%' and e.class_id = $2
           group by s.student_number order by s.student_number""",
        school.id, school.class_,
    )  # fmt: skip
    assert teacher == [{"student_number": r["student_number"], "enrollments": [{"n": r["n"]}]} for r in expected]
    assert [row["enrollments"] for row in teacher] == [[{"n": 1}], [{"n": 1}]]


async def test_average_grade_per_student(api: Api, school: School, committer_session: asyncpg.Connection) -> None:
    got = await get(api, "/students?select=student_number,grades(score.avg())&student_number=like.A-*"
                         "&order=student_number", school)  # fmt: skip
    expected = await committer_session.fetch(
        """select s.student_number, (select avg(g.score) from data.grades g
                                     where g.school_id = s.school_id and g.student_id = s.id and not g.is_deleted)
           from data.students s where s.school_id = $1 and s.student_number like 'A-%' order by s.student_number""",
        school.id,
    )
    assert [row["student_number"] for row in got] == [row["student_number"] for row in expected]
    for row, want in zip(got, expected, strict=True):
        (average,) = row["grades"]
        assert (None if average["avg"] is None else Decimal(str(average["avg"]))) == want["avg"]
    assert expected[2]["avg"] is None  # A-3: no grades, one group of none (as Postgres' avg of no rows)


async def test_a_teacher_averages_only_the_grades_of_their_classes(api: Api, school: School) -> None:
    got = await get(api, "/students?select=student_number,grades(mean:score.avg()::text,n:count())"
                         "&student_number=like.A-*&order=student_number", school, "teacher")  # fmt: skip
    assert [(r["student_number"], r["grades"]) for r in got] == [
        ("A-1", [{"mean": "80.0000000000000000", "n": 1}]),
        ("A-2", [{"mean": "80.5000000000000000", "n": 2}]),
    ]


async def test_grouped_by_the_embeds_other_columns_within_each_parent(api: Api, school: School) -> None:
    got = await get(
        api, "/students?select=student_number,grades(assignment_id,top:score.max(),n:count())"
        "&student_number=eq.A-2&grades.order=assignment_id", school,
    )  # fmt: skip
    assert [sorted(g) for g in got[0]["grades"]] == [["assignment_id", "n", "top"]] * 2
    assert sorted((float(g["top"]), g["n"]) for g in got[0]["grades"]) == [(70.0, 1), (91.0, 1)]


async def test_top_level_count_beside_an_embed_that_filters(api: Api, school: School) -> None:
    got = await get(api, f"/students?select=n:count(),classes!inner()&classes.id=eq.{school.other_class}"
                         "&student_number=like.A-*", school)  # fmt: skip
    assert got == [{"n": 1}]  # A-1 only


# Beside embeds: grouped by their JSON and spread columns (PostgREST 12 docs,
# "Grouping by an Embedded Resource") ----------------------------------------


async def test_top_level_count_grouped_by_a_to_one_embed(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    got = await get(api, "/enrollments?select=class_id,n:count(),classes(name)", school)
    expected = await committer_session.fetch(
        """select e.class_id, count(*) as n, c.name from data.enrollments e
           join data.classes c on c.school_id = e.school_id and c.id = e.class_id
           where e.school_id = $1 group by e.class_id, c.name""",
        school.id,
    )
    assert sorted(got, key=lambda r: r["class_id"]) == sorted(
        ({"class_id": str(r["class_id"]), "n": r["n"], "classes": {"name": r["name"]}} for r in expected),
        key=lambda r: r["class_id"],
    )
    assert sum(r["n"] for r in got) > len(got)  # grouped, not a row per enrollment


async def test_grouped_by_the_embed_alone_and_counted_as_groups(api: Api, school: School) -> None:
    response = await api.get(
        "/grades?select=n:count(),top:score.max(),assignments(title)",
        headers=as_role("school_admin", school, prefer="count=exact"),
    )
    assert response.status_code == 200, response.text
    got = sorted((r["assignments"]["title"], r["n"], float(r["top"])) for r in response.json())
    assert got == [("history", 1, 40.0), ("maths 1", 2, 80.0), ("maths 2", 1, 91.0)]
    assert response.headers["content-range"] == "0-2/3"  # the groups


async def test_grouped_by_a_spread_embeds_columns(api: Api, school: School) -> None:
    got = await get(api, "/grades?select=...assignments(title),mean:score.avg()::text", school)
    assert sorted((r["title"], r["mean"]) for r in got) == [
        ("history", "40.0000000000000000"), ("maths 1", "75.0000000000000000"), ("maths 2", "91.0000000000000000")
    ]  # fmt: skip


# Inside a to-one spread: hoisted to the parent (PostgREST 12 docs, "Aggregates
# in To-One Spreads") ------------------------------------------------------------


async def test_a_to_one_spreads_aggregates_are_the_parents(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    got = await get(api, "/grades?select=student_id,...assignments(n:count(),points:max_score.sum())", school)
    expected = await committer_session.fetch(
        """select g.student_id, count(a.id) as n, sum(a.max_score) as points from data.grades g
           left join data.assignments a on a.school_id = g.school_id and a.id = g.assignment_id
           where g.school_id = $1 and not g.is_deleted group by g.student_id""",
        school.id,
    )
    assert {r["student_id"]: (r["n"], Decimal(str(r["points"]))) for r in got} == {
        str(r["student_id"]): (r["n"], r["points"]) for r in expected
    }
    assert sorted(r["n"] for r in got) == [2, 2]  # A-1, A-2 (A-3 has no grade)


async def test_an_ordered_read_with_hoisted_aggregates_is_grouped_not_keyed(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    """The primary key plan.py appends for keyset paging would not be in the GROUP BY (42803)."""
    got = await get(api, "/grades?select=student_id,...assignments(n:count())&order=student_id.desc", school)
    expected = await committer_session.fetch(
        """select g.student_id, count(a.id) as n from data.grades g
           left join data.assignments a on a.school_id = g.school_id and a.id = g.assignment_id
           where g.school_id = $1 and not g.is_deleted group by g.student_id order by g.student_id desc""",
        school.id,
    )
    assert got == [{"student_id": str(r["student_id"]), "n": r["n"]} for r in expected]


async def test_hoisted_through_nested_to_one_spreads(api: Api, school: School) -> None:
    got = await get(api, "/grades?select=student_id,...assignments(...classes(n:count(),first:name.min()))", school)
    assert sorted((r["n"], r["first"]) for r in got) == [(2, "History 7B"), (2, "Maths 7A")]
    assert all(set(r) == {"student_id", "n", "first"} for r in got)


async def test_hoisted_into_an_embed_grouped_per_parent_row(api: Api, school: School) -> None:
    got = await get(api, "/students?select=student_number,grades(...assignments(n:count(),title.min()))"
                         "&student_number=like.A-*&order=student_number", school)  # fmt: skip
    assert got == [
        {"student_number": "A-1", "grades": [{"n": 2, "min": "history"}]},
        {"student_number": "A-2", "grades": [{"n": 2, "min": "maths 1"}]},
        {"student_number": "A-3", "grades": [{"n": 0, "min": None}]},
    ]


async def test_a_teacher_counts_only_the_embedded_rows_rls_shows_them(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    """The teacher sees the grades of their class; a spread row RLS hides
    would be null, so not counted."""
    path = "/grades?select=...assignments(class_id,n:count())"
    teacher = await get(api, path, school, "teacher")
    expected = await committer_session.fetchval(
        "select count(*) from data.grades g join data.assignments a on a.id = g.assignment_id "
        "where g.school_id = $1 and a.class_id = $2 and not g.is_deleted",
        school.id, school.class_,
    )  # fmt: skip
    assert teacher == [{"class_id": str(school.class_), "n": expected}]
    assert len(await get(api, path, school)) == 2  # the admin: both classes


@pytest.mark.parametrize("role", ["parent", "student"])
async def test_roles_outside_aggregates_roles_get_pgrst123(api: Api, school: School, role: str) -> None:
    response = await api.get("/classes?select=name,enrollments(count())", headers=as_role(role, school))
    assert_canonical_error(response, 400, "PGRST123")


async def test_aggregates_roles_applies_inside_embeds(database_url: str, school: School) -> None:
    async with AsyncTestClient(create_app(settings_for(database_url, aggregates_roles=()))) as none:
        response = await none.get("/classes?select=name,enrollments(count())", headers=as_role("school_admin", school))
    assert_canonical_error(response, 400, "PGRST123")


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/classes?select=name,enrollments(*,count())", "PGRST100"),
        ("/classes?select=name,...enrollments(count())", "PGRST127"),  # a to-many spread (PostgREST 13)
        ("/classes?select=*,...teachers(count())", "PGRST100"),
        ("/classes?select=name,enrollments(count()", "PGRST100"),
        ("/classes?select=name,enrollments(count()::nope)", "42704"),  # casts name a type of the catalog
        ("/classes?select=name,enrollments(id.median())", "PGRST200"),  # not an aggregate: an embed, none such
        ("/classes?select=name,enrollments(nope.count())", "42703"),
        ("/classes?select=name,enrollments(class_id,count())&enrollments.order=student_id", "42803"),
        ("/students?select=student_number,grades(feedback.sum())", "42883"),  # sum(text) does not exist
    ],
)
async def test_bad_aggregates_are_400(api: Api, school: School, path: str, code: str) -> None:
    assert_canonical_error(await api.get(path, headers=as_role("school_admin", school)), 400, code)
