"""Variadic and repeated GET arguments (PostgREST: `/rpc/f?v=hi&v=there`):
parse keeps a repeated argument's values in one slot, render passes a
variadic argument `variadic v => <array>` and any other repeated argument its
last value. Pure; RpcSpec 772-828 run them against Postgres."""

from __future__ import annotations

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import CallPlan, plan_request
from gateway.dialect.render.statement import render
from gateway.dialect.schema.cache import Argument, SchemaCache
from tests.gateway.catalog import function

SCHEMA = SchemaCache(
    schema="api",
    relations={},
    functions={
        "tags": (function("tags", Argument(name="v", type="text[]", has_default=True, variadic=True),
                          returns="text[]"),),
        "hello": (function("hello", Argument(name="name", type="text"), returns="text"),),
    },
)  # fmt: skip


def call(query: str, target: str) -> tuple[CallPlan, str, tuple[str, ...]]:
    request = parse_request("GET", target, rpc=True, query=query, headers={}, body=None)
    plan = plan_request(request, SCHEMA)
    assert isinstance(plan, CallPlan)
    return plan, render(plan).sql, request.values


def test_a_variadic_argument_given_once_is_an_array_of_one() -> None:
    _, sql, values = call("v=hi", "tags")
    assert 'variadic "v" => array[$1::text]::text[]' in sql and values == ("hi",)


def test_a_variadic_argument_given_twice_takes_both() -> None:
    plan, sql, values = call("v=hi&v=there", "tags")
    assert 'variadic "v" => array(select json_array_elements_text($1::json))::text[]' in sql
    assert values == ('["hi","there"]',) and plan.arguments[0].repeated


def test_any_other_argument_given_twice_takes_the_last() -> None:
    _, sql, values = call("name=ignored&name=world", "hello")
    assert '"name" => ($1::json->>-1)::text' in sql and values == ('["ignored","world"]',)


def test_a_posted_variadic_argument_is_passed_as_variadic() -> None:
    request = parse_request("POST", "tags", rpc=True, query="", headers={}, body=b'{"v": ["a", "b"]}')
    sql = render(plan_request(request, SCHEMA)).sql
    assert 'variadic "v" => pgrst_args."v"' in sql
