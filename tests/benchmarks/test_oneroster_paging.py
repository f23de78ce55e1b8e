"""On demand: a 100-row OneRoster page at any offset against the PostgREST-style
route for the same rows, in the same run (issue 17: within 2x). Run with:

    pytest -m benchmark tests/benchmarks/test_oneroster_paging.py -s

One school of PAGING_STUDENTS (100,000) students, PAGING_CLASSES (2,000)
classes and one enrollment per student, without partner sourcedIds, so
OneRoster's sourcedId is the row id and `/students?order=id` (`/classes`,
`/enrollments`) walks the same rows in the same order (uuid order is its text
order under the database's C.UTF-8 collation). Both routes are asked in
process (the app under httpx's ASGI transport) as the school's admin; each
figure is the median of PAGING_REPEATS (7) requests after one warm-up.
X-Total-Count is part of every OneRoster answer (counted once, then reused:
gateway/oneroster/counts.py); the PostgREST route is asked without a count,
as a client paging it would.
"""

from __future__ import annotations

import os
import statistics
import time

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.factories import make_school
from tests.gateway.http_support import as_role, settings_for

STUDENTS = int(os.environ.get("PAGING_STUDENTS", "100000"))
CLASSES = int(os.environ.get("PAGING_CLASSES", "2000"))
REPEATS = int(os.environ.get("PAGING_REPEATS", "7"))
# OneRoster collection -> the PostgREST-style route over the same rows.
ROUTES = {
    "students": "/students?select=id,student_number,first_name,last_name&order=id",
    "users": "/students?select=id,student_number,first_name,last_name&order=id",
    "classes": "/classes?select=id,name&order=id",
    "enrollments": "/enrollments?select=id,student_id,class_id&order=id",
}
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
        await admin.execute(
            "insert into data.classes (school_id, name, academic_year) "
            "select $1, 'Paging ' || g, '2026-2027' from generate_series(1, $2) g",
            school.id, CLASSES,
        )  # fmt: skip
        await admin.execute(
            """insert into data.enrollments (school_id, student_id, class_id, enrollment_date)
               select $1, s.id, c.id, current_date
               from (select id, row_number() over (order by id) % $2 as k from data.students
                     where school_id = $1 and student_number like 'P%') s
               join (select id, row_number() over (order by id) % $2 as k from data.classes
                     where school_id = $1 and name like 'Paging %') c using (k)""",
            school.id, CLASSES,
        )  # fmt: skip
        await admin.execute("analyze data.students; analyze data.classes; analyze data.enrollments")
        print(f"\n{STUDENTS} students seeded in {time.perf_counter() - started:.1f} s")
    finally:
        await admin.close()
    headers = as_role("school_admin", school)
    # `exact` counts on every page (ONEROSTER_COUNT_CACHE_SECONDS=0).
    cached, uncached = (settings_for(database_url, max_rows=1000, oneroster_count_seconds=s) for s in (10.0, 0.0))
    async with AsyncTestClient(create_app(cached)) as api, AsyncTestClient(create_app(uncached)) as exact:

        async def timed(path: str, client: AsyncTestClient[Litestar] = api) -> float:
            await client.get(path, headers=headers)
            times = []
            for _ in range(REPEATS):
                began = time.perf_counter()
                response = await client.get(path, headers=headers)
                times.append(time.perf_counter() - began)
                assert response.status_code in (200, 206), response.text[:300]
            return statistics.median(times) * 1000

        rows = []
        for name, route in ROUTES.items():
            total = int((await api.get(f"{OR}/{name}?limit=1", headers=headers)).headers["x-total-count"])
            for limit, offset in ((100, 0), (1, 0), (100, total // 2), (100, max(0, total - 100))):
                ours = await timed(f"{OR}/{name}?limit={limit}&offset={offset}")
                counted = await timed(f"{OR}/{name}?limit={limit}&offset={offset}", exact)
                theirs = await timed(f"{route}&limit={limit}&offset={offset}")
                rows.append((name, limit, offset, ours, counted, theirs))
        half = STUDENTS // 2
        same = (await api.get(f"{OR}/students?limit=100&offset={half}", headers=headers)).json()["users"]
        plain = (await api.get(f"/students?select=id&order=id&limit=100&offset={half}", headers=headers)).json()
        assert [u["sourcedId"] for u in same] == [s["id"] for s in plain], "both routes page the same rows"
    print(f"{'collection':>12} {'limit':>6} {'offset':>8} {'OneRoster ms':>13} {'PostgREST ms':>13} {'ratio':>6}"
          f" {'counting every page ms':>23} {'ratio':>6}")  # fmt: skip
    for name, limit, offset, ours, counted, theirs in rows:
        print(f"{name:>12} {limit:>6} {offset:>8} {ours:>13.1f} {theirs:>13.1f} {ours / theirs:>6.1f}"
              f" {counted:>23.1f} {counted / theirs:>6.1f}")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f}")
