"""The computed fields and relationships of the api views
(db/tenancy/computed.sql): who may call them, how they are declared,
and that row-level security applies to what they read, run as each role with
its claims in a rolled-back transaction."""

from __future__ import annotations

import asyncpg
import pytest

from tests.db.conftest import act_as
from tests.factories import CALLER_ROLES, School, execute_holders

FUNCTIONS = {
    # function: the api views its caller must be able to read
    "api.full_name(api.students)": ("students",),
    "api.full_name(api.teachers)": ("teachers",),
    "api.full_name(api.parents)": ("parents",),
    "api.current_term(api.schools)": ("schools", "academic_terms"),
    "api.current_classes(api.students)": ("students", "classes", "enrollments", "academic_terms"),
    "api.current_classes(api.teachers)": ("teachers", "classes", "academic_terms"),
    "api.search_students(text)": ("students",),
    "api.schools(api.enrollments)": ("enrollments", "schools"),  # db/tenancy/computed.sql
    "api.schools(api.audit_log)": ("audit_log", "schools"),
}


# Functions whose rows are whole rows of the view (`select s.*`): their callers
# must read every column; a function of a row is given the columns its caller
# may read (issue 13, F2: partner_sync reads students without the demographics).
WHOLE_ROWS = {"api.search_students(text)"}


async def readers(connection: asyncpg.Connection, views: tuple[str, ...], whole: bool = False) -> set[str]:
    rows = await connection.fetch(
        """select r from unnest($1::text[]) r
           where (select bool_and(case when $3 then not exists (
                                           select from pg_attribute a
                                           where a.attrelid = format('api.%I', v)::regclass and a.attnum > 0
                                             and not a.attisdropped and not has_column_privilege(r, a.attrelid, a.attnum, 'select'))
                                       else has_any_column_privilege(r, format('api.%I', v), 'select') end)
                  from unnest($2::text[]) v)""",
        list(CALLER_ROLES), list(views), whole,
    )  # fmt: skip
    return {row["r"] for row in rows}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
async def test_execute_goes_to_exactly_the_roles_that_read_the_views(admin: asyncpg.Connection, function: str) -> None:
    expected = await readers(admin, FUNCTIONS[function], whole=function in WHOLE_ROWS)
    assert await execute_holders(admin, function) == expected, function


async def test_every_function_of_a_row_is_listed_here(admin: asyncpg.Connection) -> None:
    rows = await admin.fetch(
        """select p.oid::regprocedure::text as name from pg_proc p
           where p.pronamespace = 'api'::regnamespace and p.pronargs = 1
             and exists (select from pg_class c where c.reltype = p.proargtypes[0])"""
    )
    assert {r["name"] for r in rows} <= set(FUNCTIONS), "a new computed function needs its grants checked here"


async def test_declared_stable_security_invoker_with_a_pinned_search_path_unless_inlined(
    admin: asyncpg.Connection,
) -> None:
    rows = await admin.fetch(
        """select p.oid::regprocedure::text as name, p.provolatile::text, p.prosecdef, p.proconfig,
                  obj_description(p.oid, 'pg_proc') as comment
           from pg_proc p where p.oid = any($1::regprocedure[])""",
        sorted(FUNCTIONS),
    )
    assert len(rows) == len(FUNCTIONS)
    for row in rows:
        assert row["provolatile"] == "s" and not row["prosecdef"], row["name"]
        # full_name names nothing through the search path (pg_catalog.concat_ws), so it
        # goes without the SET clause that would keep the planner from inlining it.
        inlined = row["name"].startswith("api.full_name(")
        assert row["proconfig"] == (None if inlined else ['search_path=""']), row["name"]
        assert row["comment"], f"{row['name']} is documented"


@pytest.mark.parametrize("view", ["students", "teachers", "parents"])
async def test_a_filter_on_full_name_is_an_expression_not_a_call_per_row(admin: asyncpg.Connection, view: str) -> None:
    plan = await admin.fetchval(
        f"explain (verbose, format json) select id from api.{view} v where api.full_name(v) ilike '%ann%'"
    )
    assert "concat_ws(" in plan and "full_name(" not in plan


async def test_current_term_to_one_and_current_classes_to_many(admin: asyncpg.Connection) -> None:
    rows = await admin.fetch(
        """select p.proname::text as name, p.proretset, p.prorows from pg_proc p
           where p.oid = any(array['api.current_term(api.schools)', 'api.current_classes(api.students)']::regprocedure[])
           order by 1"""
    )
    assert [(r["name"], r["proretset"], r["prorows"]) for r in rows] == [
        ("current_classes", True, 1000),
        ("current_term", True, 1),
    ]


async def test_a_teacher_reaches_only_their_own_classes_through_current_classes(
    authenticator: asyncpg.Connection, committer: asyncpg.Connection, school: School
) -> None:
    await committer.execute("update data.academic_terms set is_current = true where id = $1", school.term)
    await committer.execute(
        "update data.classes set academic_term_id = $2 where school_id = $1", school.id, school.term
    )
    await committer.execute(
        "insert into data.enrollments (school_id, student_id, class_id) values ($1, $2, $3)",
        school.id, school.student, school.other_class,
    )  # fmt: skip
    query = """select c.name from api.students s cross join lateral api.current_classes(s) c
               where s.id = $1 order by 1"""
    await act_as(authenticator, "teacher", school_id=school.id, sub=school.teacher_user)
    assert [r["name"] for r in await authenticator.fetch(query, school.student)] == ["Maths 7A"]
    await authenticator.execute("reset role")
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    assert [r["name"] for r in await authenticator.fetch(query, school.student)] == ["History 7B", "Maths 7A"]


async def test_current_term_of_another_school_is_not_reached(
    authenticator: asyncpg.Connection, committer: asyncpg.Connection, school: School, other_school: School
) -> None:
    await committer.execute("update data.academic_terms set is_current = true where id = $1", other_school.term)
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    # A school row of the other school built by hand: the function still reads through RLS.
    name = await authenticator.fetchval(
        """select t.name from api.current_term(
               jsonb_populate_record(null::api.schools, jsonb_build_object('id', $1::uuid))) t""",
        other_school.id,
    )
    assert name is None
