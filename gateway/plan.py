"""`ApiRequest` + `SchemaCache` -> `Plan`, or a typed error (PostgREST's Plan.hs).

Pure. Every name is resolved here against the catalog and every value type is
taken from it, so render.py writes only what the catalog holds. Plans carry no
values (a filter points at its slot in `ApiRequest.values`), so a plan is a
function of the request's shape and is computed once per shape.
"""

from __future__ import annotations

import difflib
from typing import Literal, TypeAlias

import msgspec

from gateway.errors import ApiError, bad_query
from gateway.parse import (
    ApiRequest,
    Cast,
    Condition,
    Filter,
    IsFilter,
    IsValue,
    Logic,
    Operator,
    OrderTerm,
    Resolution,
    SelectItem,
)
from gateway.schema_cache import Column, Function, Relation, SchemaCache

# Parameters arrive as text and are cast to the column's type in SQL
# (`$1::text::uuid`): asyncpg's binary codecs would otherwise want a Python
# int, date or UUID per value, and only Postgres' own input functions parse
# values exactly as Postgres does.


class QualifiedName(msgspec.Struct, frozen=True, kw_only=True):
    schema: str
    name: str


class SelectField(msgspec.Struct, frozen=True, kw_only=True):
    column: str | None  # None: every column
    alias: str | None = None
    cast: Cast | None = None


class FilterPlan(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    op: Operator
    slot: int
    param_type: str  # what the text parameter is cast to: "text", "uuid", "timestamp with time zone"
    negated: bool = False


class IsPlan(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    value: IsValue
    negated: bool = False


class LogicPlan(msgspec.Struct, frozen=True, kw_only=True):
    conjunction: Literal["and", "or"]
    children: tuple[FilterPlan | IsPlan | LogicPlan, ...]
    negated: bool = False


ConditionPlan: TypeAlias = FilterPlan | IsPlan | LogicPlan


class OrderPlan(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    direction: Literal["asc", "desc"] | None = None
    nulls: Literal["nullsfirst", "nullslast"] | None = None


class ReadPlan(msgspec.Struct, frozen=True, kw_only=True):
    relation: QualifiedName
    select: tuple[SelectField, ...] | None
    where: tuple[ConditionPlan, ...] = ()
    order: tuple[OrderPlan, ...] = ()
    count: bool = False
    single: bool = False
    params: int = 0  # request values, bound first as $1..$params


class MutatePlan(msgspec.Struct, frozen=True, kw_only=True):
    action: Literal["create", "update", "delete"]
    relation: QualifiedName
    columns: tuple[str, ...] = ()  # set by the body (create, update)
    where: tuple[ConditionPlan, ...] = ()
    returning: tuple[SelectField, ...] | None = None
    representation: bool = False
    single: bool = False
    location: tuple[str, ...] = ()  # primary key columns, for one created row
    array_body: bool = False
    on_conflict: tuple[str, ...] = ()  # an upsert's key: `on_conflict=`, else the primary key
    resolution: Resolution | None = None
    params: int = 0


class CallArgument(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    type: str


class CallPlan(msgspec.Struct, frozen=True, kw_only=True):
    function: QualifiedName
    arguments: tuple[CallArgument, ...]
    from_body: bool  # POST: one JSON object parameter; GET: one text parameter per argument
    returns: Literal["scalar", "set", "void"]
    read_only: bool
    single: bool = False


Plan: TypeAlias = ReadPlan | MutatePlan | CallPlan


def plan_request(
    request: ApiRequest, schema: SchemaCache, *, columns: tuple[str, ...] = (), array_body: bool = False
) -> Plan:
    """`columns`/`array_body`: what models.py found in a POST/PATCH body."""
    if request.action == "call":
        return _call(request, schema)
    relation = find_relation(schema, request.target)
    name = QualifiedName(schema=relation.schema, name=relation.name)
    where = tuple(_condition(relation, c) for c in request.where)
    select = _select(relation, _own_columns(request))
    order = tuple(_order(relation, term) for term in request.order)
    if request.action == "read":
        count = request.preferences.count == "exact"
        return ReadPlan(relation=name, select=select, where=where, order=order, count=count, single=request.single,
                        params=len(request.values))  # fmt: skip
    _check_writable(relation, request, where)
    if request.columns is not None:
        columns = tuple(_writable(relation, name) for name in request.columns)
    resolution = request.preferences.resolution if request.action == "create" else None
    return MutatePlan(
        action=request.action,  # read and call returned above
        relation=name,
        columns=columns,
        on_conflict=_conflict_key(relation, request.on_conflict) if resolution else (),
        resolution=resolution,
        where=where,
        returning=select,
        representation=request.preferences.return_ == "representation",
        single=request.single,
        location=relation.primary_key if request.action == "create" and not array_body else (),
        array_body=array_body,
        params=len(request.values),
    )


def find_relation(schema: SchemaCache, name: str) -> Relation:
    relation = schema.relations.get(name)
    if relation is None:
        close = difflib.get_close_matches(name, schema.relations, n=1)
        raise ApiError(
            404,
            "PGRST205",
            f"Could not find the table '{schema.schema}.{name}' in the schema cache",
            hint=f"Perhaps you meant the table '{schema.schema}.{close[0]}'" if close else None,
        )
    return relation


def _column(relation: Relation, name: str) -> Column:
    column = relation.columns.get(name)
    if column is None:
        close = difflib.get_close_matches(name, relation.columns, n=1)
        raise ApiError(
            400,
            "42703",
            f"column {relation.name}.{name} does not exist",
            hint=f'Perhaps you meant to reference the column "{relation.name}.{close[0]}".' if close else None,
        )
    return column


def _writable(relation: Relation, name: str) -> str:
    column = relation.columns.get(name)
    if column is None:
        raise ApiError(400, "PGRST204", f"Could not find the '{name}' column of '{relation.name}' in the schema cache")
    if not column.updatable or column.generated:
        raise ApiError(400, "SDA102", f"The '{name}' column of '{relation.name}' is read-only")
    return column.name


def _conflict_key(relation: Relation, given: tuple[str, ...] | None) -> tuple[str, ...]:
    """An upsert's ON CONFLICT target: `on_conflict=` or the primary key; Postgres
    checks that a unique index matches it (42P10 otherwise)."""
    key = tuple(_column(relation, name).name for name in given) if given else relation.primary_key
    if not key:
        raise bad_query(f"'{relation.name}' has no primary key", hint="Name the upsert's key with on_conflict=")
    return key


def _own_columns(request: ApiRequest) -> tuple[SelectItem, ...] | None:
    """The select without its embeds (embed_plan.py plans those; routes.py joins the two)."""
    if request.select is None:
        return None
    return tuple(item for item in request.select if isinstance(item, SelectItem))


def _select(relation: Relation, items: tuple[SelectItem, ...] | None) -> tuple[SelectField, ...] | None:
    if items is None:
        return None
    return tuple(
        SelectField(column=None) if item.column == "*" else
        SelectField(column=_column(relation, item.column).name, alias=item.alias, cast=item.cast)
        for item in items
    )  # fmt: skip


def _order(relation: Relation, term: OrderTerm) -> OrderPlan:
    return OrderPlan(column=_column(relation, term.column).name, direction=term.direction, nulls=term.nulls)


def _condition(relation: Relation, condition: Condition) -> ConditionPlan:
    if isinstance(condition, Logic):
        children = tuple(_condition(relation, c) for c in condition.children)
        return LogicPlan(conjunction=condition.conjunction, children=children, negated=condition.negated)
    column = _column(relation, condition.column)
    if isinstance(condition, IsFilter):
        if condition.value in ("true", "false", "unknown") and column.category != "B":
            raise _mismatch(
                column, f"IS {condition.value.upper()}", "is.true, is.false and is.unknown need a boolean column"
            )
        return IsPlan(column=column.name, value=condition.value, negated=condition.negated)
    return _filter(column, condition)


def _filter(column: Column, condition: Filter) -> FilterPlan:
    text_column = column.category == "S"  # text, varchar, char, name, citext
    if condition.op in ("like", "ilike") and not text_column:
        raise _mismatch(column, "~~", "like and ilike apply to text columns")
    if condition.op in ("gt", "gte", "lt", "lte") and column.base == "json":
        raise _mismatch(column, ">", "json values have no order; use jsonb")
    param_type = "text" if text_column else column.cast
    return FilterPlan(column=column.name, op=condition.op, slot=condition.slot, param_type=param_type,
                      negated=condition.negated)  # fmt: skip


def _mismatch(column: Column, operator: str, hint: str) -> ApiError:
    return ApiError(400, "42883", f"operator does not exist: {column.type} {operator} {column.name}", hint=hint)


def _check_writable(relation: Relation, request: ApiRequest, where: tuple[ConditionPlan, ...]) -> None:
    allowed = {"create": relation.insertable, "update": relation.updatable, "delete": relation.deletable}
    if not allowed[request.action]:
        verb = {"create": "insert into", "update": "update", "delete": "delete from"}[request.action]
        raise ApiError(405, "SDA101", f"Cannot {verb} '{relation.schema}.{relation.name}'")
    if request.action == "create" and where:
        raise bad_query("Filters are not allowed on POST", hint="Send the row in the body")
    if request.action in ("update", "delete") and not where and not request.preferences.unfiltered:
        method = "UPDATE" if request.action == "update" else "DELETE"
        raise ApiError(
            400,
            "21000",
            f"{method} requires a WHERE clause",
            details=f"A {'PATCH' if method == 'UPDATE' else 'DELETE'} without filters would change every visible row",
            hint="Add a filter, or send 'Prefer: unfiltered=allow' to change every row you can see",
        )


def _call(request: ApiRequest, schema: SchemaCache) -> CallPlan:
    function = _find_function(schema, request.target, request.rpc_args)
    get = request.method == "GET"
    if get and function.volatility == "volatile":
        raise ApiError(
            405, "PGRST101", "Cannot use the GET method on RPC", hint="Volatile functions are called with POST"
        )
    types = {a.name: a.type for a in function.arguments}
    returns = "void" if function.returns_void else "set" if function.returns_set else "scalar"
    return CallPlan(
        function=QualifiedName(schema=function.schema, name=function.name),
        arguments=tuple(CallArgument(name=n, type=types[n]) for n in request.rpc_args),
        from_body=not get,
        returns=returns,  # type: ignore[arg-type]
        read_only=get or function.volatility != "volatile",
        single=request.single,
    )


def _find_function(schema: SchemaCache, name: str, given: tuple[str, ...]) -> Function:
    """The overload whose arguments fit: every required one given, nothing unknown."""
    names = set(given)
    for function in schema.functions.get(name, ()):
        known = {a.name for a in function.arguments}
        required = {a.name for a in function.arguments if not a.has_default}
        if required <= names <= known:
            return function
    close = difflib.get_close_matches(name, schema.functions, n=1)
    listed = ", ".join(given)
    raise ApiError(
        404,
        "PGRST202",
        f"Could not find the function {schema.schema}.{name}({listed}) in the schema cache",
        details=f"Searched for the function {schema.schema}.{name} with parameters {listed or '(none)'}, "
        "but no matches were found in the schema cache.",
        hint=f"Perhaps you meant to call the function {schema.schema}.{close[0]}"
        if close and close[0] != name
        else None,
    )
