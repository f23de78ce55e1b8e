"""On demand: the Gradebook CSV files of a school of 5,000 users, 200 classes
and 20,000 enrollments: 1,000 line items (5 a class) and 100,000 results
(one per student enrollment and line item). In one run and database: the
roster alone into one school, the roster with its gradebook into another
(the difference is the gradebook's cost), the same zip again (nothing
changes), and a ceiling: the school's assignments and grades COPYed into bare
tables of the same shapes (no triggers, checks, foreign keys or audit), as in
test_oneroster_import.py. Run with:

    pytest -m benchmark tests/benchmarks/test_oneroster_gradebook_import.py -s
"""

from __future__ import annotations

import io
import json
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from gateway.roster_import.run import Caller, execute_run, start_run
from tests.factories import make_school
from tests.roster.oneroster_zip import Rows, build_zip, synthetic_roster

USERS, CLASSES, ENROLLMENTS, ITEMS_PER_CLASS = 5_000, 200, 20_000, 5


def gradebook(roster: dict[str, Rows]) -> dict[str, Rows]:
    items = [{"sourcedId": f"li{k}-{i}", "title": f"Item {i}", "assignDate": "2026-10-01", "dueDate": "2026-10-08",
              "classSourcedId": f"k{k}", "categorySourcedId": "type:homework", "resultValueMax": "20"}
             for k in range(CLASSES) for i in range(ITEMS_PER_CLASS)]  # fmt: skip
    results = [{"sourcedId": f"r{e['sourcedId']}-{i}", "lineItemSourcedId": f"li{e['classSourcedId'][1:]}-{i}",
                "studentSourcedId": e["userSourcedId"], "scoreStatus": "fully graded", "score": str(n % 21),
                "scoreDate": "2026-10-09"}
               for n, e in enumerate(roster["enrollments"]) if e["role"] == "student"
               for i in range(ITEMS_PER_CLASS)]  # fmt: skip
    return {"lineItems": items, "results": results}


async def ceiling(db: asyncpg.Connection, school: UUID) -> float:
    dumps: dict[str, bytes] = {}
    for table in ("assignments", "grades"):
        out = io.BytesIO()
        await db.copy_from_query(f"select * from data.{table} where school_id = $1", school, output=out)
        dumps[table] = out.getvalue()
        await db.execute("create schema if not exists bench_gb_ceiling")
        await db.execute(f"drop table if exists bench_gb_ceiling.{table}")
        await db.execute(f"create table bench_gb_ceiling.{table} (like data.{table} including defaults including indexes)")
    await db.execute("checkpoint")
    started = time.perf_counter()
    async with db.transaction():
        for table, data in dumps.items():
            await db.copy_to_table(table, schema_name="bench_gb_ceiling", source=io.BytesIO(data))
    took = time.perf_counter() - started
    await db.execute("drop schema bench_gb_ceiling cascade")
    return took


@pytest.mark.benchmark
async def test_gradebook_import_of_a_school(database_url: str) -> None:
    setup = await asyncpg.connect(database_url)

    @asynccontextmanager
    async def connect() -> AsyncIterator[asyncpg.Connection]:
        connection = await asyncpg.connect(database_url)
        try:
            yield connection
        finally:
            await connection.close()

    async def run(school: UUID, data: bytes) -> tuple[float, dict[str, Any]]:
        claims = {"role": "school_admin", "school_id": str(school), "sub": "bench"}
        caller = Caller(role="school_admin", claims=json.dumps(claims))
        started = time.perf_counter()
        run_id = await start_run(connect, caller, data, dry_run=False, source="CLI")
        report = await execute_run(connect, caller, run_id, data, dry_run=False)
        assert report["status"] == "APPLIED", report.get("rejected", [])[:5] or report.get("error")
        return time.perf_counter() - started, report

    try:
        roster = synthetic_roster(USERS, CLASSES, ENROLLMENTS, secrets.token_hex(3))
        book = gradebook(roster)
        alone, _ = await run((await make_school(setup)).id, build_zip(roster))
        school = (await make_school(setup)).id
        roster_b = {**roster, "orgs": [{**roster["orgs"][0], "sourcedId": roster["orgs"][0]["sourcedId"] + "b"}]}
        for rows in ("courses", "classes", "enrollments", "roles"):
            key = "orgSourcedId" if rows in ("courses", "roles") else "schoolSourcedId"
            roster_b[rows] = [{**r, key: roster_b["orgs"][0]["sourcedId"]} for r in roster[rows]]
        data = build_zip({**roster_b, **book})
        both, report = await run(school, data)
        assert report["files"]["results.csv"]["inserted"] == len(book["results"])
        again, report = await run(school, data)
        assert report["totals"]["inserted"] == report["totals"]["updated"] == report["totals"]["deactivated"] == 0
        bare = await ceiling(setup, school)
        rows = len(book["lineItems"]) + len(book["results"])
        print(f"\nroster alone {alone:.1f} s; roster + gradebook ({rows} rows) {both:.1f} s: gradebook "
              f"{both - alone:.1f} s = {(both - alone) / bare:.1f}x its ceiling ({bare:.2f} s); "
              f"unchanged re-import {again:.1f} s")  # fmt: skip
    finally:
        await setup.close()
