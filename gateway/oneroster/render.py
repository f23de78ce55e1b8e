"""A OneRoster read -> one SQL statement and its arguments, pure.

The statement returns the one row gateway/execute.py expects:
(body text, rows in the page, total rows, null). The body is built by
Postgres (json_build_object / json_agg); it is null when the object, or the
parent of a nested collection, does not exist for the caller (RLS hides other
schools' rows, so "another school's" and "no such" are the same 404).

Identifiers come only from entities.py; request values only as `$n`.
`$1` is always the base URL of GUIDRef hrefs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

import msgspec

from gateway.oneroster.entities import Entity, Nested
from gateway.oneroster.errors import invalid_data, invalid_filter, invalid_selection, invalid_sort
from gateway.oneroster.filters import Filter, Predicate
from gateway.oneroster.gradebook_entities import ALL_ENTITIES

DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 1000
# A filter on these fields asks for changes (a delta), so soft-deleted rows are
# part of the answer (status 'tobedeleted'); any other read shows live rows.
DELTA_FIELDS: Final = frozenset({"dateLastModified", "status"})
# A filter naming one object by its sourcedId finds it whatever its status, as
# GET /<collection>/{sourcedId} does.
ANY_STATUS_FIELDS: Final = DELTA_FIELDS | {"sourcedId"}
# Types $1 for objects without GUIDRefs (an org), where nothing else would and
# Postgres refuses an untyped parameter; an unused CTE is analysed, not run.
_BASE: Final = "base as (select $1::text as href)"
_SQL_OPS: Final = {"=": "=", "!=": "is distinct from", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


class Parent(msgspec.Struct, frozen=True, kw_only=True):
    """The parent object of a nested collection, by sourcedId; `school` also
    pins it to a school (schools/{id}/classes/{id}/...)."""

    nested: Nested
    sourced_id: str
    school: str | None = None
    # Gradebook paths with two ids: (SQL of the parent row `p`, value) pins the
    # parent (lineItems/{id} of classes/{id}); (SQL of the child row `r`, value)
    # narrows the rows (students/{id}/results of classes/{id}).
    pins: tuple[tuple[str, str], ...] = ()
    child_pins: tuple[tuple[str, str], ...] = ()


class ReadRequest(msgspec.Struct, frozen=True, kw_only=True):
    entity: str  # a key of ENTITIES
    sourced_id: str | None = None  # one object, else a collection
    parent: Parent | None = None
    filter: Filter | None = None
    sort: str | None = None
    order: Literal["asc", "desc"] = "asc"
    fields: tuple[str, ...] | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0


class Args:
    def __init__(self, base: str) -> None:
        self.values: list[Any] = [base]

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def _view(entity: Entity) -> str:
    return _view_named(entity.view)


def _view_named(name: str) -> str:
    # The views' own schema (db/roster/oneroster_views.sql), not `api`:
    # they are no PostgREST resources.
    return 'oneroster."' + name.replace('"', '""') + '"'


def _object(entity: Entity, fields: tuple[str, ...] | None) -> str:
    """The object's JSON. Absent values are omitted, not null (the 1.2 schemas
    allow no null), and the fields the schema requires are always there, also
    when `fields` names others."""
    if fields is not None:
        for name in fields:
            field = entity.fields.get(name)
            if field is None or not field.json:
                raise invalid_selection(f"Unknown field '{name}' for {entity.many}")
    wanted = None if fields is None else entity.required | set(fields)
    names = [name for name in entity.output_fields if wanted is None or name in wanted]
    pairs = ", ".join(f"'{name}', {entity.fields[name].json}" for name in names)
    return f"json_strip_nulls(json_build_object({pairs}))"


def _value(predicate: Predicate, kind: str) -> Any:
    text = predicate.value
    try:
        if kind == "timestamp":
            moment = datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if kind == "date":
            return date.fromisoformat(text)
    except ValueError:
        raise invalid_filter(f"'{predicate.field}' takes an ISO 8601 {kind}") from None
    if kind == "number":
        try:
            return Decimal(text)
        except InvalidOperation:
            raise invalid_filter(f"'{predicate.field}' takes a number") from None
    if kind == "boolean":
        if text not in ("true", "false"):
            raise invalid_filter(f"'{predicate.field}' takes 'true' or 'false'")
        return text == "true"
    return text


def _predicate(entity: Entity, predicate: Predicate, args: Args) -> str:
    field = entity.fields.get(predicate.field)
    if field is None or field.filter is None:
        raise invalid_filter(f"Unknown filter field '{predicate.field}' for {entity.many}")
    if predicate.op == "~":
        if field.kind != "text":
            raise invalid_filter(f"'~' applies to text fields, not '{predicate.field}'")
        # Contains, ignoring case; strpos, not like: the value is not a pattern.
        return f"strpos(lower({field.filter}), lower({args.add(predicate.value)})) > 0"
    return f"{field.filter} {_SQL_OPS[predicate.op]} {args.add(_value(predicate, field.kind))}"


def _where(request: ReadRequest, entity: Entity, args: Args, link: str | None) -> str:
    parts = []
    if entity.condition:
        parts.append(entity.condition.format(a="r"))
    if link:
        parts.append(link)
    if request.parent is not None:
        parts.extend(f"{column} = {args.add(value)}" for column, value in request.parent.child_pins)
    if request.filter is None or not (request.filter.fields & ANY_STATUS_FIELDS):
        # Not `= 'active'`: the planner cannot see through the views' CASE and
        # guesses 0.5% of rows for an equality, so it sorted the whole school
        # rather than walk the sourcedId index (issue 17); `<>` it guesses 99.5%.
        # The same rows: status is only ever active or tobedeleted.
        parts.append("r.status <> 'tobedeleted'")
    if request.filter is not None:
        joiner = f" {request.filter.logical.lower()} "
        parts.append("(" + joiner.join(_predicate(entity, p, args) for p in request.filter.predicates) + ")")
    return " and ".join(parts) if parts else "true"


def _order(request: ReadRequest, entity: Entity) -> str:
    direction = "desc" if request.order == "desc" else "asc"
    if request.sort is None:
        return f"r.sourced_id {direction}, r.id {direction}"
    field = entity.fields.get(request.sort)
    if field is None or field.filter is None:
        raise invalid_sort(f"Unknown sort field '{request.sort}' for {entity.many}")
    return f"{field.filter} {direction}, r.id {direction}"


def _entity(name: str) -> Entity:
    entity = ALL_ENTITIES.get(name)
    if entity is None:
        raise invalid_data(f"Unknown collection '{name}'")
    return entity


def _keys(entity: Entity, order: str, limit: str, offset: str, within: str = "", column: str = "sid") -> str:
    """The `keys` CTE: the page's (sourcedId, id) without the view, so each
    source table is read in index order and no more than the page needs
    (issue 17: sorting and joining the whole union cost 8-109x the PostgREST
    route). Live rows only, as the view's status 'active'; RLS applies to the
    tables as to the view (security_invoker). `within` narrows the walk (SQL
    of the key row `k`: the parent school of a nested read); `column` is the
    key views' column of the page's order (entities.py `key_sorts`), then id."""
    direction = "desc" if order == "desc" else "asc"
    where = f" where {within}" if within else ""
    walks = " union all ".join(
        f"(select k.{column} as v, k.id from {_view_named(source)} k{where} "
        f"order by k.{column} {direction}, k.id {direction} limit {limit}::bigint + {offset}::bigint)"
        for source in entity.keys
    )
    return f"keys as (select x.id from ({walks}) x order by x.v {direction}, x.id {direction} limit {limit} offset {offset}), "


def _live_only(filter_: Filter | None) -> bool:
    """No filter, or only `status='active'`: the live rows the key walks hold
    (status is only ever active or tobedeleted)."""
    if filter_ is None:
        return True
    [*rest, last] = filter_.predicates
    return not rest and (last.field, last.op, last.value) == ("status", "=", "active")


def _walk(request: ReadRequest, entity: Entity, limit: str, offset: str) -> str | None:
    """The `keys` CTE of a page walked in index order, or None: the view's own
    sort then (another filter or sort; a parent other than the school, whose
    link finds its few children by id: entities.py NESTED)."""
    nested = request.parent.nested if request.parent is not None else None
    column = "sid" if request.sort is None else dict(entity.key_sorts).get(request.sort)
    if not entity.keys or column is None or not _live_only(request.filter):
        return None
    if nested is not None and not nested.school_keys:
        return None
    within = "k.school_id = (select p.id from p)" if nested is not None else ""
    return _keys(entity, request.order, limit, offset, within, column)


def render_one(request: ReadRequest, base: str) -> tuple[str, tuple[Any, ...]]:
    entity = _entity(request.entity)
    args = Args(base)
    obj = _object(entity, request.fields)
    where = [f"r.sourced_id = {args.add(request.sourced_id)}"]
    if entity.condition:
        where.append(entity.condition.format(a="r"))
    sql = (
        f"with {_BASE} select b, (b is not null)::int, null::int, null::text[] from (select ("
        f"select json_build_object('{entity.one}', {obj})::text from {_view(entity)} r "
        f"where {' and '.join(where)} order by r.id limit 1) as b) as one"
    )
    return sql, tuple(args.values)


def render_many(request: ReadRequest, base: str, *, count: bool = True) -> tuple[str, tuple[Any, ...]]:
    """A page; its total too with `count` (else null: counts.py has it)."""
    entity = _entity(request.entity)
    if not 1 <= request.limit <= MAX_LIMIT or request.offset < 0:
        raise invalid_data(f"limit must be 1 to {MAX_LIMIT}, offset at least 0")
    args = Args(base)
    obj = _object(entity, request.fields)
    order = _order(request, entity)
    parent_cte, join, exists, link = "", "", "true", None
    if request.parent is not None:
        parent_entity = _entity(request.parent.nested.parent)
        found = [f"p.sourced_id = {args.add(request.parent.sourced_id)}"]
        if parent_entity.condition:
            found.append(parent_entity.condition.format(a="p"))
        if request.parent.school is not None:
            found.append(f"p.school_sourced_id = {args.add(request.parent.school)}")
        found.extend(f"{column} = {args.add(value)}" for column, value in request.parent.pins)
        parent_cte = (
            f"p as (select p.id, p.school_id from {_view(parent_entity)} p where {' and '.join(found)} order by p.id limit 1), "
        )
        join, exists, link = " cross join p", "exists (select from p)", request.parent.nested.link
    where = _where(request, entity, args, link)
    limit, offset = args.add(request.limit), args.add(request.offset)
    rows = f"from {_view(entity)} r{join} where {where}"
    cut = f"{rows} order by {order} limit {limit} offset {offset}"
    walk = _walk(request, entity, limit, offset)
    if walk is not None:
        # The page's ids from an ordered walk of each source table's sourcedId
        # (m0056) or family-name (m0059) index, merged and cut; the view then
        # builds those rows only.
        parent_cte += walk
        cut = f"{rows} and r.id = any(array(select id from keys)) order by {order}"
    # The page and the count are two scans of the view, not one CTE read twice:
    # a CTE named twice is materialised, so every page built and sorted every
    # row of the union (issue 17: 100-row pages 12-46x slower than /students).
    # The count is left out when counts.py has it.
    sql = (
        f"with {_BASE}, {parent_cte}"
        f"page as (select r.* {cut}) "
        f"select case when {exists} then json_build_object('{entity.many}', "
        f"coalesce((select json_agg({obj} order by {order}) from page r), '[]'::json))::text end, "
        f"(select count(*) from page)::int, {f'(select count(*) {rows})::int' if count else 'null::int'}, null::text[]"
    )
    return sql, tuple(args.values)
