"""PostgREST's writes beyond one filter (plan/writes.py, render/writes.py), on
this project's schema: PATCH with `columns=`, and PATCH/DELETE cut by
`order` + `limit` (PGRST109, PGRST110)."""

from __future__ import annotations

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


def admin(school: School, **headers: str) -> dict[str, str]:
    return as_role("school_admin", school, **headers)


async def first_names(committer: asyncpg.Connection, school: School) -> dict[str, str]:
    rows = await committer.fetch(
        "select student_number, first_name from data.students where school_id = $1 and not is_deleted", school.id
    )
    return {r["student_number"]: r["first_name"] for r in rows}


async def test_an_ordered_limit_changes_that_many_rows(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    before = await first_names(committer_session, school)
    first = min(before)
    response = await api.patch("/students?order=student_number&limit=1&select=student_number,first_name",
                               json={"first_name": "Lim"}, headers=admin(school, Prefer="return=representation"))  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json() == [{"student_number": first, "first_name": "Lim"}]
    assert await first_names(committer_session, school) == before | {first: "Lim"}


async def test_a_limit_without_an_order_is_pgrst109(api: AsyncTestClient[Litestar], school: School) -> None:
    response = await api.patch("/students?limit=1", json={"first_name": "Lim"}, headers=admin(school))
    error = assert_canonical_error(response, 400, "PGRST109")
    assert error["message"] == "A 'limit' was applied without an explicit 'order'"
    response = await api.delete("/students?offset=1", headers=admin(school))
    assert_canonical_error(response, 400, "PGRST109")


async def test_an_order_naming_more_rows_than_the_limit_is_pgrst110_and_changes_nothing(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    before = await first_names(committer_session, school)
    assert len(before) > 1
    # Every student of the school has the same school_id: the order picks them all.
    response = await api.patch("/students?order=school_id&limit=1", json={"first_name": "Many"}, headers=admin(school))
    error = assert_canonical_error(response, 400, "PGRST110")
    assert error["details"] == f"Results contain {len(before)} rows changed but the maximum number allowed is 1"
    assert await first_names(committer_session, school) == before


async def test_patch_columns_reads_only_the_named_keys(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    before = await first_names(committer_session, school)
    number = min(before)
    body = {"first_name": "Named", "last_name": "Ignored", "nope": 1}
    response = await api.patch(f"/students?student_number=eq.{number}&columns=first_name&select=first_name,last_name",
                               json=body, headers=admin(school, Prefer="return=representation"))  # fmt: skip
    assert response.status_code == 200, response.text
    [row] = response.json()
    assert row["first_name"] == "Named" and row["last_name"] != "Ignored"
    unknown = await api.patch(f"/students?student_number=eq.{number}&columns=nope", json=body, headers=admin(school))
    assert_canonical_error(unknown, 400, "PGRST204")
