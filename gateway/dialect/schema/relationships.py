"""Relationships between the exposed relations, for resource embedding
(PostgREST's SchemaCache.hs `allViewsKeyDependencies`, `addM2MRels`).

The api views declare no keys: the foreign keys live on the data tables. A
foreign key between two base tables becomes one between the views that read
them when every key column is a column of the view, matched by name (the api
views are plain projections of one table; http/schema_loader.py maps a view to its
table the same way). The composite tenant keys (`(school_id, teacher_id)` ->
`(school_id, id)`, db/migrations/sql/m0002_integrity_up.sql) carry `school_id` in every join
they give.

From the foreign keys (plain data, pure functions):
    many-to-one   the origin holds the key columns
    one-to-many   the target holds them
    many-to-many  through a junction whose two foreign keys' columns are all in
                  its primary key (enrollments, student_parents), as PostgREST.
    one-to-one    a foreign key whose columns are also the primary key or a unique
                  constraint of the table holding it (school_settings.school_id),
                  from either side: PostgREST's `O2O`, a refinement of many-to-one
                  (SchemaCache.hs `allM2OandO2ORels`, docs "Resource Embedding:
                  one-to-one"). Both sides embed as an object or null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import msgspec

Cardinality = Literal["many-to-one", "one-to-many", "many-to-many", "one-to-one"]
# At most one embedded row per parent row: embedded as an object (or null), may be spread.
TO_ONE: frozenset[str] = frozenset({"many-to-one", "one-to-one"})


class ForeignKey(msgspec.Struct, frozen=True, kw_only=True):
    name: str  # the base table's constraint name
    table: str  # the exposed relation holding the key columns
    columns: tuple[str, ...]
    foreign_table: str
    foreign_columns: tuple[str, ...]
    one_to_one: bool = False  # `columns` are also a primary key or unique constraint of `table`
    # Traced through a view (schema/views.py): a view is not found by the key's
    # constraint or column name as an embed's name (PostgREST's findRel).
    table_is_view: bool = False
    foreign_table_is_view: bool = False


class Relationship(msgspec.Struct, frozen=True, kw_only=True):
    """From `origin` (the parent in a request) to `target` (the embed).

    `join`: (target column, origin column) pairs; many-to-many:
    (junction column, origin column), with `junction_join` (junction column,
    target column)."""

    cardinality: Cardinality
    origin: str
    target: str
    constraint: str
    join: tuple[tuple[str, str], ...]
    junction: str | None = None
    junction_constraint: str | None = None
    junction_join: tuple[tuple[str, str], ...] = ()
    # one-to-one seen from the referenced side (the target holds the key):
    # PostgREST's `O2O ... isParent`.
    parent: bool = False
    # A computed relationship (plan/computed.py): the function giving the target's
    # rows from the origin's row; `join` is then empty.
    function: str | None = None
    # A relation's key to itself, seen from either side (PostgREST's relIsSelf).
    is_self: bool = False
    target_is_view: bool = False


class ComputedRelationship(msgspec.Struct, frozen=True, kw_only=True):
    """`api.current_term(api.schools) returns setof api.academic_terms rows 1`:
    origin schools, target academic_terms, embedded as `current_term`."""

    function: str
    origin: str
    target: str
    to_one: bool


def relationships_from(
    origin: str, keys: tuple[ForeignKey, ...], primary_keys: Mapping[str, tuple[str, ...]]
) -> list[Relationship]:
    """Every relationship from `origin`, in PostgREST's order (its derived Ord
    on Relationship: target, self, one-to-many < many-to-one < one-to-one <
    many-to-many, then constraint and columns), which PGRST201 lists."""
    found: list[Relationship] = []
    for key in keys:
        is_self = key.table == key.foreign_table
        if key.table == origin:
            found.append(Relationship(cardinality="one-to-one" if key.one_to_one else "many-to-one", origin=origin,
                                      target=key.foreign_table, constraint=key.name, is_self=is_self,
                                      target_is_view=key.foreign_table_is_view,
                                      join=tuple(zip(key.foreign_columns, key.columns))))  # fmt: skip
        if key.foreign_table == origin:
            found.append(Relationship(cardinality="one-to-one" if key.one_to_one else "one-to-many", origin=origin,
                                      target=key.table, constraint=key.name, parent=key.one_to_one, is_self=is_self,
                                      target_is_view=key.table_is_view,
                                      join=tuple(zip(key.columns, key.foreign_columns))))  # fmt: skip
    found.extend(_many_to_many(origin, keys, primary_keys))
    return sorted(found, key=_order)


def _many_to_many(
    origin: str, keys: tuple[ForeignKey, ...], primary_keys: Mapping[str, tuple[str, ...]]
) -> list[Relationship]:
    """Through a junction holding two many-to-one keys (not one-to-one: PostgREST's
    addM2MRels) whose columns are all in its primary key."""
    found = []
    for near in keys:
        if near.foreign_table != origin or near.one_to_one:
            continue
        junction_key = set(primary_keys.get(near.table, ()))
        for far in keys:
            if far.table != near.table or far.name == near.name or far.one_to_one:
                continue
            if not set(near.columns) | set(far.columns) <= junction_key:
                continue
            found.append(Relationship(
                cardinality="many-to-many", origin=origin, target=far.foreign_table, constraint=near.name,
                join=tuple(zip(near.columns, near.foreign_columns)), junction=near.table,
                junction_constraint=far.name, junction_join=tuple(zip(far.columns, far.foreign_columns)),
                is_self=origin == far.foreign_table, target_is_view=far.foreign_table_is_view,
            ))  # fmt: skip
    return found


_RANK = {"one-to-many": 0, "many-to-one": 1, "one-to-one": 2, "many-to-many": 3}


def _order(r: Relationship) -> tuple[object, ...]:
    # One-to-one from the referenced side is PostgREST's O2O too: same rank.
    columns = tuple((o, t) for t, o in r.join)
    if r.cardinality == "many-to-many":
        detail: tuple[object, ...] = (r.junction, r.constraint, r.junction_constraint, columns,
                                      tuple((t, j) for j, t in r.junction_join))  # fmt: skip
    else:
        detail = (r.constraint, columns)
    return (r.target, r.is_self, _RANK[r.cardinality], detail)


def describe(relationship: Relationship) -> dict[str, str]:
    """One entry of PGRST201's details, in PostgREST's words (Error.hs
    compressedRel): the origin's columns first whichever side holds the key;
    through a junction, each of its keys with the junction's own columns."""
    r = relationship
    if r.cardinality == "many-to-many":
        near = ", ".join(j for j, _ in r.join)
        far = ", ".join(j for j, _ in r.junction_join)
        using = f"{r.junction} using {r.constraint}({near}) and {r.junction_constraint}({far})"
    else:
        origin = ", ".join(o for _, o in r.join)
        target = ", ".join(t for t, _ in r.join)
        using = f"{r.constraint} using {r.origin}({origin}) and {r.target}({target})"
    return {"cardinality": r.cardinality, "embedding": f"{r.origin} with {r.target}", "relationship": using}


def hint_name(relationship: Relationship) -> str:
    """What disambiguates it: `teachers!classes_teacher_id_tenant_fkey`, `classes!enrollments`."""
    return relationship.junction if relationship.junction else relationship.constraint
