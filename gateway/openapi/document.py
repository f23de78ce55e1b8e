"""The whole document: paths and components for one schema cache and its grants."""

from __future__ import annotations

import importlib.metadata
import json
from typing import Any

from gateway.models import build_models
from gateway.openapi.grants import Connection, Grants, load_grants
from gateway.openapi.paths import (
    HEADERS,
    PARAMETERS,
    RESPONSES,
    _row_filters,
    auth_paths,
    profile_parameters,
    relation_path,
    rpc_path,
)
from gateway.openapi.schemas import _component_schemas
from gateway.schema_cache import SchemaCache, load_schema_cache


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
            "parameters": {**PARAMETERS, **profile_parameters(cache.schema), **_row_filters(cache, documented)},
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
