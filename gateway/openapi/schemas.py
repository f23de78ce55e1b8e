"""Component schemas: one read/create/update schema per resource, from the resource Structs."""

from __future__ import annotations

from typing import Any, Final

import msgspec

from gateway.dialect.models import ResourceModels
from gateway.dialect.schema.cache import Column, SchemaCache
from gateway.identity.login import LoginBody, RefreshBody
from gateway.identity.tokens import TokenPair
from gateway.openapi.grants import Grants

REF: Final = "#/components/schemas/{name}"

# --- schemas -------------------------------------------------------------------------------------

ERROR_SCHEMA: Final = {
    "type": "object",
    "description": "Every error has this shape (PostgREST's). `code` is a PGRST code, a Postgres SQLSTATE, "
    "or one of ours (SDA...).",
    "properties": {
        "code": {"type": "string", "examples": ["PGRST301"]},
        "message": {"type": "string"},
        # anyOf, not a list of types: generators (openapi-python-client) cannot
        # parse a bare type union, and dropped every error response for it (issue 16).
        "details": {
            "anyOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": True},
                {"type": "array", "items": {}},
                {"type": "null"},
            ]
        },
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
        read.setdefault("properties", {}).update(_computed_properties(cache, relation.computed))
    return {**components, "Error": ERROR_SCHEMA}


def _computed_properties(cache: SchemaCache, computed: dict[str, Column]) -> dict[str, Any]:
    """Computed fields (gateway/computed.py): read-only, and only in a response
    that selects them, so never required."""
    properties = {}
    for name, column in computed.items():
        prop = _pg_type(column.cast, cache, {}, writing=False)
        prop["readOnly"] = True
        prop["description"] = " ".join(
            filter(None, [column.description, f"Computed: returned only when selected (select=...,{name})."])
        )
        properties[name] = prop
    return properties
