"""parse.py: the PostgREST dialect -> ApiRequest. Pure, no database."""

from __future__ import annotations

import pytest

from gateway.dialect.parse.request import (
    ApiRequest,
    Filter,
    IsFilter,
    Logic,
    OrderTerm,
    Preferences,
    SelectItem,
    parse_request,
)
from gateway.errors import ApiError


def get(query: str, **headers: str) -> ApiRequest:
    return parse_request("GET", "students", rpc=False, query=query, headers=headers, body=None)


def parse_error(query: str, **headers: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        get(query, **headers)
    return caught.value


@pytest.mark.parametrize(
    ("query", "where", "values"),
    [
        ("age=eq.5", (Filter(column="age", op="eq", slot=0),), ("5",)),
        ("age=neq.5", (Filter(column="age", op="neq", slot=0),), ("5",)),
        ("age=gt.5", (Filter(column="age", op="gt", slot=0),), ("5",)),
        ("age=gte.5", (Filter(column="age", op="gte", slot=0),), ("5",)),
        ("age=lt.5", (Filter(column="age", op="lt", slot=0),), ("5",)),
        ("age=lte.5", (Filter(column="age", op="lte", slot=0),), ("5",)),
        ("name=like.S*n*", (Filter(column="name", op="like", slot=0),), ("S%n%",)),
        ("name=ilike.*smith", (Filter(column="name", op="ilike", slot=0),), ("%smith",)),
        ('id=in.(a,b,"c,d")', (Filter(column="id", op="in", slot=0),), (("a", "b", "c,d"),)),
        ("id=in.()", (Filter(column="id", op="in", slot=0),), ((),)),
        ('id=in.("a\\"b",c)', (Filter(column="id", op="in", slot=0),), (('a"b', "c"),)),
        ("age=not.eq.5", (Filter(column="age", op="eq", slot=0, negated=True),), ("5",)),
        ("gender=is.null", (IsFilter(column="gender", value="null"),), ()),
        ("gender=is.NULL", (IsFilter(column="gender", value="null"),), ()),
        ("gender=is.not_null", (IsFilter(column="gender", value="not_null"),), ()),
        ("active=is.true", (IsFilter(column="active", value="true"),), ()),
        ("active=is.false", (IsFilter(column="active", value="false"),), ()),
        ("active=is.unknown", (IsFilter(column="active", value="unknown"),), ()),
        ("gender=not.is.null", (IsFilter(column="gender", value="null", negated=True),), ()),
        # Top-level values are taken verbatim: dots, commas and parentheses included.
        ("note=eq.a.b,(c)", (Filter(column="note", op="eq", slot=0),), ("a.b,(c)",)),
        ("note=eq.", (Filter(column="note", op="eq", slot=0),), ("",)),
        ("note=eq.a+b", (Filter(column="note", op="eq", slot=0),), ("a b",)),
        ("note=eq.a%2Bb", (Filter(column="note", op="eq", slot=0),), ("a+b",)),
        (
            "age=gt.5&age=lt.9",
            (Filter(column="age", op="gt", slot=0), Filter(column="age", op="lt", slot=1)),
            ("5", "9"),
        ),
    ],
)
def test_filters(query: str, where: tuple, values: tuple) -> None:
    request = get(query)
    assert request.where == where
    assert request.values == values


# fmt: off
@pytest.mark.parametrize(
    ("query", "where", "values"),
    [
        (
            "or=(age.eq.1,name.like.A*)",
            (Logic(conjunction="or", children=(
                Filter(column="age", op="eq", slot=0), Filter(column="name", op="like", slot=1)
            )),),
            ("1", "A%"),
        ),
        (
            "and=(a.gt.1,or(b.is.null,c.not.in.(x,\"y)\")),not.and(d.eq.\"1,2\",e.lte.3))",
            (Logic(conjunction="and", children=(
                Filter(column="a", op="gt", slot=0),
                Logic(conjunction="or", children=(
                    IsFilter(column="b", value="null"), Filter(column="c", op="in", slot=1, negated=True)
                )),
                Logic(conjunction="and", negated=True, children=(
                    Filter(column="d", op="eq", slot=2), Filter(column="e", op="lte", slot=3)
                )),
            )),),
            ("1", ("x", "y)"), "1,2", "3"),
        ),
        (
            "not.or=(a.eq.1)",
            (Logic(conjunction="or", negated=True, children=(Filter(column="a", op="eq", slot=0),)),),
            ("1",),
        ),
        # Spaces around parentheses and commas are skipped (PostgREST's lexemes); values keep
        # theirs, but for the spaces after an in-list's `(` (its `lexeme (char '(')`).
        (
            "or=( a.eq.1, and ( b.in.( 1, 2 ) , c.eq.x ) )",
            (Logic(conjunction="or", children=(
                Filter(column="a", op="eq", slot=0),
                Logic(conjunction="and", children=(
                    Filter(column="b", op="in", slot=1), Filter(column="c", op="eq", slot=2)
                )),
            )),),
            ("1", ("1", " 2 "), "x "),
        ),
        # An array literal is one value for any operator inside a tree.
        (
            "and=(a.gte.2,b.isdistinct.{1,2})",
            (Logic(conjunction="and", children=(
                Filter(column="a", op="gte", slot=0), Filter(column="b", op="isdistinct", slot=1)
            )),),
            ("2", "{1,2}"),
        ),
    ],
)
def test_logic_trees(query: str, where: tuple, values: tuple) -> None:
    request = get(query)
    assert request.where == where
    assert request.values == values
# fmt: on


@pytest.mark.parametrize(
    ("query", "select"),
    [
        ("select=id,name", (SelectItem(column="id"), SelectItem(column="name"))),
        ("select=*", (SelectItem(column="*"),)),
        ("select=n:name", (SelectItem(column="name", alias="n"),)),
        ("select=dob::text", (SelectItem(column="dob", cast="text"),)),
        ("select=d:dob::text, id", (SelectItem(column="dob", alias="d", cast="text"), SelectItem(column="id"))),
        ('select=a"b:id', (SelectItem(column="id", alias='a"b'),)),
        ("select=", None),
        # Casts are checked against the catalog by the planner (casts.py); here only their syntax.
        ("select=n:data->>0::double precision,id::_int4", (
            SelectItem(column="data->>0", alias="n", cast="double precision"), SelectItem(column="id", cast="_int4"))),
        # A double-quoted name holds what would be syntax (PostgREST's pQuotedValue); split_path unquotes it.
        ('select=":a->b::c",x:"(in,parens)"::text', (
            SelectItem(column='":a->b::c"'), SelectItem(column='"(in,parens)"', alias="x", cast="text"))),
    ],
)
def test_select(query: str, select: tuple | None) -> None:
    assert get(query).select == select


# fmt: off
@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("order=a", (OrderTerm(column="a"),)),
        ("order=a.desc", (OrderTerm(column="a", direction="desc"),)),
        ("order=a.asc.nullsfirst,b.nullslast", (
            OrderTerm(column="a", direction="asc", nulls="nullsfirst"), OrderTerm(column="b", nulls="nullslast")
        )),
        ("order=class(name).desc.nullslast,id", (
            OrderTerm(column="name", relation="class", direction="desc", nulls="nullslast"), OrderTerm(column="id")
        )),
        ("order=t(meta->>k)", (OrderTerm(column="meta->>k", relation="t"),)),
    ],
)
def test_order(query: str, order: tuple) -> None:
    assert get(query).order == order
# fmt: on


@pytest.mark.parametrize(
    ("query", "headers", "limit", "offset"),
    [
        ("", {}, None, 0),
        ("limit=20&offset=40", {}, 20, 40),
        ("", {"range": "0-19"}, 20, 0),
        ("", {"range": "10-", "range-unit": "items"}, None, 10),
        ("limit=5", {"range": "0-19"}, 5, 0),
        # Intersected, as PostgREST's rangeIntersection; a negative offset is none.
        ("limit=3", {"range": "0-1"}, 2, 0),
        ("offset=5", {"range": "0-9"}, 5, 5),
        ("limit=5&offset=8", {"range": "0-9"}, 2, 8),
        ("offset=-4", {}, None, 0),
        ("", {"range": "nonsense"}, None, 0),  # malformed ranges are ignored, as PostgREST does
        ("", {"range": "0-9", "range-unit": "bytes"}, None, 0),
    ],
)
def test_range(query: str, headers: dict, limit: int | None, offset: int) -> None:
    request = get(query, **headers)
    assert (request.limit, request.offset) == (limit, offset)


@pytest.mark.parametrize(
    ("header", "preferences"),
    [
        ("", Preferences()),
        ("return=representation", Preferences(return_="representation")),
        ("return=minimal, count=exact", Preferences(return_="minimal", count="exact")),
        ("return=headers-only", Preferences(return_="headers-only")),
        ("unfiltered=allow", Preferences(unfiltered=True)),
        ("tx=rollback, count=planned", Preferences(tx="rollback", count="planned")),
        ("count=estimated, max-affected=5", Preferences(count="estimated", max_affected=5)),
        ("handling=lenient, count=fuzzy, tx=maybe", Preferences(handling="lenient")),  # unknown: ignored
        ("max-affected=-1, missing=default", Preferences(missing="default")),  # bad max-affected: ignored
    ],
)
def test_preferences(header: str, preferences: Preferences) -> None:
    assert get("", prefer=header).preferences == preferences


def test_strict_handling_refuses_unknown_preferences() -> None:
    error = parse_error("", prefer="handling=strict, tx=later, count=exact")
    assert (error.status, error.code) == (400, "PGRST122")
    assert error.details == "Invalid preferences: tx=later"


@pytest.mark.parametrize(
    ("accept", "single"),
    [
        ("", False),
        ("application/json", False),
        ("*/*", False),
        ("application/vnd.pgrst.object+json", True),
        ("application/vnd.pgrst.object+json;nulls=stripped", True),
        ("text/html, application/json;q=0.9", False),
    ],
)
def test_accept(accept: str, single: bool) -> None:
    assert get("", accept=accept).single is single


def test_an_accept_nothing_built_in_answers_is_left_to_the_plan() -> None:
    """A media type handler of the schema may answer it (test_media.py); else the plan says 406."""
    request = get("", accept="text/html, image/png;q=0.5")
    assert request.accept == ("text/html", "image/png")
    assert not (request.single or request.csv or request.strip_nulls)


@pytest.mark.parametrize(
    ("query", "pointing_at"),
    [
        # As PostgREST counts: in the value of a filter, in `or(...)` for a logic tree.
        ("age=foo.5", "(line 1, column 1)"),
        ("age=eq5", "column 1"),
        ("age=not.foo.5", "column 5"),
        ("id=in.(a,b", "end of input"),
        ("id=in.a,b", "column 4"),
        ("id=in.(a)x", "column 7"),
        ("active=is.maybe", "column 4"),
        ("or=(a.eq.1,b.foo.2)", "line 1, column 13"),
        ("or=(a.eq.1", "end of input"),
        ("or=a.eq.1", "column 3"),
        ('or=(a.eq."1)', "closing"),
        ("or=(not.a.eq.1)", "column 9"),
        ("order=a.sideways", "sideways"),
        ("order=.asc", "missing column"),
        ("order=class(name", "relation(column)"),
        ("order=class(a(b))", "relation(column)"),
        ("select=name::text;drop", "unexpected cast"),
        ("select=clients(name", "expecting ')'"),
        ("limit=ten", "limit"),
        ("offset=1.5", "offset"),
        ("clients.name=eq", "column"),
    ],
)
def test_bad_syntax_is_pgrst100_pointing_at_the_bad_part(query: str, pointing_at: str) -> None:
    """Filters and logic trees count columns as PostgREST does: in the value
    (after the key's operator, for a tree), where its message quotes it."""
    error = parse_error(query)
    assert (error.status, error.code) == (400, "PGRST100")
    assert pointing_at in f"{error.message} {error.details}"


def test_negative_limit_is_416() -> None:
    error = parse_error("limit=-1")
    assert (error.status, error.code) == (416, "PGRST103")


def test_inverted_range_is_416() -> None:
    error = parse_error("", range="9-0")
    assert (error.status, error.code) == (416, "PGRST103")


def test_values_are_not_part_of_the_shape() -> None:
    one = get("select=id&age=gt.5&name=in.(a,b)&or=(x.eq.1)&limit=5&offset=10")
    two = get("select=id&age=gt.7&name=in.(c)&or=(x.eq.zzz)&limit=50")
    assert one.shape() == two.shape()
    assert hash(one.shape()) == hash(two.shape())
    assert one.shape() != get("select=id&age=lt.5&name=in.(a,b)&or=(x.eq.1)").shape()
    assert get("a=is.null").shape() != get("a=is.true").shape()


@pytest.mark.parametrize(
    ("method", "action"), [("GET", "read"), ("POST", "create"), ("PATCH", "update"), ("DELETE", "delete")]
)
def test_actions(method: str, action: str) -> None:
    body = b"{}" if method in ("POST", "PATCH") else None
    assert parse_request(method, "x", rpc=False, query="", headers={}, body=body).action == action


def test_writes_need_a_body_and_only_patch_and_delete_take_a_limit() -> None:
    with pytest.raises(ApiError) as caught:
        parse_request("POST", "x", rpc=False, query="", headers={}, body=b"")
    assert caught.value.code == "PGRST102"
    with pytest.raises(ApiError) as caught:
        parse_request("POST", "x", rpc=False, query="limit=1", headers={}, body=b"{}")
    assert caught.value.code == "PGRST100"
    # PostgREST's limited update/delete (plan/writes.py): the limit is a value, that it is given is shape.
    limited = parse_request("PATCH", "x", rpc=False, query="id=eq.1&limit=1", headers={}, body=b"{}")
    assert (limited.ranged, limited.limit) == (True, 1)
    ranged_header = parse_request("DELETE", "x", rpc=False, query="id=eq.1", headers={"range": "0-1"}, body=None)
    assert not ranged_header.ranged


def test_rpc_arguments_from_the_query_string_are_sorted_slots() -> None:
    request = parse_request("GET", "f", rpc=True, query="p_b=2&p_a=1", headers={}, body=None)
    assert (request.action, request.rpc_args, request.values) == ("call", ("p_a", "p_b"), ("1", "2"))


def test_rpc_arguments_from_the_body_are_its_keys() -> None:
    request = parse_request("POST", "f", rpc=True, query="", headers={}, body=b'{"p_b": [1], "p_a": "x"}')
    assert (request.rpc_args, request.values, request.body) == (("p_a", "p_b"), (), b'{"p_b": [1], "p_a": "x"}')


@pytest.mark.parametrize("body", [b"[1]", b"nope", b'"x"'])
def test_rpc_body_must_be_an_object(body: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        parse_request("POST", "f", rpc=True, query="", headers={}, body=body)
    assert caught.value.code == "PGRST102"


def test_get_and_post_calls_of_one_function_have_different_shapes() -> None:
    # Regression: both carry the same argument names, but one binds text
    # parameters and the other one JSON body; a shared cache entry broke both.
    by_query = parse_request("GET", "f", rpc=True, query="p_a=1", headers={}, body=None)
    by_body = parse_request("POST", "f", rpc=True, query="", headers={}, body=b'{"p_a": 1}')
    assert by_query.shape() != by_body.shape()


def test_logic_trees_are_depth_bounded() -> None:
    nested = "and(" * 20 + "a.eq.1" + ")" * 20
    error = parse_error(f"or=({nested})")
    assert error.code == "PGRST100"
    assert "nested" in error.details
    assert get("or=(" + "and(" * 14 + "a.eq.1" + ")" * 14 + ")").where


@pytest.mark.parametrize(
    ("query", "columns", "on_conflict"),
    [
        ('columns="a","b"', ("a", "b"), None),  # as postgrest-js sends them
        ("columns=a,b,a&on_conflict=school_id,code", ("a", "b"), ("school_id", "code")),
        ("", None, None),
    ],
)
def test_insert_columns_and_upsert_key(query: str, columns: tuple | None, on_conflict: tuple | None) -> None:
    request = parse_request("POST", "x", rpc=False, query=query, headers={}, body=b"[]")
    assert (request.columns, request.on_conflict) == (columns, on_conflict)


def test_columns_on_post_and_patch_and_resolution_is_a_preference() -> None:
    patch = parse_request("PATCH", "x", rpc=False, query="id=eq.1&columns=a", headers={}, body=b"{}")
    assert patch.columns == ("a",)  # PostgREST: `columns` on every write
    with pytest.raises(ApiError):
        parse_request("DELETE", "x", rpc=False, query="id=eq.1&columns=a", headers={}, body=None)
    with pytest.raises(ApiError):
        parse_request("POST", "x", rpc=False, query="columns=a,,b", headers={}, body=b"{}")
    for value in ("merge-duplicates", "ignore-duplicates"):
        assert get("", prefer=f"resolution={value},return=minimal").preferences == Preferences(
            resolution=value, return_="minimal"
        )


def test_put_takes_no_limit_nor_offset_pgrst114() -> None:
    for query in ("limit=1", "offset=1"):
        with pytest.raises(ApiError) as caught:
            parse_request("PUT", "x", rpc=False, query="id=eq.1&" + query, headers={}, body=b"{}")
        assert (caught.value.code, caught.value.message) == (
            "PGRST114",
            "limit/offset querystring parameters are not allowed for PUT",
        )


def test_a_missing_or_malformed_body_is_pgrst102_in_postgrests_words() -> None:
    with pytest.raises(ApiError) as malformed:
        parse_request("POST", "x", rpc=True, query="", headers={}, body=b"{")
    with pytest.raises(ApiError) as missing:
        parse_request("PATCH", "x", rpc=False, query="id=eq.1", headers={}, body=b"")
    for error in (malformed.value, missing.value):
        assert (error.code, error.message, error.details) == ("PGRST102", "Empty or invalid json", None)


@pytest.mark.parametrize(
    ("query", "message", "details"),
    [  # PostgREST 12.0.2's answers (QueryParams.hs doctests; QuerySpec, AndOrParamsSpec)
        ("id=0", '"failed to parse filter (0)" (line 1, column 1)',
         'unexpected "0" expecting "not" or operator (eq, gt, ...)'),
        ("id=not.xx.1", '"failed to parse filter (not.xx.1)" (line 1, column 5)',
         'unexpected "x" expecting operator (eq, gt, ...)'),
        ("or=()", '"failed to parse logic tree (())" (line 1, column 4)',
         'unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)'),
        ("order=id.asc.nullslasttt", '"failed to parse order (id.asc.nullslasttt)" (line 1, column 17)',
         "unexpected 't' expecting \",\" or end of input"),
    ],
)  # fmt: skip
def test_filter_errors_in_postgrests_words(query: str, message: str, details: str) -> None:
    error = parse_error(query)
    assert (error.code, error.message, error.details) == ("PGRST100", message, details)


@pytest.mark.parametrize(
    ("query", "range_", "expected"),
    [  # PostgREST's getRanges: the Range header intersected with limit/offset
        ("limit=5", "2-9", (3, 2)),
        ("offset=5", "0-9", (5, 5)),
        ("limit=3&offset=1", "2-", (2, 2)),
        ("limit=0", "2-9", (0, 0)),
        ("offset=3", "", (None, 3)),
    ],
)
def test_range_header_is_intersected_with_limit_and_offset(
    query: str, range_: str, expected: tuple[int | None, int]
) -> None:
    request = parse_request("GET", "t", rpc=False, query=query, headers={"range": range_}, body=None)
    assert (request.limit, request.offset) == expected


def test_a_range_outside_limit_and_offset_is_416_as_postgrest() -> None:
    with pytest.raises(ApiError) as raised:
        parse_request("GET", "t", rpc=False, query="limit=1", headers={"range": "1-5"}, body=None)
    error = raised.value
    assert (error.status, error.code, error.details) == (
        416,
        "PGRST103",
        "Limit should be greater than or equal to zero.",
    )


def test_empty_columns_are_refused_in_postgrests_words() -> None:
    with pytest.raises(ApiError) as raised:
        parse_request("POST", "students", rpc=False, query="columns=", headers={}, body=b"{}")
    assert (raised.value.message, raised.value.details) == (
        '"failed to parse columns parameter ()" (line 1, column 1)',
        "unexpected end of input expecting field name (* or [a..z0..9_$])",
    )
