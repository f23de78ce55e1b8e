"""Which function a call names, by its arguments and its body's Content-Type
(plan/functions.py, PostgREST's findProc), and the request side of it
(parse: form, raw and CSV bodies, `columns=`; `Prefer: timezone`). Pure."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.headers import checked_timezone, preferences
from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.functions import find_function
from gateway.dialect.schema.cache import Argument, Function, SchemaCache
from gateway.errors import ApiError


def _f(name: str, *args: tuple[str, str], body_param: str | None = None, default: int = 0) -> Function:
    arguments = tuple(Argument(name=n, type=t, has_default=i >= len(args) - default) for i, (n, t) in enumerate(args))
    return Function(schema="test", name=name, arguments=arguments, returns="integer", body_param=body_param)


SCHEMA = SchemaCache(
    schema="test",
    relations={},
    functions={
        "same_args": (_f("same_args", ("arg", "integer")), _f("same_args", ("arg", "xml")),
                      _f("same_args", ("arg", "text"), ("num", "integer"), default=1)),
        "unnamed": (_f("unnamed", body_param="json"), _f("unnamed", body_param="bytea"),
                    _f("unnamed", body_param="text"), _f("unnamed"), _f("unnamed", ("x", "integer"), ("y", "integer"))),
        "json_or_jsonb": (_f("json_or_jsonb", body_param="json"), _f("json_or_jsonb", body_param="jsonb")),
        "add_them": (_f("add_them", ("a", "integer"), ("b", "integer")),),
    },
)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "given", "media", "chosen"),
    [
        ("unnamed", (), "text/plain", "text"),
        ("unnamed", (), "application/octet-stream", "bytea"),
        ("unnamed", ("x", "y"), "", None),  # named arguments fit before a whole body
        ("unnamed", ("a",), "", "json"),
        ("unnamed", (), "", None),  # no arguments: the function without any
    ],
)
def test_a_post_body_fills_the_argument_its_type_suits(
    name: str, given: tuple[str, ...], media: str, chosen: str | None
) -> None:
    assert find_function(SCHEMA, name, given, post=True, body_media=media).body_param == chosen


@pytest.mark.parametrize(
    ("name", "given", "post", "message"),
    [
        ("same_args", ("arg",), False, ("Could not choose the best candidate function between: "
         "test.same_args(arg => integer), test.same_args(arg => xml), test.same_args(arg => text, num => integer)")),
        ("json_or_jsonb", ("A",), True, ("Could not choose the best candidate function between: "
         "test.json_or_jsonb( => json), test.json_or_jsonb( => jsonb)")),
    ],
)  # fmt: skip
def test_more_than_one_fitting_overload_is_300(name: str, given: tuple[str, ...], post: bool, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        find_function(SCHEMA, name, given, post=post)
    error = caught.value
    assert (error.status, error.code, error.message) == (300, "PGRST203", message)
    assert (
        error.hint
        == "Try renaming the parameters or the function itself in the database so function overloading can be resolved"
    )


def test_a_raw_body_that_no_argument_takes_is_404_without_a_hint() -> None:
    with pytest.raises(ApiError) as caught:
        find_function(SCHEMA, "add_them", (), post=True, body_media="text/xml")
    error = caught.value
    assert (error.status, error.code, error.hint) == (404, "PGRST202", None)
    assert error.message == "Could not find the function test.add_them in the schema cache"
    assert error.details == ("Searched for the function test.add_them with a single unnamed xml parameter, "
                             "but no matches were found in the schema cache.")  # fmt: skip


def test_the_hint_names_the_closest_overload_as_postgrest() -> None:
    with pytest.raises(ApiError) as caught:
        find_function(SCHEMA, "add_them", ("a", "b", "smthelse"))
    assert caught.value.hint == "Perhaps you meant to call the function test.add_them(a, b)"


def _post(query: str, content_type: str, body: bytes) -> object:
    return parse_request("POST", "f", rpc=True, query=query, headers={"content-type": content_type}, body=body)


def test_a_form_body_gives_arguments_as_a_get_does() -> None:
    request = _post("", "application/x-www-form-urlencoded", b"v=hi&v=there&a=1")
    assert (request.body_media, request.rpc_args, request.rpc_repeated) == ("form", ("a", "v"), ("v",))  # type: ignore[attr-defined]
    assert request.values == ("1", ("hi", "there")) and request.body is None  # type: ignore[attr-defined]


def test_raw_csv_and_column_limited_bodies() -> None:
    raw = _post("", "text/plain; charset=utf-8", b"some text")
    assert (raw.body_media, raw.rpc_args, raw.body) == ("text/plain", (), b"some text")  # type: ignore[attr-defined]
    csv = _post("", "text/csv", b"a,b\n1,2\n")
    assert (csv.body_media, csv.rpc_args) == ("text/csv", ("a", "b"))  # type: ignore[attr-defined]
    named = _post("columns=name", "application/json", b'{"name": "John", "smth": "here"}')
    assert named.rpc_args == ("name",)  # type: ignore[attr-defined]


def test_a_timezone_postgres_does_not_know_is_ignored_or_refused_when_strict() -> None:
    known = frozenset({"America/Los_Angeles"})
    assert checked_timezone(preferences("timezone=America/Los_Angeles"), known).timezone == "America/Los_Angeles"
    assert checked_timezone(preferences("timezone=Invalid/Zone"), known).timezone is None
    with pytest.raises(ApiError) as caught:
        checked_timezone(preferences("handling=strict, timezone=Invalid/Zone"), known)
    assert (caught.value.code, caught.value.details) == ("PGRST122", "Invalid preferences: timezone=Invalid/Zone")


def test_an_array_body_calls_with_its_first_object() -> None:
    """PostgREST's call reads one row of the body (RpcSpec:969)."""
    request = _post("", "application/json", b'[{"a": 1, "b": 2}, {"a": 4, "b": 6}]')
    assert (request.rpc_args, request.body) == (("a", "b"), b'{"a":1,"b":2}')  # type: ignore[attr-defined]
    with pytest.raises(ApiError) as caught:
        _post("", "application/json", b'[{"a": 1}, {"b": 2}]')
    assert (caught.value.code, caught.value.message) == ("PGRST102", "All object keys must match")
