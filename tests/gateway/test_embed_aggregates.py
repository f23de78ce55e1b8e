"""Aggregates inside embedded resources (PostgREST 12: `enrollments(count())`),
parse -> plan -> render, pure. What the SQL returns is checked against the
database in test_http_embed_aggregates.py."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.request import SelectItem, parse_request
from gateway.dialect.parse.select import Embed
from gateway.dialect.plan.action import SelectField
from gateway.dialect.plan.embeds import embeds_aggregate
from tests.gateway.test_embed_plan import embeds, error
from tests.gateway.test_embed_render import rendered

C, S = '"api"."classes"', '"api"."students"'
COUNT = SelectItem(column="", aggregate="count")


def select(text: str) -> tuple[SelectItem | Embed, ...] | None:
    return parse_request("GET", "classes", rpc=False, query=f"select={text}", headers={}, body=None).select


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name,enrollments(count())", (SelectItem(column="name"), Embed(name="enrollments", select=(COUNT,)))),
        ("e:enrollments(n:count()::text,student_id.max())", (Embed(name="enrollments", alias="e", select=(
            SelectItem(column="", alias="n", cast="text", aggregate="count"),
            SelectItem(column="student_id", aggregate="max"))),)),
        ("students(student_number,enrollments(count()))", (Embed(name="students", select=(
            SelectItem(column="student_number"), Embed(name="enrollments", select=(COUNT,)))),)),
        ("count(),students!inner()", (COUNT, Embed(name="students", inner=True))),
        # Not an aggregate's syntax: still an embed (named `count`, `id.median`), which plan refuses.
        ("enrollments(count(id))", (Embed(name="enrollments", select=(
            Embed(name="count", select=(SelectItem(column="id"),)),)),)),
    ],
)  # fmt: skip
def test_parse(text: str, expected: tuple[SelectItem | Embed, ...]) -> None:
    assert select(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name,enrollments(count())", True),
        ("students(enrollments(count()))", True),
        ("count(),students!inner()", False),  # top level: plan.py's ReadPlan.aggregated says so
        ("name,enrollments(*)", False),
        ("name", False),
    ],
)
def test_embeds_aggregate(text: str, expected: bool) -> None:
    assert embeds_aggregate(select(text)) is expected


@pytest.mark.parametrize(
    ("target", "query", "aggregated", "fields"),
    [
        ("classes", "select=name,enrollments(count())", True,
         (SelectField(column="", alias="count", aggregate="count"),)),
        ("classes", "select=name,enrollments(student_id,n:count()::text)", True,
         (SelectField(column="student_id"), SelectField(column="", alias="n", cast='"pg_catalog"."text"', aggregate="count"))),
        ("students", "select=classes(last:name.max())", True,
         (SelectField(column="name", alias="last", aggregate="max"),)),
        ("students", "select=classes(name)", False, (SelectField(column="name"),)),
        # PostgREST's `embed(count)`: no column named count, so Postgres' `t.count` is `count(t)`.
        ("classes", "select=name,enrollments(count)", True,
         (SelectField(column="", alias="count", aggregate="count"),)),
    ],
)  # fmt: skip
def test_plan(target: str, query: str, aggregated: bool, fields: tuple[SelectField, ...]) -> None:
    (plan,) = embeds(query, target)
    assert (plan.aggregated, plan.select) == (aggregated, fields)


@pytest.mark.parametrize(
    ("target", "query", "aggregated", "hoisted"),
    [
        ("classes", "select=name,...teachers(count())", False, True),  # grouped by the parent
        ("classes", "select=name,...teachers(last_name)", False, False),
        ("teachers", "select=classes(name,...teachers(n:count()))", True, False),  # grouped in `classes`
        ("teachers", "select=classes(name,students(id),n:count())", True, False),  # by `students` JSON too
    ],
)
def test_aggregates_of_a_to_one_spread_are_hoisted(target: str, query: str, aggregated: bool, hoisted: bool) -> None:
    """PostgREST's hoistSpreadAggFunctions: up to the first level that is not a spread."""
    (plan,) = embeds(query, target)
    assert (plan.aggregated, plan.hoisted) == (aggregated, hoisted)


@pytest.mark.parametrize(
    ("target", "query", "fragments"),
    [
        ("classes", "select=name,enrollments(count())", [
            ('left join lateral (select json_agg("pgrst_1_r") as body from (select count(*) as "count" '
             'from "api"."enrollments" as "pgrst_1_s" where "pgrst_1_s"."school_id" = ' f'{C}."school_id" '
             f'and "pgrst_1_s"."class_id" = {C}."id") "pgrst_1_r") "pgrst_1" on true'),
            'coalesce("pgrst_1".body, \'[]\'::json) as "enrollments"',
        ]),
        # Grouped inside the LATERAL subquery: per parent row, before the embed's order and limit.
        ("classes", "select=name,e:enrollments(student_id,n:count()::text)&e.order=student_id&e.limit=2", [
            'select "pgrst_1_s"."student_id" as "student_id", cast(count(*) as "pg_catalog"."text") as "n" from',
            (f'and "pgrst_1_s"."class_id" = {C}."id" group by "pgrst_1_s"."student_id" '
             'order by "pgrst_1_s"."student_id" limit $1::text::bigint'),
        ]),
        ("students", "select=student_number,classes(name.min())", [
            'select min("pgrst_1_s"."name") as "min" from "api"."classes" as "pgrst_1_s" join "api"."enrollments"',
        ]),
        ("teachers", "select=last_name,classes(name,students(count()))", [
            'select count(*) as "count" from "api"."students" as "pgrst_2_s"',
        ]),
        # A to-one spread's aggregates are applied by its parent, grouped there.
        ("classes", "select=name,...teachers(n:count(),top:last_name.max()::text)", [
            ('(select 1 as "pgrst_c1", "pgrst_1_s"."last_name" as "pgrst_c2" from "api"."teachers" as '
             '"pgrst_1_s" where'),
            (f'select {C}."name" as "name", count("pgrst_1"."pgrst_c1") as "n", '
             'cast(max("pgrst_1"."pgrst_c2") as "pg_catalog"."text") as "top" from'),
            f'"pgrst_1" on true group by {C}."name" limit',
        ]),
        # Beside a shown embed: grouped by its JSON's text.
        ("classes", "select=n:count(),teachers(last_name)", [
            'select count(*) as "n", "pgrst_1".body::text::json as "teachers" from',
            '"pgrst_1" on true group by "pgrst_1".body::text limit',
        ]),
        ("classes", "select=n:count(),...teachers(last_name)", [
            'select count(*) as "n", "pgrst_1"."last_name" as "last_name" from',
            '"pgrst_1" on true group by "pgrst_1"."last_name" limit',
        ]),
        # Top level aggregates beside an embed that only filters: grouped at the top level.
        ("students", "select=student_number,n:count(),classes!inner()&classes.name=eq.X", [
            f'select {S}."student_number" as "student_number", count(*) as "n" from {S} left join lateral',
            f'where "pgrst_1".body is not null group by {S}."student_number" limit $2 offset $3',
        ]),
    ],
)  # fmt: skip
def test_render(target: str, query: str, fragments: list[str]) -> None:
    result, _ = rendered(query, target)
    for fragment in fragments:
        assert fragment in result.sql


def test_the_exact_count_of_a_grouped_read_beside_a_filtering_embed_counts_groups() -> None:
    result, _ = rendered("select=student_number,count(),classes!inner()", "students", prefer="count=exact")
    assert f"(select count(*) from (select 1 from {S} left join lateral" in result.sql
    assert f'group by {S}."student_number") pgrst_g) as total' in result.sql


def test_values_stay_out_of_the_sql_text() -> None:
    first, args = rendered("select=name,e:enrollments(n:count())&e.student_id=eq.A&e.limit=3", "classes")
    second, other = rendered("select=name,e:enrollments(n:count())&e.student_id=eq.B&e.limit=4", "classes")
    assert first.sql == second.sql
    assert (args[:2], other[:2]) == (("A", "3"), ("B", "4"))


@pytest.mark.parametrize(
    ("target", "query", "code", "words"),
    [
        ("classes", "select=name,enrollments(*,count())", "PGRST100", "'*' cannot be selected with aggregates"),
        # PostgREST 13 (addToManyOrderSelects); 12 refused every to-many spread (PGRST119).
        ("classes", "select=name,...enrollments(count())", "PGRST127", "not implemented for one-to-many"),
        ("classes", "select=*,...teachers(count())", "PGRST100", "'*' cannot be selected with aggregates"),
        ("classes", "select=name,...teachers(n:count())&order=teachers(last_name)", "42803", "GROUP BY"),
        ("classes", "select=enrollments(nope.count())", "42703", "nope"),
        ("classes", "select=enrollments(id.median())", "PGRST200", "'id.median'"),
        ("classes", "select=enrollments(count()::nope)", "42704", 'type "nope" does not exist'),
        ("classes", "select=enrollments(count()", "PGRST100", "expecting ')'"),
        # Not left to Postgres, whose message would name the subquery's aliases.
        ("classes", "select=e:enrollments(class_id,count())&e.order=student_id", "42803", '"e.student_id"'),
    ],
)
def test_errors(target: str, query: str, code: str, words: str) -> None:
    caught = error(query, target)  # parse's errors too: `error` parses the request
    assert (caught.status, caught.code) == (400, code)
    assert words in f"{caught.message} {caught.details} {caught.hint}"
