"""On demand: a OneRoster 1.2 CSV import of a large school (100,000 users,
4,000 classes, 300,000 enrollments): the first bulk load, the same zip again
(nothing changes), and a 1% delta. Targets on a 2-core machine: first load
under 15 s, re-import under 5 s. Run with:

    pytest -m benchmark tests/benchmarks/test_oneroster_import.py -s
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from gateway.roster_import.run import Caller, execute_run, start_run
from tests.factories import make_school
from tests.roster.oneroster_zip import build_zip, synthetic_roster

USERS, CLASSES, ENROLLMENTS = 100_000, 4_000, 300_000


@pytest.mark.benchmark
async def test_oneroster_import_of_a_large_school(database_url: str) -> None:
    setup = await asyncpg.connect(database_url)
    school = await make_school(setup)

    @asynccontextmanager
    async def connect() -> AsyncIterator[asyncpg.Connection]:
        connection = await asyncpg.connect(database_url)
        try:
            yield connection
        finally:
            await connection.close()

    caller = Caller(role="school_admin", claims=json.dumps({"role": "school_admin", "school_id": str(school.id), "sub": "bench"}))

    async def run(data: bytes) -> tuple[float, dict]:
        started = time.perf_counter()
        run_id = await start_run(connect, caller, data, dry_run=False, source="CLI")
        report = await execute_run(connect, caller, run_id, data, dry_run=False)
        return time.perf_counter() - started, report

    tag = secrets.token_hex(3)
    built = time.perf_counter()
    roster = synthetic_roster(USERS, CLASSES, ENROLLMENTS, tag)
    data = build_zip(roster)
    print(f"\nzip: {len(data) / 1e6:.1f} MB, built in {time.perf_counter() - built:.1f} s")
    try:
        first, report = await run(data)
        assert report["status"] == "APPLIED", report.get("rejected", [])[:5] or report.get("error")
        print(f"first bulk load: {first:.1f} s  {report['totals']}")
        again, report = await run(data)
        assert report["totals"]["inserted"] == report["totals"]["updated"] == report["totals"]["deactivated"] == 0
        print(f"unchanged re-import: {again:.1f} s  {report['totals']}")
        changed = [dict(u, status="active", dateLastModified="2026-11-26T12:00:00Z", givenName=u["givenName"] + "x")
                   for u in roster["users"][: USERS // 100]]  # fmt: skip
        delta, report = await run(build_zip({"users": changed}, {"users": "delta"}))
        assert report["totals"]["updated"] == USERS // 100, report["totals"]
        print(f"1% delta ({USERS // 100} users): {delta:.1f} s  {report['totals']}")
    finally:
        await setup.close()
