"""Null filtering on embedded resources (PostgREST 11+, docs "Null filtering on
Embedded Resources"): a filter named after an embed of its level, with `is.null`
or `not.is.null`, keeps the parent rows by whether the embed has a row.

    classes?select=name,students(last_name)&students=not.is.null   classes with a student (as `students!inner`)
    classes?select=name,students(last_name)&students=is.null       classes without one
    schools?select=name,classes(name,students(id))&classes.students=is.null

"A row" is one the embed shows: after its own filters and the caller's
row-level security (supabase-js: `.not('students', 'is', null)`). Reads only: a
PATCH or DELETE is not narrowed by an embed. Any other operator on an embed's
name stays a filter on a column of that name.
"""

from __future__ import annotations

from gateway.dialect.parse.filters import Condition, IsFilter
from gateway.dialect.parse.select import Embed, SelectItem


def split_null_filters(
    conditions: tuple[Condition, ...], items: tuple[SelectItem | Embed, ...]
) -> tuple[tuple[Condition, ...], dict[str, bool]]:
    """(the conditions on columns, {embed key: True when a row must be there, False when none may be})."""
    keys = {item.alias or item.name for item in items if isinstance(item, Embed)}
    kept: list[Condition] = []
    rows: dict[str, bool] = {}
    for condition in conditions:
        if isinstance(condition, IsFilter) and condition.column in keys and condition.value in ("null", "not_null"):
            rows[condition.column] = (condition.value == "null") == condition.negated
        else:
            kept.append(condition)
    return tuple(kept), rows
