"""One PostgreSQL per test run, migrated once; each test gets a rolled-back transaction.

Which server, in order (the foundation's rule, DESIGN.md):
1. DATABASE_URL, when set (an admin URL; a throw-away database is created on it);
2. a testcontainers postgres:18 when a Docker engine answers;
3. an embedded PostgreSQL 18 in a fresh temporary data directory.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from db.database import scratch_database, start_embedded
from tests.pgbouncer import Bouncer

POSTGRES_IMAGE = "postgres:18.1"

# The suite drives one partner client and a few schools far faster than a real
# sync or a school's staff would: the default rate limits (README "Limits")
# would refuse it. tests/gateway/test_http_fairness.py tests the limits with
# settings of its own; a value set in the environment still wins.
os.environ.setdefault("RATE_LIMIT", "100000")
os.environ.setdefault("PARTNER_RATE_LIMIT", "100000")
os.environ.setdefault("SCHOOL_CONCURRENCY", "1000")
os.environ.setdefault("LOGIN_RATE_LIMIT", "100000")
os.environ.setdefault("OAUTH_RATE_LIMIT", "100000")
os.environ.setdefault("IMPORT_RATE_LIMIT", "100000")
os.environ.setdefault("IMPORT_CONCURRENCY", "1000")


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:  # no engine, no socket, no permission: all mean "not here"
        return False
    return True


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Admin URL of a PostgreSQL server this run may create databases on."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
    elif _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer(POSTGRES_IMAGE, driver=None) as container:
            yield container.get_connection_url()
    else:
        pgdata = Path(tempfile.mkdtemp(prefix="school-test-")) / "pgdata"
        yield start_embedded(pgdata, delete_on_exit=True)


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    """Admin URL of a fresh database migrated to head, dropped at the end."""
    async with scratch_database(server_url, "school_test") as url:
        os.environ["DATABASE_URL"] = url  # everything this run starts uses it
        from db.migrate import migrate

        await migrate()
        yield url
        await asyncio.sleep(0)


@pytest.fixture
async def admin(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection whose work is rolled back after the test."""
    connection = await asyncpg.connect(database_url)
    transaction = connection.transaction()
    await transaction.start()
    try:
        yield connection
    finally:
        await transaction.rollback()
        await connection.close()


@pytest.fixture(scope="session")
def bouncer(server_url: str) -> Iterator[Bouncer]:
    """PgBouncer in transaction mode in front of the run's server (tests/pgbouncer.py);
    its client logins are the admin URL's and `authenticator`."""
    from db.database import with_user
    from tests.pgbouncer import pgbouncer

    authenticator = with_user(server_url, "authenticator", os.environ.get("AUTHENTICATOR_PASSWORD"))
    # Four server connections per database and login: fewer than the gateways'
    # pooled connections, so a test sees transactions share them.
    with pgbouncer(server_url, [authenticator], pool_size=4) as running:
        yield running


@pytest.fixture(scope="session")
def authenticator_url(request: pytest.FixtureRequest, database_url: str) -> str:
    """The gateway's login on the run's database: through PgBouncer with PGBOUNCER=1
    (then connect with statement_cache_size=0, see tests/pgbouncer.py), else direct."""
    from db.database import with_user
    from tests.pgbouncer import enabled

    direct = with_user(database_url, "authenticator")
    return request.getfixturevalue("bouncer").url(direct) if enabled() else direct
