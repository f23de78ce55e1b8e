"""Partner roster sync in the document: the OAuth 2.0 token endpoint (RFC 6749
client credentials, its own error bodies), partner client management, and the
OneRoster CSV import. Bodies from the handlers' Structs (gateway/oauth.py,
gateway/partners.py, gateway/roster_import/routes.py), the scopes from
gateway/partners.py."""

from __future__ import annotations

from typing import Any, Final

import msgspec

from gateway.identity.oauth import OAuthError, TokenForm, TokenResponse
from gateway.identity.partners import IMPORT_SCOPE, SCOPES, ClientSecret, NewClient, RevokedClient
from gateway.openapi.schemas import REF
from gateway.roster_import.routes import MAX_UPLOAD, ImportRun, ImportStarted

STRUCTS: Final = (
    TokenForm,
    TokenResponse,
    OAuthError,
    NewClient,
    ClientSecret,
    RevokedClient,
    ImportStarted,
    ImportRun,
)
_SCOPE_ABOUT: Final = {
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly":
        "OneRoster rostering reads, demographics excepted.",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly": "Every OneRoster rostering read.",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly":
        "OneRoster demographics (with a core scope: the database shows a partner no student without one).",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly": "Every OneRoster 1.2 Gradebook read.",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook-core.readonly":
        "OneRoster 1.2 Gradebook reads of every object or one object (no nested collection).",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput":
        "OneRoster 1.2 Gradebook writes by PUT (the partner names the sourcedId).",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createpost":
        "OneRoster 1.2 Gradebook writes by POST (the service allocates the sourcedIds).",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.delete": "OneRoster 1.2 Gradebook deletes.",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.readonly":
        "OneRoster 1.2 Gradebook reads of assessment line items and assessment results.",
    IMPORT_SCOPE: "Import OneRoster 1.2 CSV zips into the client's school (POST /ims/oneroster/import).",
}  # fmt: skip
OAUTH_NO_STORE: Final = {
    "Cache-Control": {"schema": {"type": "string", "enum": ["no-store"]}},
    "Pragma": {"schema": {"type": "string", "enum": ["no-cache"]}},
}


def security_schemes() -> dict[str, Any]:
    if set(_SCOPE_ABOUT) != SCOPES:
        raise ValueError("every partner scope (gateway/partners.py SCOPES) needs a description here")
    return {
        "partnerOAuth": {
            "type": "oauth2",
            "description": "Partner systems: a client an admin created at /partners/clients exchanges its "
            "credentials for a short-lived partner_sync token. Scopes narrow what the token may do, and the "
            "database enforces them on every route.",
            "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": dict(sorted(_SCOPE_ABOUT.items()))}},
        },
        "clientBasic": {
            "type": "http",
            "scheme": "basic",
            "description": "client_id:client_secret, each form-urlencoded (RFC 6749 §2.3.1).",
        },
    }


def component_schemas() -> dict[str, Any]:
    _, components = msgspec.json.schema_components(STRUCTS, ref_template=REF)
    scopes = components["NewClient"]["properties"]["scopes"]
    scopes["items"] = {"type": "string", "enum": sorted(SCOPES)}
    scopes["minItems"] = 1
    return components


def _json(name: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": REF.format(name=name)}}},
            **extra}  # fmt: skip


def _error(description: str) -> dict[str, Any]:
    return _json("Error", description)


def _oauth_error(description: str, **extra: Any) -> dict[str, Any]:
    return _json("OAuthError", description, **extra)


def _token_path() -> dict[str, Any]:
    return {"post": {
        "operationId": "oauthToken", "tags": ["oauth"],
        "summary": "Exchange partner client credentials for a partner_sync access token",
        "description": "OAuth 2.0 client credentials grant (RFC 6749 §4.4). Authenticate with HTTP Basic or with "
                       "client_id and client_secret in the form, not both. `scope` narrows the client's scopes; "
                       "without it the token carries all of them. Errors are RFC 6749 §5.2 bodies.",
        "security": [{"clientBasic": []}, {}],
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {"$ref": REF.format(name="TokenForm")}}}},
        "responses": {
            "200": _json("TokenResponse", "A bearer token (JWT, role partner_sync, the client's school and scopes).",
                         headers=OAUTH_NO_STORE),
            "400": _oauth_error("invalid_request (not a form, a repeated or missing parameter, two client "
                                "authentications), unsupported_grant_type, or invalid_scope (a scope the client "
                                "was not granted).", headers=OAUTH_NO_STORE),
            "401": _oauth_error("invalid_client: unknown client, wrong secret, or a revoked client.",
                                headers={**OAUTH_NO_STORE, "WWW-Authenticate": {"schema": {"type": "string"}}}),
            "429": _error("Too many token requests from this address (SDA602, OAUTH_RATE_LIMIT); `Retry-After` "
                          "says when to try again. The gateway's error shape: the limit is checked before the form "
                          "is read."),
            "500": _oauth_error("server_error: the gateway has no key to sign with."),
        },
    }}  # fmt: skip


def _admin_operation(op_id: str, summary: str, description: str, **rest: Any) -> dict[str, Any]:
    return {"operationId": op_id, "tags": ["partners"], "summary": summary,
            "description": f"{description}\n\nGranted to: school_admin, for its own school.",
            "x-roles": ["school_admin"], "security": [{"bearerAuth": []}], **rest}  # fmt: skip


def _client_paths() -> dict[str, Any]:
    client_id = {"name": "client_id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
    refused = {
        "401": _error("The token cannot be verified (PGRST301)."),
        "403": _error("Only a school admin manages partner clients (SDA410)."),
        "500": _error("Something failed on our side."),
    }
    shown_once = "The secret is shown once, never stored in clear (argon2id)."
    return {
        "/partners/clients": {"post": _admin_operation(
            "createPartnerClient", "Create a partner client", shown_once,
            requestBody={"required": True,
                         "content": {"application/json": {"schema": {"$ref": REF.format(name="NewClient")}}}},
            responses={"201": _json("ClientSecret", "The client, with its secret"),
                       "400": _error("Not JSON, not a NewClient (PGRST102), or unknown or no scopes (SDA411)."),
                       **refused},
        )},
        "/partners/clients/{client_id}/rotate": {"post": _admin_operation(
            "rotatePartnerSecret", "Replace a partner client's secret",
            f"The old secret stops working at once. {shown_once}", parameters=[client_id],
            responses={"200": _json("ClientSecret", "The client, with its new secret"),
                       "404": _error("No active client with this client_id in the caller's school (SDA412)."),
                       **refused},
        )},
        "/partners/clients/{client_id}/revoke": {"post": _admin_operation(
            "revokePartnerClient", "Revoke a partner client",
            "Its tokens stop working at once: the database checks the client on every statement.",
            parameters=[client_id],
            responses={"200": _json("RevokedClient", "The client and when it was revoked (a second revoke keeps "
                                    "the first time)"),
                       "404": _error("No client with this client_id in the caller's school (SDA412)."),
                       **refused},
        )},
    }  # fmt: skip


def _import_paths() -> dict[str, Any]:
    who = (
        "Granted to: school_admin, and partner_sync with the scope " + IMPORT_SCOPE + ". The run imports into the "
        "caller's school only."
    )
    security = [{"partnerOAuth": [IMPORT_SCOPE]}, {"bearerAuth": []}]
    start = {
        "operationId": "importOneRosterCsv", "tags": ["oneroster-import"],
        "summary": "Import a OneRoster 1.2 CSV zip (bulk or delta per its manifest)",
        "description": "Answers 202 at once with the run's id; the run goes on in the gateway. Follow it at `href`. "
                       "A file with any rejected row applies nothing; `dry_run=true` reports what would change and "
                       f"changes nothing. One run per school at a time.\n\n{who}",
        "x-roles": ["partner_sync", "school_admin"], "security": security,
        "parameters": [{"name": "dry_run", "in": "query", "schema": {"type": "boolean", "default": False}}],
        "requestBody": {"required": True, "content": {
            "application/zip": {"schema": {"type": "string", "contentMediaType": "application/zip",
                                           "description": f"At most {MAX_UPLOAD} bytes."}},
            # What generated clients (openapi-python-client) know how to send as bytes.
            "application/octet-stream": {"schema": {"type": "string", "format": "binary",
                                                    "description": f"The zip; at most {MAX_UPLOAD} bytes."}}}},
        "responses": {
            "202": _json("ImportStarted", "The run started"),
            "400": _error("dry_run is not true or false (PGRST100)."),
            "401": _error("The token cannot be verified (PGRST301)."),
            "403": _error("Neither a school admin nor a partner with the import scope (SDA420), or a revoked client."),
            "409": _error("A run of this school is still going (SDA423): `details` names it, `hint` where to "
                          "follow it."),
            "413": _error("The zip is larger than the service accepts (SDA100)."),
            "415": _error("Not sent as application/zip or application/octet-stream (SDA421)."),
            "429": _error("The school's uploads are past IMPORT_RATE_LIMIT (SDA602), or the gateway runs as many "
                          "imports as IMPORT_CONCURRENCY allows (SDA601); `Retry-After` says when to try again."),
            "500": _error("Something failed on our side."),
            "504": _error("No database connection in time (PGRST003)."),
        },
    }  # fmt: skip
    status = {
        "operationId": "getOneRosterImport", "tags": ["oneroster-import"],
        "summary": "An import run: its status, counts and report",
        "description": "Status RUNNING until the run ends: APPLIED, DRY_RUN, REJECTED (the report says which rows "
                       "and why) or FAILED (`report.error`; a run whose gateway stopped mid-run is failed with "
                       "\"interrupted: the gateway stopped before the run finished\").\n\nGranted to: the school's "
                       "admins, and the partner client that started the run.",
        "x-roles": ["partner_sync", "school_admin"], "security": security,
        "parameters": [{"name": "run_id", "in": "path", "required": True,
                        "schema": {"type": "string", "format": "uuid"}}],
        "responses": {
            "200": _json("ImportRun", "The run"),
            "401": _error("The token cannot be verified (PGRST301)."),
            "403": _error("The role may not read import runs, or a revoked client."),
            "404": _error("No such run that the caller may see (SDA422)."),
            "429": _error("The school's request rate or share is used up (SDA601, SDA602); see `Retry-After`."),
            "500": _error("Something failed on our side."),
        },
    }  # fmt: skip
    return {"/ims/oneroster/import": {"post": start}, "/ims/oneroster/import/{run_id}": {"get": status}}


def partner_paths() -> dict[str, Any]:
    return {"/oauth/token": _token_path(), **_client_paths(), **_import_paths()}
