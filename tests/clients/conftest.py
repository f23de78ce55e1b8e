"""The clients' view: the real gateway, as a user starts it, over a real socket.

One database of this suite's own on the run's server (tests/conftest.py's
`server_url`), seeded with the demo data by `python -m gateway seed` (the
seed loads into an empty database only, and the run's shared database holds
the other suites' factory schools). Then `python -m gateway serve` in a
subprocess on 127.0.0.1 and a free port, with JWT_SECRET and CORS_ORIGINS set,
exactly as README tells a user to run it. Tokens come from POST /auth/login
with the demo logins (db/seed: <role><n>@<school>.demo, password
"demo-password"); every check of a result reads the database through an admin
(superuser) asyncpg connection, which RLS does not filter.

The clients' tests write to the demo data; each one writes rows of its own
(unique numbers per test) so that the suites do not depend on each other's order.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from db.database import scratch_database, with_user
from db.seed.logins import DEMO_PASSWORD
from tests.http_process import free_port, http_process
from tests.pgbouncer import enabled as pgbouncer_enabled

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
# The origin the react-admin page is served from is only known once its static
# server is up; the gateway allows any origin here (CORS is not under test).
CORS_ORIGINS = "*"
ADMIN_EMAIL = "admin@northside.demo"
OTHER_ADMIN_EMAIL = "admin@riverside.demo"
TEACHER_EMAIL = "teacher1@northside.demo"
START_TIMEOUT = 90.0


@dataclass(frozen=True)
class Gateway:
    """The running gateway: its base URL, the suite's database, and logins."""

    url: str
    database_url: str
    login: Callable[[str], str]  # email -> access token (demo password)

    def bearer(self, email: str = ADMIN_EMAIL) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.login(email)}"}


def _gateway_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AUTHENTICATOR_URL", "JWT_SECRET")}
    return env | {"DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"} | extra


@pytest.fixture(scope="session")
async def demo_database(server_url: str) -> AsyncIterator[str]:
    """Admin URL of a database of this suite's own, migrated and seeded with the
    demo by the CLI (`python -m gateway seed`), dropped at the end."""
    async with scratch_database(server_url, "school_clients") as url:
        seed = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", "seed", cwd=REPO, env=_gateway_env(url),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output = (await asyncio.wait_for(seed.communicate(), timeout=300))[0].decode()
        assert seed.returncode == 0, f"`python -m gateway seed` failed:\n{output}"
        assert ADMIN_EMAIL in output, output
        yield url


def _through_pgbouncer(request: pytest.FixtureRequest, demo_database: str) -> dict[str, str]:
    """With PGBOUNCER=1: the gateway's login through PgBouncer in transaction
    mode, as README's "Scale-out" says to run it (two workers, no statement
    cache, LISTEN on PostgreSQL itself); otherwise nothing changes."""
    if not pgbouncer_enabled():
        return {}
    direct = with_user(demo_database, "authenticator")
    return {
        "AUTHENTICATOR_URL": request.getfixturevalue("bouncer").url(direct),
        "DB_CHANNEL_URL": direct,
        "DB_STATEMENT_CACHE_SIZE": "0",
    }


@pytest.fixture(scope="session")
def gateway(
    demo_database: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Gateway]:
    """`python -m gateway serve` on 127.0.0.1 and a free port, until the session ends."""
    port = free_port()
    bounced = _through_pgbouncer(request, demo_database)
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("gateway") / "serve.log"
    env = _gateway_env(
        demo_database,
        JWT_SECRET=secrets.token_urlsafe(48),
        # Tokens are cached for the session: an hour outlives any run (default 15 min might not).
        JWT_ACCESS_TTL="3600",
        CORS_ORIGINS=CORS_ORIGINS,
        DB_POOL_MIN="1",
        DB_POOL_MAX="8",
        LOG_LEVEL="WARNING",
        **bounced,
    )
    workers = ["--workers", "2"] if bounced else []
    command = [sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1", "--port", str(port), *workers]
    with http_process(command, ready_url=f"{url}/health/ready", log_path=log_path, env=env, cwd=REPO,
                      timeout=START_TIMEOUT):  # fmt: skip
        tokens: dict[str, str] = {}

        def login(email: str) -> str:
            if email not in tokens:
                response = httpx.post(f"{url}/auth/login", json={"email": email, "password": DEMO_PASSWORD})
                assert response.status_code == 200, response.text
                tokens[email] = response.json()["access_token"]
            return tokens[email]

        yield Gateway(url=url, database_url=demo_database, login=login)


@pytest.fixture(scope="session")
async def db(demo_database: str) -> AsyncIterator[asyncpg.Connection]:
    """An admin connection to the suite's database (autocommit: it sees what
    the gateway committed), for checking results."""
    connection = await asyncpg.connect(demo_database)
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
async def northside(db: asyncpg.Connection) -> asyncpg.Record:
    """The demo school the admin login belongs to."""
    row = await db.fetchrow(
        "select s.id, s.name from data.schools s join data.users u on u.school_id = s.id where u.email = $1",
        ADMIN_EMAIL,
    )
    assert row is not None
    return row


async def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """Run a client program (node, npm) to the end; its stdout, or a failure with all it printed."""
    process = await asyncio.create_subprocess_exec(
        *args, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"{' '.join(args)} did not finish in {timeout}s") from None
    assert process.returncode == 0, (
        f"{' '.join(args)} exited with {process.returncode}:\n{out.decode()}\n{err.decode()}"
    )
    return out.decode()


async def npm_ci(directory: Path) -> None:
    """The locked Node packages of `directory`, installed once (offline-friendly:
    `npm ci` from the committed package-lock.json, no audit, no fund)."""
    if (directory / "node_modules").is_dir():
        return
    npm = shutil.which("npm")
    assert npm, "npm is missing beside node"
    await run([npm, "ci", "--no-audit", "--no-fund"], directory)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
