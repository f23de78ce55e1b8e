"""On demand: a 100-row OneRoster page at any offset against the PostgREST-style
route for the same rows, in the same run (issue 17: within 2x). Run with:

    pytest -m benchmark tests/benchmarks/test_oneroster_paging.py -s

One school of PAGING_STUDENTS (100,000) students without partner sourcedIds,
so OneRoster's sourcedId is the row id and `/students?order=id` walks the same
rows in the same order (uuid order is its text order under the database's
C.UTF-8 collation). Both routes are asked in process (the app under httpx's
ASGI transport) as the school's admin; each figure is the median of
PAGING_REPEATS (7) requests after one warm-up. X-Total-Count is part of every
OneRoster answer; the PostgREST route is asked without a count, as a client
paging it would.
"""

from __future__ import annotations

import os
import statistics
import time

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.factories import make_school
from tests.gateway.http_support import as_role, settings_for

STUDENTS = int(os.environ.get("PAGING_STUDENTS", "100000"))
REPEATS = int(os.environ.get("PAGING_REPEATS", "7"))
OR = "/ims/oneroster/rostering/v1p2"


@pytest.mark.benchmark
async def test_oneroster_pages_against_the_postgrest_route(database_url: str) -> None:
    admin = await asyncpg.connect(database_url)
    try:
        school = await make_school(admin)
        started = time.perf_counter()
        await admin.execute(
            """insert into data.students (school_id, student_number, first_name, last_name)
               select $1, 'P' || lpad(g::text, 7, '0'), 'Pat', 'Pager' || g from generate_series(1, $2) g""",
            school.id, STUDENTS,
        )  # fmt: skip
        await admin.execute("analyze data.students")
        print(f"\n{STUDENTS} students seeded in {time.perf_counter() - started:.1f} s")
    finally:
        await admin.close()
    headers = as_role("school_admin", school)
    total = STUDENTS + 2  # the factory school's own two students
    async with AsyncTestClient(create_app(settings_for(database_url, max_rows=1000))) as api:

        async def timed(path: str) -> float:
            await api.get(path, headers=headers)
            times = []
            for _ in range(REPEATS):
                began = time.perf_counter()
                response = await api.get(path, headers=headers)
                times.append(time.perf_counter() - began)
                assert response.status_code in (200, 206), response.text[:300]
            return statistics.median(times) * 1000

        rows = []
        for limit, offset in ((100, 0), (1, 0), (100, total // 2), (100, total - 100)):
            ours = await timed(f"{OR}/students?limit={limit}&offset={offset}")
            theirs = await timed(f"/students?select=id,student_number,first_name,last_name&order=id"
                                 f"&limit={limit}&offset={offset}")  # fmt: skip
            rows.append((limit, offset, ours, theirs))
        same = (await api.get(f"{OR}/students?limit=100&offset={total // 2}", headers=headers)).json()["users"]
        plain = (await api.get(f"/students?select=id&order=id&limit=100&offset={total // 2}", headers=headers)).json()
        assert [u["sourcedId"] for u in same] == [s["id"] for s in plain], "both routes page the same rows"
    print(f"{'limit':>6} {'offset':>8} {'OneRoster ms':>13} {'/students ms':>13} {'ratio':>6}")
    for limit, offset, ours, theirs in rows:
        print(f"{limit:>6} {offset:>8} {ours:>13.1f} {theirs:>13.1f} {ours / theirs:>6.1f}")
    print(f"load average {os.getloadavg()[0]:.1f}")
