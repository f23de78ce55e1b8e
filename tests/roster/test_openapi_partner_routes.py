"""The partner routes in the served OpenAPI document (gateway/openapi/partners.py,
oneroster.py): every route is there, and real answers over HTTP — tokens,
clients, import runs, every OneRoster path, and their errors — validate
against the schema the document gives for their status."""

from __future__ import annotations

import asyncio
import re
import secrets
from typing import Any

import httpx
import jsonschema
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.identity.partners import IMPORT_SCOPE
from gateway.identity.partners import SCOPES as CLIENT_SCOPES
from gateway.oneroster.entities import ENTITIES
from gateway.oneroster.gradebook import PREFIX as GRADEBOOK
from gateway.oneroster.routes import PREFIX, SCOPES
from tests.gateway.http_support import api, as_role, committer_session, gateway_app, token  # noqa: F401
from tests.roster.import_support import ZIP
from tests.roster.oneroster_zip import build_zip, sample_roster
from tests.roster.test_partners import CORE, _form, basic, get_token, new_client
from tests.roster.test_rest_oneroster import Roster, roster  # noqa: F401

# A real sourcedId of the `roster` fixture per collection (the parent of a nested path).
KNOWN = {
    "academicSessions": "YEAR-1", "terms": "TERM-1", "gradingPeriods": "GP-1", "courses": "COURSE-MA",
    "classes": "CLASS-MA", "users": "STU-1", "students": "STU-1", "teachers": "TEA-1", "demographics": "STU-1",
}  # fmt: skip


@pytest.fixture(scope="module")
async def document(api: AsyncTestClient[Litestar]) -> dict[str, Any]:
    response = await api.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def conforms(document: dict[str, Any], path: str, method: str, response: httpx.Response) -> None:
    """The body validates against the documented schema of its status (JSON Schema 2020-12)."""
    documented = document["paths"][path][method]["responses"]
    assert str(response.status_code) in documented, f"{method.upper()} {path}: {response.status_code} undocumented"
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**schema, "components": document["components"]}).validate(response.json())


def test_every_partner_route_is_documented(gateway_app: Litestar, document: dict[str, Any]) -> None:
    documented = {re.sub(r"\{(\w+)\}", r"{\1:str}", p): p for p in document["paths"]}
    checked = 0
    for route in gateway_app.routes:
        if not route.path.startswith(("/oauth", "/partners", "/ims")) or route.path.startswith((PREFIX, GRADEBOOK)):
            # Generic handlers (`/{collection}/{sourced_id}`...), whose concrete paths are
            # checked below and in test_gradebook_openapi.py.
            continue
        for handler in getattr(route, "route_handlers", ()):
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:  # Litestar's own
                operation = document["paths"][documented[route.path]][method.lower()]
                assert operation["operationId"] == handler.operation_id, f"{method} {route.path}"
                checked += 1
    assert checked == 6, "token, three client operations, import and its status"
    for name in ENTITIES:
        assert {f"{PREFIX}/{name}", f"{PREFIX}/{name}/{{sourcedId}}"} <= set(document["paths"])


def test_security_schemes_name_the_flow_and_every_scope(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    flow = schemes["partnerOAuth"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth/token" and set(flow["scopes"]) == CLIENT_SCOPES
    assert schemes["clientBasic"] == {**schemes["clientBasic"], "type": "http", "scheme": "basic"}
    token_op = document["paths"]["/oauth/token"]["post"]
    assert set(token_op["requestBody"]["content"]) == {"application/x-www-form-urlencoded"}
    for name, entity in ENTITIES.items():
        security = document["paths"][f"{PREFIX}/{name}"]["get"]["security"]
        scopes = {s for alternative in security for s in alternative.get("partnerOAuth", [])}
        assert scopes == SCOPES[entity.scope], f"{name}: the scopes the route checks"
    assert {"partnerOAuth": [IMPORT_SCOPE]} in document["paths"]["/ims/oneroster/import"]["post"]["security"]


async def test_token_answers_conform(api: AsyncTestClient[Litestar], roster: Roster, document: dict[str, Any]) -> None:
    client = await new_client(api, roster.school, [CORE])
    conforms(document, "/oauth/token", "post", await get_token(api, client))
    conforms(document, "/oauth/token", "post", await get_token(api, client, scope=IMPORT_SCOPE))  # 400 invalid_scope
    wrong = await api.post("/oauth/token", content=_form({"grant_type": "client_credentials"}),
                           headers=basic(client["client_id"], "wrong"))  # fmt: skip
    assert wrong.status_code == 401
    conforms(document, "/oauth/token", "post", wrong)


async def test_client_management_answers_conform(
    api: AsyncTestClient[Litestar], roster: Roster, document: dict[str, Any]
) -> None:
    admin = as_role("school_admin", roster.school)
    created = await api.post("/partners/clients", json={"name": "LMS", "scopes": [IMPORT_SCOPE]}, headers=admin)
    conforms(document, "/partners/clients", "post", created)
    conforms(document, "/partners/clients", "post", await api.post(
        "/partners/clients", json={"name": "LMS", "scopes": ["nope"]}, headers=admin))  # fmt: skip
    conforms(
        document,
        "/partners/clients",
        "post",
        await api.post(
            "/partners/clients",
            json={"name": "LMS", "scopes": [IMPORT_SCOPE]},
            headers=as_role("teacher", roster.school),
        ),
    )
    client_id = created.json()["client_id"]
    for action in ("rotate", "revoke"):
        path = f"/partners/clients/{{client_id}}/{action}"
        conforms(document, path, "post", await api.post(f"/partners/clients/{client_id}/{action}", headers=admin))
        conforms(document, path, "post", await api.post(f"/partners/clients/pc_nobody/{action}", headers=admin))


async def test_import_answers_conform(api: AsyncTestClient[Litestar], roster: Roster, document: dict[str, Any]) -> None:
    admin = as_role("school_admin", roster.school)
    started = await api.post("/ims/oneroster/import?dry_run=true", content=build_zip(sample_roster(secrets.token_hex(4))),
                             headers={**admin, **ZIP})  # fmt: skip
    conforms(document, "/ims/oneroster/import", "post", started)
    busy = await api.post("/ims/oneroster/import", content=b"not a zip", headers={**admin, **ZIP})
    if busy.status_code == 409:  # the dry run may be over already; then this one is refused as not a zip later
        conforms(document, "/ims/oneroster/import", "post", busy)
    conforms(
        document,
        "/ims/oneroster/import",
        "post",
        await api.post("/ims/oneroster/import", content=b"x", headers={**admin, "Content-Type": "text/csv"}),
    )
    run_path = "/ims/oneroster/import/{run_id}"
    for _ in range(600):
        run = await api.get(started.json()["href"], headers=admin)
        if run.json()["status"] != "RUNNING":
            break
        await asyncio.sleep(0.05)
    assert run.json()["status"] in ("DRY_RUN", "REJECTED"), run.text  # this school has an org of its own
    conforms(document, run_path, "get", run)
    conforms(document, run_path, "get", await api.get("/ims/oneroster/import/not-a-run", headers=admin))
    if busy.status_code == 202:
        for _ in range(600):
            if (await api.get(busy.json()["href"], headers=admin)).json()["status"] != "RUNNING":
                break
            await asyncio.sleep(0.05)


async def test_every_oneroster_path_answers_as_documented(
    api: AsyncTestClient[Litestar], roster: Roster, document: dict[str, Any]
) -> None:
    known = {**KNOWN, "orgs": roster.org, "schools": roster.org}
    admin = as_role("school_admin", roster.school)
    enrollments = (await api.get(f"{PREFIX}/enrollments", headers=admin)).json()["enrollments"]
    known["enrollments"] = next(e["sourcedId"] for e in enrollments if e["status"] == "active")
    statuses = set()
    for path in (p for p in document["paths"] if p.startswith(PREFIX)):
        parts = path.removeprefix(PREFIX + "/").split("/")
        concrete = "/".join(
            known.get(parts[i - 1], "NOPE") if part.startswith("{") else part for i, part in enumerate(parts)
        )
        if "{schoolSourcedId}" in path:
            concrete = f"schools/{roster.org}/classes/CLASS-MA/{parts[-1]}"
        response = await api.get(f"{PREFIX}/{concrete}", headers=admin)
        statuses.add(response.status_code)
        conforms(document, path, "get", response)
        if response.status_code == 200 and "{" not in path:
            (key,) = response.json()
            assert response.json()[key], f"{path}: the roster fixture has rows here"
    assert statuses == {200}, "every path answered with the fixture's rows"
    bad = await api.get(f"{PREFIX}/users", headers=admin, params={"filter": "nope"})
    conforms(document, f"{PREFIX}/users", "get", bad)
    conforms(document, f"{PREFIX}/users", "get", await api.get(f"{PREFIX}/users"))
    partner = {"Authorization": f"Bearer {token('partner_sync', roster.school, 'pc_doc', scope=IMPORT_SCOPE)}"}
    conforms(document, f"{PREFIX}/users", "get", await api.get(f"{PREFIX}/users", headers=partner))
