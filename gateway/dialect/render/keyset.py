"""The rows of a keyset-paged read (keyset.py has the cursor and the seek
predicate; plan/action.py decides which reads page so; statement.py wraps these rows
like any read's, with the count, CSV and the last row's key):

    select <row's JSON> as pgrst_row, json_build_array(<key>) as pgrst_key
    from (<page>) pgrst_l <embeds joined to the page's rows>
    order by <key>

The page is the bare rows: filtered (`!inner` embeds, which filter, joined
there), after the cursor, sorted and cut; only then is each row's JSON built,
its embeds included, so a page costs its own rows whatever the depth. With a
nullable first key the page is a UNION ALL of keyset.branches, each branch an
index range sorted and cut on its own.

Pure. Identifiers only from the plan (the catalog), quoted; values only as `$n`.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.dialect import keyset
from gateway.dialect.operators import param
from gateway.dialect.plan.nodes import ReadPlan
from gateway.dialect.render.fragments import Output, every_column, order, select_list, select_with_embeds, target


def keyset_rows(
    plan: ReadPlan,
    relation: str,
    conditions: list[str],
    page_joins: str,
    row_joins: str,
    row_items: Mapping[int, tuple[Output, ...]],
    first_cursor: int,
) -> str:
    """`page_joins`: the joins the !inner `conditions` need; `row_joins` and
    `row_items`: the embeds on `pgrst_l`; `first_cursor`: the slot of the
    cursor's first value (statement.py binds them after its other extras)."""
    page = _page(plan, relation, conditions, page_joins, first_cursor)
    if row_joins:
        fields = select_with_embeds(plan.select or (), "pgrst_l", row_items)
    else:
        fields = select_list(plan.select, "pgrst_l")
    row = f"(select to_json(pgrst_s) from (select {fields}) pgrst_s)"
    keys = [target("pgrst_l", term.column, term.path) for term in plan.order]
    return (
        f"select {row} as pgrst_row, json_build_array({', '.join(keys)}) as pgrst_key"
        f" from ({page}) pgrst_l{row_joins}{order(plan.order, 'pgrst_l')}"
    )


def _page(plan: ReadPlan, relation: str, conditions: list[str], joins: str, first_cursor: int) -> str:
    """The page's bare rows: after the cursor, sorted, cut."""
    limit, offset = f"${plan.params + 1}", f"${plan.params + 2}"
    sort = order(plan.order, relation)
    columns = every_column(plan.relation, relation)
    if not plan.cursor:
        where = " where " + " and ".join(conditions) if conditions else ""
        return f"select {columns} from {relation}{joins}{where}{sort} limit {limit} offset {offset}"
    params = [param(first_cursor + i, t) for i, t in enumerate(plan.key_types)]
    keys = [target(relation, term.column, term.path) for term in plan.order]
    descending = [term.direction == "desc" for term in plan.order]
    # Postgres' default: NULLS FIRST for desc, LAST for asc.
    nulls_first = [t.nulls == "nullsfirst" or (t.nulls is None and t.direction == "desc") for t in plan.order]
    seeks = keyset.branches(keys, descending, params, list(plan.key_nullable), nulls_first)
    selects = [f"select {columns} from {relation}{joins} where {' and '.join([*conditions, s])}{sort}"
               for s in seeks]  # fmt: skip
    if len(selects) == 1:
        return f"{selects[0]} limit {limit} offset {offset}"
    # Each branch cut to the page's end, then the branches merged and cut again.
    union = " union all ".join(f"({s} limit {limit}::bigint + {offset}::bigint)" for s in selects)
    return f"select * from ({union}) pgrst_u{order(plan.order, 'pgrst_u')} limit {limit} offset {offset}"
