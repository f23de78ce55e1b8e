"""Parameters of embedded resources in the query string, as typed data
(PostgREST's QueryParams.hs): no SQL, no catalog. The embeds themselves are
items of `select=` (select.py).

    classes.name=eq.X  classes.order=name.desc  classes.limit=2  classes.or=(...)

An embed's parameters are keyed by its path of names (the alias when it has
one, as in PostgREST). Their values take slots like top-level filters do (an
embed's limit and offset too), so they stay out of the request's shape.
"""

from __future__ import annotations

import msgspec

from gateway.dialect.parse.filters import Condition, FilterParser
from gateway.dialect.parse.headers import non_negative
from gateway.dialect.parse.select import OrderTerm, order_terms
from gateway.errors import bad_query


class EmbedQuery(msgspec.Struct, frozen=True, kw_only=True):
    """The parameters of one embed: `path.column=...`, `path.order=`, `path.limit=`..."""

    path: tuple[str, ...]
    where: tuple[Condition, ...] = ()
    order: tuple[OrderTerm, ...] = ()
    limit_slot: int | None = None
    offset_slot: int | None = None


class EmbedParams:
    """Collects `path.param=value` pairs; values take slots in `filters`."""

    def __init__(self) -> None:
        self._queries: dict[tuple[str, ...], EmbedQuery] = {}

    def add(self, key: str, value: str, filters: FilterParser) -> None:
        parts = key.split(".")
        if len(parts) > 2 and parts[-2] == "not" and parts[-1] in ("or", "and"):
            path, param = tuple(parts[:-2]), "not." + parts[-1]
        else:
            path, param = tuple(parts[:-1]), parts[-1]
        if not all(path) or not param:
            raise bad_query(f"failed to parse filter ({key}={value})", "expecting embed.column or embed.order ...")
        query = self._queries.get(path) or EmbedQuery(path=path)
        if param == "order":
            query = msgspec.structs.replace(query, order=order_terms(value))
        elif param in ("limit", "offset"):
            filters.values.append(str(non_negative(key, value)))
            slot = len(filters.values) - 1
            field = "limit_slot" if param == "limit" else "offset_slot"
            query = msgspec.structs.replace(query, **{field: slot})
        elif param in ("or", "and", "not.or", "not.and"):
            filters.logic(param, value)
            query = msgspec.structs.replace(query, where=(*query.where, filters.conditions.pop()))
        elif param in ("select", "columns", "on_conflict"):
            raise bad_query(f"'{key}' is not supported", hint="Select an embed's columns inside its parentheses")
        else:
            filters.add(param, value)
            query = msgspec.structs.replace(query, where=(*query.where, filters.conditions.pop()))
        self._queries[path] = query

    def queries(self) -> tuple[EmbedQuery, ...]:
        return tuple(self._queries.values())
