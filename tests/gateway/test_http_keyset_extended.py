"""Keyset paging beyond NOT NULL orders of plain JSON reads: orders on nullable
columns (NULLs first or last, a NULL in the cursor), reads with embedded
resources, CSV. Each walk follows `Link: rel="next"` while rows are inserted
between pages, and is checked against the database's own ordering of the rows:
nothing skipped, nothing repeated. What cannot continue is refused with a hint."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error

LINK = re.compile(r'<(?P<url>[^>]+)>; rel="next"')
Between = Callable[[int], Awaitable[None]]


async def add(committer: asyncpg.Connection, school: School, rows: list[tuple[str, str | None, str | None]]) -> None:
    """Students (number, date of birth, gender) of `school`."""
    await committer.executemany(
        """insert into data.students (school_id, student_number, first_name, last_name, date_of_birth, gender)
           values ($1, $2, 'Null', 'Walk', $3::text::date, $4)""",
        [(school.id, *row) for row in rows],
    )


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    """21 N- students: every third without a date of birth, every fourth without a gender,
    birthdays repeating so ties are broken by the key."""
    school = await make_school(committer_session)
    await add(committer_session, school, [
        (f"N-{n:03}", None if n % 3 == 0 else f"2010-01-{n % 7 + 1:02}", None if n % 4 == 0 else "FEMALE")
        for n in range(21)
    ])  # fmt: skip
    return school


async def walk(
    api: AsyncTestClient[Litestar], school: School, first: str, between: Between | None = None, **headers: str
) -> tuple[list[str], list[str]]:
    """Follow the Link header; the student numbers seen, and the last one of each page."""
    seen: list[str] = []
    ends: list[str] = []
    url: str | None = first
    while url:
        response = await api.get(url, headers=as_role("school_admin", school, **headers))
        assert response.status_code == 200, response.text
        if headers.get("Accept") == "text/csv":
            rows = list(csv.DictReader(io.StringIO(response.text)))
        else:
            rows = response.json()
        seen += [row["student_number"] for row in rows]
        ends.append(seen[-1] if seen else "")
        match = LINK.fullmatch(response.headers.get("link", ""))
        url = match["url"] if match else None
        if between is not None and url:
            await between(len(ends))
    return seen, ends


async def in_order(committer: asyncpg.Connection, school: School, order: str) -> list[str]:
    rows = await committer.fetch(
        f"select student_number from data.students where school_id = $1 and student_number like 'N-%' "
        f"and not is_deleted order by {order}",
        school.id,
    )
    return [r["student_number"] for r in rows]


def expected(ordered: list[str], inserted: dict[str, str], ends: list[str]) -> list[str]:
    """The database's order, less the rows inserted behind the cursor: a row
    inserted after page k is seen only if it sorts after page k's last row."""
    position = {number: i for i, number in enumerate(ordered)}
    return [n for n in ordered if n not in inserted or position[n] > position[ends[int(inserted[n]) - 1]]]


ORDERS = [
    # (query's order, the same in SQL)
    ("date_of_birth", "date_of_birth asc nulls last, id"),
    ("date_of_birth.desc", "date_of_birth desc nulls first, id"),
    ("date_of_birth.nullsfirst", "date_of_birth asc nulls first, id"),
    ("date_of_birth.desc.nullslast", "date_of_birth desc nulls last, id"),
    ("gender.desc,date_of_birth", "gender desc nulls first, date_of_birth asc nulls last, id"),
    ("student_number.desc,date_of_birth.nullsfirst", "student_number desc, date_of_birth nulls first, id"),
]


@pytest.mark.parametrize(("order", "sql"), ORDERS, ids=[o for o, _ in ORDERS])
async def test_nullable_orders_walk_through_nulls_under_inserts(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection, order: str, sql: str
) -> None:
    inserted: dict[str, str] = {}

    async def insert(page: int) -> None:  # NULLs and values on both sides of the cursor, after pages 1 and 3
        if page not in (1, 3):
            return
        rows = [(f"N-1{page}{i}", dob, gender) for i, (dob, gender) in
                enumerate([(None, None), (None, "MALE"), ("2000-01-01", None), ("2030-01-01", "MALE"),
                           ("2010-01-03", "FEMALE")])]  # fmt: skip
        await add(committer_session, school, rows)
        inserted.update({number: str(page) for number, _, _ in rows})

    seen, ends = await walk(api, school, f"/students?select=student_number&student_number=like.N-*&order={order}"
                                         "&limit=4", insert)  # fmt: skip
    assert len(ends) > 5, "several pages, crossing the NULLs"
    assert len(seen) == len(set(seen)), "no row twice"
    assert seen == expected(await in_order(committer_session, school, sql), inserted, ends)
    assert all(f"N-{n:03}" in seen for n in range(21)), "every row that was there from the start"


async def test_a_cursor_on_a_null_continues_inside_the_nulls(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    """NULLs first: the first pages end on NULLs, so their cursors hold NULL."""
    first = await api.get("/students?select=student_number,date_of_birth&student_number=like.N-*"
                          "&order=date_of_birth.desc&limit=2", headers=as_role("school_admin", school))  # fmt: skip
    assert [r["date_of_birth"] for r in first.json()] == [None, None]
    seen, _ = await walk(api, school, LINK.fullmatch(first.headers["link"])["url"])  # type: ignore[index]
    ordered = await in_order(committer_session, school, "date_of_birth desc nulls first, id")
    assert [r["student_number"] for r in first.json()] + seen == ordered


async def test_embeds_ride_along(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    """Embedded rows come with their parent row, the cursor is on the parent's order."""
    await committer_session.execute(
        """insert into data.enrollments (school_id, student_id, class_id)
           select s.school_id, s.id, $2 from data.students s
           where s.school_id = $1 and s.student_number like 'N-%' and s.student_number::text < 'N-010'""",
        school.id, school.class_,
    )  # fmt: skip
    inserted: dict[str, str] = {}

    async def insert(page: int) -> None:
        if page == 1:
            await add(committer_session, school, [("N-000a", None, None), ("N-999", None, None)])
            inserted.update({"N-000a": "1", "N-999": "1"})

    url = "/students?select=student_number,classes(name)&student_number=like.N-*&order=student_number&limit=5"
    headers = as_role("school_admin", school)
    pages = []
    next_url: str | None = url
    while next_url:
        response = await api.get(next_url, headers=headers)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        match = LINK.fullmatch(response.headers.get("link", ""))
        next_url = match["url"] if match else None
        if len(pages) == 1:
            await insert(1)
    rows = [row for page in pages for row in page]
    ends = [page[-1]["student_number"] for page in pages]
    ordered = await in_order(committer_session, school, "student_number")
    assert [r["student_number"] for r in rows] == expected(ordered, inserted, ends)
    classes = dict(await committer_session.fetch(
        """select s.student_number,
                  coalesce(json_agg(json_build_object('name', c.name)) filter (where c.id is not null), '[]')::text
           from data.students s left join data.enrollments e on e.student_id = s.id and e.school_id = s.school_id
           left join data.classes c on c.id = e.class_id
           where s.school_id = $1 and s.student_number like 'N-%' group by s.student_number""",
        school.id,
    ))  # fmt: skip
    assert all(r["classes"] == json.loads(classes[r["student_number"]]) for r in rows)
    assert sum(1 for r in rows if r["classes"]) == 10


async def test_inner_embeds_filter_before_the_page_is_cut(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    await committer_session.execute(
        """insert into data.enrollments (school_id, student_id, class_id)
           select s.school_id, s.id, $2 from data.students s
           where s.school_id = $1 and s.student_number like 'N-%' and s.student_number::text like '%5'""",
        school.id, school.class_,
    )  # fmt: skip
    seen, ends = await walk(api, school, "/students?select=student_number,classes!inner(name)"
                                         "&student_number=like.N-*&order=date_of_birth.desc&limit=1")  # fmt: skip
    rows = await committer_session.fetch(
        """select s.student_number from data.students s where s.school_id = $1 and s.student_number like 'N-%5'
           order by s.date_of_birth desc nulls first, s.id""",
        school.id,
    )
    assert seen == [r["student_number"] for r in rows] and len(ends) == len(rows) + 1  # the last page is empty


async def test_csv_pages_carry_the_link(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    inserted: dict[str, str] = {}

    async def insert(page: int) -> None:
        if page == 2:
            await add(committer_session, school, [("N-005a", "2011-01-01", None), ("N-100", None, "MALE")])
            inserted.update({"N-005a": "2", "N-100": "2"})

    seen, ends = await walk(
        api, school, "/students?select=student_number,date_of_birth,gender&student_number=like.N-*"
        "&order=gender.nullsfirst,student_number&limit=6", insert, Accept="text/csv",
    )  # fmt: skip
    ordered = await in_order(committer_session, school, "gender nulls first, student_number, id")
    assert seen == expected(ordered, inserted, ends) and len(ends) > 3


@pytest.mark.parametrize(
    ("query", "headers", "message"),
    [
        ("select=gender,count()&order=gender&cursor=x", {}, "cursor= is not supported with aggregates"),
        ("order=student_number&cursor=x", {"Accept": "application/vnd.pgrst.object+json"},
         "cursor= is not supported with the singular media type"),
        ("order=audience->>roles&cursor=x", {}, "cursor= cannot continue an order by a JSON path"),
        ("select=id,full_name&order=full_name&cursor=x", {}, "cursor= cannot continue an order by a computed field"),
    ],
)  # fmt: skip
async def test_what_cannot_continue_is_refused_with_a_hint(
    api: AsyncTestClient[Litestar], school: School, query: str, headers: dict[str, str], message: str
) -> None:
    target = "announcements" if "audience" in query else "students"
    response = await api.get(f"/{target}?{query}", headers=as_role("school_admin", school, **headers))
    body = assert_canonical_error(response, 400, "PGRST100")
    assert body["message"] == message and body["hint"]


@pytest.mark.benchmark
async def test_a_nullable_first_key_at_depth(
    api: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    """pytest -m benchmark tests/gateway/test_http_keyset_extended.py -s (KEYSET_ROWS=200000 by default).
    With an index on the nullable key, each UNION ALL branch is an index range:
    a page deep in the values, deep in the NULLs, or across the two costs what the first does."""
    rows = int(os.environ.get("KEYSET_ROWS", "200000"))
    school = await make_school(committer_session)
    await committer_session.execute(
        """insert into data.students (school_id, student_number, first_name, last_name, date_of_birth)
           select $1, 'D-' || lpad(n::text, 7, '0'), 'Deep', 'Row',
                  case when n % 4 = 0 then null else date '2000-01-01' + (n % 5000) end
           from generate_series(1, $2) n""",
        school.id, rows,
    )  # fmt: skip
    await committer_session.execute(
        "create index if not exists students_bench_dob_idx on data.students (school_id, date_of_birth, id)"
    )
    await committer_session.execute("analyze data.students")
    headers = as_role("school_admin", school)
    base = "/students?select=id,date_of_birth&order=date_of_birth&limit=20"
    try:
        timings = {}
        for label, depth in (("values", rows // 2), ("across", rows * 3 // 4 - 10), ("nulls", rows - 100)):
            before = await committer_session.fetchrow(
                "select date_of_birth, id from data.students where school_id = $1 "
                "order by date_of_birth nulls last, id offset $2 limit 1",
                school.id, depth - 1,
            )  # fmt: skip
            # Ask for the one row just before `depth` to get its cursor from the gateway.
            dob = "is.null" if before["date_of_birth"] is None else f"eq.{before['date_of_birth']}"
            page = await api.get(f"/students?select=id&order=date_of_birth&limit=1&date_of_birth={dob}"
                                 f"&id=eq.{before['id']}", headers=headers)  # fmt: skip
            cursor = LINK.fullmatch(page.headers["link"])["url"].rsplit("cursor=", 1)[1]  # type: ignore[index]
            best = float("inf")
            for _ in range(5):
                start = time.perf_counter()
                by_cursor = await api.get(f"{base}&cursor={cursor}", headers=headers)
                best = min(best, time.perf_counter() - start)
            start = time.perf_counter()
            by_offset = await api.get(f"{base}&offset={depth}", headers=headers)
            offset_ms = (time.perf_counter() - start) * 1000
            assert by_cursor.json() == by_offset.json() and len(by_cursor.json()) == 20
            timings[f"{label} (offset {depth}: {offset_ms:.0f} ms)"] = best * 1000
        start = time.perf_counter()
        await api.get(base, headers=headers)
        first = (time.perf_counter() - start) * 1000
        print(f"\n{rows} students ordered by a nullable date: first page {first:.1f} ms, by cursor: "
              + ", ".join(f"{k} {v:.1f} ms" for k, v in timings.items()))  # fmt: skip
        assert max(timings.values()) < 10 * first + 20
    finally:
        await committer_session.execute("drop index if exists data.students_bench_dob_idx")


async def test_to_one_and_spread_embeds_with_a_count(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    """A to-one embed, a spread one and `Prefer: count=exact` on a walk of classes."""
    teacher = await committer_session.fetchval("select teacher_id from data.classes where id = $1", school.class_)
    await committer_session.executemany(
        "insert into data.classes (school_id, name, academic_year, teacher_id) values ($1, $2, '2026-2027', $3)",
        [(school.id, f"K-class {n}", teacher if n % 2 else None) for n in range(7)],
    )  # fmt: skip
    headers = as_role("school_admin", school, Prefer="count=exact")
    url: str | None = ("/classes?select=name,teachers(last_name),...teachers(first_name)&name=like.K-class*"
                       "&order=teacher_id.nullsfirst,name&limit=3")  # fmt: skip
    rows: list[dict[str, object]] = []
    while url:
        response = await api.get(url, headers=headers)
        assert response.status_code in (200, 206), response.text
        assert response.headers["content-range"].endswith("/7")
        rows += response.json()
        match = LINK.fullmatch(response.headers.get("link", ""))
        url = match["url"] if match else None
    expected_rows = await committer_session.fetch(
        """select c.name, t.last_name, t.first_name from data.classes c left join data.teachers t on t.id = c.teacher_id
           where c.school_id = $1 and c.name like 'K-class%' order by c.teacher_id nulls first, c.name, c.id""",
        school.id,
    )
    assert rows == [
        {"name": r["name"], "teachers": None if r["last_name"] is None else {"last_name": r["last_name"]},
         "first_name": r["first_name"]}
        for r in expected_rows
    ]  # fmt: skip


async def test_computed_and_one_to_one_embeds_ride_along(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    """A computed relationship and computed field (db/tenancy/computed.sql) in a keyset walk:
    called on each page row, the rows as the database orders them."""
    url = "/students?select=student_number,full_name,current_classes(name)&student_number=like.N-*&order=student_number&limit=4"
    seen, ends = await walk(api, school, url)
    assert seen == await in_order(committer_session, school, "student_number") and len(ends) > 3
    response = await api.get(url, headers=as_role("school_admin", school))
    assert response.json()[0]["full_name"] == "Null Walk" and response.json()[0]["current_classes"] == []
