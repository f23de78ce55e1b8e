"""`select=` and `order=` as typed data (PostgREST's QueryParams.hs `pFieldForest`,
`pRelationSelect`, `pOrder`): no SQL, no catalog; names are checked by the
planner. A select is a tree: plain items, aggregates (aggregates.py) and
embedded resources, each with a select of its own.

    select=*,teacher:teachers!classes_teacher_id_tenant_fkey(last_name),...teachers(first_name)

The embeds' own parameters (`classes.limit=2`) are parsed by embed_params.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal, TypeAlias

import msgspec

from gateway.dialect.aggregates import Function as AggregateFunction
from gateway.dialect.aggregates import is_item as is_aggregate
from gateway.dialect.aggregates import parse_item as parse_aggregate
from gateway.dialect.aggregates import split_items
from gateway.dialect.casts import CAST_SYNTAX
from gateway.errors import bad_query

# A cast's name as written (`int`, `double precision`, `_int4`, `text[]`): the
# planner resolves it against pg_type (casts.py), so only its syntax is checked here.
Cast: TypeAlias = str
# A double-quoted name (PostgREST's pQuotedValue, `\"` escapes a quote) holds
# what would otherwise be syntax: `":arr->ow::cast"`, `"(inside,parens)"`, `"a.b"`.
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_QUOTED_ITEM = re.compile(
    r'(?:(?P<alias>[^:"]+):(?!:))?(?P<column>\s*"(?:[^"\\]|\\.)*"(?:->>?[^:]*)*)(?:::(?P<cast>[^:]+))?'
)
_RELATED = re.compile(r"(?P<relation>[^()]+)\((?P<column>[^()]+)\)")
_SELECT_ITEM = re.compile(r"(?:(?P<alias>[^:]+):(?!:))?(?P<column>[^:]+)(?:::(?P<cast>[^:]+))?")


class SelectItem(msgspec.Struct, frozen=True, kw_only=True):
    column: str  # "*" for every column; "" for a bare count()
    alias: str | None = None
    cast: Cast | None = None
    aggregate: AggregateFunction | None = None  # `amount.sum()` (aggregates.py)
    input_cast: Cast | None = None  # `amount::integer.sum()`: the column's cast before the aggregate


class OrderTerm(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    relation: str | None = None  # `order=class(name)`: a column of a to-one embed (its alias or name)
    direction: Literal["asc", "desc"] | None = None
    nulls: Literal["nullsfirst", "nullslast"] | None = None


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


def select_items(text: str) -> tuple[SelectItem | Embed, ...] | None:
    if "(" in _bare(text) or "..." in text:
        aggregated = split_items(text)  # `count()`, `amount.sum()`: aggregates.py
        if aggregated is not None:
            return _aggregated(text, aggregated)
        # resource embedding: parse_select below, plain items back here
        return parse_select(text, select_items)  # type: ignore[arg-type]
    items = []
    for raw in _split(text):
        raw = raw.strip()
        if not raw:
            continue
        match = _QUOTED_ITEM.fullmatch(raw) if '"' in raw else None
        match = match or _SELECT_ITEM.fullmatch(raw)
        if match is None:
            raise bad_query(f'"failed to parse select parameter ({text})"', f"unexpected item {raw!r}")
        cast = match["cast"]
        if cast is not None and not CAST_SYNTAX.fullmatch(cast):
            raise bad_query(f'"failed to parse select parameter ({text})"', f"unexpected cast {cast!r} in {raw!r}")
        _check_path(text, text.find(raw) + match.start("column"), match["column"])
        alias = match["alias"].strip() if match["alias"] else None
        items.append(SelectItem(column=match["column"].strip(), alias=alias, cast=cast))  # type: ignore[arg-type]
    return tuple(items) or None


_BAD_STEP = re.compile(r"->>?(-)(?!\d)")


def _check_path(text: str, at: int, column: str) -> None:
    """A JSON path's key cannot start with `-`: after one, an array index's digits
    must follow (PostgREST's pJsonPath: `data->>--34` is refused, `data->>-1` indexes)."""
    bad = _BAD_STEP.search(column)
    if bad is not None:
        where = at + bad.end(1) + 1  # 1-based, at the character after the `-`
        found = column[bad.end(1) : bad.end(1) + 1]
        raise bad_query(
            f'"failed to parse select parameter ({text})" (line 1, column {where})',
            f'unexpected "{found}" expecting digit' if found else "unexpected end of input expecting digit",
        )


def _aggregated(text: str, raws: list[str]) -> tuple[SelectItem | Embed, ...]:
    items: list[SelectItem | Embed] = []
    for raw in raws:
        item = parse_aggregate(raw)
        if item is None:
            items.extend(select_items(raw) or ())
        elif any(cast is not None and not CAST_SYNTAX.fullmatch(cast) for cast in (item.cast, item.input)):
            bad = item.cast if item.cast is not None and not CAST_SYNTAX.fullmatch(item.cast) else item.input
            raise bad_query(f'"failed to parse select parameter ({text})"', f"unexpected cast {bad!r} in {raw!r}")
        else:
            items.append(SelectItem(column=item.column, alias=item.alias, cast=item.cast,  # type: ignore[arg-type]
                                    aggregate=item.function, input_cast=item.input))  # type: ignore[arg-type]  # fmt: skip
    return tuple(items)


def order_terms(text: str) -> tuple[OrderTerm, ...]:
    terms = []
    start = 0
    for raw in text.split(","):
        column, *modifiers = raw.strip().split(".")
        direction = nulls = None
        for i, modifier in enumerate(modifiers):
            if modifier in ("asc", "desc") and direction is None and nulls is None:
                direction = modifier
            elif modifier in ("nullsfirst", "nullslast") and nulls is None:
                nulls = modifier
            else:
                _trailing_keyword(text, start + len(raw) - len(".".join(modifiers[i:])), modifier)
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
        start += len(raw) + 1
    return tuple(terms)


def _trailing_keyword(text: str, at: int, modifier: str) -> None:
    """`id.asc.nullslasttt`: a keyword with more after it, in PostgREST's words
    (its parser took `nullslast` and then met `t` where `,` or the end must be)."""
    for keyword in ("nullsfirst", "nullslast", "desc", "asc"):
        if modifier.startswith(keyword) and len(modifier) > len(keyword):
            column = at + len(keyword) + 1  # 1-based
            raise bad_query(
                f'"failed to parse order ({text})" (line 1, column {column})',
                f"unexpected '{modifier[len(keyword)]}' expecting \",\" or end of input",
            )


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
        if "(" not in _bare(raw) or is_aggregate(raw):  # `count()` is an item, not an embed named count
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


def _bare(text: str) -> str:
    """`text` without its double-quoted names (`"(inside,parens)"`)."""
    return _QUOTED.sub('""', text)


def _split(text: str) -> list[str]:
    """Top-level items: commas inside parentheses belong to an embed, and
    parentheses and commas inside a double-quoted name to the name."""
    items, depth, start = [], 0, 0
    quoted = False
    for i, char in enumerate(text):
        if char == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
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
