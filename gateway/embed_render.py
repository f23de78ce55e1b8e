"""A plan with embeds -> one SQL statement (PostgREST's QueryBuilder.hs
`getJoins`, `getInnerJoin`): each embed is a LEFT JOIN LATERAL subquery that
builds its JSON in Postgres,

    many   (select json_agg(r) as body from (select ... order by ... limit ...) r)
    one    (select row_to_json(r) as body from (select ...) r)
    spread (select ...): its columns join the parent's

joined to the parent on the foreign key's columns (school_id included for the
tenant keys). The embedded relations are the api views, queried as the caller:
RLS filters every embedded row as it filters the top level. `!inner` keeps a
parent row only when its embed's body is not null (json_agg of no rows is null).
An embed with aggregates groups inside its subquery, so per parent row
(`enrollments(count())` -> `[{"count": 12}]`, or `[{"count": 0}]` for none).

Pure. Identifiers only from the plans (the catalog), quoted; values only as `$n`.
"""

from __future__ import annotations

from gateway.embed_plan import EmbedPlan
from gateway.formats import csv_body
from gateway.plan import MutatePlan, Plan, ReadPlan, SelectField
from gateway.render import (
    _ARRAY,
    _OBJECT,
    Extra,
    Rendered,
    _condition,
    _group_by,
    _order,
    _select_list,
    ident,
    qualified,
    render,
)


class _Aliases:
    def __init__(self) -> None:
        self.count = 0

    def next(self) -> int:
        self.count += 1
        return self.count


def render_embedded(plan: Plan, embeds: tuple[EmbedPlan, ...]) -> Rendered:
    if not embeds:
        return render(plan)
    if isinstance(plan, ReadPlan):
        return _read(plan, embeds)
    if isinstance(plan, MutatePlan):
        return _mutate(plan, embeds)
    return render(plan)


def _read(plan: ReadPlan, embeds: tuple[EmbedPlan, ...]) -> Rendered:
    relation = qualified(plan.relation)
    joins, columns, inner = laterals(embeds, relation, _Aliases())
    conditions = [_condition(c, relation) for c in plan.where] + inner
    where = " where " + " and ".join(conditions) if conditions else ""
    limit, offset = plan.params + 1, plan.params + 2
    # Top-level aggregates come only beside embeds that filter (embed_plan.py):
    # each lateral gives one row per parent row, so the groups are the parent's.
    group = _group_by(plan.select, relation) if plan.aggregated else ""
    rows = (
        f"select {_merge(plan.select or (), relation, columns)} from {relation}{joins}{where}{group}"
        f"{_order(plan.order, relation)} limit ${limit} offset ${offset}"
    )
    # The count needs the joins only when an !inner embed filters the rows.
    counted = f"{relation}{joins if inner else ''}{where}"
    total = f"(select count(*) from {counted})" if plan.count else "null::bigint"
    if plan.aggregated and plan.count:  # the rows of an aggregated read are its groups
        total = f"(select count(*) from (select 1 from {counted}{group}) pgrst_g)"
    extras: tuple[Extra, ...] = ("limit", "offset")
    if plan.estimate == "estimated":  # as render.py: the exact count up to a cap, then the estimate
        total = f"(select count(*) from (select 1 from {counted} limit ${plan.params + 3}) pgrst_c)"
        extras = ("limit", "offset", "count_cap")
    explain = f"explain (format json) select 1 from {counted}" if plan.estimate else None
    body = csv_body("pgrst_t") if plan.csv else _OBJECT if plan.single else _ARRAY
    # No keyset cursor here (embed_plan.py refuses `cursor=`): location stays
    # null, so an ordered read with embeds gets no Link: rel=next.
    sql = (
        f"select {body} as body, count(*) as page_total, {total} as total, null::text[] as location "
        f"from ({rows}) pgrst_t"
    )
    return Rendered(sql=sql, extras=extras, read_only=True, explain=explain)


def _mutate(plan: MutatePlan, embeds: tuple[EmbedPlan, ...]) -> Rendered:
    """render.py's statement with the embeds joined to the changed rows
    (`pgrst_source`). Embedded rows are read in the statement's snapshot."""
    rendered = render(plan)
    tail = f"from (select {_select_list(plan.returning, 'pgrst_source')} from pgrst_source) pgrst_t"
    if not plan.representation or not rendered.sql.endswith(tail):
        return rendered
    joins, columns, inner = laterals(embeds, "pgrst_source", _Aliases())
    where = " where " + " and ".join(inner) if inner else ""
    sql = rendered.sql[: -len(tail)] + (
        f"from (select {_merge(plan.returning or (), 'pgrst_source', columns)} from pgrst_source{joins}{where}) pgrst_t"
    )
    return Rendered(sql=sql, extras=rendered.extras, read_only=rendered.read_only)


def laterals(
    embeds: tuple[EmbedPlan, ...], parent: str, aliases: _Aliases
) -> tuple[str, dict[int, str | None], list[str]]:
    """The joins, the parent's output columns by select position (None: not
    shown), and the !inner conditions."""
    joins, inner = "", []
    columns: dict[int, str | None] = {}
    for embed in embeds:
        n = aliases.next()
        alias, source, rows = f'"pgrst_{n}"', f'"pgrst_{n}_s"', f'"pgrst_{n}_r"'
        joins += f" left join lateral ({_subquery(embed, parent, source, rows, aliases)}) {alias} on true"
        if embed.inner:
            inner.append(f"{alias}.body is not null")
        columns[embed.position] = None
        if embed.spread:
            columns[embed.position] = f"{alias}.*"
        elif embed.shown and embed.cardinality == "many-to-one":
            columns[embed.position] = f"{alias}.body as {ident(embed.key)}"
        elif embed.shown:
            columns[embed.position] = f"coalesce({alias}.body, '[]'::json) as {ident(embed.key)}"
    return joins, columns, inner


def _subquery(embed: EmbedPlan, parent: str, source: str, rows: str, aliases: _Aliases) -> str:
    joins, columns, inner = laterals(embed.embeds, source, aliases)
    from_ = f"{qualified(embed.relation)} as {source}"
    near = source
    if embed.junction is not None:
        near = f'"pgrst_{aliases.next()}_j"'
        on = " and ".join(f"{near}.{ident(j)} = {source}.{ident(t)}" for j, t in embed.junction_join)
        from_ += f" join {qualified(embed.junction)} as {near} on {on}"
    conditions = [f"{near}.{ident(a)} = {parent}.{ident(b)}" for a, b in embed.join]
    conditions += [_condition(c, source) for c in embed.where] + inner
    select = f"select {_merge(embed.select, source, columns)} from {from_}{joins} where {' and '.join(conditions)}"
    if embed.aggregated:  # per parent row: the join conditions are in the where above
        select += _group_by(embed.select, source)
    if embed.spread:
        return select
    if embed.cardinality == "many-to-one":
        return f"select row_to_json({rows}) as body from ({select}) {rows}"
    select += _order(embed.order, source)
    if embed.limit_slot is not None:
        select += f" limit ${embed.limit_slot + 1}::text::bigint"
    if embed.offset_slot is not None:
        select += f" offset ${embed.offset_slot + 1}::text::bigint"
    return f"select json_agg({rows}) as body from ({select}) {rows}"


def _merge(fields: tuple[SelectField, ...], source: str, embeds: dict[int, str | None]) -> str:
    """Columns and embeds in the order the select named them (plan.py gives one
    field per column item, in order; embeds hold their own positions)."""
    remaining = iter(fields)
    items = []
    for position in range(len(fields) + len(embeds)):
        if position in embeds:
            embedded = embeds[position]
            if embedded:
                items.append(embedded)
        else:
            items.append(_select_list((next(remaining),), source))
    return ", ".join(items)
