"""`Plan` -> one SQL statement (PostgREST's Query/QueryBuilder.hs; the shared
fragments are in fragments.py).

Pure. Identifiers come only from the plan, which took them from the catalog,
and are always quoted with `"` doubled (`ident`); values are only ever `$n`
parameters. One read builder serves reads with and without embeds: the plan's embeds
become LATERAL joins (`Joined`, embeds.py), so counts, CSV and paging are written once.
Every statement returns one row of four columns:

    body        text: the JSON Postgres built (json_agg), passed to the client as is
    page_total  bigint: rows in this response
    total       bigint: rows matching the filters with `Prefer: count=exact`, else null
    location    text[]: primary key values of one created row, else null

and writes and calls two more, `response_headers` and `response_status` (`_RESPONSE`).

so http/execute.py and http/respond.py handle every action alike. Request values are
bound first ($1..$k, slot + 1); `Rendered.extras` lists what follows them.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from gateway.dialect.formats import csv_body
from gateway.dialect.parse.request import ApiRequest
from gateway.dialect.plan.nodes import CallPlan, MutatePlan, Plan, ReadPlan, SelectField
from gateway.dialect.render.arguments import get_argument as _get_argument
from gateway.dialect.render.arguments import variadic as _variadic
from gateway.dialect.render.embeds import ALONE, Joined, joins
from gateway.dialect.render.fragments import condition as _condition
from gateway.dialect.render.fragments import every_column as _every_column
from gateway.dialect.render.fragments import group_by as _group_by
from gateway.dialect.render.fragments import ident, qualified, select_with_embeds
from gateway.dialect.render.fragments import literal as _literal
from gateway.dialect.render.fragments import order as _order
from gateway.dialect.render.fragments import select_list as _select_list
from gateway.dialect.render.fragments import where as _where
from gateway.dialect.render.keyset import keyset_rows
from gateway.dialect.render.media import handled, stripped
from gateway.dialect.render.writes import INSERTED, counts_inserted, delete, insert_source, on_conflict, update

# "cursor": a keyset cursor's values (keyset.py).
# "raw_body": the body's bytes, for a bytea argument (plan/functions.py).
Extra = Literal["limit", "offset", "body", "body_as_array", "count_cap", "cursor", "raw_body"]
_ARRAY = "coalesce(json_agg(pgrst_t), '[]')::text"
_OBJECT = "coalesce((json_agg(pgrst_t)->0)::text, 'null')"
# Writes and calls also return what a function or trigger set for the HTTP
# answer (PostgREST's response.headers / response.status), read in the same
# statement after the rows: the select list is evaluated after the aggregate
# (or, for one value, after the call to its left). A setting reset at the end
# of an earlier transaction reads '' on the same connection, hence nullif.
_RESPONSE = (
    ", nullif(current_setting('response.headers', true), '') as response_headers"
    ", nullif(current_setting('response.status', true), '') as response_status"
)


class Rendered(msgspec.Struct, frozen=True, kw_only=True):
    sql: str
    extras: tuple[Extra, ...] = ()
    read_only: bool = False
    # `EXPLAIN (FORMAT JSON)` of the counted query, bound with the request's
    # values only: its top node's "Plan Rows" is a planned count.
    explain: str | None = None
    explain_extras: int = 0  # and this many extras after them (a POST call's body)


def render(plan: Plan) -> Rendered:
    """The plan tree in one walk: the statement of its root, the embeds below
    it joined in as LATERAL subqueries (embeds.py recurses on the children)."""
    joined = joins(plan)
    if isinstance(plan, ReadPlan):
        return _read(plan, joined)
    if isinstance(plan, MutatePlan):
        return _mutate(plan, joined)
    return _call(plan, joined)


def bind(
    rendered: Rendered, request: ApiRequest, max_rows: int, cursor: tuple[str | None, ...] = ()
) -> tuple[object, ...]:
    """The statement's arguments: the request's values, then the extras
    (`cursor`: a keyset cursor's values, keyset.decode)."""
    args: list[object] = [list(v) if isinstance(v, tuple) else v for v in request.values]
    keys = iter(cursor)
    for extra in rendered.extras:
        if extra == "cursor":
            args.append(next(keys))
            continue
        if extra == "limit":
            args.append(max_rows if request.limit is None else min(request.limit, max_rows))
        elif extra == "offset":
            args.append(request.offset)
        elif extra == "count_cap":
            args.append(max_rows + 1)
        elif extra == "raw_body":
            args.append(request.body or b"")
        else:
            body = (request.body or b"").decode()
            args.append(f"[{body}]" if extra == "body_as_array" else body)
    return tuple(args)


def _read(plan: ReadPlan, joined: Joined) -> Rendered:
    relation = qualified(plan.relation)
    conditions = [_condition(c, relation) for c in plan.where] + list(joined.inner)
    where = " where " + " and ".join(conditions) if conditions else ""
    limit, offset = plan.params + 1, plan.params + 2
    # Each LATERAL join gives one row per parent row: an aggregated read groups
    # the parent's rows, by its columns and its embeds' (PostgREST 12).
    aggregated = plan.aggregated or joined.hoisted
    group = _group_by(plan.select, relation, joined.items) if aggregated else ""
    # Grouped: no keyset, so not the primary key plan/action.py appended for it (keyset.py).
    terms = plan.order[: len(plan.order) - plan.key_appended] if aggregated else plan.order
    inner = (
        f"select {_columns(plan.select, relation, joined, aggregated)} from {relation}{joined.joins}{where}{group}"
        f"{_order(terms, relation, joined.keys)} limit ${limit} offset ${offset}"
    )
    # The count needs the joins only when an !inner embed filters the rows.
    counted = f"{relation}{joined.joins if joined.inner else ''}{where}"
    total = f"(select count(*) from {counted})" if plan.count else "null::bigint"
    if aggregated and plan.count:  # the rows of an aggregated read are its groups
        total = f"(select count(*) from (select 1 from {relation}{joined.joins}{where}{group}) pgrst_g)"
    extras: tuple[Extra, ...] = ("limit", "offset")
    if plan.estimate == "estimated":
        total = f"(select count(*) from (select 1 from {counted} limit ${plan.params + 3}) pgrst_c)"
        extras = ("limit", "offset", "count_cap")
    explain = f"explain (format json) select 1 from {counted}" if plan.estimate else None
    body = csv_body("pgrst_t") if plan.csv else _OBJECT if plan.single else _ARRAY
    location = "null::text[]"
    if plan.key_types and not aggregated:
        page = joined.page or ALONE
        filtering = joined.joins if joined.inner else ""
        inner = keyset_rows(plan, relation, conditions, filtering, page.joins, page.items, plan.params + len(extras))
        cursor: tuple[Extra, ...] = ("cursor",) * len(plan.key_types) if plan.cursor else ()
        extras = (*extras, *cursor)
        rows = "pgrst_t.pgrst_row"
        body = csv_body("pgrst_t", rows) if plan.csv else f"coalesce(json_agg({rows}), '[]')::text"
        # The last row's key values, for the next page's cursor (keyset.py).
        location = "case when count(*) > 0 then array[((array_agg(pgrst_t.pgrst_key))[count(*)])::text] end"
    answer = ""
    if plan.media is not None:  # a handler may set response.headers (its Content-Type)
        rows = "pgrst_t.pgrst_row" if plan.key_types and not aggregated else ""
        row = f"json_populate_record(null::{relation}, {rows})" if rows else f"pgrst_t::{relation}"
        body, answer = handled(plan.media, row), _RESPONSE
    elif plan.strip_nulls:
        body = stripped(body)
    sql = (
        f"select {body} as body, count(*) as page_total, {total} as total, {location} as location{answer} "
        f"from ({inner}) pgrst_t"
    )
    return Rendered(sql=sql, extras=extras, read_only=True, explain=explain)


def _columns(fields: tuple[SelectField, ...] | None, source: str, joined: Joined, grouped: bool = False) -> str:
    """The select list: the plan's fields, with the embeds' columns in their places."""
    if not joined.joins:
        return _select_list(fields, source)
    return select_with_embeds(fields or (), source, joined.items, grouped)


def _mutate(plan: MutatePlan, joined: Joined) -> Rendered:
    relation = qualified(plan.relation)
    body_param = f"${plan.params + 1}"
    extras: tuple[Extra, ...] = ()
    if plan.action == "create":
        columns = ", ".join(ident(c) for c in plan.columns)
        target = f" ({columns})" if columns else ""
        statement = f"insert into {relation}{target} {insert_source(plan, body_param)}{on_conflict(plan)}"
        # A single object goes in as a one-element array: one SQL text for both.
        extras = ("body",) if plan.array_body else ("body_as_array",)
    elif plan.action == "update":
        statement = update(plan, relation, body_param)
        extras = ("body",)
    else:
        statement = delete(plan, relation)
    if plan.limited:
        extras += ("limit", "offset")
    body = (_OBJECT if plan.single else _ARRAY) if plan.representation else "null::text"
    if plan.representation and plan.csv:
        body = csv_body("pgrst_t")
    elif plan.strip_nulls and plan.representation:
        body = stripped(body)
    location = "null::text[]"
    if plan.location:
        keys = ", ".join(f"{ident(c)}::text" for c in plan.location)
        location = f"(select array[{keys}] from pgrst_source limit 1)"
    # Embedded rows of the returned ones are read in the statement's snapshot.
    returned = "pgrst_source"
    if plan.representation and joined.joins:
        inner = " where " + " and ".join(joined.inner) if joined.inner else ""
        returned = f"pgrst_source{joined.joins}{inner}"
    else:
        joined = ALONE
    sql = (
        f"with pgrst_source as ({statement} returning {_every_column(plan.relation, relation)}) "
        f"select {body} as body, count(*) as page_total, count(*) as total, {location} as location{_RESPONSE}"
        f"{INSERTED if counts_inserted(plan) else ''} "
        f"from (select {_columns(plan.returning, 'pgrst_source', joined)} from {returned}) pgrst_t"
    )
    return Rendered(sql=sql, extras=extras)


def _call(plan: CallPlan, joined: Joined = ALONE) -> Rendered:
    function = qualified(plan.function)
    extras: tuple[Extra, ...]
    if plan.body_param is not None:  # the body whole, PostgREST's single unnamed json/jsonb argument
        whole: Extra = "raw_body" if plan.body_param == "bytea" else "body"
        source, values, extras = "", [f"${plan.params + 1}::{plan.body_param}"], (whole,)
    elif plan.single_object:
        (argument,) = plan.arguments
        slot = plan.params + 1 if plan.from_body else plan.params  # after the filters' values either way
        source, values = "", [f"${slot}::text::{argument.type}"]
        extras = ("body",) if plan.from_body else ()
    elif plan.from_body and plan.arguments:
        definitions = ", ".join(f"{ident(a.name)} {a.type}" for a in plan.arguments)
        # Filter values of a POST call come first ($1..$params).
        source = f"json_to_record(${plan.params + 1}::json) as pgrst_args({definitions})"
        values = [f"{_variadic(a)}{ident(a.name)} => pgrst_args.{ident(a.name)}" for a in plan.arguments]
        extras = ("body",)
    else:
        source = ""
        first = plan.params - len(plan.arguments)  # a GET's arguments follow its filters' values
        values = [
            f"{_variadic(a)}{ident(a.name)} => {_get_argument(first + i, a)}" for i, a in enumerate(plan.arguments)
        ]
        extras = ()
    call = f"{function}({', '.join(values)})"
    # CSV is an aggregate over rows, so one value or row is read as a set of one.
    if plan.shaped or plan.returns == "set" or (plan.csv and plan.returns != "void"):
        return _shaped_call(plan, call, source, extras, joined)
    from_source = f" from {source}" if source else ""
    if plan.returns == "void":  # one (void) value too: 0-0/*, and 204 (http/respond.py)
        sql = (
            f"select null::text as body, 1::bigint as page_total, {'1' if plan.count else 'null'}::bigint as total, "
            f"null::text[] as location{_RESPONSE} from (select {call}{from_source}) pgrst_t"
        )
    else:  # one value: Prefer count says 1, as PostgREST's funcReturnsSingle
        body = f"{_value(plan, call)}::text"
        body = handled(plan.media, call) if plan.media else stripped(body) if plan.strip_nulls else body
        sql = (
            f"select {body} as body, 1::bigint as page_total, "
            f"{'1' if plan.count else 'null'}::bigint as total, null::text[] as location{_RESPONSE}{from_source}"
        )
    return Rendered(sql=sql, extras=extras, read_only=plan.read_only)


def _value(plan: CallPlan, value: str, *, agg: bool = False) -> str:
    """One result as JSON: keyed by the function's one OUT column, as PostgREST."""
    if plan.single_out is not None and not plan.csv:
        return f"json_build_object({_literal(plan.single_out)}, {value})"
    return value if agg else f"to_json({value})"


def _shaped_call(
    plan: CallPlan, call: str, source: str, extras: tuple[Extra, ...], joined: Joined = ALONE
) -> Rendered:
    """The function's rows read like a relation's (PostgREST's callPlanToQuery
    and prepareCall): `select`, filters, `order` and embeds (`joined`,
    embeds.py) when shaped, always limit/offset (MAX_ROWS applies), the
    count over the same CTE so that the function runs once. Postgres inlines a
    CTE used once when it has no volatile function, so a SQL function's body
    can still use its indexes.
    Unshaped, each row is the function's whole row or value (`pgrst_call`: a
    set of integers gives [1, 2], a set of rows objects). One row type
    returned (not a set) still answers one object."""
    rows = f"{source} cross join lateral {call} as pgrst_call" if source else f"{call} as pgrst_call"
    limit = plan.params + len(extras) + 1
    counted = "pgrst_source"
    if plan.shaped:
        cte = f"select pgrst_call.* from {rows}{_where(plan.where, 'pgrst_call')}"
        # `!inner` embeds filter the rows, and so the count.
        inner = " where " + " and ".join(joined.inner) if joined.inner else ""
        if inner:
            counted = f"pgrst_source as pgrst_call{joined.joins}{inner}"
        order = _order(plan.order, "pgrst_call")
        group = _group_by(plan.select, "pgrst_call") if plan.aggregated else ""
        page = (f"{_columns(plan.select, 'pgrst_call', joined)} from pgrst_source as pgrst_call{joined.joins}{inner}"
                f"{group}{order}")  # fmt: skip
        array, one = _ARRAY, _OBJECT
    else:
        cte, page = f"select pgrst_call from {rows}", "pgrst_source.pgrst_call from pgrst_source"
        if plan.anonymous_record:  # in FROM it needs a column definition list (42601); as a value, its
            # records keep the names its query gave them, as PostgREST answers them
            cte = f"select {call} as pgrst_call{' from ' + source if source else ''}"
        value = _value(plan, "pgrst_t.pgrst_call", agg=True)
        array = f"coalesce(json_agg({value}), '[]')::text"
        one = f"coalesce((json_agg({value})->0)::text, 'null')"
    body = one if plan.single or plan.returns != "set" else array
    if plan.csv:  # values are headed `pgrst_scalar`, as PostgREST's (Query/QueryBuilder.hs callPlanToQuery)
        value = "json_build_object('pgrst_scalar', pgrst_t.pgrst_call)"
        body = csv_body("pgrst_t", None if plan.shaped else "row_to_json(pgrst_t.pgrst_call)" if plan.row else value)
    if plan.media is not None:  # over the rows as the relation's row type, or the values
        rows = f"pgrst_t::{qualified(plan.relation)}" if plan.shaped and plan.relation else "pgrst_t.pgrst_call"
        body = handled(plan.media, rows)
    elif plan.strip_nulls:
        body = stripped(body)
    total = f"(select count(*) from {counted})" if plan.count else "null::bigint"
    # One value or row as CSV (not shaped, no set) ignores limit/offset and Range, as in JSON.
    paged = plan.shaped or plan.returns == "set"
    extras = (*extras, "limit", "offset") if paged else extras
    if plan.estimate == "estimated":  # as a read: exact up to MAX_ROWS + 1, then the planner's estimate
        total = f"(select count(*) from (select 1 from {counted} limit ${limit + 2}) pgrst_c)"
        extras = (*extras, "count_cap")
    with_source = f"with pgrst_source as ({cte}) "
    sql = (
        f"{with_source}select {body} as body, count(*) as page_total, {total} as total, null::text[] as location"
        f"{_RESPONSE} "
        f"from (select {page}{f' limit ${limit} offset ${limit + 1}' if paged else ''}) pgrst_t"
    )
    explain = f"explain (format json) {with_source}select 1 from pgrst_source" if plan.estimate else None
    return Rendered(sql=sql, extras=extras, read_only=plan.read_only, explain=explain,
                    explain_extras=1 if "body" in extras or "raw_body" in extras else 0)  # fmt: skip
