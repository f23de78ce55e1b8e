"""Accept-Profile / Content-Profile over HTTP (PostgREST's "Schemas"): the one
exposed schema may be named, and the response then says Content-Profile; any
other name is 406 PGRST106. Results are checked against the database."""

from __future__ import annotations

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.dialect.profiles import negotiate, requested
from gateway.errors import ApiError
from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error


@pytest.fixture(scope="module")
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


# --- pure ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "header"),
    [("GET", "accept"), ("HEAD", "accept"), ("POST", "content"), ("PATCH", "content"), ("PUT", "content"),
     ("DELETE", "content")],
)  # fmt: skip
def test_reads_ask_with_accept_profile_and_writes_with_content_profile(method: str, header: str) -> None:
    assert requested(method, "accept", "content") == header


@pytest.mark.parametrize(("profile", "schema"), [(None, None), ("api", "api")])
def test_the_exposed_schema_or_nothing_is_negotiated(profile: str | None, schema: str | None) -> None:
    assert negotiate(profile, ("api",)) == schema


@pytest.mark.parametrize("profile", ["data", "API", "", "api "])
def test_any_other_profile_is_refused(profile: str) -> None:
    with pytest.raises(ApiError) as caught:
        negotiate(profile, ("api",))
    assert (caught.value.status, caught.value.code) == (406, "PGRST106")
    assert caught.value.message == "The schema must be one of the following: api"


# --- over HTTP -----------------------------------------------------------------------


async def test_accept_profile_api_reads_and_is_answered(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    headers = as_role("school_admin", school, **{"Accept-Profile": "api"})
    response = await api.get("/students?select=student_number&order=student_number", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-profile"] == "api"
    expected = await committer_session.fetch(
        "select student_number from data.students where school_id = $1 and not is_deleted order by student_number",
        school.id,
    )
    assert [r["student_number"] for r in response.json()] == [r["student_number"] for r in expected]
    head = await api.head("/students", headers=headers)
    assert (head.status_code, head.headers["content-profile"]) == (200, "api")


async def test_no_profile_header_no_content_profile(api: AsyncTestClient[Litestar], school: School) -> None:
    response = await api.get("/students?select=id&limit=1", headers=as_role("school_admin", school))
    assert response.status_code == 200 and "content-profile" not in response.headers


async def test_content_profile_api_writes(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    headers = as_role("school_admin", school, **{"Content-Profile": "api", "Prefer": "return=representation"})
    created = await api.post("/students?select=student_number",
                             json={"student_number": "P-1", "first_name": "Pro", "last_name": "File"},
                             headers=headers)  # fmt: skip
    assert (created.status_code, created.json()) == (201, [{"student_number": "P-1"}])
    assert created.headers["content-profile"] == "api"
    stored = await committer_session.fetchval(
        "select first_name from data.students where school_id = $1 and student_number = 'P-1'", school.id
    )
    assert stored == "Pro"
    minimal = as_role("school_admin", school, **{"Content-Profile": "api"})
    patched = await api.patch("/students?student_number=eq.P-1", json={"first_name": "Prof"}, headers=minimal)
    assert patched.status_code == 204 and "content-profile" not in patched.headers  # no body, no profile
    deleted = await api.delete("/students?student_number=eq.P-1", headers=minimal)
    assert deleted.status_code == 204


async def test_a_post_call_uses_content_profile(api: AsyncTestClient[Litestar], school: School) -> None:
    headers = as_role("school_admin", school, **{"Content-Profile": "api"})
    response = await api.post("/rpc/set_current_term", json={"p_term_id": str(school.term)}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-profile"] == "api"


@pytest.mark.parametrize(
    ("method", "path", "header"),
    [
        ("GET", "/students", "Accept-Profile"),
        ("HEAD", "/students", "Accept-Profile"),
        ("GET", "/rpc/set_current_term", "Accept-Profile"),
        ("POST", "/students", "Content-Profile"),
        ("PATCH", "/students?student_number=eq.nobody", "Content-Profile"),
        ("PUT", "/students?id=eq.00000000-0000-0000-0000-000000000000", "Content-Profile"),
        ("DELETE", "/students?student_number=eq.nobody", "Content-Profile"),
        ("POST", "/rpc/set_current_term", "Content-Profile"),
    ],
)
async def test_other_schemas_are_406(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection, method: str, path: str,
    header: str,
) -> None:  # fmt: skip
    before = await committer_session.fetchval("select count(*) from data.students where school_id = $1", school.id)
    response = await api.request(method, path, json={"first_name": "X"} if method in ("POST", "PATCH", "PUT") else None,
                                 headers=as_role("school_admin", school, **{header: "data"}))  # fmt: skip
    if method == "HEAD":
        assert (response.status_code, response.content) == (406, b"")
    else:
        body = assert_canonical_error(response, 406, "PGRST106")
        assert body["message"] == "The schema must be one of the following: api"
    after = await committer_session.fetchval("select count(*) from data.students where school_id = $1", school.id)
    assert after == before


async def test_the_other_header_is_not_the_one_checked(api: AsyncTestClient[Litestar], school: School) -> None:
    """GET looks at Accept-Profile only, POST at Content-Profile only (PostgREST's getSchema)."""
    read = await api.get("/students?select=id&limit=1",
                         headers=as_role("school_admin", school, **{"Content-Profile": "data"}))  # fmt: skip
    assert read.status_code == 200 and "content-profile" not in read.headers


async def test_the_openapi_document_answers_to_its_profile(api: AsyncTestClient[Litestar]) -> None:
    named = await api.get("/", headers={"Accept-Profile": "api"})
    assert (named.status_code, named.headers["content-profile"]) == (200, "api")
    assert named.json()["openapi"] == "3.1.0"
    assert_canonical_error(await api.get("/openapi.json", headers={"Accept-Profile": "data"}), 406, "PGRST106")
