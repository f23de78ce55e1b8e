"""The write statements' parts (PostgREST's QueryBuilder.mutatePlanToQuery):
where a body's rows come from, the ON CONFLICT of an upsert and the count of
the rows it inserted, and a PATCH/DELETE cut by `order` + `limit`.

Pure, as statement.py: identifiers from the plan (the catalog), values as `$n`.
"""

from __future__ import annotations

from gateway.dialect.plan.nodes import MutatePlan
from gateway.dialect.render.fragments import ident, literal, order, where

# PostgREST's pgrst.inserted (SqlFragment.addConfigPgrstInserted): each row an
# upsert tries to insert adds one, each conflict it turns into an update takes
# one off, so what is left is the number of rows inserted: 201 or 200.
_COUNT_IN = "set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) + 1)::text, true) <> '0'"
_COUNT_OUT = "set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) - 1)::text, true) <> '-1'"
INSERTED = ", nullif(current_setting('pgrst.inserted', true), '')::int as inserted"


def counts_inserted(plan: MutatePlan) -> bool:
    """PUT and `resolution=merge-duplicates` answer 201 only when a row was inserted."""
    return plan.action == "create" and (plan.put or plan.resolution == "merge-duplicates")


def insert_source(plan: MutatePlan, body_param: str) -> str:
    """`select <columns> from <the body's rows>`: json_to_recordset reads the
    plan's columns only (a key the body has beyond them is ignored, `columns=`),
    each with its column type's input function, as PostgREST does. Row by row
    with `Prefer: missing=default` (a key a row lacks takes the DEFAULT)."""
    conditions = []
    if plan.put:  # only the row the URL names (http/routes.py has answered PGRST115 already)
        conditions.append(where(plan.where, "pgrst_body").removeprefix(" where "))
    if counts_inserted(plan):
        conditions.append(_COUNT_IN)
    # CASE keeps the order: a row the URL does not name is not counted.
    filtered = ""
    if len(conditions) == 2:
        filtered = f" where case when {conditions[0]} then {conditions[1]} else false end"
    elif conditions:
        filtered = f" where {conditions[0]}"
    if not plan.columns:  # every column its DEFAULT, one row per element
        return f"select from json_array_elements({body_param}::json) pgrst_body{filtered}"
    values = ", ".join(_value(plan, i, "pgrst_in.pgrst_row") for i in range(len(plan.columns)))
    if plan.defaults is None:
        return f"select {values} from json_to_recordset({body_param}::json) as {_record(plan)}{filtered}"
    return (
        f"select {values} from json_array_elements({body_param}::json) as pgrst_in(pgrst_row) "
        f"cross join lateral json_to_record(pgrst_in.pgrst_row) as {_record(plan)}{filtered}"
    )


def _record(plan: MutatePlan) -> str:
    """The column definition list: each column's declared type (the catalog's
    format_type), json for one a cast function reads."""
    transforms = plan.transforms or (None,) * len(plan.columns)
    return (
        "pgrst_body("
        + ", ".join(
            f"{ident(c)} {'json' if f else t}" for c, t, f in zip(plan.columns, plan.types, transforms, strict=True)
        )
        + ")"
    )


def _value(plan: MutatePlan, i: int, row: str) -> str:
    """Column i's value. With `Prefer: missing=default` a key the JSON object
    `row` lacks gives the column's DEFAULT (from the catalog), an explicit
    null stays null (`->` yields JSON null, not SQL null)."""
    column = plan.columns[i]
    transform = plan.transforms[i] if plan.transforms else None
    value = f"pgrst_body.{ident(column)}"
    if transform:
        value = f"{transform}({value})"
    default = plan.defaults[i] if plan.defaults is not None else None
    if default is not None:
        value = f"case when {row} -> {literal(column)} is not null then {value} else ({default}) end"
    return value


def on_conflict(plan: MutatePlan) -> str:
    if plan.resolution is None:
        return ""
    key = ", ".join(ident(c) for c in plan.on_conflict)
    if plan.resolution == "ignore-duplicates" or not plan.columns:
        return f" on conflict ({key}) do nothing"
    sets = ", ".join(f"{ident(c)} = excluded.{ident(c)}" for c in plan.columns)
    counted = f" where {_COUNT_OUT}" if counts_inserted(plan) else ""
    return f" on conflict ({key}) do update set {sets}{counted}"


def update(plan: MutatePlan, relation: str, body_param: str) -> str:
    """`update ... set c = <the body's c>`: the body's one object (an array's first)."""
    body = f"({body_param}::json -> 0)" if plan.array_body else f"{body_param}::json"
    sets = ", ".join(f"{ident(c)} = {_value(plan, i, body)}" for i, c in enumerate(plan.columns))
    source = f"from json_to_record({body}) as {_record(plan)}"
    if not plan.limited:
        return f"update {relation} set {sets} {source}{where(plan.where, relation)}"
    return f"{_affected(plan, relation)} update {relation} set {sets} {source}, pgrst_affected_rows{_same_rows(plan, relation)}"


def delete(plan: MutatePlan, relation: str) -> str:
    if not plan.limited:
        return f"delete from {relation}{where(plan.where, relation)}"
    return f"{_affected(plan, relation)} delete from {relation} using pgrst_affected_rows{_same_rows(plan, relation)}"


def _affected(plan: MutatePlan, relation: str) -> str:
    """PATCH/DELETE with `limit`: the rows the order and the limit pick,
    identified by the order's columns (PostgREST's mutRangeF). A non-unique
    order may name more rows: http/routes.py then answers PGRST110."""
    keys = ", ".join(f"{relation}.{ident(term.column)}" for term in plan.order)
    first = plan.params + (2 if plan.action == "update" else 1)  # after the values (and the body)
    limit = f" limit ${first} offset ${first + 1}"
    return (
        f"with pgrst_affected_rows as (select {keys} from {relation}{where(plan.where, relation)}"
        f"{order(plan.order, relation)}{limit})"
    )


def _same_rows(plan: MutatePlan, relation: str) -> str:
    mine = ", ".join(f"{relation}.{ident(term.column)}" for term in plan.order)
    picked = ", ".join(f"pgrst_affected_rows.{ident(term.column)}" for term in plan.order)
    return f" where ({mine}) = ({picked})"
