"""The OpenAPI 3.1 document, derived from the database; served with a docs page.

Nothing here names a table or a column: resources and functions come from the
schema cache (gateway/schema_cache.py), body schemas from the resource Structs
(gateway/models.py via msgspec.json.schema_components), descriptions from
COMMENTs, and which operations exist from the grants to the API roles: an
operation no role may perform is not documented. RLS then decides which rows.

    python -m gateway.openapi --write    # regenerate openapi/openapi.json
    python -m gateway.openapi --check    # exit 1 when it is stale

Both migrate a fresh throw-away database first (on DATABASE_URL's server, or an
embedded PostgreSQL), so the file depends on the migrations and nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib.metadata
import json
import sys
from pathlib import Path
from typing import Any, Final, Protocol

import msgspec
from litestar import Request, Response, get
from litestar.params import FromPath

from gateway.auth import API_ROLES
from gateway.errors import ApiError
from gateway.login import LoginBody, RefreshBody
from gateway.models import ResourceModels, build_models
from gateway.schema_cache import Column, Function, Relation, SchemaCache, load_schema_cache
from gateway.tokens import TokenPair

DOCUMENT_PATH: Final = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
REF: Final = "#/components/schemas/{name}"
GATEWAY_ROLES: Final = tuple(sorted(API_ROLES))
_ERROR_STATUSES: Final = {
    "400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
    "406": "NotAcceptable", "409": "Conflict", "416": "RangeNotSatisfiable", "500": "ServerError",
}  # fmt: skip


class Connection(Protocol):
    async def fetchrow(self, query: str, *args: Any) -> Any: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...


class Grants(msgspec.Struct, frozen=True, kw_only=True):
    """Which gateway roles hold each privilege (membership and PUBLIC included)."""

    relations: dict[str, dict[str, list[str]]] = {}  # name -> select/insert/update/delete -> roles
    functions: dict[str, list[str]] = {}  # name (any overload) -> roles with EXECUTE


# has_any_column_privilege: a role granted only some columns (data.users) still has the operation.
GRANTS_QUERY: Final = """
select json_build_object(
    'relations', coalesce((
        select json_object_agg(c.relname, json_build_object(
            'select', array(select r from unnest($2::text[]) r where has_any_column_privilege(r, c.oid, 'SELECT')),
            'insert', array(select r from unnest($2::text[]) r where has_any_column_privilege(r, c.oid, 'INSERT')),
            'update', array(select r from unnest($2::text[]) r where has_any_column_privilege(r, c.oid, 'UPDATE')),
            'delete', array(select r from unnest($2::text[]) r where has_table_privilege(r, c.oid, 'DELETE'))))
        from pg_class c
        where c.relnamespace = $1::regnamespace and c.relkind in ('r', 'v', 'm', 'f', 'p')), '{}'),
    'functions', coalesce((
        select json_object_agg(f.proname, f.roles)
        from (select p.proname,
                     coalesce(array_agg(distinct r order by r)
                              filter (where has_function_privilege(r, p.oid, 'EXECUTE')), '{}') as roles
              from pg_proc p cross join unnest($2::text[]) r
              where p.pronamespace = $1::regnamespace and p.prokind = 'f'
              group by p.proname) f), '{}')
)::text
"""


async def load_grants(connection: Connection, schema: str = "api") -> Grants:
    raw = await connection.fetchval(GRANTS_QUERY, schema, list(GATEWAY_ROLES))
    return msgspec.json.decode(raw, type=Grants)


# --- schemas -------------------------------------------------------------------------------------

ERROR_SCHEMA: Final = {
    "type": "object",
    "description": "Every error has this shape (PostgREST's). `code` is a PGRST code, a Postgres SQLSTATE, "
    "or one of ours (SDA...).",
    "properties": {
        "code": {"type": "string", "examples": ["PGRST301"]},
        "message": {"type": "string"},
        "details": {"type": ["string", "object", "array", "null"]},
        "hint": {"type": ["string", "null"]},
    },
    "required": ["code", "message", "details", "hint"],
}

# Postgres type names (format_type without modifiers) -> JSON as Postgres writes it.
_PG_SCALARS: Final[dict[str, dict[str, Any]]] = {
    "uuid": {"type": "string", "format": "uuid"},
    "text": {"type": "string"}, "character varying": {"type": "string"}, "character": {"type": "string"},
    "citext": {"type": "string"}, "name": {"type": "string"},
    "smallint": {"type": "integer"}, "integer": {"type": "integer"}, "bigint": {"type": "integer"},
    "numeric": {"type": "number"}, "real": {"type": "number"}, "double precision": {"type": "number"},
    "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"},
    "timestamp with time zone": {"type": "string", "format": "date-time"},
    "timestamp without time zone": {"type": "string"}, "time without time zone": {"type": "string"},
    "json": {}, "jsonb": {},
}  # fmt: skip


# What msgspec (gateway/models.py) accepts for a decimal string and a time of day.
DECIMAL_PATTERN: Final = r"^-?[0-9]+(\.[0-9]+)?$"
TIME_PATTERN: Final = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$"


def _pg_type(type_: str, cache: SchemaCache, titles: dict[str, str], *, writing: bool) -> dict[str, Any]:
    if type_.endswith("[]"):
        return {"type": "array", "items": _pg_type(type_[:-2], cache, titles, writing=writing)}
    relation = type_.removeprefix(f"{cache.schema}.")
    if relation in titles:
        return {"$ref": REF.format(name=titles[relation])}
    if type_ == "numeric" and writing:
        return {
            "type": ["number", "string"],
            "pattern": DECIMAL_PATTERN,
            "description": "A decimal: a string keeps every digit.",
        }
    return dict(_PG_SCALARS.get(type_, {"description": f"Postgres type {type_}"}))


def _wire(prop: dict[str, Any], column: Column, *, writing: bool) -> None:
    """Say what travels on the wire where msgspec's schema says less: Postgres
    writes numeric as a JSON number (and accepts a string, which keeps every
    digit); timestamptz as RFC 3339. Descriptions move out of anyOf so viewers show them."""
    branches = prop.get("anyOf", [prop])
    target = next((b for b in branches if b.get("type") != "null"), prop)
    if "description" in target and target is not prop:
        prop["description"] = target.pop("description")
    if column.base == "numeric":
        target.pop("format", None)
        target["type"] = ["number", "string"] if writing else "number"
        if writing:
            target["pattern"] = DECIMAL_PATTERN  # applies to the string form only
    elif column.base == "timestamptz":
        target["format"] = "date-time"
    elif column.base == "time":
        target["pattern"] = TIME_PATTERN


def _resource_schemas(models: ResourceModels, grants: dict[str, list[str]]) -> list[Any]:
    structs: list[Any] = [models.read]
    if grants.get("insert"):
        structs.append(models.create)
    if grants.get("update"):
        structs.append(models.update)
    return structs


def _component_schemas(cache: SchemaCache, models: dict[str, ResourceModels], grants: Grants) -> dict[str, Any]:
    structs: list[Any] = [LoginBody, RefreshBody, TokenPair]
    documented = [n for n in cache.relations if any(grants.relations.get(n, {}).values())]
    for name in documented:
        structs += _resource_schemas(models[name], grants.relations[name])
    _, components = msgspec.json.schema_components(structs, ref_template=REF)
    if "Error" in components:
        raise ValueError("a resource model is called Error, which the error schema needs")
    for name in documented:
        relation, model = cache.relations[name], models[name]
        read = components[model.read.__name__]
        read.pop("additionalProperties", None)  # select= may alias or cast: responses vary
        if relation.description:
            read["description"] = relation.description
        for struct, writing in ((model.read, False), (model.create, True), (model.update, True)):
            for column_name, prop in components.get(struct.__name__, {}).get("properties", {}).items():
                _wire(prop, relation.columns[column_name], writing=writing)
        if model.update.__name__ in components:
            components[model.update.__name__]["minProperties"] = 1  # a PATCH must change something
    return {**components, "Error": ERROR_SCHEMA}


# --- parameters, headers and responses shared by every resource ----------------------------------

# What parse.py accepts as a filter's start; the value after the dot is free-form.
FILTER_PATTERN: Final = r"^(not\.)?(eq|neq|gt|gte|lt|lte|like|ilike|in|is)\."
_OPERATORS = "eq, neq, gt, gte, lt, lte, like, ilike (with `*` as wildcard), in.(a,b), is.null|not_null|true|false"
PARAMETERS: Final[dict[str, Any]] = {
    "select": {"name": "select", "in": "query", "schema": {"type": "string", "minLength": 1}, "example": "*",
               "description": "Columns to return, comma-separated, e.g. `id,name`; `alias:column`, "
               "`column::cast`. Default: all."},
    "order": {"name": "order", "in": "query", "schema": {"type": "string", "minLength": 1},
              "description": "`column[.asc|.desc][.nullsfirst|.nullslast]`, comma-separated, e.g. "
              "`last_name.asc,id`."},
    "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0},
              "description": "At most this many rows."},
    "offset": {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0},
               "description": "Skip this many rows."},
    "or": {"name": "or", "in": "query", "schema": {"type": "string", "pattern": r"^\(.*\)$"},
           "description": "Any of the filters in parentheses, e.g. `(grade.gte.90,status.eq.EXCUSED)`; nest "
           "with `and(...)`/`or(...)`."},
    "and": {"name": "and", "in": "query", "schema": {"type": "string", "pattern": r"^\(.*\)$"},
            "description": "All of the filters in parentheses."},
    "range": {"name": "Range", "in": "header", "schema": {"type": "string", "pattern": r"^\d+-\d*$"},
              "example": "0-24", "description": "Rows to return, zero-based and inclusive (with `Range-Unit: items`)."},
    "rangeUnit": {"name": "Range-Unit", "in": "header", "schema": {"type": "string", "enum": ["items"]}},
    "preferRead": {"name": "Prefer", "in": "header", "schema": {"type": "string"}, "example": "count=exact",
                   "description": "`count=exact` puts the total in Content-Range; `handling=strict` refuses "
                   "unknown preferences."},
    "preferCreate": {"name": "Prefer", "in": "header", "schema": {"type": "string"},
                     "example": "return=representation",
                     "description": "`return=representation` (the rows), `return=minimal` (no body) or "
                     "`return=headers-only`; `handling=strict`."},
    "preferChange": {"name": "Prefer", "in": "header", "schema": {"type": "string"},
                     "example": "return=representation, count=exact",
                     "description": "`return=...` as for POST, `count=exact`; `unfiltered=allow` is required "
                     "to change or delete without any filter (a guard against rewriting a whole school)."},
}  # fmt: skip
HEADERS: Final = {
    "Content-Range": {"schema": {"type": "string"}, "example": "0-24/3573",
                      "description": "The range returned, and the total (`*` unless `Prefer: count=exact`)."},
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."},
}  # fmt: skip


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": REF.format(name="Error")}}}}


RESPONSES: Final = {
    "BadRequest": _error_response("The request does not follow the dialect, or the database refused the values."),
    "Unauthorized": _error_response("No valid token (PGRST301/PGRST303), or anonymous callers may not do this."),
    "Forbidden": _error_response("The caller's role may not do this (the database refused it)."),
    "NotFound": _error_response("No such resource or function."),
    "NotAcceptable": _error_response("The Accept header asks for a media type we cannot produce, or a single "
                                     "object was asked for and the result is not exactly one row (PGRST116)."),
    "Conflict": _error_response("A unique or foreign key rule refused the change."),
    "RangeNotSatisfiable": _error_response("The Range or offset is beyond the rows (PGRST103)."),
    "ServerError": _error_response("Something failed on our side; the body never carries SQL or a stack trace."),
}  # fmt: skip


def _errors(*statuses: str) -> dict[str, Any]:
    return {s: {"$ref": f"#/components/responses/{_ERROR_STATUSES[s]}"} for s in statuses}


def _param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


# --- paths ---------------------------------------------------------------------------------------


def _operation(
    op_id: str, tag: str, summary: str, roles: list[str], description: str | None = None, **rest: Any
) -> dict[str, Any]:
    who = "Granted to: " + ", ".join(roles) + "."
    if tag != "rpc":
        who += " Which rows: the database's row-level security decides."
    operation: dict[str, Any] = {
        "operationId": op_id,
        "tags": [tag],
        "summary": summary,
        "description": f"{description}\n\n{who}" if description else who,
        "x-roles": roles,
    }
    if "anon" in roles:
        operation["security"] = [{}, {"bearerAuth": []}]
    return {**operation, **rest}


def _rows(read: str, description: str) -> dict[str, Any]:
    ref = {"$ref": REF.format(name=read)}
    return {
        "description": description,
        "headers": {"Content-Range": {"$ref": "#/components/headers/Content-Range"}},
        "content": {
            "application/json": {"schema": {"type": "array", "items": ref}},
            "application/vnd.pgrst.object+json": {"schema": ref},
        },
    }


def relation_path(relation: Relation, models: ResourceModels, grants: dict[str, list[str]]) -> dict[str, Any]:
    title, read = models.read.__name__, models.read.__name__
    filters = [_param(f"rowFilter.{relation.name}.{c}") for c in relation.columns]
    path: dict[str, Any] = {}
    if roles := grants.get("select"):
        path["get"] = _operation(
            f"get{title}", relation.name, f"Read {relation.name}", roles, relation.description,
            parameters=[*map(_param, ("select", "order", "limit", "offset", "or", "and", "range", "rangeUnit",
                                      "preferRead")), *filters],
            responses={"200": _rows(read, "The rows"), "206": _rows(read, "A page of the rows"),
                       **_errors("400", "401", "403", "404", "406", "416", "500")},
        )  # fmt: skip
    if roles := grants.get("insert"):
        create = {"$ref": REF.format(name=models.create.__name__)}
        path["post"] = _operation(
            f"post{title}", relation.name, f"Create {relation.name}", roles,
            parameters=[_param("select"), _param("preferCreate")],
            requestBody={"required": True, "content": {"application/json": {
                "schema": {"oneOf": [create, {"type": "array", "items": create, "minItems": 1}]}}}},
            responses={"201": _rows(read, "Created; the rows with `Prefer: return=representation`"),
                       **_errors("400", "401", "403", "404", "406", "409", "500")},
        )  # fmt: skip
    change = [_param("select"), _param("or"), _param("and"), _param("preferChange"), *filters]
    done = {"204": {"description": "Done; no body (the default, `Prefer: return=minimal`)"}}
    if roles := grants.get("update"):
        path["patch"] = _operation(
            f"patch{title}", relation.name, f"Change the {relation.name} that match the filters", roles,
            parameters=change,
            requestBody={"required": True, "content": {"application/json": {
                "schema": {"$ref": REF.format(name=models.update.__name__)}}}},
            responses={"200": _rows(read, "The changed rows (`Prefer: return=representation`)"), **done,
                       **_errors("400", "401", "403", "404", "406", "409", "500")},
        )  # fmt: skip
    if roles := grants.get("delete"):
        path["delete"] = _operation(
            f"delete{title}", relation.name, f"Delete the {relation.name} that match the filters", roles,
            "Soft-delete tables mark the rows deleted; they disappear from reads.",
            parameters=change,
            responses={"200": _rows(read, "The deleted rows (`Prefer: return=representation`)"), **done,
                       **_errors("400", "401", "403", "404", "406", "409", "500")},
        )  # fmt: skip
    return path


def _row_filters(cache: SchemaCache, documented: list[str]) -> dict[str, Any]:
    parameters = {}
    for name in documented:
        for column in cache.relations[name].columns.values():
            about = f"{column.description} " if column.description else ""
            parameters[f"rowFilter.{name}.{column.name}"] = {
                "name": column.name,
                "in": "query",
                "schema": {"type": "string", "pattern": FILTER_PATTERN},
                "description": f"{about}Filter `[not.]operator.value`; operators: {_OPERATORS}. Type: {column.type}.",
            }
    return parameters


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def rpc_path(
    function: Function, overloads: tuple[Function, ...], roles: list[str], cache: SchemaCache, titles: dict[str, str]
) -> dict[str, Any]:
    def arguments(f: Function) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {a.name: _pg_type(a.type, cache, titles, writing=True) for a in f.arguments},
            "required": [a.name for a in f.arguments if not a.has_default],
            "additionalProperties": False,
        }

    bodies = [arguments(f) for f in overloads]
    if function.returns_void:
        ok: dict[str, Any] = {"204": {"description": "Done"}}
    else:
        result = _pg_type(function.returns, cache, titles, writing=False)
        schema = {"type": "array", "items": result} if function.returns_set else result
        ok = {"200": {"description": "The function's result", "content": {"application/json": {"schema": schema}}}}
    responses = {**ok, **_errors("400", "401", "403", "404", "409", "500")}
    path = {
        "post": _operation(
            f"rpc{_camel(function.name)}",
            "rpc",
            f"Call {function.name}",
            roles,
            function.description,
            requestBody={
                # A function whose arguments all have defaults may be called with no body.
                "required": any(body["required"] for body in bodies),
                "content": {"application/json": {"schema": bodies[0] if len(bodies) == 1 else {"oneOf": bodies}}},
            },
            responses=responses,
        )
    }
    if function.volatility != "volatile" and len(overloads) == 1:
        # PostgREST allows GET only for functions that change nothing.
        path["get"] = _operation(
            f"rpc{_camel(function.name)}Get", "rpc", f"Call {function.name}", roles, function.description,
            parameters=[{"name": a.name, "in": "query", "required": not a.has_default,
                         "schema": _pg_type(a.type, cache, titles, writing=True)} for a in function.arguments],
            responses=responses,
        )  # fmt: skip
    return path


def auth_paths() -> dict[str, Any]:
    def token_operation(op_id: str, summary: str, body: str, extra: dict[str, Any]) -> dict[str, Any]:
        return {
            "operationId": op_id,
            "tags": ["auth"],
            "summary": summary,
            "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": REF.format(name=body)}}}},
            "responses": {
                "200": {"description": "A token pair; send `Authorization: Bearer <access_token>`.",
                        "content": {"application/json": {"schema": {"$ref": REF.format(name="TokenPair")}}}},
                **_errors("400", "401", "500"), **extra,
            },
        }  # fmt: skip

    too_many = {
        "429": {
            **_error_response("Too many failed logins for this email or from this address (SDA303)."),
            "headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
        }
    }
    return {
        "/auth/login": {"post": token_operation(
            "authLogin", "Log in with email and password", "LoginBody", too_many)},
        "/auth/refresh": {"post": token_operation(
            "authRefresh", "Exchange a refresh token for a new token pair", "RefreshBody", {})},
    }  # fmt: skip


def build_document(cache: SchemaCache, grants: Grants) -> dict[str, Any]:
    models = build_models(cache)
    documented = [n for n in cache.relations if any(grants.relations.get(n, {}).values())]
    titles = {n: models[n].read.__name__ for n in documented}
    paths: dict[str, Any] = auth_paths()
    for name in documented:
        paths[f"/{name}"] = relation_path(cache.relations[name], models[name], grants.relations[name])
    for name, overloads in cache.functions.items():
        if roles := grants.functions.get(name):
            paths[f"/rpc/{name}"] = rpc_path(overloads[0], overloads, roles, cache, titles)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "School Data API",
            "version": _version(),
            "description": "The data of a school, in the PostgREST dialect. Log in at /auth/login, then send "
            "`Authorization: Bearer <token>`; the database's row-level security limits every answer to the "
            "caller's school and role.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": _component_schemas(cache, models, grants),
            "parameters": {**PARAMETERS, **_row_filters(cache, documented)},
            "headers": HEADERS,
            "responses": RESPONSES,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _version() -> str:
    try:
        return importlib.metadata.version("school-data-api")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


def render(document: dict[str, Any]) -> bytes:
    """Stable bytes: insertion order (catalog order), two-space indent, final newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


async def load_document(connection: Connection, schema: str = "api") -> dict[str, Any]:
    cache = await load_schema_cache(connection, schema)
    return build_document(cache, await load_grants(connection, schema))


# --- serving: GET /openapi.json and the docs page --------------------------------------------------


async def document_bytes(state: Any) -> bytes:
    """The document for this database, built once per process from the app's
    schema cache when it keeps one (`state.schema_cache`), else from the catalog.
    Set `state.openapi_document = None` after reloading the schema cache."""
    cached: bytes | None = getattr(state, "openapi_document", None)
    if cached is None:
        async with state.pool.acquire() as connection:
            cache = getattr(state, "schema_cache", None) or await load_schema_cache(connection)
            grants = await load_grants(connection, cache.schema)
        cached = render(build_document(cache, grants))
        state.openapi_document = cached
    return cached


@get("/openapi.json", operation_id="openapiDocument", tags=["docs"], include_in_schema=False)
async def openapi_json(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The OpenAPI 3.1 document of this API."""
    body = await document_bytes(request.app.state)
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-cache"})


# Swagger UI from the swagger-ui-bundle-v2 wheel (the files of swagger-ui-dist,
# byte for byte), served from here: no CDN, and a CSP that allows nothing else.
_ASSETS: Final = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
_CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_DOCS_PAGE: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>School Data API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""
# A file, not an inline script, so the CSP can forbid inline scripts.
_DOCS_INIT: Final = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false
});
"""
_NO_ASSETS_PAGE: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>School Data API</title></head>
<body><p>The interactive docs need the <code>swagger-ui-bundle-v2</code> package.
The document itself is at <a href="/openapi.json">/openapi.json</a>.</p></body></html>
"""


@functools.lru_cache(maxsize=len(_ASSETS))
def _asset(name: str) -> bytes | None:
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    return (Path(str(swagger_ui_path)) / name).read_bytes()


def _html(body: str) -> Response[bytes]:
    return Response(
        body.encode(),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"},
    )


@get("/docs", operation_id="docsPage", tags=["docs"], include_in_schema=False)
async def docs_page() -> Response[bytes]:
    """Interactive documentation (Swagger UI) for /openapi.json."""
    available = await asyncio.to_thread(_asset, "swagger-ui-bundle.js") is not None
    return _html(_DOCS_PAGE if available else _NO_ASSETS_PAGE)


@get("/docs/init.js", operation_id="docsInit", tags=["docs"], include_in_schema=False, sync_to_thread=False)
def docs_init() -> Response[bytes]:
    return Response(_DOCS_INIT.encode(), media_type="text/javascript; charset=utf-8")


@get("/docs/assets/{name:str}", operation_id="docsAsset", tags=["docs"], include_in_schema=False)
async def docs_asset(name: FromPath[str]) -> Response[bytes]:
    # A fixed list of names: nothing from the path reaches the file system.
    media_type = _ASSETS.get(name)
    body = await asyncio.to_thread(_asset, name) if media_type else None
    if media_type is None or body is None:
        raise ApiError(404, "PGRST125", "Invalid path specified in request URL")
    return Response(
        body,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


openapi_routes = [openapi_json, docs_page, docs_init, docs_asset]


# --- python -m gateway.openapi --write | --check ---------------------------------------------------


async def generate() -> bytes:
    """The document of a freshly migrated throw-away database."""
    import os
    import secrets
    import tempfile

    import asyncpg

    from db.database import start_embedded, with_database, with_user

    server = os.environ.get("DATABASE_URL") or start_embedded(
        Path(tempfile.mkdtemp(prefix="school-openapi-")) / "pgdata", delete_on_exit=True
    )
    name = f"school_openapi_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'create database "{name}"')
    url = with_database(server, name)
    try:
        os.environ["DATABASE_URL"] = url  # migrate() and Piccolo read it
        from db.migrate import migrate

        await migrate()
        connection = await asyncpg.connect(with_user(url, "authenticator"))
        try:
            return render(await load_document(connection))
        finally:
            await connection.close()
    finally:
        os.environ["DATABASE_URL"] = server
        await admin.execute(f'drop database "{name}" with (force)')
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.openapi", description="The committed OpenAPI document.")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help=f"regenerate {DOCUMENT_PATH.name}")
    action.add_argument("--check", action="store_true", help="exit 1 when the committed document is stale")
    parser.add_argument("--path", type=Path, default=DOCUMENT_PATH)
    args = parser.parse_args(argv)
    fresh = asyncio.run(generate())
    if args.write:
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_bytes(fresh)
        print(f"wrote {args.path}")
        return 0
    if args.path.exists() and args.path.read_bytes() == fresh:
        print(f"{args.path} is up to date")
        return 0
    print(f"{args.path} is stale: run `python -m gateway.openapi --write`", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
