"""The embeds of a plan tree -> the LATERAL joins of its statement (PostgREST's
QueryBuilder.hs `getJoins`, `getInnerJoin`), recursing on the children: each
embed is a LEFT JOIN LATERAL subquery that builds its JSON in Postgres,

    many   (select json_agg(r) as body from (select ... order by ... limit ...) r)
    one    (select row_to_json(r) as body from (select ...) r)
    spread (select ...): its columns join the parent's, named one by one
    to-many spread (select coalesce(json_agg(r.column order by ...), '[]') ... from (select ...) r):
           one JSON array per column (PostgREST 13)

joined to the parent on the foreign key's columns (school_id included for the
tenant keys), or, for a computed relationship, selecting from its function
called on the parent's row (plan/computed.py). The embedded relations are the api views, queried as the caller:
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

import msgspec

from gateway.dialect.plan.nodes import CallPlan, EmbedPlan, OrderPlan, Plan, ReadPlan
from gateway.dialect.render.fragments import (
    Output,
    call,
    condition,
    expression,
    group_by,
    ident,
    order,
    qualified,
    select_with_embeds,
    target,
)
from gateway.dialect.schema.relationships import TO_ONE


class Joined(msgspec.Struct, frozen=True, kw_only=True):
    """What resource embedding adds to a read, or to a write's returned rows:
    LATERAL joins, the parent's columns from them by select
    position (none: an embed that only filters), the !inner conditions, and
    what the terms of a related order (`order=class(name)`) sort by."""

    joins: str = ""
    items: dict[int, tuple[Output, ...]] = msgspec.field(default_factory=dict)
    inner: tuple[str, ...] = ()
    keys: dict[int, str] = msgspec.field(default_factory=dict)  # by order term index: a related order's column
    hoisted: bool = False  # aggregates from a to-one spread: the parent's rows are grouped
    # A keyset-paged read: the same embeds joined to the page's rows (`pgrst_l`),
    # so they are built for that page only (keyset.py).
    page: Joined | None = None


ALONE = Joined()  # no embeds


class _Aliases:
    def __init__(self) -> None:
        self.count = 0

    def next(self) -> int:
        self.count += 1
        return self.count


def joins(plan: Plan) -> Joined:
    """The plan's embeds joined to its rows: the read's relation, a write's
    returned rows (`pgrst_source`), or a function's (`pgrst_call`)."""
    if not plan.embeds:
        return ALONE
    if isinstance(plan, ReadPlan):
        joined = laterals(plan.embeds, qualified(plan.relation), _Aliases(), plan.order)
        if plan.key_types:  # keyset: the embeds are built for the page's rows only (keyset.py)
            joined = msgspec.structs.replace(joined, page=laterals(plan.embeds, "pgrst_l", _Aliases(), plan.order))
        return joined
    # A write's returned rows, or a function's result rows (statement.py `_shaped_call`).
    parent = "pgrst_call" if isinstance(plan, CallPlan) else "pgrst_source"
    return laterals(plan.embeds, parent, _Aliases())


def laterals(
    embeds: tuple[EmbedPlan, ...], parent: str, aliases: _Aliases, order: tuple[OrderPlan, ...] = ()
) -> Joined:
    """The joins, the parent's columns from them by select position, the
    !inner conditions, and what `order` terms on embeds sort by."""
    joins, inner = "", []
    items: dict[int, tuple[Output, ...]] = {}
    keys: dict[int, str] = {}
    for embed in embeds:
        n = aliases.next()
        alias, source, rows = f'"pgrst_{n}"', f'"pgrst_{n}_s"', f'"pgrst_{n}_r"'
        # `order=class(name)`: the to-one LATERAL also gives `name`, as pgrst_k1...
        related = [(i, term) for i, term in enumerate(order) if term.embed == embed.key]
        for k, (i, _) in enumerate(related, 1):
            keys[i] = f'{alias}."pgrst_k{k}"'
        subquery, outputs = _subquery(embed, parent, source, rows, aliases, tuple(term for _, term in related))
        joins += f" left join lateral ({subquery}) {alias} on true"
        rows = f'{alias}."pgrst_rows"' if embed.spread else f"{alias}.body"
        if embed.inner:
            inner.append(f"{rows} is not null")
        if embed.absent:  # `name=is.null` (plan/embed_null.py)
            inner.append(f"{rows} is null")
        items[embed.position] = ()
        if _to_many_spread(embed):  # one JSON array per column
            items[embed.position] = tuple(
                Output(expression=f"{alias}.{ident(label)}", name=output.name, json=True) for label, output in outputs
            )
        elif embed.spread:
            items[embed.position] = tuple(
                msgspec.structs.replace(output, expression=f"{alias}.{ident(label)}") for label, output in outputs
            )
        elif embed.shown and embed.cardinality in TO_ONE:
            items[embed.position] = (Output(expression=f"{alias}.body", name=embed.key, json=True),)
        elif embed.shown:
            body = f"coalesce({alias}.body, '[]'::json)"
            items[embed.position] = (Output(expression=body, name=embed.key, json=True),)
    hoisted = any(embed.hoisted for embed in embeds)
    return Joined(joins=joins, items=items, inner=tuple(inner), keys=keys, hoisted=hoisted)


def _subquery(
    embed: EmbedPlan, parent: str, source: str, rows: str, aliases: _Aliases, keys: tuple[OrderPlan, ...]
) -> tuple[str, list[tuple[str, Output]]]:
    """The LATERAL subquery of one embed, and for a spread the columns it gives
    its parent (by their name in the subquery)."""
    joined = laterals(embed.embeds, source, aliases, embed.order)
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
    conditions += [condition(c, source) for c in embed.where] + list(joined.inner)
    computed = embed.relation if embed.sorted_computed else None  # the row type its computed fields take
    exposed = [
        f'{target(source, k.column, k.path, computed if k.column in embed.sorted_computed else None)} as "pgrst_k{i}"'
        for i, k in enumerate(keys, 1)
    ]
    where = f" where {' and '.join(conditions)}" if conditions else ""
    rest = f" from {from_}{joined.joins}{where}"
    if _to_many_spread(embed):
        return _to_many_spread_subquery(embed, source, rows, joined, rest)
    if embed.spread:  # never grouped here: its aggregates are its parent's (hoisted)
        outputs = _spread_outputs(embed, source, joined)
        given = [f"{output.expression} as {ident(label)}" for label, output in outputs]
        if embed.inner:  # `...teachers!inner(...)`: no row, no parent (PostgREST's INNER JOIN LATERAL)
            given.append('true as "pgrst_rows"')
        return f"select {', '.join(given + exposed)}{rest}", outputs
    columns = select_with_embeds(embed.select, source, joined.items, embed.aggregated)
    if embed.aggregated:  # per parent row: the join conditions are in the where above
        rest += group_by(embed.select, source, joined.items)
    if embed.cardinality in TO_ONE and exposed:
        # The row's JSON beside the columns the parent sorts by (plan/embeds.py
        # refuses a related order on an embed with aggregates: no grouping here).
        body = f"(select row_to_json({rows}) from (select {columns}) {rows})"
        return f"select {body} as body, {', '.join(exposed)}{rest}", []
    select = f"select {columns}{rest}"
    if embed.cardinality in TO_ONE:
        return f"select row_to_json({rows}) as body from ({select}) {rows}", []
    select += order(embed.order, source, joined.keys)
    if embed.limit_slot is not None:
        select += f" limit ${embed.limit_slot + 1}::text::bigint"
    if embed.offset_slot is not None:
        select += f" offset ${embed.offset_slot + 1}::text::bigint"
    return f"select json_agg({rows}) as body from ({select}) {rows}", []


def _to_many_spread(embed: EmbedPlan) -> bool:
    return embed.spread and embed.cardinality not in TO_ONE


def _to_many_spread_subquery(
    embed: EmbedPlan, source: str, rows: str, joined: Joined, rest: str
) -> tuple[str, list[tuple[str, Output]]]:
    """PostgREST 13's to-many spread (QueryBuilder.hs `getJoin`, SqlFragment.hs
    `pgFmtSpreadJoinSelectItem`): the embedded rows, filtered, ordered and cut
    as any to-many embed's, then one `coalesce(json_agg(column order by ...), '[]')`
    per column, so a parent without rows gets `[]` and a null value is `[null]`.
    Every array is aggregated in the embed's order: the order's values are
    selected beside the columns (`pgrst_o1`...), as PostgREST's stExtraSelect,
    since an aggregate's input order is not the subquery's. `pgrst_rows` is
    null when there is no row, for `!inner`."""
    outputs = _spread_outputs(embed, source, joined)
    given = [f"{output.expression} as {ident(label)}" for label, output in outputs]
    given += [
        f'{joined.keys[i] if i in joined.keys else target(source, t.column, t.path, t.computed)} as "pgrst_o{i + 1}"'
        for i, t in enumerate(embed.order)
    ]
    select = f"select {', '.join(given) or '1'}"
    select += rest + order(embed.order, source, joined.keys)
    if embed.limit_slot is not None:
        select += f" limit ${embed.limit_slot + 1}::text::bigint"
    if embed.offset_slot is not None:
        select += f" offset ${embed.offset_slot + 1}::text::bigint"
    in_order = order(embed.order, rows, {i: f'{rows}."pgrst_o{i + 1}"' for i in range(len(embed.order))})
    arrays = [
        f"coalesce(json_agg({rows}.{ident(label)}{in_order}), '[]'::json) as {ident(label)}" for label, _ in outputs
    ]
    columns = ", ".join(['bool_or(true) as "pgrst_rows"', *arrays])
    return f"select {columns} from ({select}) {rows}", outputs


def _spread_outputs(embed: EmbedPlan, source: str, joined: Joined) -> list[tuple[str, Output]]:
    """What a spread gives its parent, in select order, each with its name in
    the LATERAL: its columns (`*` was expanded by plan/embeds.py), its embeds'
    JSON, its own spreads' columns. An aggregate is not applied here but passed
    up bare under a name of its own, for the parent to apply."""
    outputs: list[Output] = []
    fields = iter(embed.select)
    for position in range(len(embed.select) + len(joined.items)):
        if position in joined.items:
            outputs.extend(joined.items[position])
            continue
        field = next(fields)
        name = field.alias or field.column or ""
        if field.aggregate is None:
            outputs.append(Output(expression=expression(field, source), name=name))
        else:  # a bare count() counts the embedded rows there are: 1 for a row, null for none
            bare = target(source, field.column, field.path, field.computed) if field.column else "1"
            if field.input_cast is not None:  # `key::integer.sum()`: cast before the parent aggregates
                bare = f"cast({bare} as {field.input_cast})"
            outputs.append(Output(expression=bare, name=name, aggregate=field.aggregate, cast=field.cast))
    labelled, used = [], set()
    for i, output in enumerate(outputs, 1):
        # A client's `pgrst_...` alias would clash with the LATERAL's own columns (pgrst_rows, pgrst_o1, pgrst_k1).
        own = output.aggregate is None and output.name not in used and not output.name.startswith("pgrst_")
        label = output.name if own else f"pgrst_c{i}"
        used.add(label)
        labelled.append((label, output))
    return labelled
