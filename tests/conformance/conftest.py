"""Fixtures of the conformance suites: PostgREST's spec fixtures in a scratch
database, served by the gateway (in process) and by the real PostgREST
12.0.2; and the real PostgREST beside the gateway on this project's own
migrated test database (the differential test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from db.database import scratch_database, with_user
from gateway.app import create_app
from gateway.http.config import Settings
from gateway.http.limits import FairShareConfig
from gateway.identity.auth import AuthConfig
from tests.conformance.postgrest import running_postgrest
from tests.conformance.spec.fixtures import load_fixtures
from tests.gateway.http_support import MAX_ROWS, SECRET, api, committer_session, gateway_app, schools  # noqa: F401

# PostgREST's test configuration (test/spec/SpecHelper.hs, baseCfg).
SPEC_SECRET = "reallyreallyreallyreallyverysafe"
SPEC_POSTGREST = {
    "db_schemas": "test",
    "db_anon_role": "postgrest_test_anonymous",
    "jwt_secret": SPEC_SECRET,
    "db_pre_request": "test.switch_role",
    "db_tx_end": "rollback-allow-override",
    "db_aggregates_enabled": "true",
    "app_settings_app_host": "localhost",
    "app_settings_external_api_secret": "0123456789abcdef",
    "log_level": "crit",
}


class SpecDatabase:
    def __init__(self, url: str, errors: list[str]) -> None:
        self.url, self.errors = url, errors


@pytest.fixture(scope="session")
async def spec_database(server_url: str, database_url: str) -> AsyncIterator[SpecDatabase]:
    """PostgREST's fixtures loaded into a database of their own (`database_url`
    first: the migration creates the cluster's `anon` and `authenticator`)."""
    async with scratch_database(server_url, "postgrest_spec") as url:
        yield SpecDatabase(url, load_fixtures(url))


def spec_settings(url: str, **overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "database_url": with_user(url, "authenticator"),
        "pool_min_size": 1,
        "pool_max_size": 4,
        "db_schema": "test",
        "max_rows": 1_000_000,  # PostgREST's test configuration has no db-max-rows
        "aggregates_roles": ("anon", "school_admin"),
        "auth": AuthConfig(jwt_secret=SPEC_SECRET),
        # PostgREST has no per-school rate limits: the spec's requests come from
        # one anonymous "school" far faster than RATE_LIMIT allows.
        "fair_share": FairShareConfig(rate=1_000_000, partner_rate=1_000_000, login_rate=1_000_000, token_rate=1_000_000),
        # As SPEC_POSTGREST's app_settings_* (PostgREST's app.settings.*).
        "app_settings": (("app_host", "localhost"), ("external_api_secret", "0123456789abcdef")),
        "db_set_search_path": True,  # its functions name their tables unqualified
    }
    return Settings(**(fields | overrides))


@pytest.fixture(scope="session")
async def spec_gateway(spec_database: SpecDatabase) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """This gateway serving the fixtures' `test` schema, in process."""
    async with AsyncTestClient(create_app(spec_settings(spec_database.url))) as client:
        yield client


@pytest.fixture(scope="session")
def spec_postgrest(spec_database: SpecDatabase) -> Iterator[httpx.AsyncClient]:
    """The real PostgREST 12.0.2 serving the same database as in its own test suite."""
    with running_postgrest(with_user(spec_database.url, "authenticator"), **SPEC_POSTGREST) as url:
        yield httpx.AsyncClient(base_url=url)


@pytest.fixture(scope="session")
def reference(database_url: str) -> Iterator[httpx.AsyncClient]:
    """The real PostgREST 12.0.2 on this project's migrated test database, with
    the gateway's roles, schema and JWT secret (tests.gateway.http_support)."""
    settings = {
        "db_schemas": "api",
        "db_anon_role": "anon",
        "jwt_secret": SECRET,
        # Writes of the corpus ask `Prefer: tx=rollback` of both servers.
        "db_tx_end": "commit-allow-override",
        "db_aggregates_enabled": "true",
        "db_max_rows": str(MAX_ROWS),  # as the gateway's test app (http_support.settings_for)
        "log_level": "crit",
    }
    with running_postgrest(with_user(database_url, "authenticator"), **settings) as url:
        yield httpx.AsyncClient(base_url=url)
