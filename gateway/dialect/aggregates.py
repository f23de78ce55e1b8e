"""Aggregates in `select` as PostgREST 12 has them: `count()`, `amount.sum()`,
`avg()`, `min()`, `max()`, grouped by the other selected columns
(`select=status,total:id.count()`).

PostgREST turns them on for everyone with `db-aggregates-enabled` (off by
default: an aggregate over a large table is an easy way to load the
database). Here they are on per role, AGGREGATES_ROLES (http/config.py; default
school_admin and teacher, whose RLS scope is one school or their classes);
any other role gets 400 PGRST123. Pure: parsing and the SQL of one item.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal, get_args

import msgspec

Function = Literal["count", "sum", "avg", "min", "max"]
FUNCTIONS: frozenset[str] = frozenset(get_args(Function))
_ITEM = re.compile(
    r"(?:(?P<alias>[^:()]+):(?!:))?(?:(?P<column>[^:()]+?)(?:::(?P<input>[^:()]+?))?\.)?"
    r"(?P<function>count|sum|avg|min|max)\(\)(?:::(?P<cast>[^:()]+))?"
)


class Item(msgspec.Struct, frozen=True, kw_only=True):
    """One parsed `alias:column::input.function()::cast`; column "" for a bare count().
    `input`: the column's cast before it is aggregated (`jsonb_col->>key::integer.sum()`)."""

    alias: str | None
    column: str
    function: Function
    cast: str | None
    input: str | None = None


def split_items(text: str) -> list[str] | None:
    """The select's items when its only parentheses are aggregates' `()`; None
    when it holds an embedded resource (parse/embed_params.py's business)."""
    if "..." in text or re.search(r"\((?!\))", text):
        return None
    items = [raw.strip() for raw in text.split(",") if raw.strip()]
    if not any(_ITEM.fullmatch(raw) for raw in items):
        return None
    return items


def is_item(raw: str) -> bool:
    """One aggregate item (`n:count()`, `score.avg()::text`): inside an embed's
    select it is a column item, not an embed named `count` (parse/embed_params.py)."""
    return _ITEM.fullmatch(raw.strip()) is not None


def parse_item(raw: str) -> Item | None:
    match = _ITEM.fullmatch(raw)
    if match is None:
        return None
    alias = match["alias"].strip() if match["alias"] else None
    column = (match["column"] or "").strip()
    return Item(alias=alias, column=column, function=match["function"], cast=match["cast"],  # type: ignore[arg-type]
                input=match["input"])  # fmt: skip


def sql(function: str, column: Callable[[], str] | None) -> str:
    """`count(*)` for a bare count(), else `function(column)`."""
    return f"{function}({column() if column else '*'})"
