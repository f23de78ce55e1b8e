"""On demand: school A floods the gateway while school B runs a steady
workload (issue 13). Reports B's errors and p50/p99, quiet and with A flooding,
for the gateway with its default limits (one worker, then two) and with the
fair share switched off (every limit set past anything A sends). Run with:

    pytest -m benchmark tests/benchmarks/test_noisy_neighbour.py -s

Three programs, so that each has CPU of its own to lose: the gateway as README
runs it (`python -m gateway serve`, pool 16), A's flood
(tests/benchmarks/noisy_flood.py: FLOODERS concurrent loops of heavy reads,
1,000 rows with an embed, counted exactly, and IMPORTERS loops uploading a
OneRoster zip of IMPORT_USERS users as dry runs, validated in full), and this
test: B's STEADY clients, one 20-row page at a time each, and A's reporting
login holding what it can (the advisory key imports used to wait on, and a
long read in an open transaction).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from db.database import with_user
from tests.db.test_code_files import REPO
from tests.factories import School, make_school
from tests.gateway.http_support import SECRET, as_role, token
from tests.http_process import free_port, http_process
from tests.roster.oneroster_zip import build_zip, synthetic_roster
from tests.roster.test_import import IMPORT_SCOPE

PHASE_SECONDS = float(os.environ.get("NOISY_PHASE_SECONDS", "10"))
FLOODERS = 24
STEADY = 2  # B's concurrent clients, one request at a time each
IMPORTERS = 2
IMPORT_USERS = 3000
OFF = {"SCHOOL_CONCURRENCY": "1000", "WORKER_CONCURRENCY": "1000", "RATE_LIMIT": "100000",
       "IMPORT_RATE_LIMIT": "100000", "IMPORT_CONCURRENCY": "1000"}  # fmt: skip


async def _setup(database_url: str) -> tuple[School, School]:
    connection = await asyncpg.connect(database_url)
    try:
        a, b = await make_school(connection), await make_school(connection)
        await connection.execute(
            """insert into data.students (school_id, student_number, first_name, last_name)
               select $1, 'A-' || n, 'Flood', 'Row' || n from generate_series(1, 20000) n""",
            a.id,
        )
        await connection.execute("analyze data.students")
        return a, b
    finally:
        await connection.close()


async def _steady(client: httpx.AsyncClient, b: School, stop: float) -> tuple[list[float], list[int]]:
    latencies: list[float] = []
    errors: list[int] = []
    headers = as_role("school_admin", b)
    while time.monotonic() < stop:
        started = time.perf_counter()
        response = await client.get("/students?select=id,first_name,classes(name)&limit=20", headers=headers)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            errors.append(response.status_code)
    return latencies, errors


async def _hold(database_url: str, a: School, b: School, stop: float) -> None:
    """A's reporting login holds the old import key of B, and a long read open."""
    admin = await asyncpg.connect(with_user(database_url, "authenticator"))
    password = secrets.token_urlsafe(24)
    async with admin.transaction():
        await admin.execute(
            "select set_config('role', 'school_admin', true), set_config('request.jwt.claims', $1, true)",
            f'{{"role": "school_admin", "school_id": "{a.id}", "sub": "{a.admin_user}"}}',
        )
        name = await admin.fetchval("select api.create_reporting_login($1)", password)
    login = await asyncpg.connect(with_user(database_url, name, password))
    try:
        await login.execute("select pg_advisory_lock(hashtext('data.sync_runs start'), hashtext($1))", str(b.id))
        async with login.transaction():
            await login.execute("select count(*) from api.students")
            while time.monotonic() < stop:
                await asyncio.sleep(0.2)
    finally:
        await login.close()
        async with admin.transaction():
            await admin.execute(
                "select set_config('role', 'school_admin', true), set_config('request.jwt.claims', $1, true)",
                f'{{"role": "school_admin", "school_id": "{a.id}", "sub": "{a.admin_user}"}}',
            )
            await admin.execute("select api.drop_reporting_login()")
        await admin.close()


@contextmanager
def gateway(database_url: str, workers: int, **env: str) -> Iterator[str]:
    port = free_port()
    # Not the suite's own limits (tests/conftest.py lifts them for every test): the gateway's defaults.
    lifted = {"AUTHENTICATOR_URL", "JWT_SECRET", "RATE_LIMIT", "PARTNER_RATE_LIMIT", "SCHOOL_CONCURRENCY",
              "LOGIN_RATE_LIMIT", "OAUTH_RATE_LIMIT", "IMPORT_RATE_LIMIT"}  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if k not in lifted}
    environment |= {"DATABASE_URL": database_url, "JWT_SECRET": SECRET, "DB_POOL_MAX": "16", "LOG_LEVEL": "WARNING",
                    "PYTHONUNBUFFERED": "1", **env}  # fmt: skip
    command = [sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    log = Path(tempfile.mkdtemp(prefix="noisy-")) / "serve.log"
    with http_process(command, ready_url=f"http://127.0.0.1:{port}/health/ready", log_path=log, env=environment,
                      cwd=REPO):  # fmt: skip
        yield f"http://127.0.0.1:{port}"


async def _phase(url: str, database_url: str, a: School, b: School, *, zip_file: Path | None) -> dict[str, Any]:
    """B's figures over PHASE_SECONDS; with `zip_file`, while A floods."""
    flood = None
    if zip_file is not None:
        partner = token("partner_sync", a, "pc_noisy_" + secrets.token_hex(4), scope=IMPORT_SCOPE)
        admin = token("school_admin", a, a.admin_user)
        flood = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.benchmarks.noisy_flood", url, str(PHASE_SECONDS), str(FLOODERS),
            str(IMPORTERS), admin, partner, str(zip_file), cwd=REPO, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        await asyncio.sleep(0.5)  # A is under way before B is measured
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        stop = time.monotonic() + PHASE_SECONDS - (0.5 if flood else 0)
        noise = [_hold(database_url, a, b, stop)] if flood else []
        results = await asyncio.gather(*(_steady(client, b, stop) for _ in range(STEADY)), *noise)
    statuses = json.loads((await flood.communicate())[0]) if flood else {}
    latencies = sorted(x for lat, _ in results[:STEADY] for x in lat)
    errors = [e for _, errs in results[:STEADY] for e in errs]
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 1),
        "a_statuses": statuses,
    }


@pytest.mark.benchmark
async def test_school_b_is_not_slowed_by_school_a(database_url: str, tmp_path: Path) -> None:
    a, b = await _setup(database_url)
    zip_file = tmp_path / "roster.zip"
    zip_file.write_bytes(
        build_zip(synthetic_roster(IMPORT_USERS, 60, IMPORT_USERS * 2, secrets.token_hex(3), org=f"org-nn-{a.id}"))
    )
    load = os.getloadavg()[0]
    rows = []
    for label, workers, env in (("defaults, 1 worker", 1, {}), ("defaults, 2 workers", 2, {}),
                                ("fair share off, 2 workers", 2, OFF)):  # fmt: skip
        with gateway(database_url, workers, **env) as url:
            await _phase(url, database_url, a, b, zip_file=None)  # warm-up
            quiet = await _phase(url, database_url, a, b, zip_file=None)
            noisy = await _phase(url, database_url, a, b, zip_file=zip_file)
        rows.append((label, quiet, noisy))
    print(f"\nnoisy neighbour, {PHASE_SECONDS:.0f} s phases, load average {load:.1f} -> {os.getloadavg()[0]:.1f}")
    print("| gateway | B quiet p50 / p99 | B with A flooding: requests, errors, p50 / p99 | p99 x quiet | A's answers |")
    for label, quiet, noisy in rows:
        print(f"| {label} | {quiet['p50_ms']:.0f} / {quiet['p99_ms']:.0f} ms | {noisy['requests']}, {noisy['errors']}, "
              f"{noisy['p50_ms']:.0f} / {noisy['p99_ms']:.0f} ms | {noisy['p99_ms'] / quiet['p99_ms']:.1f} | "
              f"{noisy['a_statuses']} |")  # fmt: skip
    for label, _, noisy in rows[:2]:
        assert noisy["errors"] == 0, (label, noisy)
