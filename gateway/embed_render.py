"""A plan with embeds -> one SQL statement (PostgREST's QueryBuilder.hs
`getJoins`, `getInnerJoin`): each embed is a LEFT JOIN LATERAL subquery that
builds its JSON in Postgres,

    many   (select json_agg(r) as body from (select ... order by ... limit ...) r)
    one    (select row_to_json(r) as body from (select ...) r)
    spread (select ...): its columns join the parent's

joined to the parent on the foreign key's columns (school_id included for the
tenant keys), or, for a computed relationship, selecting from its function
called on the parent's row (computed.py). The embedded relations are the api views, queried as the caller:
RLS filters every embedded row as it filters the top level. `!inner` keeps a
parent row only when its embed's body is not null (json_agg of no rows is null).
An embed with aggregates groups inside its subquery, so per parent row
(`enrollments(count())` -> `[{"count": 12}]`, or `[{"count": 0}]` for none).

Pure. Identifiers only from the plans (the catalog), quoted; values only as `$n`.
"""

from __future__ import annotations

from gateway.embed_plan import EmbedPlan
from gateway.plan_nodes import CallPlan, Plan, ReadPlan
from gateway.relationships import TO_ONE
from gateway.render import Joined, Rendered, render
from gateway.sql_fragments import call, condition, group_by, ident, order, qualified, select_with_embeds


class _Aliases:
    def __init__(self) -> None:
        self.count = 0

    def next(self) -> int:
        self.count += 1
        return self.count


def render_embedded(plan: Plan, embeds: tuple[EmbedPlan, ...]) -> Rendered:
    """render.py's statement with the embeds joined to its rows: the read's
    relation, a write's returned rows (`pgrst_source`), or a function's
    (`pgrst_call`)."""
    if not embeds:
        return render(plan)
    parent = qualified(plan.relation) if isinstance(plan, ReadPlan) else "pgrst_source"
    if isinstance(plan, CallPlan):  # a function's result rows (render.py `_shaped_call`)
        parent = "pgrst_call"
    joins, items, inner = laterals(embeds, parent, _Aliases())
    return render(plan, Joined(joins=joins, items=items, inner=tuple(inner)))


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
        elif embed.shown and embed.cardinality in TO_ONE:
            columns[embed.position] = f"{alias}.body as {ident(embed.key)}"
        elif embed.shown:
            columns[embed.position] = f"coalesce({alias}.body, '[]'::json) as {ident(embed.key)}"
    return joins, columns, inner


def _subquery(embed: EmbedPlan, parent: str, source: str, rows: str, aliases: _Aliases) -> str:
    joins, columns, inner = laterals(embed.embeds, source, aliases)
    from_ = f"{qualified(embed.relation)} as {source}"
    if embed.function is not None and embed.parent is not None:  # a computed relationship: no join columns
        from_ = f"{call(embed.function, parent, embed.parent)} as {source}"
    near = source
    if embed.junction is not None:
        near = f'"pgrst_{aliases.next()}_j"'
        on = " and ".join(f"{near}.{ident(j)} = {source}.{ident(t)}" for j, t in embed.junction_join)
        from_ += f" join {qualified(embed.junction)} as {near} on {on}"
    conditions = [f"{near}.{ident(a)} = {parent}.{ident(b)}" for a, b in embed.join]
    if embed.function is not None and embed.cardinality in TO_ONE:
        # A function returning one row (not setof) that finds none returns a
        # null row, which FROM turns into a row of nulls: that is no row.
        conditions.append(f"not ({source} is null)")
    conditions += [condition(c, source) for c in embed.where] + inner
    where = f" where {' and '.join(conditions)}" if conditions else ""
    select = f"select {select_with_embeds(embed.select, source, columns)} from {from_}{joins}{where}"
    if embed.aggregated:  # per parent row: the join conditions are in the where above
        select += group_by(embed.select, source)
    if embed.spread:
        return select
    if embed.cardinality in TO_ONE:
        return f"select row_to_json({rows}) as body from ({select}) {rows}"
    select += order(embed.order, source)
    if embed.limit_slot is not None:
        select += f" limit ${embed.limit_slot + 1}::text::bigint"
    if embed.offset_slot is not None:
        select += f" offset ${embed.offset_slot + 1}::text::bigint"
    return f"select json_agg({rows}) as body from ({select}) {rows}"
