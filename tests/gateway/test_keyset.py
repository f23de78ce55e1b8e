"""keyset.py and the keyset plan/SQL: cursors, predicates, links. Pure;
test_http_keyset.py walks pages against Postgres."""

from __future__ import annotations

import pytest

from gateway.dialect.keyset import branches, decode, encode, next_link, predicate
from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import plan_request
from gateway.dialect.render.statement import bind, render
from gateway.errors import ApiError
from tests.gateway.catalog import SCHEMA
from tests.gateway.test_embed_plan import SCHEMA as EMBED_SCHEMA

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
        # Mixed: the OR expansion behind a bound on the first key, where an index can start.
        ([True, False], "(a <= $1 and ((a < $1) or (a = $1 and b > $2)))"),
    ],
)
def test_predicates(descending: list[bool], sql: str) -> None:
    assert predicate(["a", "b"], descending, ["$1", "$2"]) == sql


@pytest.mark.parametrize(
    ("descending", "nulls_first", "sql"),
    [
        # asc, NULLs last: after a value come the greater values, then every NULL; after a NULL, only NULLs.
        ([False, False], [False, False],
         "((($1 is not null and (a > $1 or a is null))) or (a is not distinct from $1 and b > $2))"),
        # asc, NULLs first: after a NULL come every value.
        ([False, False], [True, False],
         "(((($1 is null and a is not null) or a > $1)) or (a is not distinct from $1 and b > $2))"),
        # desc defaults to NULLs first, as in Postgres.
        ([True, False], None,
         "(((($1 is null and a is not null) or a < $1)) or (a is not distinct from $1 and b > $2))"),
    ],
)  # fmt: skip
def test_nullable_predicates(descending: list[bool], nulls_first: list[bool] | None, sql: str) -> None:
    assert predicate(["a", "b"], descending, ["$1", "$2"], [True, False], nulls_first) == sql


def test_a_nullable_first_key_splits_into_index_ranges() -> None:
    after = predicate(["a", "b"], [False, False], ["$1", "$2"], [True, False], [False, False])
    assert branches(["a", "b"], [False, False], ["$1", "$2"], [True, False], [False, False]) == [
        f"(a >= $1 and {after})",  # the cursor's values onwards (none when it is NULL)
        f"(a is null and $1 is null and {after})",  # the NULLs onwards (none when it is a value)
        "(a is null and $1 is not null)",  # after a value: every NULL
    ]
    first = branches(["a", "b"], [False, False], ["$1", "$2"], [True, False], [True, False])
    assert first[2] == "(a is not null and $1 is null)"  # NULLs first: after a NULL, every value
    assert branches(["b", "a"], [False, False], ["$1", "$2"], [False, True], [False, False]) == [
        predicate(["b", "a"], [False, False], ["$1", "$2"], [False, True], [False, False])
    ]


def test_next_link_keeps_the_query_and_replaces_cursor_and_offset() -> None:
    link = next_link("/students", "select=id&order=last_name&cursor=old&offset=20&limit=10", "NEW")
    assert link == '</students?select=id&order=last_name&limit=10&cursor=NEW>; rel="next"'


def rendered(query: str, **headers: str) -> tuple[str, tuple]:
    request = parse_request("GET", "students", rpc=False, query=query, headers=headers, body=None)
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
        f'where ({S}."last_name" <> $1::text) and ({S}."last_name" <= $4::text and (({S}."last_name" < $4::text) or '
        f'({S}."last_name" = $4::text and {S}."id" > $5::text::uuid))) order by'
    ) in sql
    assert args == ("z", 1000, 0, "x", "y")
    same_direction, _ = rendered("order=last_name,id&cursor=abc")
    assert f'where (({S}."last_name", {S}."id") > ($3::text, $4::text::uuid))' in same_direction


def test_cursors_share_one_plan_whatever_their_text() -> None:
    one = parse_request("GET", "students", rpc=False, query="order=id&cursor=a", headers={}, body=None)
    two = parse_request("GET", "students", rpc=False, query="order=id&cursor=b", headers={}, body=None)
    assert one.shape() == two.shape()


@pytest.mark.parametrize(
    ("query", "headers", "message"),
    [
        ("order=extra->>k&cursor=x", {}, "cursor= cannot continue an order by a JSON path"),
        ("order=id&cursor=x", {"accept": "application/vnd.pgrst.object+json"},
         "cursor= is not supported with the singular media type"),
        ("select=gender,count()&cursor=x", {}, "cursor= is not supported with aggregates"),
    ],
)  # fmt: skip
def test_where_a_cursor_cannot_continue_it_says_why(query: str, headers: dict[str, str], message: str) -> None:
    with pytest.raises(ApiError) as caught:
        rendered(query, **headers)
    assert (caught.value.code, caught.value.message) == ("PGRST100", message)
    assert caught.value.hint


def test_nullable_orders_page_by_keyset_unordered_reads_by_offset() -> None:
    for query in ("order=gender", "select=id", "order=last_name&limit=1", "order=extra->>k"):
        sql, _ = rendered(query)
        assert ("pgrst_key" in sql) is (query in ("order=gender", "order=last_name&limit=1"))


def test_a_nullable_first_key_pages_through_a_union_of_index_ranges() -> None:
    sql, args = rendered("select=id&order=gender.desc&cursor=abc")
    assert sql.count(" union all ") == 2
    assert f'{S}."gender" <= $3::text and' in sql and f'{S}."gender" is null and $3::text is null' in sql
    assert "limit $1::bigint + $2::bigint" in sql and "pgrst_u order by" in sql
    assert args == (1000, 0, "x", "y")


def test_embeds_ride_along_and_csv_comes_from_the_same_rows() -> None:
    query = "select=id,classes(name)&order=student_number&cursor=abc"
    request = parse_request("GET", "students", rpc=False, query=query, headers={}, body=None)
    statement = render(plan_request(request, EMBED_SCHEMA))
    sql, args = statement.sql, bind(statement, request, 1000, ("x", "y"))
    page = sql[sql.index("from (select "):]
    # The embed is joined to the page's rows (pgrst_l), after the seek and the limit.
    assert "left join lateral" in page and '= pgrst_l."id"' in page
    assert sql.index("limit $1 offset $2") < sql.index("left join lateral")
    assert args == (1000, 0, "x", "y")
    csv, _ = rendered("select=id,last_name&order=last_name", accept="text/csv")
    assert "json_each_text(pgrst_t.pgrst_row)" in csv and "pgrst_key" in csv
