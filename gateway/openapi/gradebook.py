"""The OneRoster 1.2 Gradebook REST service (gateway/oneroster/gradebook.py) in
the document: its reads (every collection, object and nested collection, from
GRADEBOOK_ENTITIES and GRADEBOOK_NESTED), its PUTs and DELETEs (WRITABLE) and
its POSTs (POSTS), from the route tables themselves, never retyped. Objects
come in OneRoster's envelope, every error is an imsx_StatusInfo, and each
operation names the 1.2 scope it takes (the binding's securitySchemes)."""

from __future__ import annotations

from typing import Any, Final

from gateway.oneroster.gradebook import CREATEPOST, CREATEPUT, DELETE, NESTED_READ, POSTS, PREFIX, WRITABLE
from gateway.oneroster.gradebook_entities import GRADEBOOK_ENTITIES, GRADEBOOK_NESTED
from gateway.oneroster.routes import SCOPES
from gateway.openapi.oneroster import _errors, _field_schema, _path_param, _read, _title
from gateway.openapi.schemas import REF

TAG: Final = "oneroster-gradebook"
_WRITE_ERRORS: Final = {
    "400": "A body the service cannot store: not JSON, not the binding's shape, a missing or unknown reference "
    "(`invaliddata`); a POST's message names the object (`results[2] (sourcedId x): ...`).",
    "403": "Not a partner token, or not with the scope this write takes (`forbidden`).",
    "404": "No object (a DELETE's, or a POST path's class, school, line item or academic session) with this "
    "sourcedId in the caller's school (`unknownobject`).",
    "409": "The object conflicts with one stored: e.g. a second result of a student for one line item.",
}
# What each write stores needs (db/roster/gradebook.sql); the rest is optional.
_WRITE_REQUIRED: Final = {
    "lineItems": ["title", "class"],
    "results": ["lineItem", "student"],
    "categories": ["title"],
    "scoreScales": ["title", "type", "class", "scoreScaleValue"],
}
_POSTED: Final = frozenset(key for key, _call in POSTS.values())
_SCORE_SCALE_VALUE: Final = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"itemValueLHS": {"type": "string"}, "itemValueRHS": {"type": "string"}},
        "required": ["itemValueLHS", "itemValueRHS"],
    },
}
GUID_REF_IN: Final = {
    "type": "object",
    "description": "A reference in a write: the sourcedId is what counts (href and type are accepted).",
    "properties": {"href": {"type": "string"}, "sourcedId": {"type": "string"}, "type": {"type": "string"}},
    "required": ["sourcedId"],
}
GUID_PAIRS: Final = {
    "type": "object",
    "description": "A POST's answer: each supplied sourcedId with the one allocated here, in the set's order.",
    "properties": {
        "sourcedIdPairs": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"suppliedSourcedId": {"type": "string"}, "allocatedSourcedId": {"type": "string"}},
                "required": ["suppliedSourcedId", "allocatedSourcedId"],
            },
        }
    },
    "required": ["sourcedIdPairs"],
}


def component_schemas() -> dict[str, Any]:
    """Each entity as read, and each writable one as written (`<Name>Input`)."""
    schemas: dict[str, Any] = {"OneRosterGUIDRefInput": GUID_REF_IN, "OneRosterGUIDPairSet": GUID_PAIRS}
    for name, entity in GRADEBOOK_ENTITIES.items():
        properties = {f: _field_schema(entity.fields[f]) for f in entity.output_fields}
        properties["status"] = {"type": "string", "enum": ["active", "tobedeleted"]}
        if "scoreScaleValue" in properties:
            properties["scoreScaleValue"] = _SCORE_SCALE_VALUE
        schemas[_title(entity.one)] = {"type": "object", "properties": properties, "required": sorted(entity.required)}
        if name in WRITABLE:
            written = {f: _input(schema) for f, schema in properties.items()}
            required = _WRITE_REQUIRED[name]
            schemas[_title(entity.one) + "Input"] = {"type": "object", "properties": written, "required": required}
            if name in _POSTED:  # a POST's objects carry the partner's own sourcedIds
                schemas[_title(entity.one) + "PostInput"] = {
                    "type": "object", "properties": written, "required": ["sourcedId", *required],
                }  # fmt: skip
    return schemas


def _singular(plural: str) -> str:
    """classes -> Class, categories -> Category, lineItems -> LineItem."""
    word = plural[:-2] if plural.endswith("sses") else plural[:-3] + "y" if plural.endswith("ies") else plural[:-1]
    return word[:1].upper() + word[1:]


def _input(schema: dict[str, Any]) -> dict[str, Any]:
    """A read property as a write takes it: a reference needs its sourcedId only."""
    return {"$ref": REF.format(name="OneRosterGUIDRefInput")} if "$ref" in schema else schema


def _security(*scopes: str, admin: bool = False) -> list[dict[str, list[str]]]:
    return [*({"partnerOAuth": [scope]} for scope in sorted(scopes)), *([{"bearerAuth": []}] if admin else [])]


def _body(schema: dict[str, Any], about: str) -> dict[str, Any]:
    return {"required": True, "description": about, "content": {"application/json": {"schema": schema}}}


def _write(op_id: str, summary: str, scope: str, params: list[dict[str, Any]], ok: dict[str, Any],
           body: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    errors = {k: {**v, "description": _WRITE_ERRORS.get(k, v["description"])} for k, v in _errors().items()}
    errors["409"] = {**errors["400"], "description": _WRITE_ERRORS["409"]}
    operation = {
        "operationId": op_id, "tags": [TAG], "summary": summary,
        "description": "Granted to: partner_sync with the scope below (a school admin's token is refused). "
                       "Which rows: the caller's school only (row-level security); every change is audited.",
        "x-roles": ["partner_sync"], "security": _security(scope), "parameters": params,
        "responses": {**ok, **errors},
    }  # fmt: skip
    if body is not None:
        operation["requestBody"] = body
    return operation


def _objects(paths: dict[str, Any]) -> None:
    one = _path_param("sourcedId", "The object's sourcedId.")
    for name, entity in GRADEBOOK_ENTITIES.items():
        title, single = name[:1].upper() + name[1:], _singular(name)
        paths[f"{PREFIX}/{name}"] = _read(f"gradebookGetAll{title}", f"All {name}", entity, [], many=True, tag=TAG)
        item = _read(f"gradebookGet{single}", f"One of the {name}, by sourcedId", entity, [one], many=False, tag=TAG)
        if name in WRITABLE:
            schema = {"type": "object", "properties": {entity.one: {"$ref": REF.format(name=_title(entity.one) + "Input")}},
                      "required": [entity.one]}  # fmt: skip
            item["put"] = _write(
                f"gradebookPut{single}", f"Create or replace one of the {name}, by the partner's sourcedId", CREATEPUT,
                [one], {"201": {"description": "Created"}, "200": {"description": "Replaced"}},
                _body(schema, f'{{"{entity.one}": {{...}}}}; a sourcedId in it must be the path\'s.'),
            )  # fmt: skip
            item["delete"] = _write(
                f"gradebookDelete{single}", f"Mark one of the {name} deleted (read back as tobedeleted)", DELETE,
                [one], {"204": {"description": "Deleted"}},
            )  # fmt: skip
        paths[f"{PREFIX}/{name}/{{sourcedId}}"] = item


def _nested(paths: dict[str, Any]) -> None:
    nested_security = _security(*NESTED_READ, admin=True)
    for parent, child in GRADEBOOK_NESTED:
        title = f"{child[:1].upper()}{child[1:]}For{_singular(parent)}"
        paths[f"{PREFIX}/{parent}/{{sourcedId}}/{child}"] = _read(
            f"gradebookGet{title}", f"The {child} of one of the {parent}", GRADEBOOK_ENTITIES[child],
            [_path_param("sourcedId", f"The sourcedId of one of the {parent}.")], many=True,
            security=nested_security, tag=TAG,
        )  # fmt: skip
    klass = _path_param("classSourcedId", "The class's sourcedId.")
    for middle, about, op_id in (
        ("lineItems", "a line item of that class", "gradebookGetResultsForLineItemForClass"),
        ("students", "a student", "gradebookGetResultsForStudentForClass"),
    ):
        param = _path_param(middle[:-1] + "SourcedId", f"The sourcedId of {about}.")
        paths[f"{PREFIX}/classes/{{classSourcedId}}/{middle}/{{{param['name']}}}/results"] = _read(
            op_id, f"The class's results of {about}", GRADEBOOK_ENTITIES["results"], [klass, param], many=True,
            security=nested_security, tag=TAG,
        )  # fmt: skip


def _posts(paths: dict[str, Any]) -> None:
    pairs = {"201": {"description": "Created, each under a sourcedId allocated here",
                     "content": {"application/json": {"schema": {"$ref": REF.format(name="OneRosterGUIDPairSet")}}}}}  # fmt: skip
    for shape, (key, _call) in POSTS.items():
        entity = GRADEBOOK_ENTITIES[key]
        item = {"$ref": REF.format(name=_title(entity.one) + "PostInput")}
        body = _body({"type": "object", "properties": {key: {"type": "array", "items": item}}, "required": [key]},
                     "The set to create; each object's sourcedId is the partner's, paired in the answer.")  # fmt: skip
        if len(shape) == 2:
            parent = shape[0]
            path = f"{PREFIX}/{parent}/{{sourcedId}}/{key}"
            params = [_path_param("sourcedId", f"The sourcedId of one of the {parent}.")]
            op_id = f"gradebookPost{key[:1].upper()}{key[1:]}For{_singular(parent)}"
        else:
            path = f"{PREFIX}/classes/{{classSourcedId}}/academicSessions/{{academicSessionSourcedId}}/results"
            params = [_path_param("classSourcedId", "The class's sourcedId."),
                      _path_param("academicSessionSourcedId", "An academic session's sourcedId: each result's line "
                                  "item is of the class and, when it has one, of this session or within it.")]  # fmt: skip
            op_id = "gradebookPostResultsForAcademicSessionForClass"
        paths.setdefault(path, {})["post"] = _write(
            op_id, f"Create a set of {key}; the service allocates their sourcedIds", CREATEPOST, params, pairs, body
        )


def gradebook_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    _objects(paths)
    _nested(paths)
    _posts(paths)
    return paths


assert SCOPES["gradebook"] >= NESTED_READ
