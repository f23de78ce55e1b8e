"""Keyset paging over HTTP: follow `Link: rel="next"` while rows are inserted
between pages; nothing skipped, nothing repeated, checked against the
database. And an on-demand measurement of offset vs cursor at depth."""

from __future__ import annotations

import os
import re
import time

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error

LINK = re.compile(r'<(?P<url>[^>]+)>; rel="next"')


async def add_students(committer: asyncpg.Connection, school: School, numbers: list[str]) -> None:
    await committer.executemany(
        "insert into data.students (school_id, student_number, first_name, last_name) values ($1, $2, 'Key', $3)",
        [(school.id, n, "L" + n) for n in numbers],
    )


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    school = await make_school(committer_session)
    await add_students(committer_session, school, [f"K-{n:03}" for n in range(0, 60, 2)])  # 30 even numbers
    return school


async def walk(api: AsyncTestClient[Litestar], school: School, first: str, between: object = None) -> list[str]:
    seen: list[str] = []
    url: str | None = first
    pages = 0
    while url:
        response = await api.get(url, headers=as_role("school_admin", school))
        assert response.status_code == 200, response.text
        seen += [row["student_number"] for row in response.json()]
        match = LINK.fullmatch(response.headers.get("link", ""))
        url = match["url"] if match else None
        pages += 1
        if pages == 1 and callable(between):
            await between()
    return seen


async def test_cursor_pages_skip_and_repeat_nothing_under_inserts(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    async def insert_between() -> None:  # one row before the cursor, two after it
        await add_students(committer_session, school, ["K-001", "K-031", "K-059"])

    seen = await walk(
        api, school, "/students?select=student_number&student_number=like.K-*&order=student_number&limit=10",
        insert_between,
    )  # fmt: skip
    expected = await committer_session.fetch(
        "select student_number from data.students where school_id = $1 and student_number like 'K-%' "
        "and student_number > 'K-018' or (school_id = $1 and student_number like 'K-%' and student_number <= 'K-018' "
        "and student_number <> 'K-001') order by student_number",
        school.id,
    )
    assert len(seen) == len(set(seen)), "no row twice"
    assert seen == [row["student_number"] for row in expected]  # K-001 sorts before the cursor: not in this walk
    assert "K-031" in seen and "K-059" in seen


async def test_offset_pages_repeat_a_row_under_the_same_inserts(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    """Why the cursor exists: the same walk by offset shows K-018 twice."""
    base = "/students?select=student_number&student_number=like.K-*&order=student_number&limit=10"
    first = await api.get(base, headers=as_role("school_admin", school))
    await add_students(committer_session, school, ["K-001"])
    second = await api.get(base + "&offset=10", headers=as_role("school_admin", school))
    assert first.json()[-1] == second.json()[0] == {"student_number": "K-018"}


async def test_mixed_directions_and_the_last_page(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    await add_students(committer_session, school, ["K-100", "K-101"])
    await committer_session.execute(
        "update data.students set last_name = 'Same' where school_id = $1 and student_number in ('K-100', 'K-101', "
        "'K-000')",
        school.id,
    )
    seen = await walk(
        api, school, "/students?select=student_number,last_name&student_number=like.K-*&order=last_name.desc,"
        "student_number.asc&limit=7",
    )  # fmt: skip
    expected = await committer_session.fetch(
        "select student_number from data.students where school_id = $1 and student_number like 'K-%' "
        "order by last_name desc, student_number asc",
        school.id,
    )
    assert seen == [row["student_number"] for row in expected]


async def test_no_link_after_a_short_page_and_none_without_order(
    api: AsyncTestClient[Litestar], school: School
) -> None:
    short = await api.get("/students?student_number=like.K-*&order=student_number&limit=100",
                          headers=as_role("school_admin", school))  # fmt: skip
    assert len(short.json()) == 30 and "link" not in short.headers
    unordered = await api.get("/students?student_number=like.K-*&limit=3", headers=as_role("school_admin", school))
    assert "link" not in unordered.headers


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("order=student_number&cursor=forged.AAAA", 400, "PGRST100"),
        ("order=gender&cursor=x", 400, "PGRST100"),
    ],
)
async def test_bad_cursors(api: AsyncTestClient[Litestar], school: School, query: str, status: int, code: str) -> None:
    response = await api.get(f"/students?{query}", headers=as_role("school_admin", school))
    assert_canonical_error(response, status, code)


async def test_a_cursor_is_refused_on_another_ordering(api: AsyncTestClient[Litestar], school: School) -> None:
    first = await api.get("/students?student_number=like.K-*&order=student_number&limit=5",
                          headers=as_role("school_admin", school))  # fmt: skip
    cursor = LINK.fullmatch(first.headers["link"])["url"].rsplit("cursor=", 1)[1]  # type: ignore[index]
    other = await api.get(f"/students?order=last_name&cursor={cursor}", headers=as_role("school_admin", school))
    assert_canonical_error(other, 400, "PGRST100")


@pytest.mark.benchmark
async def test_offset_vs_cursor_at_depth(api: AsyncTestClient[Litestar], committer_session: asyncpg.Connection) -> None:
    """pytest -m benchmark tests/gateway/test_http_keyset.py -s (KEYSET_ROWS=200000 by default)."""
    rows = int(os.environ.get("KEYSET_ROWS", "200000"))
    school = await make_school(committer_session)
    await committer_session.execute(
        """insert into data.students (school_id, student_number, first_name, last_name)
           select $1, 'D-' || lpad(n::text, 7, '0'), 'Deep', 'Row' from generate_series(1, $2) n""",
        school.id, rows,
    )  # fmt: skip
    await committer_session.execute("analyze data.students")
    headers = as_role("school_admin", school)
    base = "/students?select=id,student_number&order=id&limit=20"
    depth = rows - 20
    # The cursor of the row just before `depth`, from the database.
    before = await committer_session.fetchval(
        "select id from data.students where school_id = $1 order by id offset $2 limit 1", school.id, depth - 1
    )
    page = await api.get(f"/students?select=id&order=id&id=lte.{before}&limit=1&id=gte.{before}", headers=headers)
    cursor = LINK.fullmatch(page.headers["link"])["url"].rsplit("cursor=", 1)[1]  # type: ignore[index]

    async def timed(url: str, n: int = 10) -> tuple[float, list[dict]]:
        best, body = float("inf"), []
        for _ in range(n):
            start = time.perf_counter()
            response = await api.get(url, headers=headers)
            best = min(best, time.perf_counter() - start)
            body = response.json()
        return best * 1000, body

    offset_ms, by_offset = await timed(f"{base}&offset={depth}")
    cursor_ms, by_cursor = await timed(f"{base}&cursor={cursor}")
    first_ms, _ = await timed(base)
    assert by_offset == by_cursor and len(by_cursor) == 20
    print(f"\n{rows} students, 20-row pages ordered by id: first page {first_ms:.1f} ms, "
          f"offset {depth} {offset_ms:.1f} ms, cursor at the same depth {cursor_ms:.1f} ms")  # fmt: skip
    assert cursor_ms < offset_ms
