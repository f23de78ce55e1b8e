"""Names of a request resolved against the catalog (PostgREST's Plan.hs
`resolveOutputField`, `resolveFilter`, `resolveOrder`): columns, JSON paths
into them, filters, select and order items of one relation. Shared by action.py
and embeds.py; unknown names are rejected here with PostgREST's errors.

Parameters arrive as text and are cast to the column's type in SQL
(`$1::text::uuid`): asyncpg's binary codecs would otherwise want a Python
int, date or UUID per value, and only Postgres' own input functions parse
values exactly as Postgres does.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import msgspec

from gateway.dialect.casts import BUILTIN, type_sql
from gateway.dialect.operators import FTS, INDEX, TABLE, JsonStep, check, split_path
from gateway.dialect.parse.filters import Condition, Filter, IsFilter, Logic
from gateway.dialect.parse.select import OrderTerm, SelectItem
from gateway.dialect.plan.computed import row_type
from gateway.dialect.plan.nodes import (
    ConditionPlan,
    FilterPlan,
    IsPlan,
    LogicPlan,
    OrderPlan,
    QualifiedName,
    SelectField,
)
from gateway.dialect.schema.cache import Column, Relation, SchemaCache
from gateway.errors import ApiError


def find_relation(schema: SchemaCache, name: str) -> Relation:
    relation = schema.relations.get(name)
    if relation is None:
        close = difflib.get_close_matches(name, schema.relations, n=1)
        raise ApiError(
            404,
            "PGRST205",
            f"Could not find the table '{schema.schema}.{name}' in the schema cache",
            hint=f"Perhaps you meant the table '{schema.schema}.{close[0]}'" if close else None,
        )
    return relation


def find_column(relation: Relation, name: str) -> Column:
    """A column, or a computed field (computed.py) when no column has the name.
    One the caller's role may not select is refused here, wherever it is named
    (select, filter, order, embed, on_conflict), as Postgres would refuse it: a
    filter on it would be an oracle of its values (issue 13, F2)."""
    if name in relation.denied:
        raise ApiError(
            403,
            "42501",
            f'permission denied for column "{name}" of relation "{relation.name}"',
            details="The role of this token holds no SELECT privilege on the column",
            hint=f"Leave it out: select=* gives the columns of '{relation.name}' this token may read",
        )
    column = relation.columns.get(name) or relation.computed.get(name)
    if column is None:
        close = difflib.get_close_matches(name, [*relation.columns, *relation.computed], n=1)
        raise ApiError(
            400,
            "42703",
            f"column {relation.name}.{name} does not exist",
            hint=f'Perhaps you meant to reference the column "{relation.name}.{close[0]}".' if close else None,
        )
    return column


def readable_fields(relation: Relation) -> tuple[SelectField, ...]:
    """`*` for a role that may select only some columns: those, by name
    (`rel.*` would name the others too, and Postgres refuse the whole read)."""
    return tuple(SelectField(column=name) for name in relation.columns if name not in relation.denied)


def select_fields(
    relation: Relation, items: tuple[SelectItem, ...] | None, types: Mapping[str, tuple[str, str]] = BUILTIN
) -> tuple[SelectField, ...] | None:
    """`types`: the names a cast may take (casts.py, the schema cache's `types`)."""
    if items is None:
        return readable_fields(relation) if relation.denied else None
    fields: list[SelectField] = []
    for item in items:
        if item.column == "*":
            if relation.denied:
                fields.extend(readable_fields(relation))
            else:
                fields.append(SelectField(column=None))
            continue
        if item.aggregate is None and item.column == "count" and "count" not in relation.columns:
            # `clients(count)`: with no column of that name, Postgres reads
            # `t.count` as `count(t)`, and PostgREST relies on it (embed counts).
            item = msgspec.structs.replace(item, column="", aggregate="count")
        if item.aggregate is not None and not item.column:
            fields.append(SelectField(column="", alias=item.alias or item.aggregate, cast=_cast(item, types),
                                      aggregate=item.aggregate))  # fmt: skip
            continue
        column, path = column_path(relation, item.column)
        computed = row_type(relation, column.name)
        if item.aggregate is not None:
            input_cast = type_sql(item.input_cast, types) if item.input_cast is not None else None
            fields.append(SelectField(column=column.name, alias=item.alias or item.aggregate, cast=_cast(item, types),
                                      path=path, aggregate=item.aggregate, computed=computed,
                                      input_cast=input_cast))  # fmt: skip
            continue
        alias = item.alias or path_key(column.name, path)
        fields.append(SelectField(column=column.name, alias=alias, cast=_cast(item, types), path=path,
                                  computed=computed))  # fmt: skip
    return tuple(fields)


def _cast(item: SelectItem, types: Mapping[str, tuple[str, str]]) -> str | None:
    return type_sql(item.cast, types) if item.cast is not None else None


def path_key(column: str, path: tuple[JsonStep, ...]) -> str | None:
    """PostgREST's key for a JSON path's value (Plan.hs `lastJsonKey`): its last
    key that is not an array index (`data->0->a->>2` is `a`), else the column."""
    if not path:
        return None
    keys = [step.key for step in path if not INDEX.fullmatch(step.key)]
    return keys[-1] if keys else column


def order_plan(relation: Relation, term: OrderTerm) -> OrderPlan:
    if term.relation is not None:
        # A related order names an embed's column: embeds.py checks it
        # against the embed (embed_plan.has_embeds sends every such request there).
        base, path = split_path(term.column)
        return OrderPlan(column=base, direction=term.direction, nulls=term.nulls, path=path, embed=term.relation)
    column, path = column_path(relation, term.column)
    return OrderPlan(column=column.name, direction=term.direction, nulls=term.nulls, path=path,
                     computed=row_type(relation, column.name))  # fmt: skip


def column_path(relation: Relation, name: str) -> tuple[Column, tuple[JsonStep, ...]]:
    """A column, or a JSON path into one (`audience->roles`, `metadata->>key`):
    the column as the path's value is typed, `->>` giving text."""
    return typed_column(relation, *split_path(name))


def typed_column(relation: Relation, base: str, path: tuple[JsonStep, ...]) -> tuple[Column, tuple[JsonStep, ...]]:
    column = find_column(relation, base)
    if not path:
        return column, path
    if path[-1].arrow == "->>":
        typed = msgspec.structs.replace(column, type="text", cast="text", base="text", category="S", element=None)
    else:
        typed = msgspec.structs.replace(column, type="jsonb", cast="jsonb", base="jsonb", category="U", element=None)
    if column.base not in ("json", "jsonb"):
        # An array or a composite: the path applies to to_jsonb(column) (PostgREST's
        # pgFmtField; json and jsonb are left bare so that their indexes apply).
        return typed, (msgspec.structs.replace(path[0], wrap=True), *path[1:])
    return (typed if path[-1].arrow == "->>" else column), path


def condition_plan(relation: Relation, given: Condition) -> ConditionPlan:
    if isinstance(given, Logic):
        children = tuple(condition_plan(relation, c) for c in given.children)
        return LogicPlan(conjunction=given.conjunction, children=children, negated=given.negated)
    column, path = column_path(relation, given.column)
    computed = row_type(relation, column.name)
    if isinstance(given, IsFilter):
        if given.value in ("true", "false", "unknown") and column.category != "B":
            raise _mismatch(
                column, f"IS {given.value.upper()}", "is.true, is.false and is.unknown need a boolean column"
            )
        return IsPlan(column=column.name, value=given.value, negated=given.negated, path=path, computed=computed)
    return _filter_plan(column, given, path, computed)


def _filter_plan(
    column: Column, condition: Filter, path: tuple[JsonStep, ...] = (), computed: QualifiedName | None = None
) -> FilterPlan:
    text_column = column.category == "S"  # text, varchar, char, name, citext
    # fts searches to_tsvector(column) of any column but a tsvector (PostgREST 13)
    document = text_column or column.base in ("json", "jsonb")
    hint = check(condition.op, condition.quantifier, category=column.category, base=column.base)
    if hint is not None:
        raise _mismatch(column, TABLE[condition.op].symbol, hint)
    param_type = "text" if text_column else column.cast
    return FilterPlan(column=column.name, op=condition.op, slot=condition.slot, param_type=param_type,
                      negated=condition.negated, quantifier=condition.quantifier, language=condition.language,
                      text_column=document and condition.op in FTS, path=path, computed=computed)  # fmt: skip


def _mismatch(column: Column, operator: str, hint: str) -> ApiError:
    return ApiError(400, "42883", f"operator does not exist: {column.type} {operator} {column.name}", hint=hint)
