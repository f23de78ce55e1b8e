"""embed_render.py: embed plans -> LATERAL subqueries in one statement.
Pure; what the SQL returns is checked in test_http_embed.py."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import plan_request
from gateway.dialect.render.statement import Rendered, bind, render
from tests.gateway.test_embed_plan import SCHEMA

C, S = '"api"."classes"', '"api"."students"'


def rendered(query: str, target: str = "students", method: str = "GET", **headers: str) -> tuple[Rendered, tuple]:
    body = b'{"name": "x"}' if method == "POST" else None
    request = parse_request(method, target, rpc=False, query=query, headers=headers, body=body)
    columns = ("name",) if method == "POST" else ()
    result = render(plan_request(request, SCHEMA, columns=columns))
    return result, bind(result, request, 100)


@pytest.mark.parametrize(
    ("target", "query", "fragments"),
    [
        ("classes", "select=name,teachers(last_name)", [
            f'select {C}."name" as "name", "pgrst_1".body as "teachers" from {C} left join lateral (',
            ('select row_to_json("pgrst_1_r") as body from (select "pgrst_1_s"."last_name" as "last_name" '
            'from "api"."teachers" as "pgrst_1_s" where "pgrst_1_s"."school_id" = ' f'{C}."school_id" '
            f'and "pgrst_1_s"."id" = {C}."teacher_id") "pgrst_1_r") "pgrst_1" on true'),
        ]),
        ("students", "select=*,enrollments(*)", [
            f'{S}.*, coalesce("pgrst_1".body, \'[]\'::json) as "enrollments"',
            'select json_agg("pgrst_1_r") as body from (select "pgrst_1_s".* from "api"."enrollments" as "pgrst_1_s"',
            f'where "pgrst_1_s"."school_id" = {S}."school_id" and "pgrst_1_s"."student_id" = {S}."id")',
        ]),
        ("students", "select=*,classes(*)", [
            ('from "api"."classes" as "pgrst_1_s" join "api"."enrollments" as "pgrst_2_j" on '
            '"pgrst_2_j"."school_id" = "pgrst_1_s"."school_id" and "pgrst_2_j"."class_id" = "pgrst_1_s"."id"'),
            f'where "pgrst_2_j"."school_id" = {S}."school_id" and "pgrst_2_j"."student_id" = {S}."id"',
        ]),
        ("students", "select=id,classes!inner(name)&classes.name=eq.X", [
            'and ("pgrst_1_s"."name" = $1::text)',
            'where "pgrst_1".body is not null limit $2 offset $3',
        ]),
        ("students", "select=id,c:classes(name)&c.order=name.desc&c.limit=2&c.offset=1", [
            'order by "pgrst_1_s"."name" desc limit $1::text::bigint offset $2::text::bigint',
            'as "c" from',
        ]),
        ("classes", "select=name,...teachers(last_name)", [
            (f'select {C}."name" as "name", "pgrst_1"."last_name" as "last_name" from {C} left join lateral '
             '(select "pgrst_1_s"."last_name"'),
        ]),
        ("classes", "select=students(id,parents(first_name))", [
            'coalesce("pgrst_2".body, \'[]\'::json) as "parents" from "api"."students" as "pgrst_1_s"',
            'where "pgrst_3_j"."school_id" = "pgrst_1_s"."school_id" and "pgrst_3_j"."student_id" = "pgrst_1_s"."id"',
        ]),
        ("classes", 'select=a"b:teachers(last_name)', ['as "a""b"']),
    ],
)  # fmt: skip
def test_fragments(target: str, query: str, fragments: list[str]) -> None:
    sql = rendered(query, target)[0].sql
    for fragment in fragments:
        assert fragment in sql, (fragment, sql)


def test_values_are_parameters_in_slot_order() -> None:
    result, args = rendered("select=id,classes(name)&classes.name=eq.X&classes.limit=3&id=eq.7&limit=5")
    assert args == ("X", "3", "7", 5, 0)
    assert "'X'" not in result.sql and "'7'" not in result.sql


def test_inner_joins_into_the_count_only_when_needed() -> None:
    plain = rendered("select=id,classes(name)", prefer="count=exact")[0].sql
    inner = rendered("select=id,classes!inner(name)", prefer="count=exact")[0].sql
    assert f"(select count(*) from {S}) as total" in plain
    assert (
        f"(select count(*) from {S} left join lateral" in inner
        and 'where "pgrst_1".body is not null) as total' in inner
    )


def test_columns_and_embeds_keep_the_select_order() -> None:
    sql = rendered("select=classes(name),id,parents!inner(),student_number")[0].sql
    assert f'select coalesce("pgrst_1".body, \'[]\'::json) as "classes", {S}."id" as "id", ' in sql
    assert f'as "id", {S}."student_number" as "student_number" from {S}' in sql


def test_an_empty_embed_is_not_shown() -> None:
    sql = rendered("select=id,classes!inner()")[0].sql
    assert f'select {S}."id" as "id" from {S} left join lateral (select json_agg' in sql


def test_a_write_returns_its_embeds() -> None:
    sql = rendered("select=name,teachers(last_name)", "classes", "POST", prefer="return=representation")[0].sql
    assert sql.startswith('with pgrst_source as (insert into "api"."classes"')
    assert (
        'from (select pgrst_source."name" as "name", "pgrst_1".body as "teachers" from pgrst_source left join lateral'
        in sql
    )
    assert '"pgrst_1_s"."id" = pgrst_source."teacher_id"' in sql


def test_a_related_order_sorts_by_a_column_the_to_one_lateral_gives() -> None:
    sql = rendered("select=name,t:teachers(id)&order=t(last_name).desc.nullslast,name", "classes")[0].sql
    assert (
        'left join lateral (select (select row_to_json("pgrst_1_r") from (select "pgrst_1_s"."id" as '
        '"id") "pgrst_1_r") as body, "pgrst_1_s"."last_name" as "pgrst_k1" from "api"."teachers"' in sql
    )
    assert f'order by "pgrst_1"."pgrst_k1" desc nulls last, {C}."name" limit' in sql


def test_a_spread_gives_the_sorted_column_without_showing_it() -> None:
    sql = rendered("select=name,...teachers(id)&order=teachers(last_name)", "classes")[0].sql
    assert f'select {C}."name" as "name", "pgrst_1"."id" as "id" from' in sql
    assert '(select "pgrst_1_s"."id" as "id", "pgrst_1_s"."last_name" as "pgrst_k1" from' in sql


# To-many spreads (PostgREST 13, QueryBuilder.hs getJoin / SqlFragment.hs pgFmtSpreadJoinSelectItem)


def test_a_to_many_spread_aggregates_each_column_into_an_array() -> None:
    sql = rendered("select=name,...students(student_number,n:id)", "classes")[0].sql
    assert f'select {C}."name" as "name", "pgrst_1"."student_number" as "student_number", "pgrst_1"."n" as "n"' in sql
    assert (
        'left join lateral (select bool_or(true) as "pgrst_rows", '
        'coalesce(json_agg("pgrst_1_r"."student_number"), \'[]\'::json) as "student_number", '
        'coalesce(json_agg("pgrst_1_r"."n"), \'[]\'::json) as "n" from (select "pgrst_1_s"."student_number" as '
        '"student_number", "pgrst_1_s"."id" as "n" from "api"."students" as "pgrst_1_s" join "api"."enrollments"'
    ) in sql


def test_a_to_many_spread_orders_every_array_by_the_same_keys() -> None:
    result, args = rendered("select=name,...students(id)&students.order=student_number.desc.nullslast&students.limit=2",
                            "classes")  # fmt: skip
    sql = result.sql
    assert 'json_agg("pgrst_1_r"."id" order by "pgrst_1_r"."pgrst_o1" desc nulls last)' in sql
    assert (
        '"pgrst_1_s"."student_number" as "pgrst_o1" from' in sql
        and 'order by "pgrst_1_s"."student_number" desc nulls last limit $1::text::bigint) "pgrst_1_r"' in sql
    )
    assert args[0] == "2"


def test_a_to_many_spread_inner_keeps_parents_with_rows() -> None:
    sql = rendered("select=name,...students!inner(id)&students.student_number=eq.X", "classes")[0].sql
    assert 'where "pgrst_1"."pgrst_rows" is not null limit' in sql
    assert 'and ("pgrst_1_s"."student_number" = $1::text)' in sql


def test_a_to_one_spread_inner_says_whether_its_row_is_there() -> None:
    sql = rendered("select=name,...teachers!inner(last_name)", "classes")[0].sql
    assert '(select "pgrst_1_s"."last_name" as "last_name", true as "pgrst_rows" from "api"."teachers"' in sql
    assert 'where "pgrst_1"."pgrst_rows" is not null limit' in sql


def test_a_to_many_spreads_nested_embeds_become_arrays_of_their_json() -> None:
    sql = rendered("select=name,...students(id,enrollments(id),...parents(first_name))", "classes")[0].sql
    assert 'coalesce(json_agg("pgrst_1_r"."enrollments"), \'[]\'::json) as "enrollments"' in sql
    assert 'coalesce("pgrst_2".body, \'[]\'::json) as "enrollments"' in sql  # each student's own array
    assert 'coalesce(json_agg("pgrst_1_r"."first_name"), \'[]\'::json) as "first_name"' in sql


def test_aggregates_beside_a_to_many_spread_group_by_its_arrays_text() -> None:
    sql = rendered("select=count(),...classes(name)", "students")[0].sql
    assert '"pgrst_1"."name"::text::json as "name"' in sql
    assert 'group by "pgrst_1"."name"::text' in sql
