"""`ApiRequest` + `SchemaCache` -> one `Plan` tree, or a typed error (PostgREST's Plan.hs).

Pure. Every name is resolved against the catalog (resolve.py) and every value
type is taken from it, so render/statement.py writes only what the catalog holds. Plans carry no
values (a filter points at its slot in `ApiRequest.values`), so a plan is a
function of the request's shape and is computed once per shape.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from gateway.dialect.parse.request import ApiRequest
from gateway.dialect.parse.select import SelectItem
from gateway.dialect.plan.computed import relation_name
from gateway.dialect.plan.embeds import check_relationships, has_embeds, plan_embeds, without_embeds
from gateway.dialect.plan.functions import find_function, single_object_function
from gateway.dialect.plan.media import with_media
from gateway.dialect.plan.nodes import (
    CallArgument,
    CallPlan,
    ConditionPlan,
    FilterPlan,
    IsPlan,
    LogicPlan,
    MutatePlan,
    OrderPlan,
    Plan,
    QualifiedName,
    ReadPlan,
    SelectField,
)
from gateway.dialect.plan.resolve import condition_plan as _condition
from gateway.dialect.plan.resolve import find_relation
from gateway.dialect.plan.resolve import order_plan as _order
from gateway.dialect.plan.resolve import select_fields as _select
from gateway.dialect.plan.writes import check_put_filters, plan_write
from gateway.dialect.schema.cache import Function, Relation, SchemaCache
from gateway.errors import ApiError, bad_query

_ESTIMATES = ("planned", "estimated")

# The plan's types are imported from here too (http/routes.py, http/respond.py, the tests).
__all__ = [
    "CallArgument", "CallPlan", "ConditionPlan", "FilterPlan", "IsPlan", "LogicPlan",
    "MutatePlan", "OrderPlan", "Plan", "QualifiedName", "ReadPlan", "SelectField", "find_relation", "plan_request",
]  # fmt: skip


def plan_request(
    request: ApiRequest, schema: SchemaCache, *, columns: tuple[str, ...] = (), array_body: bool = False
) -> Plan:
    """The request as one plan tree: the read, write or call, its embeds as
    children (embeds.py), as PostgREST's ReadPlanTree.
    `columns`/`array_body`: what models.py found in a POST/PATCH body."""
    if not has_embeds(request):
        return with_media(_action(request, schema, columns, array_body), request, schema)
    if request.action != "call":
        check_relationships(schema, find_relation(schema, request.target).name, request.select or ())
    own = request if request.action == "call" else without_embeds(request)  # a call keeps its shape (`_call`)
    plan = _action(own, schema, columns, array_body)
    parent = plan.relation.name if isinstance(plan, CallPlan) and plan.relation else None
    return with_media(msgspec.structs.replace(plan, embeds=plan_embeds(request, schema, parent)), request, schema)


def _action(request: ApiRequest, schema: SchemaCache, columns: tuple[str, ...], array_body: bool) -> Plan:
    """The read, write or call itself, without its embeds."""
    if request.action == "call":
        return _call(request, schema)
    relation = find_relation(schema, request.target)
    if request.method == "PUT":
        check_put_filters(relation, request)
    name = relation_name(relation)
    where = tuple(_condition(relation, c) for c in request.where)
    select = _select(relation, _own_columns(request), schema.types)
    order = tuple(_order(relation, term) for term in request.order)
    if request.action == "read":
        # planned and estimated: an exact count capped at MAX_ROWS (issue 13, F1: the
        # planner's statistics span every school, so its estimate would reveal them).
        count = request.preferences.count is not None
        estimate: Literal["estimated"] | None = "estimated" if request.preferences.count in _ESTIMATES else None
        aggregated = any(f.aggregate for f in select or ())
        # The request's `*`: a role reading only some columns has it expanded (resolve.py).
        if aggregated and any(i.column == "*" for i in _own_columns(request) or ()):
            raise bad_query("'*' cannot be selected with aggregates", hint="Name the columns to group by")
        if aggregated and request.cursor is not None:  # its rows are groups: no key to continue from
            raise bad_query("cursor= is not supported with aggregates", hint="Page aggregated reads with limit/offset")
        order, key_types, key_nullable = (order, (), ()) if aggregated else _keyset(relation, request, order)
        return ReadPlan(relation=name, select=select, where=where, order=order, count=count, estimate=estimate,
                        single=request.single, csv=request.csv, params=len(request.values), key_types=key_types,
                        key_nullable=key_nullable, key_appended=len(order) - len(request.order),
                        cursor=request.cursor is not None, aggregated=aggregated)  # fmt: skip
    return plan_write(relation, request, name, where, select, order, columns, array_body)


def _own_columns(request: ApiRequest) -> tuple[SelectItem, ...] | None:
    """The select without its embeds (embeds.py plans those; plan_request makes them its children)."""
    if request.select is None:
        return None
    return tuple(item for item in request.select if isinstance(item, SelectItem))


def _keyset(
    relation: Relation, request: ApiRequest, order: tuple[OrderPlan, ...]
) -> tuple[tuple[OrderPlan, ...], tuple[str, ...], tuple[bool, ...]]:
    """An ordered read (JSON or CSV, embeds riding along) of a relation with a
    primary key pages by keyset: the key is appended as a tiebreaker so the
    order is total (keyset.py). Not for one object, nor for JSON paths or an
    embed's columns (no column of the relation to bind the cursor's value with)."""
    if request.cursor is not None:
        _check_cursor(relation, request, order)
    if not (order or request.cursor is not None) or not relation.primary_key or request.single:
        return order, (), ()
    if any(term.path or term.embed is not None or term.computed is not None for term in order):
        return order, (), ()
    named = {term.column for term in order}
    keys = order + tuple(OrderPlan(column=c) for c in relation.primary_key if c not in named)
    columns = [relation.columns[t.column] for t in keys]
    types = tuple("text" if c.category == "S" else c.cast for c in columns)
    return keys, types, tuple(c.nullable for c in columns)


def _check_cursor(relation: Relation, request: ApiRequest, order: tuple[OrderPlan, ...]) -> None:
    """Where a cursor cannot continue, say why (PGRST100)."""
    if request.single:
        raise bad_query("cursor= is not supported with the singular media type",
                        hint="Ask for application/json, or filter to the one row")  # fmt: skip
    if not relation.primary_key:
        raise bad_query(f"cursor= needs a relation with a primary key; '{relation.name}' has none",
                        hint="Page it with limit/offset")  # fmt: skip
    if any(term.path for term in order):
        raise bad_query("cursor= cannot continue an order by a JSON path",
                        hint="Order by columns, or page with limit/offset")  # fmt: skip
    if any(term.embed is not None for term in order):
        raise bad_query("cursor= cannot continue an order by an embedded resource's column",
                        hint="Order by the read's own columns, or page with limit/offset")  # fmt: skip
    if any(term.computed is not None for term in order):
        raise bad_query("cursor= cannot continue an order by a computed field",
                        hint="Order by the read's own columns, or page with limit/offset")  # fmt: skip


def _call(request: ApiRequest, schema: SchemaCache) -> CallPlan:
    single_object = request.preferences.single_object
    if single_object:
        function = single_object_function(schema, request.target)
    else:
        function = find_function(schema, request.target, request.rpc_args, post=request.method == "POST",
                                 body_media=request.body_media)  # fmt: skip
    # Any function may be called with GET, as PostgREST does: GET runs in a
    # read-only transaction, so a function that writes fails there with 25006.
    get = request.method == "GET"
    declared = {a.name: a for a in function.arguments}
    returns = "void" if function.returns_void else "set" if function.returns_set else "scalar"
    prefer = request.preferences
    if prefer.max_affected is not None and prefer.strict and returns != "set":
        # PostgREST 13.0.3 (#4100): max-affected counts the rows a function
        # returns, so one that returns one value, one row or nothing is refused.
        raise ApiError(
            400,
            "PGRST128",
            "Function must return SETOF or TABLE when max-affected preference is used with handling=strict",
        )
    counted = request.preferences.count  # a set counts as a read; one value (void too) counts 1
    call = CallPlan(
        function=QualifiedName(schema=function.schema, name=function.name),
        arguments=tuple(
            CallArgument(
                name=n, type=declared[n].type, variadic=declared[n].variadic, repeated=n in request.rpc_repeated
            )
            for n in (tuple(declared) if single_object else request.rpc_args)
            if function.body_param is None
        ),
        single_object=single_object,
        body_param=function.body_param,
        from_body=not get and request.body_media != "form",  # a form's arguments are slotted as a GET's
        returns=returns,  # type: ignore[arg-type]
        read_only=get or function.volatility != "volatile",
        single=request.single,
        csv=request.csv,
        row=function.returns_row,
        single_out=function.single_out,
        anonymous_record=function.anonymous_record,
        params=len(request.values),
        count=counted in _ESTIMATES and returns == "set" or counted in ("exact", "estimated"),
        estimate="estimated" if returns == "set" and counted in _ESTIMATES else None,
    )
    every = request.select is None or request.select == (SelectItem(column="*"),)
    if every and not (request.where or request.order):
        return call  # the rows as the function made them (a set is still cut by limit/offset: render/statement.py)
    if any(term.relation is not None for term in request.order):  # `order=class(name)`: an embed's
        raise bad_query("A related order is not supported on function results", hint="Order by columns of the result")
    # Embeds in the select join the result rows like a read of the relation
    # they are rows of (plan_request plans them with embeds.py).
    relation = _returned_relation(schema, function)
    select = _select(relation, _own_columns(request), schema.types)
    aggregated = any(field.aggregate for field in select or ())
    if aggregated and (request.embeds or has_embeds(request)):
        raise bad_query("Aggregates with embeds are not supported on function results")
    return msgspec.structs.replace(
        call,
        shaped=True,
        aggregated=aggregated,
        select=select,
        where=tuple(_condition(relation, c) for c in request.where),
        order=tuple(_order(relation, term) for term in request.order),
        relation=relation_name(relation),
    )


def _returned_relation(schema: SchemaCache, function: Function) -> Relation:
    """The exposed relation whose row type the function returns (`returns
    api.academic_terms` or `setof` it): what select, filters and order name."""
    name = function.returns.removeprefix(f"{schema.schema}.").strip('"')
    relation = schema.relations.get(name)
    if relation is None or function.returns_void:
        raise bad_query(
            f"The result of {schema.schema}.{function.name} has no columns to select, filter or order",
            details=f"It returns {function.returns}, not a row type of the schema cache",
            hint="select, filters, order, limit and offset apply to functions returning rows of a table or view",
        )
    return relation

