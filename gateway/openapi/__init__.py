"""The OpenAPI 3.1 document, derived from the database; served with a docs page.

Nothing here names a table or a column: resources and functions come from the
schema cache (gateway/schema_cache.py), body schemas from the resource Structs
(gateway/models.py via msgspec.json.schema_components), descriptions from
COMMENTs, and which operations exist from the grants to the API roles: an
operation no role may perform is not documented. RLS then decides which rows.
The gateway's own partner routes (partners.py: /oauth/token, /partners/clients,
the OneRoster CSV import; oneroster.py: the OneRoster REST reads) are described
from their handlers' Structs and route tables (gateway/oneroster/entities.py).

    python -m gateway.openapi --write    # regenerate openapi/openapi.json
    python -m gateway.openapi --check    # exit 1 when it is stale

Both migrate a fresh throw-away database first (on DATABASE_URL's server, or an
embedded PostgreSQL), so the file depends on the migrations and nothing else.
"""

from pathlib import Path
from typing import Final

DOCUMENT_PATH: Final = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"

from gateway.openapi.document import build_document, load_document, render  # noqa: E402
from gateway.openapi.grants import Grants, load_grants  # noqa: E402
from gateway.openapi.serve import openapi_routes  # noqa: E402

__all__ = ["DOCUMENT_PATH", "Grants", "build_document", "load_document", "load_grants", "openapi_routes", "render"]
