"""SQL fragments the renderers share (PostgREST's Query/SqlFragment.hs):
quoted identifiers, select lists, GROUP BY, WHERE, ORDER BY. Pure.

Identifiers come only from plans, which took them from the catalog, and are
always quoted with `"` doubled (`ident`); values are only ever `$n` parameters.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from gateway.dialect.operators import JsonStep, path_sql
from gateway.dialect.operators import sql as operator_sql
from gateway.dialect.plan.nodes import (
    ConditionPlan,
    FilterPlan,
    IsPlan,
    LogicPlan,
    OrderPlan,
    QualifiedName,
    SelectField,
)

_IS = {"null": "is null", "not_null": "is not null", "true": "is true", "false": "is false", "unknown": "is unknown"}


def ident(name: str) -> str:
    """Always quoted, `"` doubled, NUL dropped (Postgres identifiers cannot hold it)."""
    return '"' + name.replace("\x00", "").replace('"', '""') + '"'


def qualified(name: QualifiedName) -> str:
    return f"{ident(name.schema)}.{ident(name.name)}"


def literal(text: str) -> str:
    """A catalog name as an SQL string literal (a JSON key)."""
    return "'" + text.replace("\x00", "").replace("'", "''") + "'"


def select_list(fields: tuple[SelectField, ...] | None, source: str) -> str:
    if fields is None:
        return f"{source}.*"
    items = []
    for field in fields:
        if field.column is None:
            items.append(f"{source}.*")
            continue
        items.append(f"{expression(field, source)} as {ident(field.alias or field.column)}")
    return ", ".join(items)


def expression(field: SelectField, source: str) -> str:
    """One named field's value: its column or JSON path, aggregated, cast."""
    value = target(source, field.column or "", field.path, field.computed)
    if field.input_cast is not None:  # the catalog's type, quoted (casts.py)
        value = f"cast({value} as {field.input_cast})"
    if field.aggregate is not None:  # a name from aggregates.Function, a closed list
        value = f"{field.aggregate}({value if field.column else '*'})"
    if field.cast is not None:  # the catalog's type, quoted (casts.py)
        value = f"cast({value} as {field.cast})"
    return value


class Output(msgspec.Struct, frozen=True, kw_only=True):
    """One column an embed gives its parent's select (embeds.py)."""

    expression: str  # at the parent: `"pgrst_1".body`, `"pgrst_1"."last_name"`
    name: str  # its JSON key
    json: bool = False  # an embed's JSON: grouped by its text (json has no equality operator)
    # Hoisted from a to-one spread (PostgREST's hoistSpreadAggFunctions): the
    # LATERAL gives the bare column, the parent applies the aggregate and its cast.
    aggregate: str | None = None
    cast: str | None = None


def select_with_embeds(
    fields: tuple[SelectField, ...], source: str, embeds: Mapping[int, tuple[Output, ...]], grouped: bool = False
) -> str:
    """Columns and embeds in the order the select named them (plan/action.py gives one
    field per column item, in order; `embeds` holds the embeds' outputs by their
    positions, none for an embed that only filters)."""
    remaining = iter(fields)
    items: list[str] = []
    for position in range(len(fields) + len(embeds)):
        if position in embeds:
            items.extend(_output(output, grouped) for output in embeds[position])
        else:
            items.append(select_list((next(remaining),), source))
    return ", ".join(items)


def _output(output: Output, grouped: bool) -> str:
    expression = output.expression
    if output.aggregate is not None:  # names from closed lists (aggregates.Function), the cast from the catalog (casts.py)
        expression = f"{output.aggregate}({expression})"
        if output.cast is not None:
            expression = f"cast({expression} as {output.cast})"
    elif output.json and grouped:
        expression = f"{expression}::text::json"  # built on the grouped text: Postgres accepts it
    return f"{expression} as {ident(output.name)}"


def group_by(
    fields: tuple[SelectField, ...] | None, source: str, embeds: Mapping[int, tuple[Output, ...]] | None = None
) -> str:
    """Aggregates group by every other selected column (PostgREST 12), an
    embed's JSON and a spread's columns included."""
    keys = [target(source, f.column, f.path, f.computed) for f in fields or () if f.aggregate is None and f.column]
    for outputs in (embeds or {}).values():
        keys += [f"{o.expression}::text" if o.json else o.expression for o in outputs if o.aggregate is None]
    return " group by " + ", ".join(keys) if keys else ""


def where(conditions: tuple[ConditionPlan, ...], source: str) -> str:
    if not conditions:
        return ""
    return " where " + " and ".join(condition(c, source) for c in conditions)


def condition(plan: ConditionPlan, source: str) -> str:
    if isinstance(plan, LogicPlan):
        joiner = f" {plan.conjunction} "
        sql = "(" + joiner.join(condition(c, source) for c in plan.children) + ")"
    elif isinstance(plan, IsPlan):
        # IS takes keywords, never a parameter (`IS $1` is a syntax error).
        sql = f"({target(source, plan.column, plan.path, plan.computed)} {_IS[plan.value]})"
    else:
        sql = f"({_filter(plan, source)})"
    return f"not {sql}" if plan.negated else sql


def _filter(condition: FilterPlan, source: str) -> str:
    return operator_sql(
        condition.op,
        target(source, condition.column, condition.path, condition.computed),
        condition.slot,
        condition.param_type,
        quantifier=condition.quantifier,
        language=condition.language,
        text_column=condition.text_column,
    )


def target(source: str, column: str, path: tuple[JsonStep, ...], computed: QualifiedName | None = None) -> str:
    """A column, or a JSON path into it (the path's keys are SQL literals).
    `computed`: `column` is a computed field of that row type (plan/computed.py)."""
    if computed is not None:
        base = call(QualifiedName(schema=computed.schema, name=column), source, computed)
    else:
        base = f"{source}.{ident(column)}"
    return path_sql(base, path) if path else base


def every_column(relation: QualifiedName, source: str) -> str:
    """`source.*`, or for a relation the role reads in part (`relation.row`) the
    columns it may read, by name: `*` names every column, and Postgres checks
    the privilege of each column a statement names."""
    if not relation.row:
        return f"{source}.*"
    return ", ".join(f"{source}.{ident(c)}" for c in relation.row if c is not None)


def call(function: QualifiedName, source: str, row: QualifiedName) -> str:
    """A computed field or relationship called on the source's row, rebuilt as
    the function's argument type: `"api"."full_name"(row("pgrst_1_s".*)::"api"."students")`.
    The cast picks the overload (plan/computed.py). For a role that reads the
    relation in part, the columns it may not read go in as nulls."""
    values = f"{source}.*"
    if row.row:
        values = ", ".join(f"{source}.{ident(c)}" if c is not None else "null" for c in row.row)
    return f"{qualified(function)}(row({values})::{qualified(row)})"


def param(slot: int, param_type: str) -> str:
    """A text parameter cast to the catalog's type: `$1::text::uuid`."""
    return f"${slot + 1}::text" if param_type == "text" else f"${slot + 1}::text::{param_type}"


def order(terms: tuple[OrderPlan, ...], source: str, related: Mapping[int, str] | None = None) -> str:
    """`related`: by term index, what a related order (`class(name)`) sorts by."""
    if not terms:
        return ""
    items = []
    for i, term in enumerate(terms):
        item = related[i] if related and i in related else target(source, term.column, term.path, term.computed)
        if term.direction:
            item += f" {term.direction}"
        if term.nulls:
            item += " nulls first" if term.nulls == "nullsfirst" else " nulls last"
        items.append(item)
    return " order by " + ", ".join(items)
