"""Tenancy holds through the import: the merge runs as the table owner
(SECURITY DEFINER), so these tests check that a partner of school A can
neither read nor write school B through it, and that a revoked client is
refused at once."""

from __future__ import annotations

import secrets

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.identity.partners import IMPORT_SCOPE
from tests.factories import School, make_school
from tests.gateway.http_support import api, as_role, committer_session, gateway_app  # noqa: F401
from tests.roster.import_support import ZIP, import_zip
from tests.roster.oneroster_zip import build_zip, sample_roster
from tests.roster.test_import import partner, snapshot
from tests.roster.test_partners import CORE, _form, basic


@pytest.fixture
async def two_schools(committer_session: asyncpg.Connection) -> tuple[School, School]:
    return await make_school(committer_session), await make_school(committer_session)


async def test_a_partner_of_a_cannot_write_b_through_the_import(
    api: AsyncTestClient[Litestar], two_schools: tuple[School, School], committer_session: asyncpg.Connection
) -> None:
    a, b = two_schools
    tag_b = secrets.token_hex(4)
    assert (await import_zip(api, partner(b), build_zip(sample_roster(tag_b))))["status"] == "APPLIED"
    b_before = await snapshot(committer_session, b)

    # A's partner sends B's org: A cannot adopt an org another school holds.
    run = await import_zip(api, partner(a), build_zip(sample_roster(secrets.token_hex(4), org=f"org-{tag_b}")))
    assert run["status"] == "REJECTED" and "another school" in str(run["report"]["rejected"])

    # A's own roster with the very same sourcedIds as B's: A gets its own rows, B's stay as they were.
    run = await import_zip(api, partner(a), build_zip(sample_roster(secrets.token_hex(4))))
    assert run["status"] == "APPLIED", run["report"]
    assert await snapshot(committer_session, b) == b_before, "B untouched"
    owners = await committer_session.fetch(
        "select distinct school_id from data.students where sourced_id = 'u-stu-1' and school_id = any($1::uuid[])", [a.id, b.id]
    )
    assert len(owners) == 2, "same sourcedId, one row per school"

    # A bulk file without B's rows deactivates nothing of B.
    run = await import_zip(api, partner(a), build_zip({"users": [], "roles": []}))
    assert run["status"] == "APPLIED", run["report"]
    assert run["report"]["files"]["users.csv"]["deactivated"] == 4, "A's own imported logins go"
    assert await snapshot(committer_session, b) == b_before, "A's bulk deletions stay in A"


async def test_a_partner_cannot_read_another_schools_runs(
    api: AsyncTestClient[Litestar], two_schools: tuple[School, School]
) -> None:
    a, b = two_schools
    run = await import_zip(api, partner(a), build_zip(sample_roster(secrets.token_hex(4))), dry_run=True)
    assert (await api.get(f"/ims/oneroster/import/{run['id']}", headers=as_role("school_admin", a))).status_code == 200
    assert (await api.get(f"/ims/oneroster/import/{run['id']}", headers=as_role("school_admin", b))).status_code == 404
    assert (await api.get(f"/ims/oneroster/import/{run['id']}", headers=partner(b))).status_code == 404
    teacher = await api.get(f"/ims/oneroster/import/{run['id']}", headers=as_role("teacher", a))
    assert teacher.status_code in (403, 404), "a teacher may not read sync runs at all"


async def test_the_merge_function_itself_checks_role_and_scope(database_url: str, two_schools: tuple[School, School]) -> None:
    a, _ = two_schools
    import json

    from db.database import with_user

    connection = await asyncpg.connect(with_user(database_url, "authenticator"))
    try:
        for role, claims in [("teacher", {"role": "teacher", "school_id": str(a.id)}),
                             ("partner_sync", {"role": "partner_sync", "school_id": str(a.id), "sub": "pc_x"})]:  # fmt: skip
            async with connection.transaction():
                await connection.execute("select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
                                         role, json.dumps(claims))  # fmt: skip
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await connection.execute("select roster.import_oneroster('{}'::jsonb)")
    finally:
        await connection.close()


async def test_a_revoked_client_cannot_import_with_a_token_it_already_holds(
    api: AsyncTestClient[Litestar], two_schools: tuple[School, School], committer_session: asyncpg.Connection
) -> None:
    a, _ = two_schools
    created = await api.post("/partners/clients", json={"name": "SIS", "scopes": [CORE, IMPORT_SCOPE]},
                             headers=as_role("school_admin", a))  # fmt: skip
    client = created.json()
    issued = await api.post("/oauth/token", content=_form({"grant_type": "client_credentials"}),
                            headers=basic(client["client_id"], client["client_secret"]))  # fmt: skip
    bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    data = build_zip(sample_roster(secrets.token_hex(4)))
    assert (await import_zip(api, bearer, data, dry_run=True))["status"] == "DRY_RUN", "before: the token imports"
    await api.post(f"/partners/clients/{client['client_id']}/revoke", headers=as_role("school_admin", a))
    before = await snapshot(committer_session, a)
    refused = await api.post("/ims/oneroster/import", content=data, headers={**bearer, **ZIP})
    assert refused.status_code == 403, refused.text
    assert await snapshot(committer_session, a) == before


async def test_an_import_with_another_schools_emails_tells_nothing_of_it(
    api: AsyncTestClient[Litestar], two_schools: tuple[School, School], committer_session: asyncpg.Connection
) -> None:
    """Issue 13 F7: emails are unique per school, so B's partner importing the
    addresses A's logins have gets B's own logins, not a report that names them
    as taken. Inside one school an address still belongs to one login."""
    a, b = two_schools
    tag = secrets.token_hex(4)
    assert (await import_zip(api, partner(a), build_zip(sample_roster(tag))))["status"] == "APPLIED"
    a_before = await snapshot(committer_session, a)

    run = await import_zip(api, partner(b), build_zip(sample_roster(tag, org=f"org-b-{tag}")))
    assert run["status"] == "APPLIED", run["report"]
    assert "already used" not in str(run["report"])
    schools = await committer_session.fetch(
        "select school_id from data.users where lower(email) = $1 and not is_deleted", f"u-tea-1.{tag}@school.test"
    )
    assert {r["school_id"] for r in schools} == {a.id, b.id}, "one login per school, same address"
    assert await snapshot(committer_session, a) == a_before, "A untouched"

    # In B, a new sourcedId with the address of B's own teacher: refused.
    taken = sample_roster(tag, org=f"org-b-{tag}")
    for rows in taken.values():
        for row in rows:
            for key in ("sourcedId", "userSourcedId"):
                if row.get(key) == "u-tea-1":
                    row[key] = "u-tea-9"
    run = await import_zip(api, partner(b), build_zip(taken))
    assert run["status"] == "REJECTED", run["report"]
    assert f"email u-tea-1.{tag}@school.test is already used by another login of this school" in str(run["report"])
