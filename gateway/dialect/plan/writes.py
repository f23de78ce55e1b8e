"""A write's plan (PostgREST's Plan.hs for mutations; plan/action.py resolves
its names and hands it here): what may be written, the cast functions of data
representations, the upsert's key, PUT's one row, and the rows a PATCH/DELETE
with `limit` picks.

Pure.
"""

from __future__ import annotations

from gateway.dialect.models import inserts_by_trigger
from gateway.dialect.parse.request import ApiRequest, Filter
from gateway.dialect.plan.nodes import ConditionPlan, MutatePlan, OrderPlan, QualifiedName, SelectField
from gateway.dialect.plan.resolve import find_column
from gateway.dialect.schema.cache import Relation
from gateway.errors import ApiError, bad_query


def plan_write(
    relation: Relation,
    request: ApiRequest,
    name: QualifiedName,
    where: tuple[ConditionPlan, ...],
    select: tuple[SelectField, ...] | None,
    order: tuple[OrderPlan, ...],
    columns: tuple[str, ...],
    array_body: bool,
) -> MutatePlan:
    """`columns`/`array_body`: what models.py found in the body (`columns=` names them instead)."""
    _check_writable(relation, request, where)
    if request.columns is not None:
        columns = tuple(_writable(relation, column, request.action == "create") for column in request.columns)
    put = request.method == "PUT"
    # PUT /t?pk=eq.X: insert or replace the one row X names (check_put_filters).
    # An array body is taken too, as PostgREST does: only its element the URL
    # names is written (http/routes.py answers PGRST115 unless exactly one is).
    resolution = "merge-duplicates" if put else upsert_resolution(relation, request)
    missing_default = request.action in ("create", "update") and not put and request.preferences.missing == "default"
    return MutatePlan(
        action=request.action,  # type: ignore[arg-type]  # read and call were planned by action.py
        relation=name,
        columns=columns,
        on_conflict=relation.primary_key if put else _conflict_key(relation, request.on_conflict) if resolution else (),
        resolution=resolution,  # type: ignore[arg-type]
        where=where,
        returning=select,
        representation=request.preferences.return_ == "representation",
        single=request.single,
        location=relation.primary_key if request.action == "create" and not array_body and not put else (),
        array_body=array_body,
        params=len(request.values),
        # Each column's DEFAULT from the catalog (schema/cache.py), never from the request.
        defaults=tuple(relation.columns[c].default for c in columns) if missing_default else None,
        transforms=transforms(relation, columns),
        types=tuple(relation.columns[c].type for c in columns),
        csv=request.csv,
        put=put,
        limited=request.ranged,
        order=limited_order(request, order),
    )


def _check_writable(relation: Relation, request: ApiRequest, where: tuple[ConditionPlan, ...]) -> None:
    allowed = {"create": relation.insertable, "update": relation.updatable, "delete": relation.deletable}
    if not allowed[request.action]:
        verb = {"create": "insert into", "update": "update", "delete": "delete from"}[request.action]
        raise ApiError(405, "SDA101", f"Cannot {verb} '{relation.schema}.{relation.name}'")
    if request.action == "create" and where and request.method != "PUT":
        raise bad_query("Filters are not allowed on POST", hint="Send the row in the body")
    # A limited write (`order` + `limit`) changes at most `limit` rows: not every row.
    if (
        request.action in ("update", "delete")
        and not where
        and not request.preferences.unfiltered
        and not request.ranged
    ):
        method = "UPDATE" if request.action == "update" else "DELETE"
        raise ApiError(
            400,
            "21000",
            f"{method} requires a WHERE clause",
            details=f"A {'PATCH' if method == 'UPDATE' else 'DELETE'} without filters would change every visible row",
            hint="Add a filter, or send 'Prefer: unfiltered=allow' to change every row you can see",
        )


def _writable(relation: Relation, name: str, insert: bool) -> str:
    column = relation.columns.get(name)
    if column is None:
        raise ApiError(400, "PGRST204", f"Could not find the '{name}' column of '{relation.name}' in the schema cache")
    by_trigger = insert and inserts_by_trigger(relation)  # models.py
    if not (column.updatable or by_trigger) or column.generated:
        raise ApiError(400, "SDA102", f"The '{name}' column of '{relation.name}' is read-only")
    return column.name


def _conflict_key(relation: Relation, given: tuple[str, ...] | None) -> tuple[str, ...]:
    """An upsert's ON CONFLICT target: `on_conflict=` or the primary key; Postgres
    checks that a unique index matches it (42P10 otherwise)."""
    key = tuple(find_column(relation, name).name for name in given) if given else relation.primary_key
    if not key:
        raise bad_query(f"'{relation.name}' has no primary key", hint="Name the upsert's key with on_conflict=")
    return key


def transforms(relation: Relation, columns: tuple[str, ...]) -> tuple[str | None, ...]:
    """Per column, its json cast function (schema/cache.py `from_json`); () when none has one,
    so a plan without data representations renders as before."""
    found = tuple(relation.columns[name].from_json for name in columns)
    return found if any(found) else ()


def upsert_resolution(relation: Relation, request: ApiRequest) -> str | None:
    """`Prefer: resolution=` applies to a POST with a key to resolve on: the
    primary key or `on_conflict=`. Without either it is a plain insert and the
    preference is not applied (PostgREST's Plan.hs, UpsertSpec)."""
    if request.action != "create" or request.preferences.resolution is None:
        return None
    if not relation.primary_key and request.on_conflict is None:
        return None
    return request.preferences.resolution


def limited_order(request: ApiRequest, order: tuple[OrderPlan, ...]) -> tuple[OrderPlan, ...]:
    """PATCH/DELETE with `limit`/`offset` changes the rows an explicit order
    picks; without one the rows would be arbitrary (PGRST109). The order's
    columns identify the picked rows, so a non-unique order may change more:
    PGRST110 after the statement (http/execute.py), the change rolled back."""
    if not request.ranged:
        return ()
    if not order:
        raise ApiError(400, "PGRST109", "A 'limit' was applied without an explicit 'order'",
                       hint="Apply an 'order' using unique column(s)")  # fmt: skip
    if any(term.path or term.embed is not None or term.computed is not None for term in order):
        raise ApiError(400, "PGRST100", "A limited PATCH or DELETE is ordered by the relation's own columns",
                       hint="Order by columns, not JSON paths, embeds or computed fields")  # fmt: skip
    return order


def check_put_filters(relation: Relation, request: ApiRequest) -> None:
    """PUT /t?pk=eq.X names one row: the filters are exactly `eq` on each
    primary key column, checked before any name is resolved (PGRST105, as
    PostgREST: `id=not.eq.Java` on a table without `id` is this, not 42703)."""
    keys = sorted(c.column for c in request.where if isinstance(c, Filter) and c.op == "eq" and not c.negated
                  and c.quantifier is None)  # fmt: skip
    if not relation.primary_key or len(request.where) != len(keys) or keys != sorted(relation.primary_key):
        raise ApiError(405, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators")
