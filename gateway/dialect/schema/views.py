"""Foreign keys between the exposed relations, traced through views (PostgREST's
SchemaCache.hs `addViewM2OAndO2ORels`, `addViewPrimaryKeys`). Pure: the catalog
rows come from http/keys_loader.py.

Keys live on tables; a view declares none. PostgREST follows every view column
of the exposed schema back to the table column it shows (through other views
too: `allViewsKeyDependencies`, in the loader), so a view that shows all the
columns of a key takes part in it under its own column names:

    table -> table   the key itself, when both tables are exposed
    view  -> table   a view showing the key's columns (renamed or not)
    table -> view    a view showing the referenced columns
    view  -> view    both

A view showing one key column twice (`select t1_id as a, t1_id as b`) takes
part once per choice of columns: each is a relationship of its own, so an
embed without a hint is ambiguous (PGRST201) and `!a` / `!b` choose.

A view's primary key is its table's, under the view's names, when the view
shows every column of it (the first view column of each, when shown twice).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Literal

import msgspec

from gateway.dialect.schema.relationships import ForeignKey


class TableKey(msgspec.Struct, frozen=True, kw_only=True):
    """A foreign key constraint as pg_constraint has it (http/keys_loader.py)."""

    name: str
    schema: str
    table: str
    columns: tuple[str, ...]
    foreign_schema: str
    foreign_table: str
    foreign_columns: tuple[str, ...]
    # Its columns, in the key's order, are those of a primary key or unique
    # constraint of its table (PostgREST's allM2OandO2ORels `one_to_one`).
    one_to_one: bool = False
    in_primary_key: bool = False  # its columns are part of its table's primary key


class KeyDependency(msgspec.Struct, frozen=True, kw_only=True):
    """A key of `table` whose columns the exposed view `view` shows, each
    table column with the view columns showing it (PostgREST's ViewKeyDependency).
    kind: `p` primary key, `f` the key's own columns, `f_ref` the columns it references."""

    table_schema: str
    table: str
    view: str
    constraint: str
    kind: Literal["p", "f", "f_ref"]
    columns: tuple[tuple[str, tuple[str, ...]], ...]


def exposed_foreign_keys(
    schema: str, keys: tuple[TableKey, ...], deps: tuple[KeyDependency, ...]
) -> tuple[ForeignKey, ...]:
    """Every key between two relations of `schema`, views included, in PostgREST's order."""
    found: list[ForeignKey] = []
    for key in keys:
        found.extend(_through_views(schema, key, deps))
    return tuple(found)


def _through_views(schema: str, key: TableKey, deps: tuple[KeyDependency, ...]) -> Iterator[ForeignKey]:
    def shown(table_schema: str, table: str, kind: str) -> list[tuple[str, tuple[str, ...]]]:
        return [(d.view, cols) for d in deps
                if (d.table_schema, d.table, d.constraint, d.kind) == (table_schema, table, key.name, kind)
                for cols in _choices(d)]  # fmt: skip

    def make(table: str, columns: tuple[str, ...], foreign: str, foreign_columns: tuple[str, ...],
             views: tuple[bool, bool]) -> ForeignKey:  # fmt: skip
        return ForeignKey(name=key.name, table=table, columns=columns, foreign_table=foreign,
                          foreign_columns=foreign_columns, one_to_one=key.one_to_one,
                          table_is_view=views[0], foreign_table_is_view=views[1])  # fmt: skip

    here, there = key.schema == schema, key.foreign_schema == schema
    if here and there:
        yield make(key.table, key.columns, key.foreign_table, key.foreign_columns, (False, False))
    origins = shown(key.schema, key.table, "f")
    targets = shown(key.foreign_schema, key.foreign_table, "f_ref")
    if there:
        for view, columns in origins:
            yield make(view, columns, key.foreign_table, key.foreign_columns, (True, False))
    if here:
        for view, columns in targets:
            yield make(key.table, key.columns, view, columns, (False, True))
    for (view, columns), (foreign_view, foreign_columns) in itertools.product(origins, targets):
        yield make(view, columns, foreign_view, foreign_columns, (True, True))


def _choices(dep: KeyDependency) -> list[tuple[str, ...]]:
    """The view's columns for the key's, one tuple per choice where a table column is shown twice."""
    return list(itertools.product(*(views for _, views in dep.columns)))


def view_primary_keys(deps: tuple[KeyDependency, ...]) -> dict[str, tuple[str, ...]]:
    """Each exposed view's primary key, from the tables it shows a primary key of."""
    keys: dict[str, tuple[str, ...]] = {}
    for dep in deps:
        if dep.kind == "p":
            keys[dep.view] = keys.get(dep.view, ()) + tuple(views[0] for _, views in dep.columns if views)
    return keys


def related_through_hidden_junctions(
    schema: str, keys: tuple[TableKey, ...], deps: tuple[KeyDependency, ...]
) -> frozenset[str]:
    """Relations of `schema` with a many-to-many relationship through a junction
    outside it. Never embeddable (PostgREST drops them: `hasInternalJunction`),
    but they count as having relationships for PGRST200's hint (Error.hs
    `noRelBetweenHint` looks the origin up before the junctions are dropped)."""
    ends: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for key in keys:
        if key.schema == schema or key.one_to_one or not key.in_primary_key:
            continue
        shown = {d.view for d in deps if (d.table_schema, d.table, d.constraint, d.kind)
                 == (key.foreign_schema, key.foreign_table, key.name, "f_ref")}  # fmt: skip
        if key.foreign_schema == schema:
            shown.add(key.foreign_table)
        ends.setdefault((key.schema, key.table), set()).update((key.name, name) for name in shown)
    related: set[str] = set()
    for pairs in ends.values():
        if len({constraint for constraint, _ in pairs}) > 1:
            related.update(name for _, name in pairs)
    return frozenset(related)
