"""A plan with embeds -> one SQL statement (PostgREST's QueryBuilder.hs
`getJoins`, `getInnerJoin`): each embed is a LEFT JOIN LATERAL subquery that
builds its JSON in Postgres,

    many   (select json_agg(r) as body from (select ... order by ... limit ...) r)
    one    (select row_to_json(r) as body from (select ...) r)
    spread (select ...): its columns join the parent's, named one by one

joined to the parent on the foreign key's columns (school_id included for the
tenant keys). The embedded relations are the api views, queried as the caller:
RLS filters every embedded row as it filters the top level. `!inner` keeps a
parent row only when its embed's body is not null (json_agg of no rows is null).
An embed with aggregates groups inside its subquery, so per parent row
(`enrollments(count())` -> `[{"count": 12}]`, or `[{"count": 0}]` for none).

`order=class(name)` (PostgREST's related order, to-one embeds only) sorts the
parent by a column the embed's LATERAL gives beside its JSON (`pgrst_k1`): an
embedded row RLS hides is no row, so its parent sorts as null.

Pure. Identifiers only from the plans (the catalog), quoted; values only as `$n`.
"""

from __future__ import annotations

from gateway.embed_plan import EmbedPlan
from gateway.plan_nodes import CallPlan, OrderPlan, Plan, ReadPlan
from gateway.render import Joined, Rendered, render
from gateway.sql_fragments import condition, group_by, ident, order, qualified, select_with_embeds, target


class _Aliases:
    def __init__(self) -> None:
        self.count = 0

    def next(self) -> int:
        self.count += 1
        return self.count


def render_embedded(plan: Plan, embeds: tuple[EmbedPlan, ...]) -> Rendered:
    """render.py's statement with the embeds joined to its rows: the read's
    relation, or a write's returned rows (`pgrst_source`)."""
    if not embeds or isinstance(plan, CallPlan):
        return render(plan)
    if isinstance(plan, ReadPlan):
        return render(plan, laterals(embeds, qualified(plan.relation), _Aliases(), plan.order))
    return render(plan, laterals(embeds, "pgrst_source", _Aliases()))


def laterals(
    embeds: tuple[EmbedPlan, ...], parent: str, aliases: _Aliases, order: tuple[OrderPlan, ...] = ()
) -> Joined:
    """The joins, the parent's items for them by select position (None: not
    shown), the !inner conditions, and what `order` terms on embeds sort by."""
    joins, inner = "", []
    items: dict[int, str | None] = {}
    keys: dict[int, str] = {}
    for embed in embeds:
        n = aliases.next()
        alias, source, rows = f'"pgrst_{n}"', f'"pgrst_{n}_s"', f'"pgrst_{n}_r"'
        # `order=class(name)`: the to-one LATERAL also gives `name`, as pgrst_k1...
        related = [(i, term) for i, term in enumerate(order) if term.embed == embed.key]
        for k, (i, _) in enumerate(related, 1):
            keys[i] = f'{alias}."pgrst_k{k}"'
        subquery = _subquery(embed, parent, source, rows, aliases, tuple(term for _, term in related))
        joins += f" left join lateral ({subquery}) {alias} on true"
        if embed.inner:
            inner.append(f"{alias}.body is not null")
        items[embed.position] = None
        if embed.spread:
            names = spread_names(embed)
            items[embed.position] = ", ".join(f"{alias}.{ident(name)} as {ident(name)}" for name in names) or None
        elif embed.shown and embed.cardinality == "many-to-one":
            items[embed.position] = f"{alias}.body as {ident(embed.key)}"
        elif embed.shown:
            items[embed.position] = f"coalesce({alias}.body, '[]'::json) as {ident(embed.key)}"
    return Joined(joins=joins, items=items, inner=tuple(inner), keys=keys)


def spread_names(embed: EmbedPlan) -> list[str]:
    """The columns a spread embed gives its parent, in select order: its own
    (`*` was expanded by embed_plan.py), its shown embeds, its spreads' columns."""
    names: list[str] = []
    fields = iter(embed.select)
    children = {child.position: child for child in embed.embeds}
    for position in range(len(embed.select) + len(embed.embeds)):
        child = children.get(position)
        if child is None:
            field = next(fields)
            names.append(field.alias or field.column or "")
        elif child.spread:
            names.extend(spread_names(child))
        elif child.shown:
            names.append(child.key)
    return names


def _subquery(
    embed: EmbedPlan, parent: str, source: str, rows: str, aliases: _Aliases, keys: tuple[OrderPlan, ...]
) -> str:
    joined = laterals(embed.embeds, source, aliases, embed.order)
    from_ = f"{qualified(embed.relation)} as {source}"
    near = source
    if embed.junction is not None:
        near = f'"pgrst_{aliases.next()}_j"'
        on = " and ".join(f"{near}.{ident(j)} = {source}.{ident(t)}" for j, t in embed.junction_join)
        from_ += f" join {qualified(embed.junction)} as {near} on {on}"
    conditions = [f"{near}.{ident(a)} = {parent}.{ident(b)}" for a, b in embed.join]
    conditions += [condition(c, source) for c in embed.where] + list(joined.inner)
    columns = select_with_embeds(embed.select, source, joined.items)
    exposed = [f'{target(source, k.column, k.path)} as "pgrst_k{i}"' for i, k in enumerate(keys, 1)]
    rest = f" from {from_}{joined.joins} where {' and '.join(conditions)}"
    if embed.aggregated:  # per parent row: the join conditions are in the where above
        rest += group_by(embed.select, source)
    if embed.spread:
        return f"select {', '.join([c for c in (columns, *exposed) if c])}{rest}"
    if embed.cardinality == "many-to-one" and exposed:
        # The row's JSON beside the columns the parent sorts by (embed_plan.py
        # refuses a related order on an embed with aggregates: no grouping here).
        body = f"(select row_to_json({rows}) from (select {columns}) {rows})"
        return f"select {body} as body, {', '.join(exposed)}{rest}"
    select = f"select {columns}{rest}"
    if embed.cardinality == "many-to-one":
        return f"select row_to_json({rows}) as body from ({select}) {rows}"
    select += order(embed.order, source, joined.keys)
    if embed.limit_slot is not None:
        select += f" limit ${embed.limit_slot + 1}::text::bigint"
    if embed.offset_slot is not None:
        select += f" offset ${embed.offset_slot + 1}::text::bigint"
    return f"select json_agg({rows}) as body from ({select}) {rows}"
