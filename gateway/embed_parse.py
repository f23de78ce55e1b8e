"""Resource embedding in the query string, as typed data (PostgREST's
QueryParams.hs `pFieldForest`, `pRelationSelect`): no SQL, no catalog.

    select=*,teacher:teachers!classes_teacher_id_tenant_fkey(last_name),...teachers(first_name)
    classes.name=eq.X  classes.order=name.desc  classes.limit=2  classes.or=(...)

An embed's parameters are keyed by its path of names (the alias when it has
one, as in PostgREST). Their values take slots like top-level filters do (an
embed's limit and offset too), so they stay out of the request's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from gateway.aggregates import is_item as is_aggregate
from gateway.errors import bad_query
from gateway.parse_filters import FilterParser
from gateway.parse_headers import non_negative

if TYPE_CHECKING:
    from gateway.parse_filters import Condition
    from gateway.parse_select import OrderTerm, SelectItem

MAX_EMBED_DEPTH = 8  # each level is a LATERAL subquery in Postgres
_HEADER_STOP = set("(),!:")


class Embed(msgspec.Struct, frozen=True, kw_only=True):
    """`[alias:]name[!hint][!inner|!left](select)`, or `...name(select)` (spread)."""

    name: str  # a relation, as written
    alias: str | None = None
    hint: str | None = None  # a foreign key's name, a column, or a junction's name
    inner: bool = False
    spread: bool = False
    select: tuple[SelectItem | Embed, ...] = ()  # () only for `name()`: filter by it, show nothing


class EmbedQuery(msgspec.Struct, frozen=True, kw_only=True):
    """The parameters of one embed: `path.column=...`, `path.order=`, `path.limit=`..."""

    path: tuple[str, ...]
    where: tuple[Condition, ...] = ()
    order: tuple[OrderTerm, ...] = ()
    limit_slot: int | None = None
    offset_slot: int | None = None


def parse_select(
    text: str, columns: Callable[[str], tuple[SelectItem, ...] | None], depth: int = 0
) -> tuple[SelectItem | Embed, ...] | None:
    """`columns` parses plain items (parse_select.select_items); embeds are parsed here."""
    if depth > MAX_EMBED_DEPTH:
        raise _fail(text, f"at most {MAX_EMBED_DEPTH} nested embeds")
    items: list[SelectItem | Embed] = []
    for raw in _split(text):
        raw = raw.strip()
        if not raw:
            continue
        if "(" not in raw or is_aggregate(raw):  # `count()` is an item, not an embed named count
            if raw.startswith("..."):
                raise _fail(text, f"a spread needs an embedded resource: {raw!r}")
            items.extend(columns(raw) or ())
            continue
        items.append(_embed(raw, columns, depth))
    return tuple(items) or None


def _embed(raw: str, columns: Callable[[str], tuple[SelectItem, ...] | None], depth: int) -> Embed:
    open_at = raw.index("(")
    if not raw.endswith(")"):
        raise _fail(raw, f"unexpected text after the embedded resource: {raw!r}")
    header, body = raw[:open_at].strip(), raw[open_at + 1 : -1]
    spread = header.startswith("...")
    header = header.removeprefix("...")
    alias, sep, rest = header.partition(":")
    if not sep:
        alias, rest = "", header
    if sep and rest.startswith(":"):
        raise _fail(raw, "a cast cannot apply to an embedded resource")
    name, *marks = rest.split("!")
    hint, inner = None, False
    for mark in marks:
        if mark == "inner":
            inner = True
        elif mark == "left":
            inner = False
        elif hint is None and mark:
            hint = mark.strip()
        else:
            raise _fail(raw, f"unexpected '!{mark}' in {header!r}")
    name, alias = name.strip(), alias.strip()
    if not name or any(c in _HEADER_STOP for c in name + alias + (hint or "")):
        raise _fail(raw, f"expecting an embedded resource name in {header!r}")
    if spread and alias:
        raise _fail(raw, "a spread embedded resource cannot have an alias")
    select = parse_select(body, columns, depth + 1) if body.strip() else ()
    return Embed(name=name, alias=alias or None, hint=hint, inner=inner, spread=spread, select=select or ())


def _split(text: str) -> list[str]:
    """Top-level items: commas inside parentheses belong to an embed."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise _fail(text, "unexpected ')'")
        elif char == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    if depth != 0:
        raise _fail(text, "expecting ')'")
    items.append(text[start:])
    return items


def _fail(text: str, details: str) -> Exception:
    return bad_query(f'"failed to parse select parameter ({text})"', details)


class EmbedParams:
    """Collects `path.param=value` pairs; values take slots in `filters`."""

    def __init__(self) -> None:
        self._queries: dict[tuple[str, ...], EmbedQuery] = {}

    def add(self, key: str, value: str, filters: FilterParser) -> None:
        from gateway import parse_select  # it imports this module

        parts = key.split(".")
        if len(parts) > 2 and parts[-2] == "not" and parts[-1] in ("or", "and"):
            path, param = tuple(parts[:-2]), "not." + parts[-1]
        else:
            path, param = tuple(parts[:-1]), parts[-1]
        if not all(path) or not param:
            raise bad_query(f"failed to parse filter ({key}={value})", "expecting embed.column or embed.order ...")
        query = self._queries.get(path) or EmbedQuery(path=path)
        if param == "order":
            query = msgspec.structs.replace(query, order=parse_select.order_terms(value))
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
