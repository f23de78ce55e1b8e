"""What the exposed schema holds, as plain data: the model the planner checks
names against, built (build_schema_cache, pure) from the catalog rows that
http/schema_loader.py reads once at start-up.

Relations (views and tables of the `api` schema) with their columns, and the
functions: nothing about a table or a column is declared in Python
(PostgREST's SchemaCache.hs). A view carries what its one base table declares
(NOT NULL, defaults, generated columns, CHECK closed sets, the primary key,
comments); the loader's docstring says how it is traced.
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

from gateway.dialect.casts import BUILTIN as BUILTIN_TYPES
from gateway.dialect.media import MediaHandler
from gateway.dialect.schema.relationships import ComputedRelationship, ForeignKey

RelationKind = Literal["table", "view", "materialized_view", "foreign_table", "partitioned_table"]
Volatility = Literal["immutable", "stable", "volatile"]


class Column(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    type: str  # as declared: "character varying(50)", "numeric(10,2)"
    cast: str  # the type without modifiers, for casting parameters: "character varying", "uuid"
    base: str  # pg_type.typname after resolving domains: "varchar", "uuid", "_text", an enum's name
    category: str  # pg_type.typcategory: S string, N numeric, B boolean, D date/time, A array, E enum ...
    element: str | None = None  # the element typname of an array
    nullable: bool = True
    has_default: bool = False
    # The DEFAULT expression as Postgres prints it (pg_get_expr): the view
    # column's, else its base column's, as an INSERT through the view applies
    # them. Trusted SQL from our migrations, for `Prefer: missing=default`.
    default: str | None = None
    generated: bool = False
    updatable: bool = True  # pg_column_is_updatable: the view column maps to a base column
    max_length: int | None = None
    closed_set: tuple[str, ...] | None = None  # enum labels, or a `col = ANY (ARRAY[...])` CHECK
    description: str | None = None
    # PostgREST's data representations: a function-backed cast from json to the
    # column's declared type (`create cast (json as color) with function color(json)`),
    # schema-qualified and quoted by the loader. A body's value goes through it
    # (render/writes.py) instead of the type's input function.
    from_json: str | None = None


class Relation(msgspec.Struct, frozen=True, kw_only=True):
    schema: str
    name: str
    kind: RelationKind
    columns: dict[str, Column]  # in the relation's column order
    # Computed fields (PostgREST docs "Computed Fields"): `api.full_name(api.students)
    # returns text` is the read-only column `full_name` of students, selected,
    # filtered and ordered like a column but not part of `*`. Named by the function.
    computed: dict[str, Column] = {}
    primary_key: tuple[str, ...] = ()
    insertable: bool = False
    updatable: bool = False
    deletable: bool = False
    description: str | None = None
    # Columns the role this cache is for may not select although it selects
    # others (column privileges, `for_role`): `*` means the rest, naming one is
    # 42501 (plan/resolve.py). Empty in the cache of every role that reads them all.
    denied: frozenset[str] = frozenset()


class Argument(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    type: str  # without modifiers, usable as a cast and in a column definition list
    has_default: bool = False
    variadic: bool = False  # VARIADIC: `type` is the array type, called as `VARIADIC "name" => array`


class Function(msgspec.Struct, frozen=True, kw_only=True):
    schema: str
    name: str
    arguments: tuple[Argument, ...]
    returns: str
    returns_set: bool = False
    returns_void: bool = False
    # Each result is a row (a composite type, or `returns table(...)`/OUT
    # arguments: record), not one value: what a CSV header names (render/statement.py).
    returns_row: bool = False
    volatility: Volatility = "volatile"
    description: str | None = None
    # The one OUT/INOUT/TABLE argument of a function returning one column:
    # PostgREST keys each value by it (`{"num_plus_one": 6}`, `[{"a": "A"}]`).
    single_out: str | None = None
    # `returns [setof] record` without OUT arguments: no column definition list
    # can name its columns, so it is called in the select list (render/statement.py).
    anonymous_record: bool = False
    # One unnamed json/jsonb (text, xml, bytea) argument: a POST body is passed
    # to it whole (PostgREST; by the body's Content-Type, plan/functions.py).
    body_param: str | None = None


class SchemaCache(msgspec.Struct, frozen=True, kw_only=True):
    schema: str
    relations: dict[str, Relation]
    functions: dict[str, tuple[Function, ...]]  # overloads under one name
    foreign_keys: tuple[ForeignKey, ...] = ()  # between exposed relations, for embedding (relationships.py)
    # Functions of one relation's row returning rows of another: embeddable by
    # their name (PostgREST docs "Computed Relationships"; relationships.py).
    computed_relationships: tuple[ComputedRelationship, ...] = ()
    # By database role, by relation: the columns it may not select where it
    # selects some (issue 13, F2: partner_sync and the demographics columns).
    # A relation a role cannot select at all is not listed: Postgres refuses it.
    denied: dict[str, dict[str, frozenset[str]]] = {}

    # Relations whose only relationships go through a junction outside the
    # schema: not embeddable, but named so by PGRST200's hint (schema/views.py).
    hidden_related: frozenset[str] = frozenset()
    # Media type handlers (dialect/media.py): by the relation or function they
    # answer for ("": any relation, an aggregate over anyelement), by media type.
    media_handlers: dict[str, dict[str, MediaHandler]] = {}
    timezones: frozenset[str] = frozenset()  # pg_timezone_names: what `Prefer: timezone=` may name
    # Type names a `select` cast may name (casts.py): normalized name -> (schema, typname),
    # from pg_catalog and the exposed schema (http/schema_loader.py).
    types: dict[str, tuple[str, str]] = msgspec.field(default_factory=lambda: dict(BUILTIN_TYPES))


def for_role(cache: SchemaCache, role: str) -> SchemaCache:
    """The cache as `role` sees it: its partly readable relations carry the
    columns it may not select (`Relation.denied`). The same object for a role
    that reads every column it reads at all."""
    denied = cache.denied.get(role)
    if not denied:
        return cache
    relations = dict(cache.relations)
    for name, columns in denied.items():
        if name in relations:
            relations[name] = msgspec.structs.replace(relations[name], denied=columns)
    return msgspec.structs.replace(cache, relations=relations)


class _RawColumn(msgspec.Struct, kw_only=True):
    name: str
    type: str
    cast: str
    base: str
    category: str
    element: str | None = None
    nullable: bool = True
    has_default: bool = False
    default: str | None = None
    generated: bool = False
    updatable: bool = True
    max_length: int | None = None
    enum: list[str] | None = None
    checks: list[str] = []
    description: str | None = None
    from_json: str | None = None


class _RawRelation(msgspec.Struct, kw_only=True):
    name: str
    kind: str
    events: int
    description: str | None = None
    primary_key: list[str] = []
    columns: list[_RawColumn] = []


class _RawArgument(msgspec.Struct, kw_only=True):
    name: str | None = None
    type: str
    mode: str


class _RawFunction(msgspec.Struct, kw_only=True):
    name: str
    returns: str
    returns_set: bool
    returns_void: bool
    volatility: str
    defaults: int
    arguments: list[_RawArgument] = []
    description: str | None = None
    # One argument of an exposed relation's row type (plan/computed.py): what the
    # function computes from, and its result as a column or as rows.
    row_of: str | None = None
    returns_rows_of: str | None = None
    rows: float = 0
    base: str = ""
    category: str = ""
    element: str | None = None


_KINDS: dict[str, RelationKind] = {
    "r": "table", "v": "view", "m": "materialized_view", "f": "foreign_table", "p": "partitioned_table",
}  # fmt: skip
_VOLATILITY: dict[str, Volatility] = {"i": "immutable", "s": "stable", "v": "volatile"}
# pg_relation_is_updatable's bitmask: 1 << CMD_UPDATE (2), CMD_INSERT (3), CMD_DELETE (4).
_UPDATE, _INSERT, _DELETE = 4, 8, 16


def build_schema_cache(schema: str, relations: list[_RawRelation], functions: list[_RawFunction]) -> SchemaCache:
    by_name: dict[str, list[Function]] = {}
    for raw in functions:
        function = _function(schema, raw)
        if function is not None:
            by_name.setdefault(function.name, []).append(function)
    built = {r.name: _relation(schema, r) for r in relations}
    fields: dict[str, dict[str, Column]] = {}
    computed: list[ComputedRelationship] = []
    for raw in functions:
        if raw.row_of is None or raw.row_of not in built or raw.returns_void:
            continue
        if raw.returns_rows_of is not None and raw.returns_rows_of in built:
            # PostgREST's allComputedRels: `not proretset or prorows = 1` is to-one.
            to_one = not raw.returns_set or raw.rows == 1
            computed.append(ComputedRelationship(function=raw.name, origin=raw.row_of, target=raw.returns_rows_of,
                                                 to_one=to_one))  # fmt: skip
        elif not raw.returns_set and raw.name not in built[raw.row_of].columns:
            fields.setdefault(raw.row_of, {})[raw.name] = _computed_field(raw)
    return SchemaCache(
        schema=schema,
        relations={name: msgspec.structs.replace(r, computed=fields.get(name, {})) for name, r in built.items()},
        functions={name: tuple(overloads) for name, overloads in by_name.items()},
        computed_relationships=tuple(computed),
    )


def _computed_field(raw: _RawFunction) -> Column:
    """A function's scalar result as a read-only, nullable column (a function may return null)."""
    return Column(name=raw.name, type=raw.returns, cast=raw.returns, base=raw.base, category=raw.category,
                  element=raw.element, updatable=False, description=raw.description)  # fmt: skip


def _relation(schema: str, raw: _RawRelation) -> Relation:
    columns = {c.name: _column(c) for c in raw.columns}
    return Relation(
        schema=schema,
        name=raw.name,
        kind=_KINDS[raw.kind],
        columns=columns,
        primary_key=tuple(name for name in raw.primary_key if name in columns),
        insertable=bool(raw.events & _INSERT),
        updatable=bool(raw.events & _UPDATE),
        deletable=bool(raw.events & _DELETE),
        description=raw.description,
    )


def _column(raw: _RawColumn) -> Column:
    closed = tuple(raw.enum) if raw.enum else None
    for definition in raw.checks:
        closed = closed or closed_set_from_check(definition, raw.name)
    fields = msgspec.structs.asdict(raw)
    for name in ("enum", "checks"):
        del fields[name]
    return Column(**fields, closed_set=closed)


_BODY_PARAMS = ("json", "jsonb", "text", "xml", "bytea")


def _function(schema: str, raw: _RawFunction) -> Function | None:
    """None for what cannot be called by name: unnamed arguments, but for one
    unnamed json, jsonb, text, xml or bytea argument, which takes a POST body
    whole (plan/functions.py)."""
    inputs = [a for a in raw.arguments if a.mode in ("i", "b", "v")]
    body_param = inputs[0].type if len(inputs) == 1 and inputs[0].type in _BODY_PARAMS else None
    if any(a.name is None for a in inputs) and not (body_param and inputs[0].name is None):
        return None
    if body_param and inputs[0].name is None:
        inputs = []
    else:
        body_param = None
    first_default = len(inputs) - raw.defaults
    outputs = [a for a in raw.arguments if a.mode in ("o", "b", "t") and a.name]
    return Function(
        schema=schema,
        name=raw.name,
        arguments=tuple(
            Argument(name=a.name, type=a.type, has_default=i >= first_default, variadic=a.mode == "v")  # type: ignore[arg-type]
            for i, a in enumerate(inputs)
        ),
        returns=raw.returns,
        returns_set=raw.returns_set,
        returns_void=raw.returns_void,
        returns_row=raw.category == "C" or raw.returns == "record",
        volatility=_VOLATILITY[raw.volatility],
        description=raw.description,
        single_out=outputs[0].name if len(outputs) == 1 and raw.category != "C" else None,
        anonymous_record=raw.returns == "record" and not outputs,
        body_param=body_param,
    )


# `CHECK ((col = ANY (ARRAY['a'::text, 'b'::text])))`, or with varchar columns
# `CHECK (((col)::text = ANY ((ARRAY['a'::character varying, ...])::text[])))`:
# what Postgres prints for `check (col in ('a', 'b'))`.
_ANY_ARRAY = r"CHECK \(+{col}\)?(?:::[\w ]+)? = ANY \(+ARRAY\[(?P<items>.*?)\]\)?(?:::[\w ]+\[\])?\)+"
_ITEM = re.compile(r"'((?:[^']|'')*)'(?:::[\w ]+)?")


def closed_set_from_check(definition: str, column: str) -> tuple[str, ...] | None:
    """The allowed values of a `column IN (...)` CHECK, or None for any other CHECK."""
    quoted = (
        re.escape(column)
        if re.fullmatch(r"[a-z_][a-z0-9_]*", column)
        else re.escape('"' + column.replace('"', '""') + '"')
    )
    match = re.fullmatch(_ANY_ARRAY.format(col=quoted), definition)
    if match is None:
        return None
    items = match["items"]
    values = [m.group(1).replace("''", "'") for m in _ITEM.finditer(items)]
    if ", ".join(m.group(0) for m in _ITEM.finditer(items)) != items:
        return None  # something other than plain string literals
    return tuple(values) or None
