"""Variadic and repeated GET arguments (PostgREST: `/rpc/f?v=hi&v=there`):
parse keeps a repeated argument's values in one slot, render passes a
variadic argument `variadic v => <array>` and any other repeated argument its
last value; and `Prefer: params=single-object`. Pure; RpcSpec 250, 772-828
and 857-885 run them against Postgres."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import CallPlan, plan_request
from gateway.dialect.render.statement import render
from gateway.dialect.schema.cache import Argument, SchemaCache
from gateway.errors import ApiError
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
    assert 'variadic "v" => $1::text[]::text[]' in sql
    assert values == (("hi", "there"),) and plan.arguments[0].repeated


def test_any_other_argument_given_twice_takes_the_last() -> None:
    _, sql, values = call("name=ignored&name=world", "hello")
    assert '"name" => ($1::text[])[cardinality($1::text[])]::text' in sql and values == (("ignored", "world"),)


def test_a_posted_variadic_argument_is_passed_as_variadic() -> None:
    request = parse_request("POST", "tags", rpc=True, query="", headers={}, body=b'{"v": ["a", "b"]}')
    sql = render(plan_request(request, SCHEMA)).sql
    assert 'variadic "v" => pgrst_args."v"' in sql


SINGLE = SchemaCache(
    schema="api",
    relations={},
    functions={"echo": (function("echo", Argument(name="payload", type="jsonb"), returns="jsonb"),)},
)
PREFER = {"prefer": "params=single-object"}


def test_a_single_object_post_passes_the_whole_body_by_position() -> None:
    """`Prefer: params=single-object` (PostgREST): any JSON body, an array too, is the one json/jsonb argument."""
    request = parse_request("POST", "echo", rpc=True, query="", headers=PREFER, body=b'[{"x": 1}]')
    plan = plan_request(request, SINGLE)
    rendered = render(plan)
    assert '"api"."echo"($1::text::jsonb)' in rendered.sql and rendered.extras[0] == "body"


def test_a_single_object_get_passes_its_arguments_as_one_object() -> None:
    request = parse_request("GET", "echo", rpc=True, query="p1=1&p2=text", headers=PREFER, body=None)
    assert request.values == ('{"p1":"1","p2":"text"}',)
    assert '"api"."echo"($1::text::jsonb)' in render(plan_request(request, SINGLE)).sql


def test_single_object_needs_one_json_argument() -> None:
    request = parse_request("POST", "tags", rpc=True, query="", headers=PREFER, body=b"{}")
    with pytest.raises(ApiError) as caught:
        plan_request(request, SCHEMA)
    assert (caught.value.status, caught.value.code, caught.value.hint) == (404, "PGRST202", None)
    assert caught.value.details == (
        "Searched for the function api.tags with a single json/jsonb parameter, but no matches were found in the "
        "schema cache."
    )
