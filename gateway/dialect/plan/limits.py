"""Query cost limits, checked on the parsed request before it is planned
(issue 13, F5): one school's caller must not be able to make Postgres build a
7-level embed of 196 MB or a statement of thousands of conditions that other
schools then queue behind. Pure: a function of the request and the limits.

    SDA103 400  more nested embeds than MAX_EMBED_DEPTH
    SDA104 400  more select items (columns, aggregates, embeds) than MAX_SELECT_ITEMS
    SDA105 400  more filter conditions than MAX_FILTERS
    PGRST100 400  a NUL or control character in a name or alias (F6): Postgres
                  cannot quote it, so it would reach the server as an empty or odd identifier
"""

from __future__ import annotations

import re

import msgspec

from gateway.dialect.parse.filters import Condition, Filter, IsFilter, Logic
from gateway.dialect.parse.request import ApiRequest, Embed, OrderTerm, SelectItem
from gateway.errors import ApiError, bad_query

# C0 controls and DEL: never part of a column name or alias a client means.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class QueryLimits(msgspec.Struct, frozen=True, kw_only=True):
    max_embed_depth: int = 4
    max_select_items: int = 100
    max_filters: int = 50


def check_limits(request: ApiRequest, limits: QueryLimits) -> None:
    """Refuse a request past a limit, or naming anything with a control character."""
    _check_names(request)
    depth, items = _measure(request.select or (), 0)
    if depth > limits.max_embed_depth:
        raise ApiError(400, "SDA103", "Too many nested embedded resources",
                       details=f"{depth} levels of embedding; at most {limits.max_embed_depth}",
                       hint="Embed fewer levels, or read the deeper resource with a request of its own (MAX_EMBED_DEPTH)")  # fmt: skip
    if items > limits.max_select_items:
        raise ApiError(400, "SDA104", "Too many items in select",
                       details=f"{items} items; at most {limits.max_select_items}",
                       hint="Select fewer columns, or `*` (MAX_SELECT_ITEMS)")  # fmt: skip
    filters = _count_conditions(request.where) + sum(_count_conditions(e.where) for e in request.embeds)
    if filters > limits.max_filters:
        raise ApiError(400, "SDA105", "Too many filter conditions",
                       details=f"{filters} conditions; at most {limits.max_filters}",
                       hint="Use `in.(...)` for a list of values (MAX_FILTERS)")  # fmt: skip


# Rows of output one unit of a school's share stands for (request_cost).
ROWS_PER_COST_UNIT = 250


def request_cost(request: ApiRequest, max_rows: int) -> int:
    """What a request weighs in its school's share of statements in flight
    (http/fair_gate.py), known before it runs: the rows it may read
    (`min(limit, MAX_ROWS)`) times one plus its embeds, one unit per
    ROWS_PER_COST_UNIT, plus one for an exact count (it reads every matching
    row, not one page). A 20-row page is 1; a 1,000-row read with an embed and
    `count=exact` is 9. Writes cost 1: their size is bounded by the body; so
    does a function call without a limit (most return one row or a scalar)."""
    if request.action not in ("read", "call"):
        return 1
    if request.limit is not None:
        rows = min(request.limit, max_rows)
    else:
        rows = max_rows if request.action == "read" else ROWS_PER_COST_UNIT
    return answer_cost(request, rows)


def answer_cost(request: ApiRequest, rows: int) -> int:
    """What a read that returned `rows` cost, by the same measure: what its
    school's request rate is charged (http/limits.py FairShare.charge), so a
    school reading 1,000-row pages spends its rate nine times as fast as one
    reading 20-row pages, and a small table read without a limit costs 1."""
    embeds = _count_embeds(request.select or ())
    exact = 1 if request.preferences.count == "exact" else 0
    return max(1, -(-rows * (1 + embeds) // ROWS_PER_COST_UNIT)) + exact


def _count_embeds(select: tuple[SelectItem | Embed, ...]) -> int:
    return sum(1 + _count_embeds(item.select) for item in select if isinstance(item, Embed))


def _measure(select: tuple[SelectItem | Embed, ...], level: int) -> tuple[int, int]:
    """(deepest embed level, items over the whole tree)."""
    deepest, items = level, len(select)
    for item in select:
        if isinstance(item, Embed):
            depth, inner = _measure(item.select, level + 1)
            deepest, items = max(deepest, depth), items + inner
    return deepest, items


def _count_conditions(conditions: tuple[Condition, ...]) -> int:
    total = 0
    for condition in conditions:
        total += _count_conditions(condition.children) if isinstance(condition, Logic) else 1
    return total


def _check_names(request: ApiRequest) -> None:
    names: list[str] = [request.target]
    _select_names(request.select or (), names)
    _condition_names(request.where, names)
    names.extend(_order_names(request.order))
    for embed in request.embeds:
        names.extend(embed.path)
        _condition_names(embed.where, names)
        names.extend(_order_names(embed.order))
    names.extend(request.columns or ())
    names.extend(request.on_conflict or ())
    names.extend(request.rpc_args)
    for name in names:
        if _CONTROL.search(name):
            raise bad_query("A name or alias contains a control character",
                            details=f"{name!r}", hint="Names and aliases are printable text")  # fmt: skip


def _select_names(select: tuple[SelectItem | Embed, ...], names: list[str]) -> None:
    for item in select:
        if isinstance(item, Embed):
            names.extend(n for n in (item.name, item.alias, item.hint) if n is not None)
            _select_names(item.select, names)
        else:
            names.extend(n for n in (item.column, item.alias) if n is not None)


def _condition_names(conditions: tuple[Condition, ...], names: list[str]) -> None:
    for condition in conditions:
        if isinstance(condition, Logic):
            _condition_names(condition.children, names)
        elif isinstance(condition, Filter | IsFilter):
            names.append(condition.column)


def _order_names(order: tuple[OrderTerm, ...]) -> list[str]:
    return [n for term in order for n in (term.column, term.relation) if n is not None]
