"""Embeds of a request -> `EmbedPlan` trees, or a typed error (PostgREST's
Plan.hs `addRels`, `findRel`). Pure, like action.py, whose name checks
(resolve.py) it reuses: every relation, column and join column comes from the catalog.

Errors, PostgREST's:
    PGRST200 400  no relationship between the parent and the embed (with the hint given)
    PGRST201 300  more than one: the hint lists `name!constraint` choices
    PGRST108 400  `path.param=` or `order=name(column)` names no embed of this request
    PGRST118 400  `order=name(column)` on a to-many embed
    PGRST127 400  aggregates in a to-many spread (PostgREST 13)

To-many spreads as PostgREST 13 has them (docs "Spread embedded resource",
"Spread one-to-many and many-to-many relationships"): `classes?select=name,
...students(first_name)` gives the parent one JSON array per column, in the
embed's order (render/embeds.py). Its order, limit and filters apply as in any
to-many embed. `!inner` on any spread keeps parents with a related row.

Aggregates as PostgREST 12 has them with embeds (docs "Aggregate Functions",
"Aggregates and Resource Embedding"):
- inside an embed (`classes?select=name,enrollments(count())`): grouped by
  the embed's other columns within each parent row, in its LATERAL subquery;
- beside embeds (`enrollments?select=count(),classes(name)`): grouped by the
  parent's columns and the embeds' JSON and spread columns;
- inside a to-one spread (`grades?select=student_id,...assignments(max_score.sum())`):
  hoisted to the parent, grouped there.
"""

from __future__ import annotations

import msgspec

from gateway.dialect.parse.embed_params import EmbedQuery
from gateway.dialect.parse.request import ApiRequest
from gateway.dialect.parse.select import Embed, SelectItem
from gateway.dialect.plan.computed import relation_name, row_type
from gateway.dialect.plan.embed_null import split_null_filters
from gateway.dialect.plan.find_relationship import find_relationship
from gateway.dialect.plan.nodes import EmbedPlan, OrderPlan, QualifiedName, SelectField
from gateway.dialect.plan.resolve import condition_plan, find_relation, order_plan, select_fields, typed_column
from gateway.dialect.schema.cache import Relation, SchemaCache
from gateway.dialect.schema.relationships import TO_ONE
from gateway.errors import ApiError, bad_query


def has_embeds(request: ApiRequest) -> bool:
    """Embeds, their parameters, or an order by an embed's column (whose
    checks are here, so `order=class(name)` without `class` is PGRST108)."""
    return (
        any(isinstance(item, Embed) for item in request.select or ())
        or bool(request.embeds)
        or any(term.relation is not None for term in request.order)
    )


def embeds_aggregate(items: tuple[SelectItem | Embed, ...] | None) -> bool:
    """Whether an embed (at any depth) aggregates: AGGREGATES_ROLES applies to it too (http/routes.py)."""
    return any(
        isinstance(i, Embed) and (any(isinstance(j, SelectItem) and j.aggregate for j in i.select)
                                  or embeds_aggregate(i.select))
        for i in items or ()
    )  # fmt: skip


def without_embeds(request: ApiRequest) -> ApiRequest:
    """The request action.py sees: its own columns only (`()` when it selects
    only embeds; render then writes no column of its own)."""
    if request.select is None:
        return request
    columns = tuple(item for item in request.select if isinstance(item, SelectItem))
    where, rows = split_null_filters(request.where, request.select)
    if rows and request.action != "read":
        raise bad_query(f"'{next(iter(rows))}' is an embed: filtering by its rows applies to reads only",
                        hint="Filter a write by its own columns")  # fmt: skip
    return msgspec.structs.replace(request, select=columns, embeds=(), where=where)


def plan_embeds(request: ApiRequest, schema: SchemaCache, parent: str | None = None) -> tuple[EmbedPlan, ...]:
    """`parent`: the relation the top-level rows are rows of, when not the
    request's target (a function's result rows: action.py `CallPlan.relation`)."""
    shaped = parent is not None or request.action != "call"
    queries = _resolve_paths(request.select or () if shaped else (), request.embeds)
    embeds: tuple[EmbedPlan, ...] = ()
    # A call whose result is not shaped selects no embed (action.py `_call`):
    # its embed parameters are all PGRST108 below.
    if shaped:
        relation = find_relation(schema, parent or request.target)
        rows = split_null_filters(request.where, request.select or ())[1] if request.action == "read" else {}
        embeds = _embeds(schema, relation.name, request.select or (), queries, (), rows)
        own = tuple(i for i in request.select or () if isinstance(i, SelectItem))
        hoisted = any(e.hoisted for e in embeds)
        if hoisted and request.action != "read":
            raise bad_query("aggregates are not supported in the rows a write returns")
        if hoisted and any(i.column == "*" for i in own):  # action.py's check, for aggregates it does not see
            raise bad_query("'*' cannot be selected with aggregates", hint="Name the columns to group by")
        aggregated = hoisted or any(i.aggregate for i in own)
        if aggregated and request.cursor is not None:  # its rows are groups: no key to continue from
            raise bad_query("cursor= is not supported with aggregates", hint="Page aggregated reads with limit/offset")
        embeds = _check_related_order(schema, relation.name, tuple(order_plan(relation, t) for t in request.order),
                                      embeds, aggregated)  # fmt: skip
    return embeds


def check_relationships(schema: SchemaCache, parent: str, items: tuple[SelectItem | Embed, ...]) -> None:
    """PGRST200/PGRST201 before any other check, as PostgREST, which finds an
    embed's relationship before Postgres sees a column (a wrong column beside
    a wrong embed is PGRST200, not 42703)."""
    for item in items:
        if isinstance(item, Embed):
            check_relationships(schema, find_relationship(schema, parent, item.name, item.hint).target, item.select)


def _resolve_paths(
    items: tuple[SelectItem | Embed, ...], queries: tuple[EmbedQuery, ...]
) -> dict[tuple[str, ...], EmbedQuery]:
    """Each `path.param=` keyed by the path of its embeds' keys (alias, else
    name). Each step of a path names an embed by its alias or its relation's
    name, the first that matches (PostgREST's updateNode): `tasks.order=` also
    orders `the_tasks:tasks(...)`. A step matching none is PGRST108."""
    resolved: dict[tuple[str, ...], EmbedQuery] = {}
    for query in queries:
        level, path = items, ()
        for step in query.path:
            embed = next((i for i in level if isinstance(i, Embed) and step in (i.name, i.alias)), None)
            if embed is None:
                raise ApiError(400, "PGRST108", f"'{step}' is not an embedded resource in this request",
                               hint=f"Verify that '{step}' is included in the 'select' query parameter.")  # fmt: skip
            path, level = (*path, embed.alias or embed.name), embed.select
        before = resolved.get(path)
        if before is not None:  # `tasks.order=` beside `the_tasks.name=`: both apply
            query = msgspec.structs.replace(
                query, where=(*before.where, *query.where), order=query.order or before.order,
                limit_slot=before.limit_slot if query.limit_slot is None else query.limit_slot,
                offset_slot=before.offset_slot if query.offset_slot is None else query.offset_slot,
            )  # fmt: skip
        resolved[path] = msgspec.structs.replace(query, path=path)
    return resolved


def _grouping(embed: Embed, select: tuple[SelectField, ...], embeds: tuple[EmbedPlan, ...]) -> tuple[bool, bool]:
    """(aggregated, hoisted). Aggregates in an embed group by its other columns,
    its embeds' JSON and its spreads' columns, within each parent row
    (PostgREST 12). A to-one spread is not grouped itself: its aggregates and
    those of its own spreads are hoisted to the first level that is not a
    spread (PostgREST's hoistSpreadAggFunctions), grouped there."""
    if not (any(f.aggregate for f in select) or any(e.hoisted for e in embeds)):
        return False, False
    if embed.spread:
        return False, True
    # The request's `*`: a role reading only some columns has it expanded (resolve.py).
    if any(isinstance(i, SelectItem) and i.column == "*" for i in embed.select):
        raise bad_query("'*' cannot be selected with aggregates", hint="Name the columns to group by")
    return True, False


def _embeds(
    schema: SchemaCache,
    parent: str,
    items: tuple[SelectItem | Embed, ...],
    queries: dict[tuple[str, ...], EmbedQuery],
    path: tuple[str, ...],
    rows: dict[str, bool],
) -> tuple[EmbedPlan, ...]:
    """`rows`: the null filters on these embeds (embed_null.py), by key."""
    plans = []
    for position, item in enumerate(items):
        if isinstance(item, Embed):
            plan = _embed(schema, parent, item, queries, path)
            must = rows.get(plan.key)
            plans.append(msgspec.structs.replace(plan, position=position, inner=plan.inner or must is True,
                                                 absent=must is False))  # fmt: skip
    keys = [p.key for p in plans if p.shown and not p.spread]
    for key in keys:
        if keys.count(key) > 1:
            raise bad_query(f"'{key}' is embedded twice", hint="Give each embed of one relation its own alias")
    return tuple(plans)


def _embed(
    schema: SchemaCache,
    parent: str,
    embed: Embed,
    queries: dict[tuple[str, ...], EmbedQuery],
    path: tuple[str, ...],
) -> EmbedPlan:
    rel = find_relationship(schema, parent, embed.name, embed.hint)
    target = find_relation(schema, rel.target)
    key = embed.alias or embed.name
    here = (*path, key)
    query = queries.get(here, EmbedQuery(path=here))
    to_many_spread = embed.spread and rel.cardinality not in TO_ONE
    if to_many_spread and any(isinstance(i, SelectItem) and i.aggregate for i in embed.select):
        _no_to_many_spread_aggregates()
    cut = bool(query.order) or query.limit_slot is not None or query.offset_slot is not None
    if rel.cardinality in TO_ONE and cut:
        # At most one row: an order or a limit there was ignored, which hid the client's mistake.
        raise bad_query(f"'{key}' is a to-one embed: order, limit and offset do not apply to it",
                        hint="Order or limit the parent, or filter the embed")  # fmt: skip
    items = _every_column(embed.select, target) if embed.spread else embed.select
    columns = tuple(i for i in items if isinstance(i, SelectItem))
    select = select_fields(target, columns, schema.types) or ()
    order = tuple(order_plan(target, t) for t in query.order)
    where, rows = split_null_filters(query.where, items)
    embeds = _embeds(schema, target.name, items, queries, here, rows)
    if to_many_spread and any(e.hoisted for e in embeds):  # a to-one spread's aggregates, hoisted to this one
        _no_to_many_spread_aggregates()
    aggregated, hoisted = _grouping(embed, select, embeds)
    if aggregated:
        _check_grouped_order(key, select, order)
    embeds = _check_related_order(schema, target.name, order, embeds, aggregated or hoisted)
    schema_name = schema.schema
    return EmbedPlan(
        key=key,
        relation=relation_name(target),
        cardinality=rel.cardinality,
        join=rel.join,
        junction=QualifiedName(schema=schema_name, name=rel.junction) if rel.junction else None,
        junction_join=rel.junction_join,
        select=select,
        embeds=embeds,
        where=tuple(condition_plan(target, c) for c in where),
        order=order,
        limit_slot=query.limit_slot,
        offset_slot=query.offset_slot,
        inner=embed.inner,
        spread=embed.spread,
        shown=bool(embed.select),
        aggregated=aggregated,
        hoisted=hoisted,
        function=QualifiedName(schema=schema_name, name=rel.function) if rel.function else None,
        parent=relation_name(find_relation(schema, parent)) if rel.function else None,
    )


def _no_to_many_spread_aggregates() -> None:
    """PostgREST 13's answer (Plan.hs addToManyOrderSelects): aggregates in a
    to-many spread, or in a to-one spread inside one (they would be hoisted to it)."""
    raise ApiError(400, "PGRST127", "Feature not implemented",
                   details="Aggregates are not implemented for one-to-many or many-to-many spreads.")  # fmt: skip


def _every_column(items: tuple[SelectItem | Embed, ...], target: Relation) -> tuple[SelectItem | Embed, ...]:
    """`...teachers(*)`: the columns by name, so the parent can name what a
    spread gives it (render/embeds.py) and leave out what it needs for itself."""
    expanded: list[SelectItem | Embed] = []
    for item in items:
        if isinstance(item, SelectItem) and item.column == "*" and item.aggregate is None:
            expanded.extend(SelectItem(column=name) for name in target.columns if name not in target.denied)
        else:
            expanded.append(item)
    return tuple(expanded)


def _check_related_order(
    schema: SchemaCache, parent: str, order: tuple[OrderPlan, ...], embeds: tuple[EmbedPlan, ...], aggregated: bool
) -> tuple[EmbedPlan, ...]:
    """`order=class(name)` (PostgREST's `addRelatedOrders`): `class` is an
    embed of this level, by alias or name, to-one, and `name` its column or
    computed field. The embeds, each told which of its computed fields the
    parent sorts by (render/embeds.py gives them beside its JSON)."""
    computed: dict[str, set[str]] = {}
    for term in order:
        if term.embed is None:
            continue
        embed = next((e for e in embeds if e.key == term.embed), None)
        if embed is None:
            raise ApiError(400, "PGRST108", f"'{term.embed}' is not an embedded resource in this request",
                           hint=f"Verify that '{term.embed}' is included in the 'select' query parameter.")  # fmt: skip
        if embed.cardinality not in TO_ONE:
            raise ApiError(400, "PGRST118", f"A related order on '{embed.key}' is not possible",
                           details=f"'{parent}' and '{embed.key}' do not form a many-to-one or one-to-one "
                           "relationship")  # fmt: skip
        embedded = find_relation(schema, embed.relation.name)
        column, _ = typed_column(embedded, term.column, term.path)
        if row_type(embedded, column.name) is not None:
            computed.setdefault(embed.key, set()).add(column.name)
        if aggregated or embed.aggregated:
            # Checked here, not left to Postgres: its 42803 would name the internal aliases.
            raise ApiError(400, "42803", f'column "{embed.key}.{term.column}" must appear in the GROUP BY clause '
                           "or be used in an aggregate function",
                           hint="A read with aggregates cannot be ordered by an embed's column")  # fmt: skip
    return tuple(
        msgspec.structs.replace(e, sorted_computed=frozenset(computed[e.key])) if e.key in computed else e
        for e in embeds
    )


def _check_grouped_order(key: str, select: tuple[SelectField, ...], order: tuple[OrderPlan, ...]) -> None:
    """Checked here, not left to Postgres: its 42803 would name the subquery's
    internal aliases (`pgrst_1_s`)."""
    grouped = {(f.column, f.path) for f in select if f.aggregate is None}
    for term in order:
        if term.embed is None and (term.column, term.path) not in grouped:
            raise ApiError(400, "42803", f'column "{key}.{term.column}" must appear in the GROUP BY clause '
                           "or be used in an aggregate function",
                           hint=f"Order '{key}' by the columns it groups by")  # fmt: skip
