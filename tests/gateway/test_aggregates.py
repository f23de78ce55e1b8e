"""aggregates.py through parse -> plan -> render. Pure; test_http_aggregates.py
checks the numbers against Postgres."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.request import SelectItem, parse_request
from gateway.dialect.plan.action import plan_request
from gateway.dialect.render.statement import render
from gateway.errors import ApiError
from tests.gateway.catalog import SCHEMA

S = '"api"."students"'


def get(query: str, **headers: str):  # type: ignore[no-untyped-def]
    return parse_request("GET", "students", rpc=False, query=query, headers=headers, body=None)


@pytest.mark.parametrize(
    ("select", "items"),
    [
        ("count()", (SelectItem(column="", aggregate="count"),)),
        ("gender,count()", (SelectItem(column="gender"), SelectItem(column="", aggregate="count"))),
        ("total:id.count()", (SelectItem(column="id", alias="total", aggregate="count"),)),
        ("balance.sum()::text", (SelectItem(column="balance", cast="text", aggregate="sum"),)),
        # a cast before the aggregate applies to its input (PostgREST's AggregateFunctionsSpec:84)
        ("s:extra->>k::integer.sum()::text",
         (SelectItem(column="extra->>k", alias="s", input_cast="integer", cast="text", aggregate="sum"),)),
        ("a:balance.avg(),balance.min(),balance.max()", (
            SelectItem(column="balance", alias="a", aggregate="avg"), SelectItem(column="balance", aggregate="min"),
            SelectItem(column="balance", aggregate="max"))),
    ],
)  # fmt: skip
def test_parse(select: str, items: tuple) -> None:
    assert get(f"select={select}").select == items


@pytest.mark.parametrize(
    ("query", "fragments"),
    [
        ("select=gender,count()", [f'select {S}."gender" as "gender", count(*) as "count" from {S} group by {S}."gender" limit']),
        ("select=t:balance.sum(),balance.avg()::text", [f'sum({S}."balance") as "t", cast(avg({S}."balance") as "pg_catalog"."text") as "avg"']),
        ("select=s:extra->>k::integer.sum()::text",
         [f"cast(sum(cast({S}.\"extra\"->>'k' as \"pg_catalog\".\"int4\")) as \"pg_catalog\".\"text\") as \"s\""]),
        ("select=extra->>k,n:id.count()&order=extra->>k",
         [f"""group by {S}."extra"->>'k' order by {S}."extra"->>'k' limit"""]),
    ],
)  # fmt: skip
def test_render(query: str, fragments: list[str]) -> None:
    plan = plan_request(get(query), SCHEMA)
    sql = render(plan).sql
    for fragment in fragments:
        assert fragment in sql
    assert "pgrst_key" not in sql  # aggregated reads page by offset, never by keyset


def test_counting_an_aggregated_read_counts_its_groups() -> None:
    sql = render(plan_request(get("select=gender,count()", prefer="count=exact"), SCHEMA)).sql
    assert f'(select count(*) from (select 1 from {S} group by {S}."gender") pgrst_g) as total' in sql


def test_star_with_aggregates_is_refused() -> None:
    with pytest.raises(ApiError) as caught:
        plan_request(get("select=*,count()"), SCHEMA)
    assert caught.value.code == "PGRST100"


def test_an_unknown_input_cast_is_refused() -> None:
    # The cast before the aggregate is looked up in the catalog's types, as every cast (casts.py).
    with pytest.raises(ApiError) as caught:
        plan_request(get("select=balance::bogus.sum()"), SCHEMA)
    assert (caught.value.code, caught.value.message) == ("42704", 'type "bogus" does not exist')
    with pytest.raises(ApiError) as caught:
        get("select=balance::bo;gus.sum()")
    assert (caught.value.code, caught.value.details) == (
        "PGRST100",
        "unexpected cast 'bo;gus' in 'balance::bo;gus.sum()'",
    )
