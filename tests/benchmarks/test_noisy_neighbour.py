"""On demand: school A floods the gateway while school B runs a steady
workload (issue 13). Reports B's errors and p50/p99 in phases of the same
run: quiet, A flooding with the fair share on (SCHOOL_CONCURRENCY 2, then 1),
and A flooding with it off (SCHOOL_CONCURRENCY and the rates set past
anything A sends). Run with:

    pytest -m benchmark tests/benchmarks/test_noisy_neighbour.py -s

A's flood: FLOODERS concurrent loops of heavy reads (1,000 rows with an
embed, counted exactly), IMPORTERS loops uploading a OneRoster zip of
IMPORT_USERS users (dry runs: validated in full, nothing merged; under the
default IMPORT_RATE_LIMIT and IMPORT_CONCURRENCY), and A's reporting login
holding what it can: the advisory key imports used to wait on, and a long read
in an open transaction.
The gateway runs under uvicorn in a thread of this process, so client and
server share the CPU; figures are ratios within one run.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from typing import Any

import asyncpg
import httpx
import pytest

from db.database import with_user
from gateway.app import create_app
from gateway.http.limits import FairShareConfig
from tests.factories import School, make_school
from tests.gateway.http_support import as_role, settings_for
from tests.gateway.test_http_socket import running
from tests.roster.import_support import ZIP
from tests.roster.oneroster_zip import build_zip, synthetic_roster
from tests.roster.test_import import partner

PHASE_SECONDS = 8.0
FLOODERS = 24
STEADY = 2  # B's concurrent clients, one request at a time each
IMPORTERS = 2
IMPORT_USERS = 3000


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


async def _flood(client: httpx.AsyncClient, a: School, stop: float, statuses: dict[int, int]) -> None:
    headers = as_role("school_admin", a, Prefer="count=exact")
    while time.monotonic() < stop:
        response = await client.get("/students?select=*,classes(*)&order=last_name.desc&limit=1000", headers=headers)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code == 429:
            await asyncio.sleep(0.01)


async def _import(client: httpx.AsyncClient, a: School, data: bytes, stop: float, statuses: dict[str, int]) -> None:
    headers = {**partner(a), **ZIP}
    while time.monotonic() < stop:
        response = await client.post("/ims/oneroster/import?dry_run=true", content=data, headers=headers)
        key = f"import {response.status_code}"
        statuses[key] = statuses.get(key, 0) + 1
        await asyncio.sleep(0.2)


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


async def _phase(
    url: str, database_url: str, a: School, b: School, *, noisy: bool, data: bytes = b""
) -> dict[str, Any]:
    statuses: dict[Any, int] = {}
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=64)) as client:
        stop = time.monotonic() + PHASE_SECONDS
        noise = [_flood(client, a, stop, statuses) for _ in range(FLOODERS if noisy else 0)]
        if noisy:
            noise.append(_hold(database_url, a, b, stop))
            noise.extend(_import(client, a, data, stop, statuses) for _ in range(IMPORTERS))
        results = await asyncio.gather(*(_steady(client, b, stop) for _ in range(STEADY)), *noise)
    latencies = sorted(x for lat, _ in results[:STEADY] for x in lat)
    errors = [e for _, errs in results[:STEADY] for e in errs]
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "a_statuses": statuses,
    }


@pytest.mark.benchmark
async def test_school_b_is_not_slowed_by_school_a(database_url: str) -> None:
    a, b = await _setup(database_url)
    data = build_zip(synthetic_roster(IMPORT_USERS, 60, IMPORT_USERS * 2, secrets.token_hex(3), org=f"org-nn-{a.id}"))
    fair = settings_for(database_url, fair_share=FairShareConfig(school_concurrency=2, queue_wait=0.5, rate=1000))
    one = settings_for(database_url, fair_share=FairShareConfig(school_concurrency=1, queue_wait=0.5, rate=1000))
    unfair = settings_for(database_url, fair_share=FairShareConfig(
        school_concurrency=1000, rate=100000, import_rate=100000, import_concurrency=1000))  # fmt: skip
    with running(create_app(fair)) as url:
        await _phase(url, database_url, a, b, noisy=False)  # warm-up
        quiet = await _phase(url, database_url, a, b, noisy=False)
        noisy = await _phase(url, database_url, a, b, noisy=True, data=data)
    with running(create_app(one)) as url:
        await _phase(url, database_url, a, b, noisy=False)
        noisy_one = await _phase(url, database_url, a, b, noisy=True, data=data)
    with running(create_app(unfair)) as url:
        await _phase(url, database_url, a, b, noisy=False)
        without = await _phase(url, database_url, a, b, noisy=True, data=data)
    print(f"\nquiet: {quiet}\nA flooding, fair share on (2): {noisy}\nA flooding, fair share on (1): {noisy_one}"
          f"\nA flooding, fair share off: {without}")  # fmt: skip
    print(f"B p99 noisy/quiet: {noisy['p99_ms'] / quiet['p99_ms']:.2f}, SCHOOL_CONCURRENCY=1: "
          f"{noisy_one['p99_ms'] / quiet['p99_ms']:.2f} (off: {without['p99_ms'] / quiet['p99_ms']:.2f})")  # fmt: skip
    assert noisy["errors"] == 0, noisy
    assert noisy_one["errors"] == 0, noisy_one
