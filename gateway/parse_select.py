"""`select=` and `order=` as typed data (PostgREST's QueryParams.hs `pFieldForest`,
`pOrder`): no SQL, no catalog; names are checked by plan.py. Embedded
resources in a select are parsed by embed_parse.py, aggregates by aggregates.py.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

import msgspec

from gateway.aggregates import Function as AggregateFunction
from gateway.aggregates import parse_item as parse_aggregate
from gateway.aggregates import split_items
from gateway.embed_parse import Embed, parse_select
from gateway.errors import bad_query

# Casts are written into SQL, so only these names are accepted (PostgREST
# quotes nothing here either; it relies on its parser, we on a closed list).
Cast = Literal[
    "text", "varchar", "integer", "bigint", "smallint", "numeric", "real",
    "boolean", "date", "time", "timestamp", "timestamptz", "uuid", "json", "jsonb",
]  # fmt: skip
CASTS: frozenset[str] = frozenset(get_args(Cast))
_RELATED = re.compile(r"(?P<relation>[^()]+)\((?P<column>[^()]+)\)")
_SELECT_ITEM = re.compile(r"(?:(?P<alias>[^:]+):(?!:))?(?P<column>[^:]+)(?:::(?P<cast>[^:]+))?")


class SelectItem(msgspec.Struct, frozen=True, kw_only=True):
    column: str  # "*" for every column; "" for a bare count()
    alias: str | None = None
    cast: Cast | None = None
    aggregate: AggregateFunction | None = None  # `amount.sum()` (aggregates.py)


class OrderTerm(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    relation: str | None = None  # `order=class(name)`: a column of a to-one embed (its alias or name)
    direction: Literal["asc", "desc"] | None = None
    nulls: Literal["nullsfirst", "nullslast"] | None = None


def select_items(text: str) -> tuple[SelectItem | Embed, ...] | None:
    if "(" in text or "..." in text:
        aggregated = split_items(text)  # `count()`, `amount.sum()`: aggregates.py
        if aggregated is not None:
            return _aggregated(text, aggregated)
        # resource embedding: embed_parse.py, plain items back here
        return parse_select(text, select_items)  # type: ignore[arg-type]
    items = []
    for raw in text.split(","):
        raw = raw.strip()
        if not raw:
            continue
        match = _SELECT_ITEM.fullmatch(raw)
        if match is None:
            raise bad_query(f'"failed to parse select parameter ({text})"', f"unexpected item {raw!r}")
        cast = match["cast"]
        if cast is not None and cast not in CASTS:
            raise bad_query(
                f'"failed to parse select parameter ({text})"',
                f"unknown cast {cast!r} in {raw!r}",
                f"Casts allowed: {', '.join(sorted(CASTS))}",
            )
        alias = match["alias"].strip() if match["alias"] else None
        items.append(SelectItem(column=match["column"].strip(), alias=alias, cast=cast))  # type: ignore[arg-type]
    return tuple(items) or None


def _aggregated(text: str, raws: list[str]) -> tuple[SelectItem | Embed, ...]:
    items: list[SelectItem | Embed] = []
    for raw in raws:
        item = parse_aggregate(raw)
        if item is None:
            items.extend(select_items(raw) or ())
        elif item.cast is not None and item.cast not in CASTS:
            raise bad_query(f'"failed to parse select parameter ({text})"', f"unknown cast {item.cast!r} in {raw!r}")
        else:
            items.append(SelectItem(column=item.column, alias=item.alias, cast=item.cast,  # type: ignore[arg-type]
                                    aggregate=item.function))  # fmt: skip
    return tuple(items)


def order_terms(text: str) -> tuple[OrderTerm, ...]:
    terms = []
    for raw in text.split(","):
        column, *modifiers = raw.strip().split(".")
        direction = nulls = None
        for modifier in modifiers:
            if modifier in ("asc", "desc") and direction is None and nulls is None:
                direction = modifier
            elif modifier in ("nullsfirst", "nullslast") and nulls is None:
                nulls = modifier
            else:
                raise bad_query(
                    f'"failed to parse order ({text})"',
                    f"unexpected {modifier!r} in {raw!r}, expecting asc, desc, nullsfirst or nullslast",
                )
        if not column:
            raise bad_query(f'"failed to parse order ({text})"', f"missing column name in {raw!r}")
        relation = None
        related = _RELATED.fullmatch(column)
        if related is not None:  # PostgREST's related order: `relation(column)`
            relation, column = related["relation"].strip(), related["column"].strip()
        elif "(" in column or ")" in column:
            raise bad_query(f'"failed to parse order ({text})"', f"expecting relation(column) in {raw!r}")
        term = OrderTerm(column=column, relation=relation, direction=direction, nulls=nulls)  # type: ignore[arg-type]
        terms.append(term)
    return tuple(terms)
