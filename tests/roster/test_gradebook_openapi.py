"""The OneRoster 1.2 Gradebook service in the served OpenAPI document
(gateway/openapi/gradebook.py): every operation of 1EdTech's Gradebook binding
that the service serves is there with the binding's scopes
(tests/roster/reference/onerosterv1p2gradebookservice_operations.json), and
real answers — reads, PUTs, POSTs, DELETEs and their errors — validate
against the schema the document gives for their status."""

from __future__ import annotations

import json
import re
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.oneroster.gradebook import PREFIX
from tests.factories import School, make_school
from tests.gateway.http_support import api, as_role, committer_session, gateway_app  # noqa: F401
from tests.roster.schema_check import REFERENCE
from tests.roster.test_gradebook import DELETE, PUT, READ, ROSTER, line_item, result
from tests.roster.test_gradebook_post import POST
from tests.roster.test_openapi_partner_routes import conforms
from tests.roster.test_roster_scopes import SCOPE, bearer

OPERATIONS = json.loads((REFERENCE / "onerosterv1p2gradebookservice_operations.json").read_text())["operations"]
# Not served: writes of assessment line items and results (README).
NOT_SERVED = {"putAssessmentLineItem", "deleteAssessmentLineItem", "putAssessmentResult", "deleteAssessmentResult"}
# Served beyond the binding (it defines only POSTs there), documented too.
BEYOND = {("GET", "/lineItems/{}/results"), ("GET", "/schools/{}/lineItems")}


@pytest.fixture(scope="module")
async def document(api: AsyncTestClient[Litestar]) -> dict[str, Any]:
    response = await api.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _shape(path: str) -> str:
    """A path with its parameters unnamed: {classSourcedId} and {sourcedId} are one template."""
    return re.sub(r"\{\w+\}", "{}", path)


def documented(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), _shape(path.removeprefix(PREFIX))): operation
        for path, item in document["paths"].items()
        if path.startswith(PREFIX + "/")
        for method, operation in item.items()
    }


def test_every_served_operation_of_the_binding_is_documented_with_its_scopes(document: dict[str, Any]) -> None:
    ours = documented(document)
    served = [op for op in OPERATIONS if op["operationId"] not in NOT_SERVED]
    assert len(served) == 31
    for op in served:
        operation = ours.get((op["method"], _shape(op["path"])))
        assert operation is not None, f"{op['operationId']}: {op['method']} {op['path']} is not documented"
        scopes = {s for alternative in operation["security"] for s in alternative.get("partnerOAuth", [])}
        assert scopes == set(op["scopes"]), f"{op['operationId']}: the binding's scopes, no other"
        assert operation["operationId"].lower() == ("gradebook" + op["operationId"]).lower(), op["operationId"]
    binding = {(op["method"], _shape(op["path"])) for op in OPERATIONS}
    assert set(ours) - binding == BEYOND, "nothing else documented that the binding does not define"


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


async def test_gradebook_answers_are_as_documented(
    api: AsyncTestClient[Litestar], school: School, document: dict[str, Any]
) -> None:
    partner = await bearer(api, school, ROSTER, READ, PUT, POST, DELETE, SCOPE + "assessment.readonly")

    async def check(method: str, template: str, concrete: str, **kw: Any) -> Any:
        response = await api.request(method, PREFIX + concrete, headers=kw.pop("headers", partner), **kw)
        if response.status_code != 204 and response.content:
            conforms(document, PREFIX + template, method.lower(), response)
        else:
            assert str(response.status_code) in document["paths"][PREFIX + template][method.lower()]["responses"]
        return response

    scale = {"scoreScale": {"title": "Letters", "type": "letter", "class": {"sourcedId": str(school.class_)},
                            "scoreScaleValue": [{"itemValueLHS": "A", "itemValueRHS": "90-100"}]}}  # fmt: skip
    assert (await check("PUT", "/scoreScales/{sourcedId}", "/scoreScales/s1", json=scale)).status_code == 201
    category = {"category": {"title": "Tests", "weight": 40}}
    assert (await check("PUT", "/categories/{sourcedId}", "/categories/c1", json=category)).status_code == 201
    assert (await check("PUT", "/lineItems/{sourcedId}", "/lineItems/li", json=line_item(school))).status_code == 201
    assert (await check("PUT", "/results/{sourcedId}", "/results/r1", json=result(school, "li", 4))).status_code == 201
    c, s = school.class_, school.student
    reads = {
        "/categories": "/categories", "/categories/{sourcedId}": "/categories/c1",
        "/scoreScales": "/scoreScales", "/scoreScales/{sourcedId}": "/scoreScales/s1",
        "/lineItems": "/lineItems", "/lineItems/{sourcedId}": "/lineItems/li",
        "/results": "/results", "/results/{sourcedId}": "/results/r1",
        "/classes/{sourcedId}/categories": f"/classes/{c}/categories",
        "/classes/{sourcedId}/lineItems": f"/classes/{c}/lineItems",
        "/classes/{sourcedId}/results": f"/classes/{c}/results",
        "/classes/{sourcedId}/scoreScales": f"/classes/{c}/scoreScales",
        "/schools/{sourcedId}/lineItems": f"/schools/{school.id}/lineItems",
        "/schools/{sourcedId}/scoreScales": f"/schools/{school.id}/scoreScales",
        "/lineItems/{sourcedId}/results": "/lineItems/li/results",
        "/classes/{classSourcedId}/lineItems/{lineItemSourcedId}/results": f"/classes/{c}/lineItems/li/results",
        "/classes/{classSourcedId}/students/{studentSourcedId}/results": f"/classes/{c}/students/{s}/results",
        "/assessmentLineItems": "/assessmentLineItems", "/assessmentResults": "/assessmentResults",
    }  # fmt: skip
    for template, concrete in reads.items():
        response = await check("GET", template, concrete)
        assert response.status_code == 200, f"{concrete}: {response.text}"
    posted = await check("POST", "/classes/{sourcedId}/lineItems", f"/classes/{c}/lineItems",
                         json={"lineItems": [{**line_item(school)["lineItem"], "sourcedId": "mine"}]})  # fmt: skip
    assert posted.status_code == 201, posted.text
    refused = await check("POST", "/lineItems/{sourcedId}/results", "/lineItems/li/results", json={"results": {}})
    assert refused.status_code == 400
    assert (await check("DELETE", "/results/{sourcedId}", "/results/r1")).status_code == 204
    assert (await check("DELETE", "/results/{sourcedId}", "/results/r1")).status_code == 404
    admin = as_role("school_admin", school)
    assert (await check("PUT", "/lineItems/{sourcedId}", "/lineItems/x", json={}, headers=admin)).status_code == 403
    assert (await check("GET", "/lineItems", "/lineItems", headers={})).status_code == 401
