"""The OneRoster 1.2 REST reads (gateway/oneroster) in the document: one path per
collection, object, nested collection, from the route tables themselves
(ENTITIES, NESTED, IN_SCHOOL_CLASS), never retyped. Objects come in
OneRoster's envelope ({"users": [...]}, {"user": {...}}); every error is an
imsx_StatusInfo; partners need the OAuth scopes the binding names."""

from __future__ import annotations

from typing import Any, Final

from gateway.oneroster.entities import ENTITIES, IN_SCHOOL_CLASS, NESTED, Entity, Field
from gateway.oneroster.render import DEFAULT_LIMIT, MAX_LIMIT
from gateway.oneroster.routes import PREFIX, SCOPES
from gateway.openapi.schemas import REF

TAG: Final = "oneroster"
_ERRORS: Final = {
    "400": "A bad limit, offset, orderBy, filter, fields or sort (`invalid_filter_field`, `invalid_selection_field`, "
    "`invaliddata`).",
    "401": "No valid bearer token (`unauthorisedrequest`).",
    "403": "The role, or the partner token's scopes, may not read this (`forbidden`).",
    "404": "No such collection, or no object with this sourcedId in the caller's school (`unknownobject`).",
    "500": "Something failed on our side (`internal_server_error`); never SQL in the description.",
    "503": "The database is busy or restarting (`server_busy`); retry.",
    "504": "The read took longer than the role's statement timeout (`server_busy`).",
}
# As the 1.2 schemas: no value is ever null (an absent one is left out) and
# booleans are the strings "true"/"false".
_KINDS: Final[dict[str, dict[str, Any]]] = {
    "text": {"type": "string"},
    "timestamp": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "string", "enum": ["true", "false"]},
    "number": {"type": "number"},
}
IMSX_STATUS_INFO: Final = {
    "type": "object",
    "description": 'OneRoster\'s error (imsx_StatusInfo, 1.2 REST binding "Error Handling").',
    "properties": {
        "imsx_codeMajor": {"type": "string", "enum": ["failure"]},
        "imsx_severity": {"type": "string", "enum": ["error"]},
        "imsx_description": {"type": "string"},
        "imsx_CodeMinor": {
            "type": "object",
            "properties": {
                "imsx_codeMinorField": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "imsx_codeMinorFieldName": {"type": "string", "enum": ["TargetEndSystem"]},
                            "imsx_codeMinorFieldValue": {"type": "string", "examples": ["invalid_filter_field"]},
                        },
                        "required": ["imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"],
                    },
                }
            },
            "required": ["imsx_codeMinorField"],
        },
    },
    "required": ["imsx_codeMajor", "imsx_severity", "imsx_description", "imsx_CodeMinor"],
}
GUID_REF: Final = {
    "type": "object",
    "description": "A reference to another OneRoster object.",
    "properties": {"href": {"type": "string"}, "sourcedId": {"type": "string"}, "type": {"type": "string"}},
    "required": ["href", "sourcedId", "type"],
}
_ROLE: Final = {
    "type": "object",
    "properties": {
        "roleType": {"type": "string", "enum": ["primary", "secondary"]},
        "role": {"type": "string"},
        "org": {"$ref": REF.format(name="OneRosterGUIDRef")},
    },
    "required": ["roleType", "role", "org"],
}
PARAMETERS: Final[dict[str, Any]] = {
    "oneRosterLimit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1},
                       "description": f"Page size (default {DEFAULT_LIMIT}; more than {MAX_LIMIT} is capped)."},
    "oneRosterOffset": {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    "oneRosterSort": {"name": "sort", "in": "query", "schema": {"type": "string"},
                      "description": "A field to sort by, e.g. `familyName`."},
    "oneRosterOrderBy": {"name": "orderBy", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
    "oneRosterFilter": {"name": "filter", "in": "query", "schema": {"type": "string"},
                        "example": "dateLastModified>'2026-01-01T00:00:00Z'",
                        "description": "OneRoster filter: `field op 'value'` (`=`, `!=`, `>`, `>=`, `<`, `<=`, "
                        "`~`), joined by ` AND ` or ` OR `. A filter on dateLastModified is a delta read and "
                        "also returns deleted records, with status `tobedeleted`."},
    "oneRosterFields": {"name": "fields", "in": "query", "schema": {"type": "string"},
                        "description": "The fields to return, comma-separated."},
}  # fmt: skip


def _title(name: str) -> str:
    return "OneRoster" + name[:1].upper() + name[1:]


def _field_schema(field: Field) -> dict[str, Any]:
    ref = {"$ref": REF.format(name="OneRosterGUIDRef")}
    match field.shape:
        case "ref":
            return ref
        case "refs":
            return {"type": "array", "items": ref}
        case "roles":
            return {"type": "array", "items": _ROLE}
        case "empty_list":
            return {"type": "array", "items": {}, "maxItems": 0}  # items: generators need one
        case "null":
            return {"type": "null"}
        case "object":
            return {"type": "object"}
    return dict(_KINDS[field.kind])


def component_schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {"OneRosterGUIDRef": GUID_REF, "ImsxStatusInfo": IMSX_STATUS_INFO}
    for entity in ENTITIES.values():
        name = _title(entity.one)
        if name not in schemas:
            schemas[name] = {
                "type": "object",
                "properties": {f: _field_schema(entity.fields[f]) for f in entity.output_fields},
                "required": sorted(entity.required),
            }
            schemas[name]["properties"]["status"] = {"type": "string", "enum": ["active", "tobedeleted"]}
    return schemas


def _security(entity: Entity) -> list[dict[str, list[str]]]:
    """A partner token with one of the entity's scopes, or an admin's bearer token."""
    return [*({"partnerOAuth": [scope]} for scope in sorted(SCOPES[entity.scope])), {"bearerAuth": []}]


def _errors() -> dict[str, Any]:
    return {
        status: {"description": description,
                 "content": {"application/json": {"schema": {"$ref": REF.format(name="ImsxStatusInfo")}}}}
        for status, description in _ERRORS.items()
    }  # fmt: skip


def _envelope(entity: Entity, *, many: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"$ref": REF.format(name=_title(entity.one))}
    key = entity.many if many else entity.one
    return {"type": "object", "properties": {key: {"type": "array", "items": item} if many else item},
            "required": [key]}  # fmt: skip


def _path_param(name: str, about: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1},
            "description": about}  # fmt: skip


def _read(
    op_id: str,
    summary: str,
    entity: Entity,
    params: list[dict[str, Any]],
    *,
    many: bool,
    security: list[dict[str, list[str]]] | None = None,
    tag: str = TAG,
) -> dict[str, Any]:
    """A GET; `security` when the route takes other scopes than its entity's (the gradebook's nested reads)."""
    query = ["oneRosterLimit", "oneRosterOffset", "oneRosterSort", "oneRosterOrderBy", "oneRosterFilter"]
    names = [*query, "oneRosterFields"] if many else ["oneRosterFields"]
    ok: dict[str, Any] = {
        "description": "The objects of the caller's school, in OneRoster's envelope" if many else "The object",
        "content": {"application/json": {"schema": _envelope(entity, many=many)}},
    }
    if many:
        ok["headers"] = {
            "X-Total-Count": {"schema": {"type": "integer"}, "description": "How many objects match in all."},
            "Link": {"schema": {"type": "string"}, "description": "RFC 8288 links: first, prev, next, last."},
        }
    return {"get": {
        "operationId": op_id, "tags": [tag], "summary": summary,
        "description": "Granted to: school_admin (every scope), partner_sync with the scopes below. "
                       "Which rows: the caller's school only (row-level security).",
        "x-roles": ["partner_sync", "school_admin"],
        "security": security or _security(entity),
        "parameters": [*params, *({"$ref": f"#/components/parameters/{n}"} for n in names)],
        "responses": {"200": ok, **_errors()},
    }}  # fmt: skip


def oneroster_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    one = _path_param("sourcedId", "The object's sourcedId.")
    for name, entity in ENTITIES.items():
        title = name[:1].upper() + name[1:]
        paths[f"{PREFIX}/{name}"] = _read(f"oneRosterGetAll{title}", f"All {name}", entity, [], many=True)
        paths[f"{PREFIX}/{name}/{{sourcedId}}"] = _read(
            f"oneRosterGet{title}", f"One of the {name}, by sourcedId", entity, [one], many=False
        )
    for parent, child in NESTED:
        title = f"{child[:1].upper()}{child[1:]}For{parent[:1].upper()}{parent[1:]}"
        paths[f"{PREFIX}/{parent}/{{sourcedId}}/{child}"] = _read(
            f"oneRosterGet{title}", f"The {child} of one of the {parent}", ENTITIES[child],
            [_path_param("sourcedId", f"The sourcedId of one of the {parent}.")], many=True,
        )  # fmt: skip
    for child in IN_SCHOOL_CLASS:
        params = [_path_param("schoolSourcedId", "The school's sourcedId."),
                  _path_param("classSourcedId", "The sourcedId of a class of that school.")]  # fmt: skip
        title = child[:1].upper() + child[1:]
        paths[f"{PREFIX}/schools/{{schoolSourcedId}}/classes/{{classSourcedId}}/{child}"] = _read(
            f"oneRosterGet{title}ForClassInSchool", f"The {child} of a class of a school", ENTITIES[child],
            params, many=True,
        )  # fmt: skip
    return paths
