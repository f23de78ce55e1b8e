"""HTTP request -> `ApiRequest`: the PostgREST query dialect as typed data.

No SQL and no catalog here (PostgREST's ApiRequest.hs): names are kept as
written and checked later by plan/action.py, "with no guarantee that the intent is
sensible".

Values never enter a request's *shape*. Each filter value gets a slot (its index
in `ApiRequest.values`), so two requests that differ only in values have equal
`shape()`s and share one plan and one SQL text (render/statement.py caches by shape, and
asyncpg reuses the prepared statement for that text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from urllib.parse import parse_qsl

import msgspec

from gateway.dialect.formats import csv_to_json, wants_csv
from gateway.dialect.parse.embed_params import EmbedParams, EmbedQuery
from gateway.dialect.parse.filters import (  # noqa: F401  (re-exported for plan/action.py and the tests)
    IS_VALUES,
    MAX_LOGIC_DEPTH,
    OPERATORS,
    Condition,
    Filter,
    FilterParser,
    IsFilter,
    IsValue,
    Logic,
    Operator,
)
from gateway.dialect.parse.headers import (  # noqa: F401  (re-exported for plan/nodes.py and the tests)
    Count,
    Preferences,
    Resolution,
    Return,
    intersect,
    non_negative,
    preferences,
    range_items,
    single,
)
from gateway.dialect.parse.select import (  # noqa: F401  (re-exported for the tests)
    Cast,
    Embed,
    OrderTerm,
    SelectItem,
)
from gateway.dialect.parse.select import order_terms as _order
from gateway.dialect.parse.select import select_items as _select
from gateway.errors import ApiError, bad_query, invalid_body

Method = Literal["GET", "POST", "PATCH", "DELETE", "PUT"]
Action = Literal["read", "create", "update", "delete", "call"]
RESERVED = frozenset({"select", "order", "limit", "offset", "or", "and", "not.or", "not.and", "columns", "on_conflict"})


class ApiRequest(msgspec.Struct, frozen=True, kw_only=True):
    method: Method  # part of the shape: GET and POST calls of one function differ
    action: Action
    target: str  # relation or function name, as written
    select: tuple[SelectItem | Embed, ...] | None = None  # None: every column
    embeds: tuple[EmbedQuery, ...] = ()  # `embed.column=...`, `embed.order=...` (embed_params.py)
    where: tuple[Condition, ...] = ()
    order: tuple[OrderTerm, ...] = ()
    preferences: Preferences = Preferences()
    single: bool = False  # Accept: application/vnd.pgrst.object+json
    csv: bool = False  # Accept: text/csv (reads and calls; formats.py)
    csv_body: bool = False  # POST with Content-Type: text/csv: `columns` from its header (formats.py)
    rpc_args: tuple[str, ...] = ()  # argument names, sorted (GET: slots in this order)
    # GET arguments given more than once: their value is the tuple of all (bound
    # as a text[]); a variadic argument takes them all, any other the last (PostgREST).
    rpc_repeated: tuple[str, ...] = ()
    columns: tuple[str, ...] | None = None  # POST `columns=`: what to insert (postgrest-js sends it)
    on_conflict: tuple[str, ...] | None = None  # POST `on_conflict=`: the upsert's key
    # Values: not part of the shape.
    values: tuple[str | tuple[str, ...], ...] = ()
    limit: int | None = None
    offset: int = 0
    body: bytes | None = None
    cursor: str | None = None  # keyset paging (keyset.py): its presence is shape, its text a value

    def shape(self) -> ApiRequest:
        """The request without its values: the key of the plan/SQL cache."""
        cursor = None if self.cursor is None else ""
        return msgspec.structs.replace(self, values=(), limit=None, offset=0, body=None, cursor=cursor)


def parse_request(
    method: str,
    target: str,
    *,
    rpc: bool,
    query: str,
    headers: Mapping[str, str],
    body: bytes | None,
) -> ApiRequest:
    """`headers` holds lower-case names; repeated `Prefer` headers joined by ", "."""
    verb, action = _action(method, rpc)
    pairs = parse_qsl(query, keep_blank_values=True)
    csv = wants_csv(headers.get("accept", ""))
    if csv and action not in ("read", "call"):
        raise ApiError(406, "PGRST107", "None of these media types are available: text/csv",
                       hint="text/csv is served for reads and function calls")  # fmt: skip
    base = ApiRequest(
        method=verb,
        action=action,
        target=target,
        preferences=preferences(headers.get("prefer", "")),
        single=False if csv else single(headers.get("accept", "")),
        csv=csv,
    )
    limit, offset = range_items(headers.get("range"), headers.get("range-unit"))
    if rpc:  # Range is read on GET only (RFC 9110; PostgREST's getRanges): a POST call pages by limit/offset
        return _rpc_request(base, pairs, body if method == "POST" else None, (limit, offset) if verb == "GET" else None)
    select: tuple[SelectItem | Embed, ...] | None = None
    order: tuple[OrderTerm, ...] = ()
    embedded = EmbedParams()
    names: dict[str, tuple[str, ...]] = {}
    filters = FilterParser()
    cursor: str | None = None
    asked: dict[str, int] = {}  # limit, offset in the query string
    for key, value in pairs:
        if key == "select":
            select = _select(value)
        elif key == "order":
            order = _order(value)
        elif key in ("limit", "offset") and verb == "PUT":
            raise ApiError(400, "PGRST114", "limit/offset querystring parameters are not allowed for PUT")
        elif key in ("limit", "offset") and action != "read":
            raise bad_query(f"'{key}' is only supported on GET", hint="Filter the rows to change instead")
        elif key in ("limit", "offset"):
            asked[key] = non_negative(key, value)
        elif key == "cursor" and action == "read":
            cursor = value
        elif key in ("or", "and", "not.or", "not.and"):
            filters.logic(key, value)
        elif key in ("columns", "on_conflict") and action == "create":
            names[key] = _names(key, value)
        elif key in RESERVED:
            raise bad_query(f"'{key}' is not supported by this gateway")
        elif "." in key:
            embedded.add(key, value, filters)
        else:
            filters.add(key, value)
    limit, offset = intersect((limit, offset), asked.get("limit"), asked.get("offset"))
    if action in ("create", "update") and not body:
        raise invalid_body("Empty or invalid json")  # PostgREST's words, no details
    csv_body = action == "create" and verb == "POST" and wants_csv(headers.get("content-type", ""))
    if csv_body:
        header, body = csv_to_json(body or b"")
        names.setdefault("columns", header)
    return msgspec.structs.replace(
        base,
        columns=names.get("columns"),
        on_conflict=names.get("on_conflict"),
        select=select,
        embeds=embedded.queries(),
        where=tuple(filters.conditions),
        order=order,
        values=tuple(filters.values),
        limit=limit,
        offset=offset,
        body=body if action in ("create", "update") else None,
        cursor=cursor,
        csv_body=csv_body,
    )


_ACTIONS: dict[str, tuple[Method, Action]] = {
    "GET": ("GET", "read"), "POST": ("POST", "create"), "PATCH": ("PATCH", "update"), "DELETE": ("DELETE", "delete"),
    "PUT": ("PUT", "create"),  # an upsert of one row named by its primary key (plan/action.py _put)
}  # fmt: skip


def _action(method: str, rpc: bool) -> tuple[Method, Action]:
    try:
        verb, action = _ACTIONS[method]
    except KeyError:
        raise ApiError(405, "PGRST117", f"Unsupported HTTP method: {method}") from None
    return verb, "call" if rpc else action


def _rpc_request(
    base: ApiRequest, pairs: list[tuple[str, str]], body: bytes | None, ranged: tuple[int | None, int] | None
) -> ApiRequest:
    """Arguments by name: from the JSON object body (POST), or from the query
    string (GET), each value a slot cast by plan to the argument's type."""
    base, rest = _rpc_result(base, pairs, posted=body is not None, ranged=ranged or (None, 0))
    embedded = [(k, v) for k, v in rest if "." in k and k not in ("not.or", "not.and")]
    rest = [(k, v) for k, v in rest if (k, v) not in embedded]
    if body is not None:
        try:
            decoded = msgspec.json.decode(body) if body.strip() else {}
        except msgspec.DecodeError:
            raise invalid_body("Empty or invalid json") from None  # PostgREST's words, no details
        except RecursionError:  # msgspec's answer to absurdly deep nesting
            raise invalid_body("Empty or invalid json", "the JSON is nested too deeply") from None
        single = base.preferences.single_object  # any JSON: the one argument itself
        if not isinstance(decoded, dict) and not single:
            raise invalid_body("Empty or invalid json", "the body of a function call must be a JSON object")
        base = _embed_params(base, embedded)
        return msgspec.structs.replace(base, rpc_args=() if single else tuple(sorted(decoded)), body=body)
    given: dict[str, list[str]] = {}
    for key, value in rest:
        given.setdefault(key, []).append(value)
    if base.preferences.single_object:  # the arguments as one JSON object of strings: one slot
        one = msgspec.json.encode({k: v[-1] for k, v in given.items()}).decode()
        return msgspec.structs.replace(_embed_params(base, embedded), values=(*base.values, one))
    names = tuple(sorted(given))
    repeated = tuple(n for n in names if len(given[n]) > 1)
    values = (given[n][0] if len(given[n]) == 1 else tuple(given[n]) for n in names)
    # Slots: the filters', then the embeds' (_embed_params), then the
    # arguments', last (render/statement.py `_call`: the last len(arguments) slots).
    base = _embed_params(base, embedded)
    return msgspec.structs.replace(base, rpc_args=names, rpc_repeated=repeated, values=(*base.values, *values))


def _embed_params(base: ApiRequest, pairs: list[tuple[str, str]]) -> ApiRequest:
    """`classes.name=eq.x`, `classes.order=name`: the parameters of the result
    rows' embeds (PostgREST), their values after the request's filters."""
    if not pairs:
        return base
    filters, embedded = FilterParser(), EmbedParams()
    filters.values.extend(base.values)
    for key, value in pairs:
        embedded.add(key, value, filters)
    return msgspec.structs.replace(base, embeds=embedded.queries(), values=tuple(filters.values))


def _rpc_result(
    base: ApiRequest, pairs: list[tuple[str, str]], *, posted: bool, ranged: tuple[int | None, int]
) -> tuple[ApiRequest, list[tuple[str, str]]]:
    """A function's result is read like a table (PostgREST's "Functions as
    RPC"): `select`, filters, `order`, `limit`/`offset` (over a GET's Range).
    POST: every other key is a filter. GET: a key whose value parses as a
    filter (`col=gt.5`) is one, any other (`p_min=5`) is an argument: the rule
    of PostgREST's QueryParams.parse (`pOpExpr pSingleVal <|> pure (NoOpExpr v)`)."""
    select: tuple[SelectItem | Embed, ...] | None = None
    order: tuple[OrderTerm, ...] = ()
    filters = FilterParser()
    rest: list[tuple[str, str]] = []
    asked: dict[str, int] = {}  # limit, offset in the query string
    for key, value in pairs:
        if key == "select":
            select = _select(value)
        elif key == "order":
            order = _order(value)
        elif key in ("limit", "offset"):
            asked[key] = non_negative(key, value)
        elif key in ("or", "and", "not.or", "not.and"):
            filters.logic(key, value)
        elif "." in key:  # an embed's parameter: _embed_params
            rest.append((key, value))
        elif posted and key in RESERVED:
            raise bad_query(f"'{key}' is not supported on functions")
        elif posted:
            filters.add(key, value)
        elif key in RESERVED or not filters.try_add(key, value):
            rest.append((key, value))
    # limit/offset replace the Range header's bounds here (not intersect, as on
    # tables): a HEAD call honours Range (README "Functions"), and PostgREST, which
    # ignores Range on HEAD, answers `Range: 1-1` with `limit=2&offset=1` as 1-2.
    limit, offset = asked.get("limit", ranged[0]), asked.get("offset", ranged[1])
    shaped = msgspec.structs.replace(
        base, select=select, order=order, where=tuple(filters.conditions), values=tuple(filters.values),
        limit=limit, offset=offset,
    )  # fmt: skip
    return shaped, rest


def _names(key: str, text: str) -> tuple[str, ...]:
    """`a,b` or `"a","b"` (postgrest-js quotes them); repeated names once."""
    names = tuple(dict.fromkeys(n.strip().removeprefix('"').removesuffix('"') for n in text.split(",")))
    if not all(names):
        raise bad_query(f'"failed to parse {key} parameter ({text})"', "expecting column names separated by commas")
    return names


