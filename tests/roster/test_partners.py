"""Partner clients over HTTP against the real database: an admin creates,
rotates and revokes them; /oauth/token speaks RFC 6749; a revoked client is
refused at once, with the token it already holds too; no API role reads a hash."""

from __future__ import annotations

import base64
from typing import Any

import asyncpg
import jwt
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.identity.partners import IMPORT_SCOPE
from tests.factories import School
from tests.gateway.http_support import SECRET, api, as_role, committer_session, gateway_app, schools  # noqa: F401

CORE = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def new_client(api: AsyncTestClient[Litestar], school: School, scopes: list[str] | None = None) -> dict[str, Any]:
    response = await api.post(
        "/partners/clients", json={"name": "SIS", "scopes": scopes or [CORE, IMPORT_SCOPE]},
        headers=as_role("school_admin", school),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def basic(client_id: str, secret: str) -> dict[str, str]:
    value = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {value}", **FORM}


async def get_token(api: AsyncTestClient[Litestar], client: dict[str, Any], **form: str) -> Any:
    data = {"grant_type": "client_credentials", **form}
    return await api.post("/oauth/token", content=_form(data), headers=basic(client["client_id"], client["client_secret"]))


def _form(data: dict[str, str]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(data).encode()


async def test_an_admin_creates_a_client_whose_secret_is_shown_once_and_never_stored_plainly(
    api: AsyncTestClient[Litestar], schools: tuple[School, School], committer_session: asyncpg.Connection
) -> None:
    school = schools[0]
    client = await new_client(api, school)
    assert client["client_secret"] and set(client["scopes"]) == {CORE, IMPORT_SCOPE}
    stored = await committer_session.fetchval(
        "select secret_hash from data.partner_clients where client_id = $1", client["client_id"]
    )
    assert stored.startswith("$argon2id$") and client["client_secret"] not in stored, "only an argon2id hash is kept"
    listed = await api.get("/partner_clients", headers=as_role("school_admin", school))
    assert listed.status_code == 200 and client["client_id"] in {c["client_id"] for c in listed.json()}
    assert all("secret_hash" not in c for c in listed.json()), "the list never shows a hash"
    audit = await committer_session.fetch(
        "select new_data from audit.audit_log where table_name = 'partner_clients' and new_data ->> 'client_id' = $1",
        client["client_id"],
    )
    assert audit and all("secret_hash" not in str(r["new_data"]) for r in audit), "the hash never reaches the audit log"


@pytest.mark.parametrize("role", ["teacher", "parent", "student", "partner_sync"])
async def test_only_admins_manage_clients(api: AsyncTestClient[Litestar], schools: tuple[School, School], role: str) -> None:
    response = await api.post(
        "/partners/clients", json={"name": "x", "scopes": [CORE]}, headers=as_role(role, schools[0])
    )
    assert response.status_code == 403


async def test_unknown_scopes_are_refused_when_creating(api: AsyncTestClient[Litestar], schools: tuple[School, School]) -> None:
    response = await api.post(
        "/partners/clients", json={"name": "x", "scopes": ["admin"]}, headers=as_role("school_admin", schools[0])
    )
    assert response.status_code == 400


async def test_no_api_role_can_read_a_secret_hash(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        for role in ("school_admin", "teacher", "parent", "student", "partner_sync", "reporting", "anon"):
            allowed = await connection.fetchval(
                "select has_column_privilege($1, 'data.partner_clients', 'secret_hash', 'select')", role
            )
            assert not allowed, f"{role} may read secret_hash"
        lookup = await connection.fetch(
            "select r.rolname from pg_roles r where has_function_privilege(r.oid, 'auth.partner_lookup(text)', 'execute')"
            " and not r.rolsuper and r.rolname not like 'pg\\_%' and r.rolname <> 'school_owner'"
        )
        assert {r["rolname"] for r in lookup} == {"authenticator"}
    finally:
        await connection.close()


async def test_client_credentials_give_a_partner_sync_token(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    school = schools[0]
    client = await new_client(api, school)
    response = await get_token(api, client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0 and set(body["scope"].split()) == {CORE, IMPORT_SCOPE}
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["role"] == "partner_sync" and claims["school_id"] == str(school.id) and claims["sub"] == client["client_id"]
    students = await api.get("/students", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert students.status_code == 200 and students.json(), "the token reads the school's roster"

    # Form fields instead of Basic, and a narrower scope.
    form = {"grant_type": "client_credentials", "client_id": client["client_id"],
            "client_secret": client["client_secret"], "scope": CORE}  # fmt: skip
    narrowed = await api.post("/oauth/token", content=_form(form), headers=FORM)
    assert narrowed.status_code == 200 and narrowed.json()["scope"] == CORE


async def test_token_errors_follow_rfc_6749(api: AsyncTestClient[Litestar], schools: tuple[School, School]) -> None:
    client = await new_client(api, schools[0], [CORE])
    wrong = await api.post("/oauth/token", content=_form({"grant_type": "client_credentials"}),
                           headers=basic(client["client_id"], "wrong"))  # fmt: skip
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert wrong.headers["www-authenticate"].startswith("Basic")
    unknown = await api.post("/oauth/token", content=_form({"grant_type": "client_credentials"}),
                             headers=basic("pc_nobody", "x"))  # fmt: skip
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    grant = await get_token(api, client, grant_type="password")
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    scope = await get_token(api, client, scope=IMPORT_SCOPE)
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"
    json_body = await api.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert json_body.status_code == 400 and json_body.json()["error"] == "invalid_request"


async def test_a_token_request_gets_the_granted_subset_of_the_scopes_it_asks_for(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    """RFC 6749 section 3.3: asking for more than the client holds is no error;
    the token carries what was granted and `scope` says so."""
    gradebook = "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly"
    client = await new_client(api, schools[0], [CORE, gradebook])
    asked = f"{CORE} {gradebook} https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.delete {IMPORT_SCOPE}"
    response = await get_token(api, client, scope=asked)
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == " ".join(sorted([CORE, gradebook])), "the granted subset, said in `scope`"
    claims = jwt.decode(response.json()["access_token"], SECRET, algorithms=["HS256"], audience=None)
    assert set(claims["scope"].split()) == {CORE, gradebook}, "the token carries exactly the granted scopes"


ASSESSMENT_READ = "https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.readonly"
GRADEBOOK_SCOPES = [
    f"https://purl.imsglobal.org/spec/or/v1p2/scope/{s}"
    for s in ("gradebook.readonly", "gradebook-core.readonly", "gradebook.createput", "gradebook.createpost",
              "gradebook.delete")
]  # fmt: skip


async def test_an_admin_can_grant_every_gradebook_scope(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    """Every Gradebook scope of OneRoster 1.2's securitySchemes (OAuth2CC), m0058."""
    client = await new_client(api, schools[0], [*GRADEBOOK_SCOPES, ASSESSMENT_READ])
    assert set(client["scopes"]) == {*GRADEBOOK_SCOPES, ASSESSMENT_READ}
    listed = await api.get(f"/partner_clients?select=scopes&client_id=eq.{client['client_id']}",
                           headers=as_role("school_admin", schools[0]))
    assert set(listed.json()[0]["scopes"]) == {*GRADEBOOK_SCOPES, ASSESSMENT_READ}, "stored as granted"
    token = await get_token(api, client)
    assert set(token.json()["scope"].split()) == {*GRADEBOOK_SCOPES, ASSESSMENT_READ}, "all in a token asking none"
    assessment = "https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.createput"
    refused = await api.post("/partners/clients", json={"name": "x", "scopes": [assessment]},
                             headers=as_role("school_admin", schools[0]))  # fmt: skip
    assert refused.status_code == 400 and refused.json()["code"] == "SDA411", "no assessment write is served"


async def test_a_gradebook_token_request_gets_the_granted_subset(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    """RFC 6749 section 3.3 with Gradebook scopes: a client granted
    gradebook-core.readonly and createpost, asking for every gradebook scope
    (and roster.readonly), gets those two and `scope` names them."""
    core, createpost = GRADEBOOK_SCOPES[1], GRADEBOOK_SCOPES[3]
    client = await new_client(api, schools[0], [core, createpost])
    roster = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"
    response = await get_token(api, client, scope=" ".join([roster, *GRADEBOOK_SCOPES]))
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == " ".join(sorted([core, createpost]))
    claims = jwt.decode(response.json()["access_token"], SECRET, algorithms=["HS256"], audience=None)
    assert claims["scope"] == " ".join(sorted([core, createpost])), "the token carries exactly those"
    none = await get_token(api, client, scope=GRADEBOOK_SCOPES[0])
    assert none.status_code == 400 and none.json()["error"] == "invalid_scope", "none of the client's: an error"


async def test_rotation_replaces_the_secret(api: AsyncTestClient[Litestar], schools: tuple[School, School]) -> None:
    school = schools[0]
    client = await new_client(api, school)
    rotated = await api.post(f"/partners/clients/{client['client_id']}/rotate", headers=as_role("school_admin", school))
    assert rotated.status_code == 200 and rotated.json()["client_secret"] != client["client_secret"]
    assert (await get_token(api, client)).status_code == 401, "the old secret stops working"
    assert (await get_token(api, rotated.json())).status_code == 200, "the new one works"
    other = await api.post(f"/partners/clients/{client['client_id']}/rotate", headers=as_role("school_admin", schools[1]))
    assert other.status_code == 404, "another school's admin cannot touch the client"


async def test_a_revoked_client_is_refused_at_once_with_a_token_already_issued(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    school = schools[0]
    client = await new_client(api, school)
    issued = (await get_token(api, client)).json()["access_token"]
    bearer = {"Authorization": f"Bearer {issued}"}
    assert (await api.get("/students", headers=bearer)).json(), "before: the roster is visible"

    other = await api.post(f"/partners/clients/{client['client_id']}/revoke", headers=as_role("school_admin", schools[1]))
    assert other.status_code == 404, "only the client's own school revokes it"
    revoked = await api.post(f"/partners/clients/{client['client_id']}/revoke", headers=as_role("school_admin", school))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]

    assert (await api.get("/students", headers=bearer)).json() == [], "after: the same token sees nothing"
    assert (await api.get("/schools", headers=bearer)).json() == []
    write = await api.post("/subjects", json={"school_id": str(school.id), "name": "Revoked"}, headers=bearer)
    assert write.status_code in (401, 403), "and writes nothing"
    assert (await get_token(api, client)).status_code == 401, "and gets no new token"
