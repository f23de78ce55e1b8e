"""keyset.py and the keyset plan/SQL: cursors, predicates, links. Pure;
test_http_keyset.py walks pages against Postgres."""

from __future__ import annotations

import pytest

from gateway.errors import ApiError
from gateway.keyset import decode, encode, next_link, predicate
from gateway.parse import parse_request
from gateway.plan import plan_request
from gateway.render import bind, render
from tests.gateway.catalog import SCHEMA

SECRET = "k" * 32


def test_a_cursor_round_trips_and_is_opaque() -> None:
    cursor = encode(SECRET, ("last_name", "id"), ["O'Brien", "0190-..."])
    assert "O'Brien" not in cursor
    assert decode(SECRET, ("last_name", "id"), cursor) == ("O'Brien", "0190-...")
    assert decode(SECRET, ("n",), encode(SECRET, ("n",), [5])) == ("5",)  # numbers come back as text for $n::text::type


@pytest.mark.parametrize(
    "cursor",
    [
        encode("another-secret-0123456789abcdef", ("last_name", "id"), ["a", "b"]),  # not ours
        encode(SECRET, ("id",), ["b"]),  # issued for another ordering
        encode(SECRET, ("last_name", "id"), ["a", "b"])[:-2] + "AA",  # altered
        "garbage",
        "",
    ],
)
def test_forged_or_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(ApiError) as caught:
        decode(SECRET, ("last_name", "id"), cursor)
    assert (caught.value.status, caught.value.code) == (400, "PGRST100")


@pytest.mark.parametrize(
    ("descending", "sql"),
    [
        ([False, False], "((a, b) > ($1, $2))"),
        ([True, True], "((a, b) < ($1, $2))"),
        ([True, False], "((a < $1) or (a = $1 and b > $2))"),
    ],
)
def test_predicates(descending: list[bool], sql: str) -> None:
    assert predicate(["a", "b"], descending, ["$1", "$2"]) == sql


def test_next_link_keeps_the_query_and_replaces_cursor_and_offset() -> None:
    link = next_link("/students", "select=id&order=last_name&cursor=old&offset=20&limit=10", "NEW")
    assert link == '</students?select=id&order=last_name&limit=10&cursor=NEW>; rel="next"'


def rendered(query: str) -> tuple[str, tuple]:
    request = parse_request("GET", "students", rpc=False, query=query, headers={}, body=None)
    statement = render(plan_request(request, SCHEMA))
    cursor = ("x", "y") if request.cursor is not None else ()
    return statement.sql, bind(statement, request, 1000, cursor)


S = '"api"."students"'


def test_an_ordered_read_appends_the_key_and_returns_the_last_key() -> None:
    sql, args = rendered("select=id&order=last_name.desc&last_name=neq.z")
    assert f'order by {S}."last_name" desc, {S}."id" limit $2 offset $3' in sql
    # The key and the row's JSON are built for the page only, after the limit.
    assert 'json_build_array(pgrst_l."last_name", pgrst_l."id") as pgrst_key' in sql
    assert sql.index("limit $2 offset $3") < sql.index('pgrst_l order by pgrst_l."last_name" desc, pgrst_l."id"')
    assert args == ("z", 1000, 0)


def test_a_cursor_continues_with_a_typed_row_comparison() -> None:
    sql, args = rendered("select=id&order=last_name.desc&last_name=neq.z&cursor=abc")
    assert (
        f'where ({S}."last_name" <> $1::text) and (({S}."last_name" < $4::text) or '
        f'({S}."last_name" = $4::text and {S}."id" > $5::text::uuid)) order by'
    ) in sql
    assert args == ("z", 1000, 0, "x", "y")
    same_direction, _ = rendered("order=last_name,id&cursor=abc")
    assert f'where (({S}."last_name", {S}."id") > ($3::text, $4::text::uuid))' in same_direction


def test_cursors_share_one_plan_whatever_their_text() -> None:
    one = parse_request("GET", "students", rpc=False, query="order=id&cursor=a", headers={}, body=None)
    two = parse_request("GET", "students", rpc=False, query="order=id&cursor=b", headers={}, body=None)
    assert one.shape() == two.shape()


@pytest.mark.parametrize(
    "query",
    [
        "order=gender&cursor=x",  # gender may be null: no total order
        "order=extra->>k&cursor=x",  # a JSON path may be null
    ],
)
def test_cursor_needs_a_not_null_order(query: str) -> None:
    with pytest.raises(ApiError) as caught:
        rendered(query)
    assert caught.value.code == "PGRST100"


def test_nullable_orders_and_unordered_reads_page_by_offset() -> None:
    for query in ("order=gender", "select=id", "order=last_name&limit=1"):
        sql, _ = rendered(query)
        assert ("pgrst_key" in sql) is (query == "order=last_name&limit=1")
