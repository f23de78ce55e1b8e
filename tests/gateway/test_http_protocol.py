"""HTTP plumbing around the data path: request ids (to the audit log), CORS,
methods, health, and the error shape of Litestar's own refusals."""

from __future__ import annotations

import re

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School
from tests.gateway.http_support import ORIGIN, as_role, assert_canonical_error

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (None, False),
        ("req-7f3a.b:c_d", True),
        ("x" * 129, False),  # too long to echo or store
        ("two words", False),
        ("<script>", False),
    ],
)
async def test_request_ids_are_kept_when_plain_else_generated(
    api: AsyncTestClient[Litestar], schools: tuple[School, School], given: str | None, kept: bool
) -> None:
    headers = as_role("school_admin", schools[0])
    if given is not None:
        headers["X-Request-Id"] = given
    for path in ("/students?select=id", "/nope", "/a/b/c", "/health/live"):
        response = await api.get(path, headers=headers)
        request_id = response.headers["x-request-id"]
        assert request_id == given if kept else UUID_RE.fullmatch(request_id), (path, request_id)


async def test_the_request_id_reaches_the_audit_log(
    api: AsyncTestClient[Litestar], schools: tuple[School, School], committer_session: asyncpg.Connection
) -> None:
    school = schools[0]
    response = await api.post(
        "/subjects",
        json={"school_id": str(school.id), "name": "Audited"},
        headers=as_role("school_admin", school, **{"X-Request-Id": "audit-me-1", "Prefer": "return=headers-only"}),
    )
    assert response.status_code == 201, response.text
    subject_id = response.headers["location"].rsplit("eq.", 1)[1]
    logged = await committer_session.fetchval(
        "select request_id from audit.audit_log where record_id::text = $1 and action = 'CREATE'", subject_id
    )
    assert logged == "audit-me-1"


async def test_cors_preflight_allows_the_dialects_headers(api: AsyncTestClient[Litestar]) -> None:
    response = await api.options(
        "/students",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, prefer, range, x-request-id",
        },
    )
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == ORIGIN
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "prefer", "range", "range-unit", "x-request-id"} <= allowed
    assert "PATCH" in response.headers["access-control-allow-methods"]


async def test_cors_exposes_the_dialects_response_headers(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    response = await api.get("/students", headers=as_role("school_admin", schools[0], Origin=ORIGIN))
    assert response.headers["access-control-allow-origin"] == ORIGIN
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"content-range", "location", "preference-applied", "x-request-id", "link", "x-total-count"} <= exposed


async def test_other_origins_get_no_cors_grant(api: AsyncTestClient[Litestar]) -> None:
    response = await api.get("/health/live", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("method", ["TRACE", "CONNECT"])  # PUT is an upsert now (test_http_put.py)
async def test_unsupported_methods_are_405_in_our_shape(
    api: AsyncTestClient[Litestar], schools: tuple[School, School], method: str
) -> None:
    response = await api.request(method, "/students", headers=as_role("school_admin", schools[0]))
    assert_canonical_error(response, 405, "PGRST117")


async def test_head_counts_without_a_body(api: AsyncTestClient[Litestar], schools: tuple[School, School]) -> None:
    response = await api.head("/students", headers=as_role("school_admin", schools[0], Prefer="count=exact"))
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-range"] == "0-1/2"


async def test_health(api: AsyncTestClient[Litestar]) -> None:
    assert (await api.get("/health/live")).json() == {"status": "ok"}
    assert (await api.get("/health/ready")).json() == {"status": "ok"}


async def test_bad_tokens_are_401_in_our_shape(api: AsyncTestClient[Litestar]) -> None:
    for authorization in ("Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "Bearer "):
        response = await api.get("/students", headers={"Authorization": authorization})
        assert_canonical_error(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_litestar_openapi_is_not_served_by_the_data_routes(api: AsyncTestClient[Litestar]) -> None:
    # /schema is not a relation: the data route answers PostgREST's 404, not Litestar's docs.
    assert_canonical_error(await api.get("/schema"), 404, "PGRST205")


async def test_the_openapi_document_is_served_beside_the_data_routes(api: AsyncTestClient[Litestar]) -> None:
    # Static paths win over /{resource}: /openapi.json is the document, not a relation.
    response = await api.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert "/students" in document["paths"]
    assert (await api.get("/docs")).status_code == 200
