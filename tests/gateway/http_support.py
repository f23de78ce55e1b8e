"""Shared pieces of the HTTP integration tests: the real app on the run's
migrated database (as `authenticator`), tokens for every role of two schools,
and the one helper that pins the error shape.

Fixtures live here rather than in a conftest (other suites share the
directory); test modules import the ones they use.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import jwt
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from db.database import with_user
from gateway.app import create_app
from gateway.http.config import Settings
from gateway.http.limits import FairShareConfig
from gateway.identity.auth import AuthConfig
from tests.factories import School, make_school
from tests.roster.schema_check import check_response

SECRET = "gateway-http-tests-secret-0123456789abcdef"
ORIGIN = "https://dashboard.example"
MAX_ROWS = 50
ERROR_KEYS = {"code", "message", "details", "hint"}
# Words that only SQL text would put in an error body.
SQL_WORDS = ("select coalesce", "::text::", "pgrst_", "json_agg", "$1", 'from "api"')


UNLIMITED = FairShareConfig(
    school_concurrency=1_000, rate=1_000_000, partner_rate=1_000_000, login_rate=1_000_000, token_rate=1_000_000,
    import_rate=1_000_000, import_concurrency=1_000,
)


def settings_for(database_url: str, **overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "database_url": with_user(database_url, "authenticator"),
        "pool_min_size": 1,
        "pool_max_size": 8,
        "max_rows": MAX_ROWS,
        "cors_origins": (ORIGIN,),
        "auth": AuthConfig(jwt_secret=SECRET),
        # Tests send one school's and one partner's requests faster than any real
        # client; the rate limits are tested with settings of their own
        # (test_http_fairness.py), so here they stay out of the way.
        "fair_share": UNLIMITED,
    }
    return Settings(**(fields | overrides))


def token(role: str, school: School | None = None, sub: UUID | str | None = None, **claims: Any) -> str:
    payload: dict[str, Any] = {"role": role, "exp": int(time.time()) + 600, **claims}
    if school is not None:
        payload["school_id"] = str(school.id)
    if sub is not None:
        payload["sub"] = str(sub)
    return jwt.encode(payload, SECRET, algorithm="HS256")


def as_role(role: str, school: School, **headers: str) -> dict[str, str]:
    """Authorization for `role` in `school`, as the login the factory made for it."""
    subs: dict[str, UUID | str] = {
        "school_admin": school.admin_user,
        "teacher": school.teacher_user,
        "parent": school.parent_user,
        "student": school.student_user,
        "partner_sync": "partner-client-1",
    }
    return {"Authorization": f"Bearer {token(role, school, subs[role])}", **headers}


async def get_ok(api: AsyncTestClient[Litestar], path: str, school: School, role: str = "school_admin") -> Any:
    """The JSON of a GET as `role` of `school`, which must answer 200."""
    response = await api.get(path, headers=as_role(role, school))
    assert response.status_code == 200, response.text
    return response.json()


def assert_canonical_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Every error: the status, PostgREST's four keys and nothing else, JSON,
    a request id, and no SQL text."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers.get("x-request-id")
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    if code is not None:
        assert body["code"] == code, body
    text = response.text.lower()
    assert not any(word.lower() in text for word in SQL_WORDS), f"SQL leaked: {response.text}"
    return body


@pytest.fixture(scope="session")
async def committer_session(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection in autocommit, for the session's fixtures."""
    connection = await asyncpg.connect(database_url)
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
async def schools(committer_session: asyncpg.Connection) -> tuple[School, School]:
    """Two schools with a login for every role (tests.factories.make_school)."""
    return await make_school(committer_session), await make_school(committer_session)


@pytest.fixture(scope="session")
def gateway_app(database_url: str) -> Litestar:
    return create_app(settings_for(database_url))


@pytest.fixture(scope="session")
async def api(gateway_app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app in process (ASGI, lifespan run: pool and schema cache loaded)."""
    async with AsyncTestClient(gateway_app) as client:
        # Every OneRoster REST answer is checked against 1EdTech's schemas.
        client.event_hooks["response"].append(check_response)
        yield client
