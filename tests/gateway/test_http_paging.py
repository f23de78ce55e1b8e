"""Counting over HTTP: `Prefer: count=planned|estimated` as an exact count
capped at MAX_ROWS (never the planner, issue 13 F1), Content-Range on every read, 206 and 416.
(Exact counts, Range headers and MAX_ROWS: test_http_read.py.)"""

from __future__ import annotations

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import MAX_ROWS, as_role, assert_canonical_error, token

MANY = 3 * MAX_ROWS  # past the test app's MAX_ROWS, so count=estimated turns to the planner


@pytest.fixture(scope="module")
async def crowded(committer_session: asyncpg.Connection) -> School:
    school = await make_school(committer_session)
    await committer_session.execute(
        """insert into data.students (school_id, student_number, first_name, last_name)
           select $1, 'P-' || lpad(n::text, 4, '0'), 'Page', 'Row' from generate_series(1, $2) n""",
        school.id, MANY,
    )  # fmt: skip
    await committer_session.execute("analyze data.students")
    return school


async def test_planned_count_is_exact_up_to_max_rows_then_unknown(
    api: AsyncTestClient[Litestar], crowded: School
) -> None:
    """Never the planner's estimate: its statistics span every school (issue 13, F1)."""
    few = await api.get(
        "/students?select=student_number&student_number=in.(P-0001,P-0002,P-0003)&limit=2",
        headers=as_role("school_admin", crowded, Prefer="count=planned"),
    )
    assert few.status_code == 206, few.text
    assert few.headers["content-range"] == "0-1/3"
    assert few.headers["preference-applied"] == "count=planned"
    many = await api.get(
        "/students?select=student_number&student_number=like.P-*&limit=10",
        headers=as_role("school_admin", crowded, Prefer="count=planned"),
    )
    assert many.status_code == 200, many.text
    assert many.headers["content-range"] == "0-9/*"
    assert len(many.json()) == 10


async def test_estimated_count_is_exact_below_max_rows(api: AsyncTestClient[Litestar], crowded: School) -> None:
    response = await api.get(
        "/students?select=student_number&student_number=in.(P-0001,P-0002,P-0003)&limit=2",
        headers=as_role("school_admin", crowded, Prefer="count=estimated"),
    )
    assert response.status_code == 206, response.text
    assert response.headers["content-range"] == "0-1/3"
    assert response.headers["preference-applied"] == "count=estimated"


async def test_estimated_count_is_unknown_above_max_rows(api: AsyncTestClient[Litestar], crowded: School) -> None:
    response = await api.get(
        "/students?select=student_number&student_number=like.P-*&order=student_number",
        headers=as_role("school_admin", crowded, Prefer="count=estimated"),
    )
    assert response.headers["content-range"] == f"0-{MAX_ROWS - 1}/*"
    assert response.status_code == 200
    assert len(response.json()) == MAX_ROWS  # MAX_ROWS caps the page whatever the count


@pytest.mark.parametrize(
    ("query", "headers", "status", "content_range"),
    [
        ("limit=3", {}, 200, "0-2/*"),  # Content-Range on every read, the total unknown
        ("limit=3", {"Prefer": "count=exact"}, 206, f"0-2/{MANY}"),
        ("", {"Range": "10-14"}, 200, "10-14/*"),
        ("", {"Range": "10-14", "Prefer": "count=exact"}, 206, f"10-14/{MANY}"),
        ("", {"Range": f"{MANY - 2}-{MANY + 5}", "Prefer": "count=exact"}, 206, f"{MANY - 2}-{MANY - 1}/{MANY}"),
        ("student_number=eq.P-0001", {"Prefer": "count=exact"}, 200, "0-0/1"),
    ],
)
async def test_content_range(
    api: AsyncTestClient[Litestar], crowded: School, query: str, headers: dict[str, str], status: int,
    content_range: str,
) -> None:  # fmt: skip
    response = await api.get(
        f"/students?select=id&student_number=like.P-*&order=student_number&{query}",
        headers=as_role("school_admin", crowded, **headers),
    )
    assert response.status_code == status, response.text
    assert response.headers["content-range"] == content_range


@pytest.mark.parametrize(
    ("headers", "content_range"),
    [
        ({"Range": f"{MANY + 10}-{MANY + 20}", "Prefer": "count=exact"}, f"*/{MANY}"),
        ({"Range": "5-2"}, None),  # lower above upper
    ],
)
async def test_ranges_past_the_end_are_416(
    api: AsyncTestClient[Litestar], crowded: School, headers: dict[str, str], content_range: str | None
) -> None:
    response = await api.get("/students?student_number=like.P-*", headers=as_role("school_admin", crowded, **headers))
    assert_canonical_error(response, 416, "PGRST103")
    if content_range:
        assert response.headers["content-range"] == content_range


async def test_planned_count_for_anonymous_callers_is_refused_like_the_read(
    api: AsyncTestClient[Litestar],
) -> None:
    response = await api.get(
        "/students?limit=1", headers={"Authorization": f"Bearer {token('anon')}", "Prefer": "count=planned"}
    )
    assert response.status_code in (401, 403)
