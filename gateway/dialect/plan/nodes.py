"""The plans action.py makes: plain data, no values (a filter points at its slot
in `ApiRequest.values`), so a plan is a function of the request's shape
(PostgREST's Plan/ReadPlan.hs, MutatePlan.hs, CallPlan.hs).

A plan is a tree: a read (or a write's returned rows, or a call's result rows)
holds its embeds as children, each embed its own, as PostgREST's ReadPlanTree;
render/ walks it once."""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

from gateway.dialect.aggregates import Function as AggregateFunction
from gateway.dialect.media import Media
from gateway.dialect.operators import JsonStep, Quantifier
from gateway.dialect.parse.filters import IsValue, Operator
from gateway.dialect.parse.request import Resolution
from gateway.dialect.schema.relationships import Cardinality


class QualifiedName(msgspec.Struct, frozen=True, kw_only=True):
    schema: str
    name: str
    # A relation the caller's role reads in part (schema/cache.py `Relation.denied`):
    # its columns in order, None for each one the role may not select, so that
    # render/ never writes `rel.*` (computed.py `relation_name`). Empty: it reads all.
    row: tuple[str | None, ...] = ()


class SelectField(msgspec.Struct, frozen=True, kw_only=True):
    column: str | None  # None: every column
    alias: str | None = None
    cast: str | None = None  # the catalog's type, quoted: `"pg_catalog"."int4"` (casts.py)
    path: tuple[JsonStep, ...] = ()  # `audience->roles`: a JSON path into the column
    aggregate: AggregateFunction | None = None  # `amount.sum()`; column "" for a bare count()
    input_cast: Cast | None = None  # the column's cast before the aggregate (`key::integer.sum()`)
    computed: QualifiedName | None = None  # `column` is a computed field of this row type (computed.py)


class FilterPlan(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    op: Operator
    slot: int
    param_type: str  # what the text parameter is cast to: "text", "uuid", "timestamp with time zone"
    negated: bool = False
    quantifier: Quantifier | None = None
    language: int | None = None  # slot of an fts operator's text search configuration
    text_column: bool = False  # fts on text, json or jsonb: to_tsvector(column)
    path: tuple[JsonStep, ...] = ()
    computed: QualifiedName | None = None


class IsPlan(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    value: IsValue
    negated: bool = False
    path: tuple[JsonStep, ...] = ()
    computed: QualifiedName | None = None


class LogicPlan(msgspec.Struct, frozen=True, kw_only=True):
    conjunction: Literal["and", "or"]
    children: tuple[FilterPlan | IsPlan | LogicPlan, ...]
    negated: bool = False


ConditionPlan: TypeAlias = FilterPlan | IsPlan | LogicPlan


class OrderPlan(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    direction: Literal["asc", "desc"] | None = None
    nulls: Literal["nullsfirst", "nullslast"] | None = None
    path: tuple[JsonStep, ...] = ()
    # `order=class(name)`: `column` is one of the to-one embed `class`'s
    # (its alias or name), checked against it by embeds.py.
    embed: str | None = None
    computed: QualifiedName | None = None


class EmbedPlan(msgspec.Struct, frozen=True, kw_only=True):
    key: str  # the JSON key: alias or name
    relation: QualifiedName
    cardinality: Cardinality
    join: tuple[tuple[str, str], ...]  # (embedded or junction column, parent column)
    junction: QualifiedName | None = None
    junction_join: tuple[tuple[str, str], ...] = ()  # (junction column, embedded column)
    select: tuple[SelectField, ...] = ()
    embeds: tuple[EmbedPlan, ...] = ()
    where: tuple[ConditionPlan, ...] = ()
    order: tuple[OrderPlan, ...] = ()
    limit_slot: int | None = None
    offset_slot: int | None = None
    inner: bool = False  # `name!inner(...)` or `name=not.is.null`: no row of it, no parent
    absent: bool = False  # `name=is.null`: only the parents without a row of it (embed_null.py)
    spread: bool = False
    shown: bool = True  # False for `name()`: it only filters (with !inner)
    aggregated: bool = False  # aggregates in its select: grouped by its other columns
    hoisted: bool = False  # a to-one spread with aggregates: its parent applies them and groups
    position: int = 0  # its index among the parent's select items: JSON keys keep the select's order
    # A computed relationship (computed.py): rows of `function` called on the
    # parent's row, cast to `parent` (its row type); `join` is then empty.
    function: QualifiedName | None = None
    parent: QualifiedName | None = None
    # Computed fields of this to-one embed that its parent is ordered by
    # (`order=teacher(full_name)`): called on its row beside its JSON.
    sorted_computed: frozenset[str] = frozenset()


class ReadPlan(msgspec.Struct, frozen=True, kw_only=True):
    relation: QualifiedName
    select: tuple[SelectField, ...] | None
    where: tuple[ConditionPlan, ...] = ()
    order: tuple[OrderPlan, ...] = ()
    count: bool = False
    # Prefer: count=planned|estimated: the exact count capped at MAX_ROWS + 1,
    # unknown (`*`) past the cap; never the planner's estimate, whose
    # statistics span every school (issue 13, F1; http/routes.py within_limits).
    estimate: Literal["planned", "estimated"] | None = None
    single: bool = False
    csv: bool = False  # the body as CSV text (formats.py), not JSON
    strip_nulls: bool = False  # `;nulls=stripped`: json_strip_nulls over the JSON body
    media: Media | None = None  # a media type handler of the schema makes the body (dialect/media.py)
    params: int = 0  # request values, bound first as $1..$params
    # Keyset paging (keyset.py): `order` is then total (the primary key appended),
    # `key_types` are its columns' parameter types, `cursor` whether to continue.
    key_types: tuple[str, ...] = ()
    key_nullable: tuple[bool, ...] = ()  # per key column: may hold NULL (keyset.predicate)
    # The primary key columns appended to `order`: a read its embeds turn into
    # groups (aggregates hoisted from a to-one spread) drops them (render/statement.py).
    key_appended: int = 0
    cursor: bool = False
    aggregated: bool = False  # aggregates in select: grouped by the other fields (aggregates.py)
    embeds: tuple[EmbedPlan, ...] = ()  # the children of the read tree (embeds.py)


class MutatePlan(msgspec.Struct, frozen=True, kw_only=True):
    action: Literal["create", "update", "delete"]
    relation: QualifiedName
    columns: tuple[str, ...] = ()  # set by the body (create, update)
    where: tuple[ConditionPlan, ...] = ()
    returning: tuple[SelectField, ...] | None = None
    representation: bool = False
    single: bool = False
    strip_nulls: bool = False
    location: tuple[str, ...] = ()  # primary key columns, for one created row
    array_body: bool = False
    on_conflict: tuple[str, ...] = ()  # an upsert's key: `on_conflict=`, else the primary key
    resolution: Resolution | None = None
    params: int = 0
    # `Prefer: missing=default` (POST): per column of `columns`, the DEFAULT
    # expression a row lacking the key takes (None: no default, so null).
    defaults: tuple[str | None, ...] | None = None
    embeds: tuple[EmbedPlan, ...] = ()  # joined to the returned rows (with return=representation)
    # Per column of `columns`, the cast function its body value goes through
    # (a data representation, schema/cache.py `from_json`); () when none has one.
    transforms: tuple[str | None, ...] = ()
    csv: bool = False  # Accept: text/csv: the returned rows as CSV (formats.py)
    types: tuple[str, ...] = ()  # per column of `columns`, its declared type (the body's record definition)
    put: bool = False  # PUT: one row, named by its primary key in `where`
    # PATCH/DELETE with `limit`: the rows picked by `order` (PostgREST's
    # mutRangeF), limit and offset bound after the values (render/writes.py).
    limited: bool = False
    order: tuple[OrderPlan, ...] = ()


class CallArgument(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    type: str
    variadic: bool = False
    repeated: bool = False  # GET: its value is a text[] of every value given (parse.rpc_repeated)


class CallPlan(msgspec.Struct, frozen=True, kw_only=True):
    function: QualifiedName
    arguments: tuple[CallArgument, ...]
    from_body: bool  # POST: one JSON object parameter; GET: one text parameter per argument
    # `Prefer: params=single-object`: the body (POST) or the arguments' JSON object
    # (GET) is the one json/jsonb argument, passed by position.
    single_object: bool = False
    returns: Literal["scalar", "set", "void"]
    read_only: bool
    single: bool = False
    csv: bool = False  # Accept: text/csv (formats.py)
    strip_nulls: bool = False
    media: Media | None = None
    row: bool = False  # each result a row (its columns the CSV's); else one value, PostgREST's `pgrst_scalar`
    single_out: str | None = None  # one OUT column: each value as {"<name>": value} (schema/cache.py)
    anonymous_record: bool = False  # `returns setof record`, no OUT columns (schema/cache.py)
    body_param: str | None = None  # json/jsonb: the POST body is the one unnamed argument
    # The result shaped like a read (`select`, filters, `order`, limit/offset),
    # resolved against the relation the function returns: `... from f(...) as pgrst_call`.
    shaped: bool = False
    select: tuple[SelectField, ...] | None = None
    where: tuple[ConditionPlan, ...] = ()
    order: tuple[OrderPlan, ...] = ()
    # Prefer: count, as for a ReadPlan: the rows of a set after the filters
    # (before limit/offset); one for a function returning one value.
    count: bool = False
    estimate: Literal["planned", "estimated"] | None = None
    # Request values, bound first as $1..$params: the filters' then, on GET,
    # the arguments' (the last len(arguments) slots).
    params: int = 0
    # Shaped: the relation whose rows the function returns (what its embeds
    # join to, embeds.py).
    relation: QualifiedName | None = None
    aggregated: bool = False  # aggregates in select: grouped by the other fields, as a read
    embeds: tuple[EmbedPlan, ...] = ()  # joined to a shaped call's result rows


Plan: TypeAlias = ReadPlan | MutatePlan | CallPlan
