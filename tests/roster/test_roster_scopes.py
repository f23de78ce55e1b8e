"""Roster scopes are the database's rule (db/roster/oneroster_views.sql and db/tenancy/policies.sql): a
partner token from /oauth/token reads roster rows only with a OneRoster read
scope and writes them only with the import scope, by every route; the
OneRoster views are no PostgREST resources; m0014's backwards script restores
what was there before, exactly."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from db.database import scratch_database
from gateway.identity.auth import database_role
from gateway.identity.partners import IMPORT_SCOPE
from gateway.oneroster.entities import ENTITIES
from gateway.oneroster.routes import PREFIX
from tests.db.test_migrations import school_gateway
from tests.factories import School, make_school
from tests.support import expect_sqlstate
from tests.gateway.http_support import api, as_role, assert_canonical_error, committer_session, gateway_app  # noqa: F401
from tests.roster.test_partners import get_token, new_client

SCOPE = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
CORE, ALL, DEMOGRAPHICS = (
    SCOPE + "roster-core.readonly",
    SCOPE + "roster.readonly",
    SCOPE + "roster-demographics.readonly",
)
# The partner's own import runs are its record, not roster data (their rows
# are its own uploads' reports): readable with any scope.
NOT_ROSTER = {"/sync_runs"}
BEFORE_0014 = "2026-11-26T15:50:00:000000"  # m0012


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


async def bearer(api: AsyncTestClient[Litestar], school: School, *scopes: str) -> dict[str, str]:
    """A real partner token: a client the admin creates, then /oauth/token."""
    response = await get_token(api, await new_client(api, school, list(scopes)))
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def partner_reads(api: AsyncTestClient[Litestar]) -> list[str]:
    """Every PostgREST resource the served document lets partner_sync GET (the
    OneRoster routes, also documented, are checked on their own below); a
    function's required arguments are given (`/rpc/search_students?search=a`)."""
    document = (await api.get("/openapi.json")).json()
    paths = []
    for path, item in document["paths"].items():
        get = item.get("get", {})
        if "partner_sync" not in get.get("x-roles", []) or path in NOT_ROSTER or path.startswith("/ims/"):
            continue
        required = [p["name"] for p in get.get("parameters", []) if p.get("required") and p.get("in") == "query"]
        paths.append(path + ("?" + "&".join(f"{name}=a" for name in required) if required else ""))
    return paths


async def test_a_token_without_read_scopes_reads_no_roster_row_by_any_route(
    api: AsyncTestClient[Litestar], school: School
) -> None:
    importer, reader = await bearer(api, school, IMPORT_SCOPE), await bearer(api, school, CORE)
    paths = await partner_reads(api)
    assert {"/students", "/users", "/classes", "/enrollments", "/schools"} <= set(paths)
    for path in paths:
        response = await api.get(path, headers=importer)
        assert (response.status_code, response.json()) == (200, []), f"{path}: the policies show an importer nothing"
    students = (await api.get("/students", headers=reader)).json()
    assert {s["id"] for s in students} == {str(school.student), str(school.other_student)}, "a reader sees the roster"
    for name in ENTITIES:
        response = await api.get(f"{PREFIX}/{name}", headers=importer)
        assert response.status_code == 403, f"OneRoster /{name} refuses an importer"
        assert response.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == "forbidden"


@pytest.mark.parametrize(
    "view", ["oneroster_users", "oneroster_orgs", "oneroster_demographics", "oneroster_enrollments"]
)
async def test_the_oneroster_views_are_no_postgrest_resources(
    api: AsyncTestClient[Litestar], school: School, view: str
) -> None:
    for headers in (await bearer(api, school, ALL), as_role("school_admin", school)):
        assert_canonical_error(await api.get(f"/{view}", headers=headers), 404, "PGRST205")
    paths = (await api.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith("/oneroster_")], "nor documented as such"


async def test_a_readonly_token_writes_nothing(api: AsyncTestClient[Litestar], school: School) -> None:
    body = {"first_name": "Ada", "last_name": "Byron", "student_number": "S-RO-1", "date_of_birth": "2014-01-02"}
    refused = await api.post("/students", json=body, headers=await bearer(api, school, CORE))
    assert_canonical_error(refused, 403, "42501")
    allowed = await api.post("/students", json=body, headers=await bearer(api, school, CORE, IMPORT_SCOPE))
    assert allowed.status_code == 201, allowed.text


async def test_demographics_need_their_scope_in_the_database(admin: asyncpg.Connection) -> None:
    school = await make_school(admin)

    async def visible(view: str, *scopes: str, role: str | None = None) -> int:
        claims = {"role": "partner_sync", "school_id": str(school.id), "sub": "pc_scopes", "scope": " ".join(scopes)}
        # The database role the gateway sets for these claims (issue 13, F2), unless the test names one.
        await admin.execute(f"set local role {role or database_role('partner_sync', claims) or 'partner_sync'}")
        await admin.execute("select set_config('request.jwt.claims', $1, true)", json.dumps(claims))
        try:
            return int(await admin.fetchval(f"select count(*) from oneroster.{view}"))
        finally:
            await admin.execute("reset role")

    # Core alone: no birth dates, even in SQL (partner_sync holds no SELECT on the view).
    await admin.execute("set local role partner_sync")
    await expect_sqlstate(admin, "42501", "select count(*) from oneroster.demographics")
    await admin.execute("reset role")
    assert await visible("demographics", CORE, role="partner_demographics") == 0, "a role the claims do not back"
    assert await visible("demographics", CORE, DEMOGRAPHICS) == 2
    assert await visible("demographics", ALL) == 2, "roster.readonly covers demographics"
    assert await visible("users", CORE) > 0
    assert await visible("users", IMPORT_SCOPE) == 0, "the import scope reads nothing"
    assert await visible("users", "") == 0, "an empty scope claim is no scope"


async def test_scopes_may_be_a_json_array_and_a_token_without_the_claim_keeps_its_reach(
    admin: asyncpg.Connection,
) -> None:
    school = await make_school(admin)
    await admin.execute("set local role partner_sync")
    cases: list[tuple[dict[str, Any], int]] = [
        ({"scope": [CORE]}, 2), ({"scope": [IMPORT_SCOPE]}, 0), ({"scope": 42}, 0), ({}, 2),
    ]  # fmt: skip
    for extra, expected in cases:
        claims = {"role": "partner_sync", "school_id": str(school.id), "sub": "pc_scopes", **extra}
        await admin.execute("select set_config('request.jwt.claims', $1, true)", json.dumps(claims))
        assert await admin.fetchval("select count(*) from api.students") == expected, f"scope claim {extra}"


SNAPSHOT = """
    select 'policy ' || schemaname || '.' || tablename || '.' || policyname,
           concat_ws(' | ', array_to_string(roles, ','), cmd, qual, with_check)
    from pg_policies where schemaname in ('data', 'audit')
    union all
    select 'view ' || c.oid::regclass::text,
           concat_ws(' | ', pg_get_viewdef(c.oid), c.relacl::text, c.reloptions::text, obj_description(c.oid))
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('api', 'oneroster') and c.relkind = 'v'
    union all
    select 'function ' || p.oid::regprocedure::text, concat_ws(' | ', pg_get_functiondef(p.oid), p.proacl::text)
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('auth', 'roster', 'api')
    union all
    select 'schema ' || nspname, coalesce(nspacl::text, '') from pg_namespace
    where nspname in ('api', 'auth', 'roster', 'oneroster')
    order by 1"""


async def test_going_back_over_m0014_drops_its_schema_and_all_code(server_url: str) -> None:
    """Going back keeps the older migration's tables and no code (db/README.md,
    "Going back"); forwards again builds the current views, policies and grants."""
    async with scratch_database(server_url, "school_roster_scopes") as url:
        connection = await asyncpg.connect(url)
        try:
            school_gateway("migrate", database_url=url)
            head = await connection.fetch(SNAPSHOT)
            school_gateway("migrate", "--to", BEFORE_0014, database_url=url)
            before = await connection.fetch(SNAPSHOT)
            assert [r[0] for r in before if not r[0].startswith("schema ")] == [], "no policies, views or functions"
            assert "schema oneroster" not in {r[0] for r in before}, "m0014's schema goes back with it"
            assert "schema roster" in {r[0] for r in before}, "m0011's stays"
            school_gateway("migrate", database_url=url)
            after = {r[0] for r in await connection.fetch(SNAPSHOT)}
            assert "view oneroster.users" in after and "view api.oneroster_users" not in after
            assert await connection.fetch(SNAPSHOT) == head, "policies, views, functions and grants as at head"
            school_gateway("migrate", "--to", BEFORE_0014, database_url=url)
            assert await connection.fetch(SNAPSHOT) == before
        finally:
            await connection.close()
