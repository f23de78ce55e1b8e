"""Computed fields and computed relationships (PostgREST docs "Computed
Fields", "Computed Relationships"; SchemaCache.hs `allComputedRels`,
`getOverrideRelationshipsMap`). schema/cache.py finds the functions; this
module says how plan and render use them. Pure.

    computed field         `api.full_name(api.students) returns text`: the
                           read-only column `full_name` of students
    computed relationship  `api.current_term(api.schools) returns setof
                           api.academic_terms rows 1`: the to-one embed
                           `current_term` of schools; plain `setof`: to-many

Both are called with the parent row rebuilt as the function's argument type,
`fn(row(<source>.*)::api.<relation>)`: the source is a view, an alias of one,
a write's returned rows or a function's result rows, all with the relation's
columns in its order, and the cast picks the overload (`full_name` exists for
students, teachers and parents). render/fragments.py `call` writes it.
"""

from __future__ import annotations

from gateway.dialect.plan.nodes import QualifiedName
from gateway.dialect.schema.cache import Relation, SchemaCache
from gateway.dialect.schema.relationships import Relationship


def relation_name(relation: Relation) -> QualifiedName:
    """The relation's name for a plan; for a role that may select only some of
    its columns, with every column in order and None for the others: a
    function's row argument is then rebuilt from the readable columns and nulls
    (render/fragments.py `call`), and `*` lists the readable ones."""
    row = tuple(None if c in relation.denied else c for c in relation.columns) if relation.denied else ()
    return QualifiedName(schema=relation.schema, name=relation.name, row=row)


def row_type(relation: Relation, name: str) -> QualifiedName | None:
    """The row type a computed field is computed from, None for a real column
    (a column wins over a function of the same name, as in Postgres' `t.name`)."""
    if name in relation.columns or name not in relation.computed:
        return None
    return relation_name(relation)


def computed_relationship(schema: SchemaCache, origin: str, target: str) -> Relationship | None:
    """The computed relationship of `origin` named `target`. It overrides the
    relationships detected from foreign keys to a relation of that name, and a
    hint does not apply to it (PostgREST's findRel): at most one function of
    one name takes `origin`'s row type, so it is never ambiguous."""
    for computed in schema.computed_relationships:
        if computed.origin == origin and computed.function == target:
            return Relationship(
                cardinality="many-to-one" if computed.to_one else "one-to-many",
                origin=origin,
                target=computed.target,
                constraint=computed.function,
                join=(),
                function=computed.function,
            )
    return None
