"""Serving: GET /openapi.json and the Swagger UI docs page (assets from the wheel, no CDN)."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any, Final

from litestar import Request, Response, get
from litestar.params import FromPath

from gateway.dialect.profiles import negotiate
from gateway.errors import ApiError
from gateway.http.schema_loader import load_schema_cache
from gateway.openapi.document import build_document, render
from gateway.openapi.grants import load_grants


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


@get(["/openapi.json", "/"], operation_id="openapiDocument", tags=["docs"], include_in_schema=False)
async def openapi_json(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The OpenAPI 3.1 document of this API; Accept-Profile may name its schema (profiles.py)."""
    cache = getattr(request.app.state, "schema_cache", None)
    asked = request.headers.get("accept-profile")
    profile = negotiate(asked, (cache.schema,)) if cache is not None else None
    body = await document_bytes(request.app.state)
    headers = {"Cache-Control": "no-cache", **({"Content-Profile": profile} if profile else {})}
    return Response(body, media_type="application/json", headers=headers)


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
