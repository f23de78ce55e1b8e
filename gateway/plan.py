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

from gateway.aggregates import Function as AggregateFunction
from gateway.errors import ApiError, bad_query, invalid_body
from gateway.operators import FTS, TABLE, JsonStep, Quantifier, check, split_path
from gateway.parse import ApiRequest, Cast, OrderTerm, Resolution, SelectItem
from gateway.parse_filters import Condition, Filter, IsFilter, IsValue, Logic, Operator
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
    path: tuple[JsonStep, ...] = ()  # `audience->roles`: a JSON path into the column
    aggregate: AggregateFunction | None = None  # `amount.sum()`; column "" for a bare count()


class FilterPlan(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    op: Operator
    slot: int
    param_type: str  # what the text parameter is cast to: "text", "uuid", "timestamp with time zone"
    negated: bool = False
    quantifier: Quantifier | None = None
    language: int | None = None  # slot of an fts operator's text search configuration
    text_column: bool = False  # fts on text: to_tsvector(column)
    path: tuple[JsonStep, ...] = ()


class IsPlan(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    value: IsValue
    negated: bool = False
    path: tuple[JsonStep, ...] = ()


class LogicPlan(msgspec.Struct, frozen=True, kw_only=True):
    conjunction: Literal["and", "or"]
    children: tuple[FilterPlan | IsPlan | LogicPlan, ...]
    negated: bool = False


ConditionPlan: TypeAlias = FilterPlan | IsPlan | LogicPlan


class OrderPlan(msgspec.Struct, frozen=True, kw_only=True):
    column: str
    direction: Literal["asc", "desc"] | None = None
    nulls: Literal["nullsfirst", "nullslast"] | None = None
    path: tuple[JsonStep, ...] = ()


class ReadPlan(msgspec.Struct, frozen=True, kw_only=True):
    relation: QualifiedName
    select: tuple[SelectField, ...] | None
    where: tuple[ConditionPlan, ...] = ()
    order: tuple[OrderPlan, ...] = ()
    count: bool = False
    # Prefer: count=planned: the planner's row estimate (EXPLAIN), no count at
    # all; count=estimated: the exact count capped at MAX_ROWS + 1, the
    # estimate when the cap is passed (as PostgREST does).
    estimate: Literal["planned", "estimated"] | None = None
    single: bool = False
    csv: bool = False  # the body as CSV text (formats.py), not JSON
    params: int = 0  # request values, bound first as $1..$params
    # Keyset paging (keyset.py): `order` is then total (the primary key appended),
    # `key_types` are its columns' parameter types, `cursor` whether to continue.
    key_types: tuple[str, ...] = ()
    cursor: bool = False
    aggregated: bool = False  # aggregates in select: grouped by the other fields (aggregates.py)


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
    # `Prefer: missing=default` (POST): per column of `columns`, the DEFAULT
    # expression a row lacking the key takes (None: no default, so null).
    defaults: tuple[str | None, ...] | None = None


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
    # The result shaped like a read (`select`, filters, `order`, limit/offset),
    # resolved against the relation the function returns: `... from f(...) as pgrst_call`.
    shaped: bool = False
    select: tuple[SelectField, ...] | None = None
    where: tuple[ConditionPlan, ...] = ()
    order: tuple[OrderPlan, ...] = ()
    params: int = 0  # request values, bound first as $1..$params


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
        count = request.preferences.count in ("exact", "estimated")
        estimate = request.preferences.count if request.preferences.count in ("planned", "estimated") else None
        aggregated = any(f.aggregate for f in select or ())
        if aggregated and any(f.column is None for f in select or ()):
            raise bad_query("'*' cannot be selected with aggregates", hint="Name the columns to group by")
        order, key_types = _keyset(relation, request, order) if not aggregated else (order, ())
        return ReadPlan(relation=name, select=select, where=where, order=order, count=count, estimate=estimate,
                        single=request.single, csv=request.csv, params=len(request.values), key_types=key_types,
                        cursor=request.cursor is not None, aggregated=aggregated)  # fmt: skip
    _check_writable(relation, request, where)
    if request.columns is not None:
        columns = tuple(_writable(relation, name) for name in request.columns)
    if request.method == "PUT":
        return _put(relation, request, name, where, columns, select, array_body)
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
        defaults=_defaults(relation, columns) if _missing_default(request) else None,
    )


def _missing_default(request: ApiRequest) -> bool:
    return request.action == "create" and request.method == "POST" and request.preferences.missing == "default"


def _defaults(relation: Relation, columns: tuple[str, ...]) -> tuple[str | None, ...]:
    """Each column's DEFAULT from the catalog (schema_cache.py), never from the request."""
    return tuple(relation.columns[name].default for name in columns)


def _put(
    relation: Relation,
    request: ApiRequest,
    name: QualifiedName,
    where: tuple[ConditionPlan, ...],
    columns: tuple[str, ...],
    select: tuple[SelectField, ...] | None,
    array_body: bool,
) -> MutatePlan:
    """PUT /students?id=eq.X: insert or replace the one row X names. The filters
    are exactly `eq` on each primary key column (PGRST105); the body's key must
    say the same (PGRST115, routes.py; the SQL also inserts nothing otherwise)."""
    keys = sorted(f.column for f in where if isinstance(f, FilterPlan) and f.op == "eq" and not f.negated
                  and f.quantifier is None and not f.path)  # fmt: skip
    if not relation.primary_key or len(where) != len(keys) or keys != sorted(relation.primary_key):
        raise ApiError(405, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators")
    if array_body:
        raise invalid_body("Empty or invalid json", "PUT takes one object, not an array")
    return MutatePlan(action="create", relation=name, columns=columns, on_conflict=relation.primary_key,
                      resolution="merge-duplicates", where=where, returning=select,
                      representation=request.preferences.return_ == "representation", single=request.single,
                      params=len(request.values))  # fmt: skip


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
    fields = []
    for item in items:
        if item.column == "*":
            fields.append(SelectField(column=None))
            continue
        if item.aggregate is not None and not item.column:
            fields.append(SelectField(column="", alias=item.alias or item.aggregate, cast=item.cast,
                                      aggregate=item.aggregate))  # fmt: skip
            continue
        column, path = _target(relation, item.column)
        if item.aggregate is not None:
            fields.append(SelectField(column=column.name, alias=item.alias or item.aggregate, cast=item.cast,
                                      path=path, aggregate=item.aggregate))  # fmt: skip
            continue
        # PostgREST names a JSON path's value after its last key.
        alias = item.alias or (path[-1].key if path else None)
        fields.append(SelectField(column=column.name, alias=alias, cast=item.cast, path=path))
    return tuple(fields)


def _order(relation: Relation, term: OrderTerm) -> OrderPlan:
    column, path = _target(relation, term.column)
    return OrderPlan(column=column.name, direction=term.direction, nulls=term.nulls, path=path)


def _keyset(
    relation: Relation, request: ApiRequest, order: tuple[OrderPlan, ...]
) -> tuple[tuple[OrderPlan, ...], tuple[str, ...]]:
    """An ordered JSON read by NOT NULL columns pages by keyset: the primary key
    is appended as a tiebreaker so the order is total (keyset.py)."""
    usable = (
        (order or request.cursor is not None)
        and relation.primary_key
        and not request.single
        and not request.csv
        and all(not term.path and not relation.columns[term.column].nullable for term in order)
    )
    if not usable:
        if request.cursor is not None:
            raise bad_query(
                "cursor= needs an order by NOT NULL columns of a relation with a primary key",
                hint="Order by non-null columns, or page with limit/offset",
            )
        return order, ()
    named = {term.column for term in order}
    keys = order + tuple(OrderPlan(column=c) for c in relation.primary_key if c not in named)
    types = tuple(
        "text" if relation.columns[t.column].category == "S" else relation.columns[t.column].cast for t in keys
    )
    return keys, types


def _target(relation: Relation, name: str) -> tuple[Column, tuple[JsonStep, ...]]:
    """A column, or a JSON path into one (`audience->roles`, `metadata->>key`):
    the column as the path's value is typed, `->>` giving text."""
    base, path = split_path(name)
    column = _column(relation, base)
    if not path:
        return column, path
    if column.base not in ("json", "jsonb"):
        raise _mismatch(column, "->", "JSON paths (-> and ->>) apply to json and jsonb columns")
    if path[-1].arrow == "->>":
        column = msgspec.structs.replace(column, type="text", cast="text", base="text", category="S")
    return column, path


def _condition(relation: Relation, condition: Condition) -> ConditionPlan:
    if isinstance(condition, Logic):
        children = tuple(_condition(relation, c) for c in condition.children)
        return LogicPlan(conjunction=condition.conjunction, children=children, negated=condition.negated)
    column, path = _target(relation, condition.column)
    if isinstance(condition, IsFilter):
        if condition.value in ("true", "false", "unknown") and column.category != "B":
            raise _mismatch(
                column, f"IS {condition.value.upper()}", "is.true, is.false and is.unknown need a boolean column"
            )
        return IsPlan(column=column.name, value=condition.value, negated=condition.negated, path=path)
    return _filter(column, condition, path)


def _filter(column: Column, condition: Filter, path: tuple[JsonStep, ...] = ()) -> FilterPlan:
    text_column = column.category == "S"  # text, varchar, char, name, citext
    hint = check(condition.op, condition.quantifier, category=column.category, base=column.base)
    if hint is not None:
        raise _mismatch(column, TABLE[condition.op].symbol, hint)
    param_type = "text" if text_column else column.cast
    return FilterPlan(column=column.name, op=condition.op, slot=condition.slot, param_type=param_type,
                      negated=condition.negated, quantifier=condition.quantifier, language=condition.language,
                      text_column=text_column and condition.op in FTS, path=path)  # fmt: skip


def _mismatch(column: Column, operator: str, hint: str) -> ApiError:
    return ApiError(400, "42883", f"operator does not exist: {column.type} {operator} {column.name}", hint=hint)


def _check_writable(relation: Relation, request: ApiRequest, where: tuple[ConditionPlan, ...]) -> None:
    allowed = {"create": relation.insertable, "update": relation.updatable, "delete": relation.deletable}
    if not allowed[request.action]:
        verb = {"create": "insert into", "update": "update", "delete": "delete from"}[request.action]
        raise ApiError(405, "SDA101", f"Cannot {verb} '{relation.schema}.{relation.name}'")
    if request.action == "create" and where and request.method != "PUT":
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
    call = CallPlan(
        function=QualifiedName(schema=function.schema, name=function.name),
        arguments=tuple(CallArgument(name=n, type=types[n]) for n in request.rpc_args),
        from_body=not get,
        returns=returns,  # type: ignore[arg-type]
        read_only=get or function.volatility != "volatile",
        single=request.single,
        params=len(request.values),
    )
    every = request.select is None or request.select == (SelectItem(column="*"),)
    if every and not (request.where or request.order or request.paged):
        return call  # the result as the function made it
    if any(not isinstance(item, SelectItem) for item in request.select or ()):
        raise bad_query("Embedding is not supported on function results", hint="Select columns of the result")
    relation = _returned_relation(schema, function)
    select = _select(relation, _own_columns(request))
    if any(field.aggregate for field in select or ()):
        raise bad_query("Aggregates are not supported on function results")
    return msgspec.structs.replace(
        call,
        shaped=True,
        select=select,
        where=tuple(_condition(relation, c) for c in request.where),
        order=tuple(_order(relation, term) for term in request.order),
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
