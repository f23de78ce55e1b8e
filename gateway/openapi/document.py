"""The whole document: paths and components for one schema cache and its grants."""

from __future__ import annotations

import importlib.metadata
import json
from typing import Any, Final

from gateway.dialect.models import build_models
from gateway.dialect.schema.cache import SchemaCache
from gateway.http.schema_loader import load_schema_cache
from gateway.openapi import gradebook, oneroster, partners
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


def build_document(cache: SchemaCache, grants: Grants) -> dict[str, Any]:
    models = build_models(cache)
    documented = [n for n in cache.relations if any(grants.relations.get(n, {}).values())]
    titles = {n: models[n].read.__name__ for n in documented}
    paths: dict[str, Any] = {**auth_paths(), **partners.partner_paths()}
    for name in documented:
        paths[f"/{name}"] = relation_path(cache.relations[name], models[name], grants.relations[name])
    for name, overloads in cache.functions.items():
        if roles := grants.functions.get(name):
            paths[f"/rpc/{name}"] = rpc_path(overloads[0], overloads, roles, cache, titles)
    paths.update(oneroster.oneroster_paths())
    paths.update(gradebook.gradebook_paths())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "School Data API",
            "version": _version(),
            "description": "The data of a school, in the PostgREST dialect. Log in at /auth/login, then send "
            "`Authorization: Bearer <token>`; the database's row-level security limits every answer to the "
            "caller's school and role. Partner systems get a token at /oauth/token (client credentials), import "
            "OneRoster 1.2 CSV zips at /ims/oneroster/import, read the roster at "
            "/ims/oneroster/rostering/v1p2/ and read and write grades at /ims/oneroster/gradebook/v1p2/.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": TAGS,
        "paths": paths,
        "components": {
            "schemas": _merged(
                _component_schemas(cache, models, grants),
                partners.component_schemas(),
                oneroster.component_schemas(),
                gradebook.component_schemas(),
            ),
            "parameters": _merged(
                PARAMETERS, profile_parameters(cache.schema), _row_filters(cache, documented), oneroster.PARAMETERS
            ),
            "headers": HEADERS,
            "responses": RESPONSES,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                **partners.security_schemes(),
            },
        },
    }


# Only the tags of the gateway's own routes are described; a resource's tag is its name.
TAGS: Final = [
    {"name": "auth", "description": "Log in and refresh user tokens."},
    {"name": "oauth", "description": "OAuth 2.0 client credentials for partner systems (RFC 6749)."},
    {"name": "partners", "description": "Partner clients of a school, managed by its admins."},
    {"name": "oneroster-import", "description": "OneRoster 1.2 CSV import runs."},
    {
        "name": "oneroster",
        "description": "OneRoster 1.2 Rostering REST reads (IMS Global), in its envelope "
        "and with imsx_StatusInfo errors.",
    },
    {
        "name": "oneroster-gradebook",
        "description": "OneRoster 1.2 Gradebook REST (IMS Global): line items, results, categories and score scales "
        "read, PUT, POSTed and deleted, in its envelope and with imsx_StatusInfo errors.",
    },
    {"name": "rpc", "description": "The API's functions."},
]


def _merged(*parts: dict[str, Any]) -> dict[str, Any]:
    """Components from several builders; a name defined twice is a bug, not an override."""
    merged: dict[str, Any] = {}
    for part in parts:
        if clash := merged.keys() & part.keys():
            raise ValueError(f"component names defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


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
