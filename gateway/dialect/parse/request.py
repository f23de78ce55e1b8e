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
from gateway.dialect.media import RAW_BODIES
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
    non_negative,
    output,
    preferences,
    range_items,
    within_range,
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
    # Accept's media types in PostgREST's order: the plan picks a media type
    # handler of the schema by them, or answers 406 (dialect/media.py).
    accept: tuple[str, ...] = ()
    strip_nulls: bool = False  # `;nulls=stripped`: json_strip_nulls over the body
    # A POST call's body: "" JSON, "form" (arguments slotted as a GET's), or a raw
    # body's media type (text/plain, text/xml, application/octet-stream, text/csv).
    body_media: str = ""
    csv_body: bool = False  # POST with Content-Type: text/csv: `columns` from its header (formats.py)
    rpc_args: tuple[str, ...] = ()  # argument names, sorted (GET: slots in this order)
    # GET arguments given more than once: their value is the tuple of all (bound
    # as a text[]); a variadic argument takes them all, any other the last (PostgREST).
    rpc_repeated: tuple[str, ...] = ()
    columns: tuple[str, ...] | None = None  # POST/PATCH `columns=`: what to write (postgrest-js sends it)
    on_conflict: tuple[str, ...] | None = None  # POST `on_conflict=`: the upsert's key
    # Values: not part of the shape.
    values: tuple[str | tuple[str, ...], ...] = ()
    limit: int | None = None
    offset: int = 0
    body: bytes | None = None
    cursor: str | None = None  # keyset paging (keyset.py): its presence is shape, its text a value
    # PATCH/DELETE with limit or offset (PostgREST's limited update/delete,
    # render/writes.py): shape, where the numbers themselves are values.
    ranged: bool = False

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
    asked = output(headers.get("accept", ""))
    csv = asked.csv
    base = ApiRequest(
        method=verb,
        action=action,
        target=target,
        preferences=preferences(headers.get("prefer", "")),
        single=asked.single,
        csv=csv,
        accept=asked.accept,
        strip_nulls=asked.strip_nulls,
    )
    header_range = range_items(headers.get("range"), headers.get("range-unit"))
    if method == "HEAD" and any(key in ("limit", "offset") for key, _ in pairs):
        # PostgREST reads Range on GET only; ours honours it on HEAD too (README),
        # but not against a HEAD's limit/offset, which PostgREST's clients count on.
        header_range = (None, 0)
    limit: int | None = None
    offset: int | None = None
    if rpc:  # Range is read on GET only (RFC 9110; PostgREST's getRanges): a POST call pages by limit/offset
        if method == "POST":
            base = msgspec.structs.replace(base, body_media=_body_media(headers.get("content-type", "")))
        return _rpc_request(base, pairs, body if method == "POST" else None, header_range if verb == "GET" else None)
    select: tuple[SelectItem | Embed, ...] | None = None
    order: tuple[OrderTerm, ...] = ()
    embedded = EmbedParams()
    names: dict[str, tuple[str, ...]] = {}
    filters = FilterParser()
    cursor: str | None = None
    for key, value in pairs:
        if key == "select":
            select = _select(value)
        elif key == "order":
            order = _order(value)
        elif key in ("limit", "offset") and verb == "PUT":
            raise ApiError(400, "PGRST114", "limit/offset querystring parameters are not allowed for PUT")
        elif key in ("limit", "offset") and action not in ("read", "update", "delete"):
            raise bad_query(f"'{key}' is only supported on GET", hint="Filter the rows to change instead")
        elif key == "limit":
            limit = non_negative("limit", value)
        elif key == "offset":
            offset = non_negative("offset", value)
        elif key == "cursor" and action == "read":
            cursor = value
        elif key in ("or", "and", "not.or", "not.and"):
            filters.logic(key, value)
        elif (key == "columns" and action in ("create", "update")) or (key == "on_conflict" and action == "create"):
            names[key] = _names(key, value)
        elif key in RESERVED:
            raise bad_query(f"'{key}' is not supported by this gateway")
        elif "." in key:
            embedded.add(key, value, filters)
        else:
            filters.add(key, value)
    limit, offset = within_range(header_range, limit, offset)
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
        ranged=action in ("update", "delete") and any(key in ("limit", "offset") for key, _ in pairs),
    )


_ACTIONS: dict[str, tuple[Method, Action]] = {
    "GET": ("GET", "read"), "POST": ("POST", "create"), "PATCH": ("PATCH", "update"), "DELETE": ("DELETE", "delete"),
    "HEAD": ("GET", "read"),  # a GET without its body
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
    if base.body_media == "form":  # arguments as a GET's (PostgREST's jsonRpcParams), in the body
        rest = [*rest, *parse_qsl(body.decode("utf-8", "replace") if body else "", keep_blank_values=True)]
        body = None
    elif base.body_media in RAW_BODIES:  # the body whole is the one unnamed argument (plan/functions.py)
        return msgspec.structs.replace(_embed_params(base, embedded), body=body or b"")
    elif base.body_media == "text/csv" and body is not None:  # its header names the arguments
        header, rows = csv_to_json(body)
        return msgspec.structs.replace(_embed_params(base, embedded), rpc_args=tuple(sorted(header)), body=rows)
    if body is not None:
        try:
            decoded = msgspec.json.decode(body) if body.strip() else {}
        except msgspec.DecodeError:
            raise invalid_body("Empty or invalid json") from None  # PostgREST's words, no details
        except RecursionError:  # msgspec's answer to absurdly deep nesting
            raise invalid_body("Empty or invalid json", "the JSON is nested too deeply") from None
        single = base.preferences.single_object  # any JSON: the one argument itself
        if isinstance(decoded, list) and decoded and all(isinstance(o, dict) for o in decoded) and not single:
            # PostgREST calls with the first object of an array (its fromJsonBodyF, LIMIT 1)
            if any(set(o) != set(decoded[0]) for o in decoded):
                raise invalid_body("All object keys must match")
            decoded = decoded[0]
            body = msgspec.json.encode(decoded)
        if not isinstance(decoded, dict) and not single:
            raise invalid_body("Empty or invalid json", "the body of a function call must be a JSON object")
        base = _embed_params(base, embedded)
        given = decoded if base.columns is None else base.columns
        return msgspec.structs.replace(base, rpc_args=() if single else tuple(sorted(given)), body=body)
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


def _body_media(content_type: str) -> str:
    """A function call's body type: "" for JSON (or unsaid), else the media type."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return "form"
    return media if media in (*RAW_BODIES, "text/csv") else ""


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
    limit: int | None = None
    offset: int | None = None
    filters = FilterParser()
    rest: list[tuple[str, str]] = []
    for key, value in pairs:
        if key == "select":
            select = _select(value)
        elif key == "order":
            order = _order(value)
        elif key == "limit":
            limit = non_negative(key, value)
        elif key == "offset":
            offset = non_negative(key, value)
        elif key in ("or", "and", "not.or", "not.and"):
            filters.logic(key, value)
        elif "." in key:  # an embed's parameter: _embed_params
            rest.append((key, value))
        elif posted and key == "columns":  # the arguments to take from the body, the rest ignored (PostgREST)
            base = msgspec.structs.replace(base, columns=_names(key, value))
        elif posted and key in RESERVED:
            raise bad_query(f"'{key}' is not supported on functions")
        elif posted:
            filters.add(key, value)
        elif key in RESERVED or not filters.try_add(key, value):
            rest.append((key, value))
    limit, offset = within_range(ranged, limit, offset)
    shaped = msgspec.structs.replace(
        base, select=select, order=order, where=tuple(filters.conditions), values=tuple(filters.values),
        limit=limit, offset=offset,
    )  # fmt: skip
    return shaped, rest


def _names(key: str, text: str) -> tuple[str, ...]:
    """`a,b` or `"a","b"` (postgrest-js quotes them); repeated names once."""
    parts = text.split(",")
    names = tuple(dict.fromkeys(n.strip().removeprefix('"').removesuffix('"') for n in parts))
    if not all(names):  # where PostgREST's pColumns stops, in its words
        at = next(len(",".join(parts[:i])) + (i > 0) for i, n in enumerate(parts) if not n.strip().strip('"'))
        found = f'"{text[at]}"' if at < len(text) else "end of input"
        raise bad_query(f'"failed to parse {key} parameter ({text})" (line 1, column {at + 1})',
                        f"unexpected {found} expecting field name (* or [a..z0..9_$])")  # fmt: skip
    return names
