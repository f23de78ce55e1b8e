"""The parent ordered by a column of a to-one embed over HTTP (PostgREST's
related order, `order=teacher(last_name).desc.nullslast`), checked against
the same order in SQL on the data tables; an embedded row RLS hides from the
caller sorts as null; a to-many embed answers PGRST118."""

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
    """Maths 7A (teacher "Teacher"), History 7B ("Other"), and Free study with
    no teacher; S-1 (the student login) in Maths 7A and History 7B, O-1 and
    O-2 (no login) in Maths 7A."""
    made = await make_school(committer_session)
    for number in ("O-1", "O-2"):
        student = await committer_session.fetchval(
            """insert into data.students (school_id, student_number, first_name, last_name)
               values ($1, $2, 'Ord', $2) returning id""",
            made.id, number,
        )  # fmt: skip
        await committer_session.execute(
            "insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3)",
            made.id, student, made.class_,
        )  # fmt: skip
    await committer_session.execute(
        "insert into data.classes (school_id, name, academic_year) values ($1, 'Free study', '2026-2027')", made.id
    )
    await committer_session.execute(
        "insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3)",
        made.id, made.student, made.other_class,
    )  # fmt: skip
    return made


@pytest.mark.parametrize(
    ("order", "sql_order"),
    [
        ("teacher(last_name).desc", "t.last_name desc, c.name"),
        ("teacher(last_name).asc.nullsfirst", "t.last_name asc nulls first, c.name"),
        ("teacher(last_name).desc.nullslast", "t.last_name desc nulls last, c.name"),
        ("teacher(first_name),teacher(last_name).desc", "t.first_name, t.last_name desc, c.name"),
    ],
)
async def test_classes_ordered_by_their_teacher_as_sql_orders_them(
    api: Api, school: School, committer_session: asyncpg.Connection, order: str, sql_order: str
) -> None:
    got = await get(api, f"/classes?select=name,teacher:teachers(last_name)&order={order},name", school)
    expected = await committer_session.fetch(
        f"""select c.name, t.last_name from data.classes c
            left join data.teachers t on t.school_id = c.school_id and t.id = c.teacher_id
            where c.school_id = $1 order by {sql_order}""",
        school.id,
    )
    assert got == [
        {"name": r["name"], "teacher": None if r["last_name"] is None else {"last_name": r["last_name"]}}
        for r in expected
    ]


async def test_enrollments_ordered_by_class_and_student(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    got = await get(
        api, "/enrollments?select=class:classes(name),student:students(student_number)"
        "&order=class(name).desc,student(student_number)", school,
    )  # fmt: skip
    expected = await committer_session.fetch(
        """select c.name, s.student_number from data.enrollments e
           join data.classes c on c.school_id = e.school_id and c.id = e.class_id
           join data.students s on s.school_id = e.school_id and s.id = e.student_id
           where e.school_id = $1 order by c.name desc, s.student_number""",
        school.id,
    )
    assert [(r["class"]["name"], r["student"]["student_number"]) for r in got] == [tuple(r) for r in expected]
    assert len(expected) == 5


async def test_the_ordered_column_need_not_be_shown(api: Api, school: School) -> None:
    got = await get(api, "/classes?select=name,teachers(first_name)&order=teachers(last_name).desc,name", school)
    assert [row["name"] for row in got] == ["Free study", "Maths 7A", "History 7B"]  # desc: nulls first
    assert all(set(row) == {"name", "teachers"} for row in got)


async def test_a_spread_embed_orders_its_parent(api: Api, school: School) -> None:
    got = await get(api, "/classes?select=name,...teachers(first_name)&order=teachers(last_name).nullsfirst", school)
    assert got == [
        {"name": "Free study", "first_name": None},
        {"name": "History 7B", "first_name": "Tess"},
        {"name": "Maths 7A", "first_name": "Tess"},
    ]


async def test_an_embedded_row_rls_hides_sorts_as_null(api: Api, school: School) -> None:
    """A teacher sees the students of their class but no login but their own:
    S-1's login sorts as null for them, so the next term decides."""
    path = "/students?select=student_number,user:users(email)&order=user(email).desc.nullslast,student_number"
    admin = await get(api, path, school)
    assert [r["student_number"] for r in admin] == ["S-1", "O-1", "O-2", "S-2"]
    assert admin[0]["user"] is not None and admin[1]["user"] is None
    teacher = await get(api, path, school, "teacher")
    assert teacher == [{"student_number": n, "user": None} for n in ("O-1", "O-2", "S-1")]


async def test_with_count_and_paging(api: Api, school: School) -> None:
    response = await api.get(
        "/classes?select=name,teachers(last_name)&order=teachers(last_name).asc.nullslast&limit=1&offset=1",
        headers=as_role("school_admin", school, prefer="count=exact"),
    )
    assert response.status_code == 206, response.text
    assert response.json() == [{"name": "Maths 7A", "teachers": {"last_name": "Teacher"}}]
    assert response.headers["content-range"] == "1-1/3"


async def test_an_embed_ordered_by_its_own_to_one_embed(api: Api, school: School) -> None:
    got = await get(
        api, "/teachers?select=last_name,classes(name,enrollments(n:count()),teacher:teachers(last_name))"
        f"&id=eq.{school.teacher}&classes.order=teacher(last_name)", school,
    )  # fmt: skip
    assert got == [{"last_name": "Teacher", "classes": [
        {"name": "Maths 7A", "enrollments": [{"n": 3}], "teacher": {"last_name": "Teacher"}}]}]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/students?select=*,class:classes(name)&order=class(name).desc", "PGRST118"),  # many-to-many
        ("/teachers?select=last_name,classes(name)&order=classes(name)", "PGRST118"),  # one-to-many
        ("/classes?select=name&order=teachers(last_name)", "PGRST108"),
        ("/classes?select=name,teacher:teachers(last_name)&order=teachers(last_name)", "PGRST108"),  # the alias
        ("/classes?select=name,teachers(last_name)&order=teachers(nope)", "42703"),
        ("/classes?select=name,teachers(last_name)&order=teachers(last_name->x)", "42883"),
        ("/classes?select=name,teachers(last_name)&order=teachers(last_name", "PGRST100"),
        ("/classes?select=count(),teachers!inner()&order=teachers(last_name)", "42803"),
    ],
)
async def test_bad_related_orders_are_400(api: Api, school: School, path: str, code: str) -> None:
    body = assert_canonical_error(await api.get(path, headers=as_role("school_admin", school)), 400, code)
    if code == "PGRST118":
        assert body["message"].startswith("A related order on '")


async def test_a_function_result_has_no_embed_to_order_by(api: Api, school: School) -> None:
    response = await api.post(
        "/rpc/set_current_term?order=parent(name)", json={"p_term_id": str(school.id)},
        headers=as_role("school_admin", school),
    )  # fmt: skip
    assert_canonical_error(response, 400, "PGRST100")


async def test_ordered_by_a_computed_field_of_the_embed(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    rows = await get(
        api, "/classes?select=name,teacher:teachers(full_name)&order=teacher(full_name).desc.nullslast,name", school
    )
    expected = await committer_session.fetch(
        """select c.name from data.classes c left join data.teachers t on t.id = c.teacher_id
           where c.school_id = $1 and not c.is_deleted
           order by t.first_name || ' ' || t.last_name desc nulls last, c.name""",
        school.id,
    )  # fmt: skip
    assert [r["name"] for r in rows] == [r["name"] for r in expected]
    assert rows[0]["teacher"]["full_name"] is not None
