"""Which relationship an embed names (PostgREST 12's Plan.hs `findRel`), or
PGRST200 (none) / PGRST201 (more than one). Pure.

An embed `name[!hint]` from `origin` names, PostgREST's rules:

    no hint     the target relation (`clients`), or, when the target is a table,
                a foreign key's constraint name (`client`, `projects_client_id_fkey`)
                or the origin's key column (`client_id`)
    a hint      the target relation, narrowed by the hint: a constraint name, a key
                column of either side (`clients!client_id`, `clients!id`), or the
                junction of a many-to-many (`users!users_tasks`)
    self        a relation's key to itself (`family_tree.parent`): its own name
                gives the children (one-to-many, `family_tree(*)`), the key
                column the parent (many-to-one, `parent(*)`); with a hint, the
                children whose key column is the hint (`family_tree!parent`)

"Key column" means a single-column key's column; also, beyond PostgREST, the
one column of a tenant key that is not `school_id`: `(school_id, teacher_id)
-> (school_id, id)` is named by `teacher_id` (db/migrations/sql/m0002_integrity_up.sql),
as a single-column key would be. Also beyond PostgREST: a self relationship's
children by its constraint name (`academic_terms!academic_terms_parent_id_tenant_fkey`;
PostgREST 12 answers PGRST200).

A computed relationship of that name wins over the rest (plan/computed.py).
"""

from __future__ import annotations

from gateway.dialect import fuzzy
from gateway.dialect.plan.computed import computed_relationship
from gateway.dialect.schema.cache import SchemaCache
from gateway.dialect.schema.relationships import Relationship, describe, hint_name, relationships_from
from gateway.errors import ApiError

TENANT_COLUMN = "school_id"


def find_relationship(schema: SchemaCache, origin: str, target: str, hint: str | None) -> Relationship:
    computed = computed_relationship(schema, origin, target)
    if computed is not None:
        return computed
    keys = {name: relation.primary_key for name, relation in schema.relations.items()}
    every = relationships_from(origin, schema.foreign_keys, keys)
    found = [r for r in every if _named(r, target, hint)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise _none(schema, origin, target, hint, every)
    choices = ", ".join(f"'{r.target}!{hint_name(r)}'" for r in found)
    raise ApiError(
        300,
        "PGRST201",
        f"Could not embed because more than one relationship was found for '{origin}' and '{target}'",
        details=[describe(r) for r in found],
        hint=f"Try changing '{target}' to one of the following: {choices}. "
        "Find the desired relationship in the 'details' key.",
    )


def _named(r: Relationship, target: str, hint: str | None) -> bool:
    """PostgREST's findRel filter, for one relationship."""
    keyed = r.cardinality != "many-to-many"
    own = _key_column(tuple(o for _, o in r.join)) if keyed else None
    theirs = _key_column(tuple(t for t, _ in r.join)) if keyed else None
    if r.is_self:
        if hint is None:
            return (r.target == target and r.cardinality == "one-to-many") or (
                r.cardinality == "many-to-one" and own == target
            )
        return r.target == target and r.cardinality == "one-to-many" and hint in (theirs, r.constraint)
    if hint is None:
        if r.target == target:
            return True
        return keyed and not r.target_is_view and target in (r.constraint, own)
    if r.target != target:
        return False
    if keyed:
        return hint in (r.constraint, own, theirs)
    return hint == r.junction


def _key_column(columns: tuple[str, ...]) -> str | None:
    """The column a key is named by: its only one, or the one beside the tenant column."""
    named = [c for c in columns if c != TENANT_COLUMN] if len(columns) > 1 else list(columns)
    return named[0] if len(named) == 1 else None


def _none(schema: SchemaCache, origin: str, target: str, hint: str | None, every: list[Relationship]) -> ApiError:
    """PGRST200, with PostgREST's "Perhaps you meant" (Error.hs noRelBetweenHint,
    fuzzy.py): when the origin has relationships, the closest of their targets
    other than `target` itself; when it has none, the closest relation that has some."""
    using = f"' using the hint '{hint}" if hint else ""
    computed = [c for c in schema.computed_relationships if c.origin == origin]
    if every or computed or origin in schema.hidden_related:
        # Beyond PostgREST: a computed relationship by its own name too (`current_trem`).
        targets = [r.target for r in every] + [c.target for c in computed] + [c.function for c in computed]
        close = next((name for score, name in fuzzy.matches(targets, target) if score < 1.0), None)
        suggestion = f"Perhaps you meant '{close}' instead of '{target}'." if close else None
    else:
        origins = {k.table for k in schema.foreign_keys} | {k.foreign_table for k in schema.foreign_keys}
        origins |= {c.origin for c in schema.computed_relationships} | schema.hidden_related
        close = fuzzy.closest(sorted(origins), origin)
        suggestion = f"Perhaps you meant '{close}' instead of '{origin}'." if close else None
    return ApiError(
        400,
        "PGRST200",
        f"Could not find a relationship between '{origin}' and '{target}' in the schema cache",
        details=f"Searched for a foreign key relationship between '{origin}' and '{target}{using}' "
        f"in the schema '{schema.schema}', but no matches were found.",
        hint=suggestion,
    )
