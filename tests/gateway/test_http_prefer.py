"""The Prefer header over HTTP: tx=rollback, max-affected with
handling=strict, handling itself and Preference-Applied; each change (or its
absence) checked in the database."""

from __future__ import annotations

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    school = await make_school(committer_session)
    await committer_session.execute(
        """insert into data.students (school_id, student_number, first_name, last_name)
           select $1, 'X-' || n, 'Pref', 'Row' from generate_series(1, 3) n""",
        school.id,
    )
    return school


def admin(school: School, prefer: str) -> dict[str, str]:
    return as_role("school_admin", school, Prefer=prefer)


async def last_names(committer: asyncpg.Connection, school: School) -> list[str]:
    rows = await committer.fetch(
        "select last_name from data.students where school_id = $1 and student_number like 'X-%' order by 1", school.id
    )
    return [row["last_name"] for row in rows]


async def test_tx_rollback_answers_and_undoes_an_insert(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    row = {"school_id": str(school.id), "student_number": "X-9", "first_name": "Roll", "last_name": "Back"}
    response = await api.post(
        "/students?select=student_number", json=row, headers=admin(school, "return=representation, tx=rollback")
    )
    assert response.status_code == 201, response.text
    assert response.json() == [{"student_number": "X-9"}]
    assert response.headers["preference-applied"] == "return=representation, tx=rollback"
    assert (
        await committer_session.fetchval(
            "select count(*) from data.students where school_id = $1 and student_number = 'X-9'", school.id
        )
        == 0
    )


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
async def test_tx_rollback_undoes_updates_and_deletes(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection, method: str
) -> None:
    before = await last_names(committer_session, school)
    response = await api.request(
        method, "/students?student_number=like.X-*", json={"last_name": "Gone"} if method == "PATCH" else None,
        headers=admin(school, "tx=rollback, count=exact"),
    )  # fmt: skip
    assert response.status_code == 204, response.text
    # PostgREST: PATCH answers the range it changed, DELETE `*/count`.
    assert response.headers["content-range"] == ("0-2/3" if method == "PATCH" else "*/3")
    assert response.headers["preference-applied"] == "count=exact, tx=rollback"
    assert await last_names(committer_session, school) == before
    deleted = await committer_session.fetchval(
        "select count(*) from data.students where school_id = $1 and student_number like 'X-%' and is_deleted",
        school.id,
    )
    assert deleted == 0


async def test_tx_commit_is_the_default_and_applied(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    response = await api.patch(
        "/students?student_number=eq.X-1", json={"last_name": "Kept"}, headers=admin(school, "tx=commit")
    )
    assert response.status_code == 204
    assert response.headers["preference-applied"] == "tx=commit"
    assert "Kept" in await last_names(committer_session, school)


async def test_max_affected_with_strict_handling_refuses_and_rolls_back(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    response = await api.patch(
        "/students?student_number=like.X-*",
        json={"last_name": "Many"},
        headers=admin(school, "handling=strict, max-affected=2"),
    )
    body = assert_canonical_error(response, 400, "PGRST124")
    assert body["details"] == "The query affects 3 rows"
    assert "Many" not in await last_names(committer_session, school)


async def test_max_affected_allows_up_to_n_rows(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    response = await api.delete(
        "/students?student_number=in.(X-1,X-2)", headers=admin(school, "handling=strict, max-affected=2")
    )
    assert response.status_code == 204, response.text
    assert response.headers["preference-applied"] == "handling=strict, max-affected=2"
    left = await committer_session.fetchval(
        "select count(*) from data.students where school_id = $1 and student_number like 'X-%' and not is_deleted",
        school.id,
    )
    assert left == 1


async def test_max_affected_without_strict_is_ignored(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    response = await api.patch(
        "/students?student_number=like.X-*", json={"last_name": "All"}, headers=admin(school, "max-affected=1")
    )
    assert response.status_code == 204, response.text
    assert "preference-applied" not in response.headers
    assert await last_names(committer_session, school) == ["All", "All", "All"]


@pytest.mark.parametrize(
    ("prefer", "invalid"),
    [
        ("handling=strict, tx=later", "tx=later"),
        ("handling=strict, count=fuzzy, return=minimal", "count=fuzzy"),
        ("max-affected=x, handling=strict", "max-affected=x"),
    ],
)
async def test_strict_handling_refuses_invalid_preferences(
    api: AsyncTestClient[Litestar], school: School, prefer: str, invalid: str
) -> None:
    response = await api.get("/students", headers=admin(school, prefer))
    body = assert_canonical_error(response, 400, "PGRST122")
    assert body["details"] == f"Invalid preferences: {invalid}"


async def test_lenient_handling_ignores_invalid_preferences(api: AsyncTestClient[Litestar], school: School) -> None:
    response = await api.get("/students?limit=1", headers=admin(school, "handling=lenient, tx=later, count=exact"))
    assert response.status_code == 206, response.text
    assert response.headers["preference-applied"] == "count=exact, handling=lenient"
