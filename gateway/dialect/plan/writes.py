"""What a write's plan takes from the catalog beyond its names (plan/action.py):
the cast functions of data representations, the upsert's key, and the rows a
PATCH/DELETE with `limit` picks (PostgREST's Plan.hs for mutations).

Pure.
"""

from __future__ import annotations

from gateway.dialect.parse.request import ApiRequest, Filter
from gateway.dialect.plan.nodes import OrderPlan
from gateway.dialect.schema.cache import Relation
from gateway.errors import ApiError


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
