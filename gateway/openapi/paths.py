"""Paths: the PostgREST query parameters, headers and responses, per resource and per function."""

from __future__ import annotations

from typing import Any, Final

from gateway.dialect.models import ResourceModels
from gateway.dialect.schema.cache import Function, Relation, SchemaCache
from gateway.openapi.schemas import REF, _pg_type

_ERROR_STATUSES: Final = {
    "400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
    "406": "NotAcceptable", "409": "Conflict", "416": "RangeNotSatisfiable", "500": "ServerError",
}  # fmt: skip

# --- parameters, headers and responses shared by every resource ----------------------------------

# What parse.py accepts as a filter's start; the value after the dot is free-form.
FILTER_PATTERN: Final = (
    r"^(not\.)?(eq|neq|gt|gte|lt|lte|like|ilike|match|imatch|in|is|isdistinct|fts|plfts|phfts|wfts"
    r"|cs|cd|ov|sl|sr|nxr|nxl|adj)(\([A-Za-z0-9_]+\))?\."
)
_OPERATORS = (
    "eq, neq, gt, gte, lt, lte, like, ilike (with `*` as wildcard), match, imatch (regex), in.(a,b), "
    "is.null|not_null|true|false|unknown, isdistinct, fts/plfts/phfts/wfts with an optional language "
    "(`fts(english).word`), cs, cd, ov (arrays `{a,b}`, ranges `[1,5)`, jsonb), sl, sr, nxr, nxl, adj (ranges); "
    "`eq(any).{a,b}`, `like(all).{A*,*B}`"
)
PARAMETERS: Final[dict[str, Any]] = {
    "select": {"name": "select", "in": "query", "schema": {"type": "string", "minLength": 1}, "example": "*",
               "description": "Columns to return, comma-separated, e.g. `id,name`; `alias:column`, "
               "`column::cast`; embedded resources `rel(cols)`, `alias:rel!hint!inner(cols)`, `...rel(cols)`, where `rel` "
               "is a related relation or a computed relationship (`current_term(name)`). Default: all columns; computed "
               "fields (readOnly in the schemas) only when named."},
    "order": {"name": "order", "in": "query", "schema": {"type": "string", "minLength": 1},
              "description": "`column[.asc|.desc][.nullsfirst|.nullslast]`, comma-separated, e.g. "
              "`last_name.asc,id`; a to-one embed's column as `embed(column)`, e.g. `teacher(last_name).desc`."},
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
                   "description": "`count=exact` puts the total in Content-Range (`planned`: the planner's "
                   "estimate; `estimated`: exact up to the row limit, then the estimate); `handling=strict` refuses "
                   "unknown preferences."},
    "cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"},
               "description": "Continue an ordered read after the last row of the previous page: follow the "
               "`Link: <...>; rel=\"next\"` header rather than building it (keyset paging, beyond PostgREST)."},
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
    "Content-Profile": {"schema": {"type": "string"},
                        "description": "The schema, when the request named it in Accept-Profile or Content-Profile."},
    "Link": {"schema": {"type": "string"}, "example": '</students?order=last_name&limit=20&cursor=...>; rel="next"',
             "description": "After a full page of an ordered read: the next page's URL (keyset paging)."},
}  # fmt: skip


def profile_parameters(schema: str) -> dict[str, Any]:
    """Accept-Profile (GET) and Content-Profile (POST, PATCH, DELETE): the one exposed schema (gateway/profiles.py)."""
    about = f"The schema to use; only `{schema}` is exposed (any other: 406 PGRST106)."
    return {
        name[0].lower() + name[1:].replace("-", ""): {
            "name": name, "in": "header", "schema": {"type": "string", "enum": [schema]}, "description": about,
        }
        for name in ("Accept-Profile", "Content-Profile")
    }  # fmt: skip


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": REF.format(name="Error")}}}}


RESPONSES: Final = {
    "BadRequest": _error_response("The request does not follow the dialect, or the database refused the values."),
    "Unauthorized": _error_response("No valid token (PGRST301/PGRST303), or anonymous callers may not do this."),
    "Forbidden": _error_response("The caller's role may not do this (the database refused it)."),
    "NotFound": _error_response("No such resource or function."),
    "NotAcceptable": _error_response("The Accept header asks for a media type we cannot produce, or a single "
                                     "object was asked for and the result is not exactly one row (PGRST116), "
                                     "or Accept-Profile/Content-Profile names a schema not exposed (PGRST106)."),
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


def _headers(*names: str) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _rows(read: str, description: str, *, link: bool = False) -> dict[str, Any]:
    ref = {"$ref": REF.format(name=read)}
    return {
        "description": description,
        "headers": _headers("Content-Range", "Content-Profile", *(("Link",) if link else ())),
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
            parameters=[*map(_param, ("select", "order", "limit", "offset", "cursor", "or", "and", "range",
                                      "rangeUnit", "preferRead", "acceptProfile")), *filters],
            responses={"200": _rows(read, "The rows", link=True), "206": _rows(read, "A page of the rows", link=True),
                       **_errors("400", "401", "403", "404", "406", "416", "500")},
        )  # fmt: skip
    if roles := grants.get("insert"):
        create = {"$ref": REF.format(name=models.create.__name__)}
        path["post"] = _operation(
            f"post{title}", relation.name, f"Create {relation.name}", roles,
            parameters=[_param("select"), _param("preferCreate"), _param("contentProfile")],
            requestBody={"required": True, "content": {"application/json": {
                "schema": {"oneOf": [create, {"type": "array", "items": create, "minItems": 1}]}}}},
            responses={"201": _rows(read, "Created; the rows with `Prefer: return=representation`"),
                       **_errors("400", "401", "403", "404", "406", "409", "500")},
        )  # fmt: skip
    change = [*map(_param, ("select", "or", "and", "preferChange", "contentProfile")), *filters]
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
    # A set is read like a table (parse.py _rpc_result): select, filters, order, paging, count.
    shaping = ("select", "order", "limit", "offset", "or", "and", "preferRead") if function.returns_set else ()
    if function.returns_void:
        ok: dict[str, Any] = {"204": {"description": "Done", "headers": _headers("Content-Range")}}  # 0-0/*
    else:
        result = _pg_type(function.returns, cache, titles, writing=False)
        schema = {"type": "array", "items": result} if function.returns_set else result
        content = {"content": {"application/json": {"schema": schema}}}
        ok = {"200": {"description": "The function's result", "headers": _headers("Content-Range", "Content-Profile"),
                      **content}}  # fmt: skip
        if function.returns_set:
            ok["206"] = {**ok["200"], "description": "A page of the function's rows"}
    statuses = ("400", "401", "403", "404", "406", "409", *(("416",) if function.returns_set else ()), "500")
    responses = {**ok, **_errors(*statuses)}
    path = {
        "post": _operation(
            f"rpc{_camel(function.name)}",
            "rpc",
            f"Call {function.name}",
            roles,
            function.description,
            parameters=[*map(_param, (*shaping, "contentProfile"))],
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
                         "schema": _pg_type(a.type, cache, titles, writing=True)} for a in function.arguments]
                       + [*map(_param, (*shaping, *(("range", "rangeUnit") if shaping else ()), "acceptProfile"))],
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
            **_error_response("Too many failed logins for this email or from this address (SDA303), or too many "
                              "login requests from this address (SDA602, LOGIN_RATE_LIMIT)."),
            "headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
        }
    }
    rate = {
        "429": {
            **_error_response("Too many login requests from this address (SDA602, LOGIN_RATE_LIMIT)."),
            "headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
        }
    }
    return {
        "/auth/login": {"post": token_operation(
            "authLogin", "Log in with email and password", "LoginBody", too_many)},
        "/auth/refresh": {"post": token_operation(
            "authRefresh", "Exchange a refresh token for a new token pair", "RefreshBody", rate)},
    }  # fmt: skip
