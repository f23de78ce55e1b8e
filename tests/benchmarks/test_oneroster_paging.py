"""On demand: a 100-row OneRoster page at any offset against the PostgREST-style
route for the same rows, in the same run (issue 17: within 2x). Run with:

    pytest -m benchmark tests/benchmarks/test_oneroster_paging.py -s

One school of PAGING_STUDENTS (100,000) students, PAGING_CLASSES (2,000)
classes and one enrollment per student, without partner sourcedIds, so
OneRoster's sourcedId is the row id and `/students?order=id` (`/classes`,
`/enrollments`) walks the same rows in the same order (uuid order is its text
order under the database's C.UTF-8 collation). Both routes are asked in
process (the app under httpx's ASGI transport) as the school's admin; each
figure is the median of PAGING_REPEATS (7) requests after one warm-up, the
two routes asked in turn within each repetition (a noisy machine's bursts
then fall on both alike).
X-Total-Count is part of every OneRoster answer (counted once, then reused:
gateway/oneroster/counts.py); the PostgREST route is asked without a count,
as a client paging it would.

Then the reads that used to sort the whole view (issue 17): a filter on
status and on familyName, a sort on familyName, and the nested collections
`schools/{id}/students` and `classes/{id}/students`, each against the
PostgREST-style read of the same rows (a class's students: its enrollments,
and, starred, the students embedded in them).
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
STUDENT = "/students?select=id,student_number,first_name,last_name"
# Filtered, sorted and nested reads: (label, OneRoster path, PostgREST-style
# path, offsets); `{school}`, `{klass}` are the seeded school and a class.
SHAPED = (
    ("status=active", "/students?filter=status%3D'active'", STUDENT + "&order=id", (0, "half")),
    ("familyName=X", "/students?filter=familyName%3D'Pager500'", STUDENT + "&last_name=eq.Pager500&order=id", (0,)),
    ("sort=familyName", "/students?sort=familyName", STUDENT + "&order=last_name,id", (0, "half")),
    ("schools/students", "/schools/{school}/students", STUDENT + "&order=id", (0, "half")),
    (
        "classes/students",
        "/classes/{klass}/students",
        "/enrollments?select=id,student_id,class_id&class_id=eq.{klass}&order=id",
        (0,),
    ),
    # The same 50 students through PostgREST's embedding of a class's enrollments.
    (
        "classes/students*",
        "/classes/{klass}/students",
        "/enrollments?select=students(id,student_number,first_name,last_name)&class_id=eq.{klass}&order=student_id",
        (0,),
    ),
)


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

        async def timed(ours: str, theirs: str) -> tuple[float, float, float]:
            """Medians (ms) of the OneRoster page, the same page counted, and
            the PostgREST-style route, asked in turn within each repetition, so
            a burst of the machine's load falls on all three alike."""
            asked = ((api, ours), (exact, ours), (api, theirs))
            for client, path in asked:
                await client.get(path, headers=headers)
            times: list[list[float]] = [[], [], []]
            for _ in range(REPEATS):
                for (client, path), kept in zip(asked, times, strict=True):
                    began = time.perf_counter()
                    response = await client.get(path, headers=headers)
                    kept.append(time.perf_counter() - began)
                    assert response.status_code in (200, 206), response.text[:300]
            ours_ms, counted_ms, theirs_ms = (statistics.median(t) * 1000 for t in times)
            return ours_ms, counted_ms, theirs_ms

        rows = []
        for name, route in ROUTES.items():
            total = int((await api.get(f"{OR}/{name}?limit=1", headers=headers)).headers["x-total-count"])
            for limit, offset in ((100, 0), (1, 0), (100, total // 2), (100, max(0, total - 100))):
                cut = f"limit={limit}&offset={offset}"
                rows.append((name, limit, offset, *await timed(f"{OR}/{name}?{cut}", f"{route}&{cut}")))
        klass = await _a_class(database_url, school.id)
        for label, path, route, offsets in SHAPED:
            ours_path, their_path = (x.format(school=school.id, klass=klass) for x in (path, route))
            for at in offsets:
                offset = STUDENTS // 2 if at == "half" else at
                joiner = "&" if "?" in ours_path else "?"
                cut = f"limit=100&offset={offset}"
                rows.append((label, 100, offset, *await timed(f"{OR}{ours_path}{joiner}{cut}", f"{their_path}&{cut}")))
        half = STUDENTS // 2
        same = (await api.get(f"{OR}/students?limit=100&offset={half}", headers=headers)).json()["users"]
        plain = (await api.get(f"/students?select=id&order=id&limit=100&offset={half}", headers=headers)).json()
        assert [u["sourcedId"] for u in same] == [s["id"] for s in plain], "both routes page the same rows"
    print(f"{'collection':>16} {'limit':>6} {'offset':>8} {'OneRoster ms':>13} {'PostgREST ms':>13} {'ratio':>6}"
          f" {'counting every page ms':>23} {'ratio':>6}")  # fmt: skip
    for name, limit, offset, ours, counted, theirs in rows:  # timed(): ours, counted, theirs
        print(f"{name:>16} {limit:>6} {offset:>8} {ours:>13.1f} {theirs:>13.1f} {ours / theirs:>6.1f}"
              f" {counted:>23.1f} {counted / theirs:>6.1f}")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f}")


async def _a_class(database_url: str, school: object) -> str:
    admin = await asyncpg.connect(database_url)
    try:
        return str(
            await admin.fetchval("select id from data.classes where school_id = $1 and name = 'Paging 7'", school)
        )
    finally:
        await admin.close()
