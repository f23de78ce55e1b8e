"""A client never has to send school_id: the api views default it to the
caller's school, and a school_id that is sent is still checked by RLS."""

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


async def test_a_row_posted_without_school_id_lands_in_the_callers_school(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    response = await api.post(
        "/subjects",
        json={"name": "Astronomy", "code": "AST"},
        headers=as_role("school_admin", school, Prefer="return=representation"),
    )
    assert response.status_code == 201, response.text
    assert response.json()[0]["school_id"] == str(school.id)
    stored = await committer_session.fetchval(
        "select school_id from data.subjects where id = $1", response.json()[0]["id"]
    )
    assert stored == school.id


async def test_another_schools_id_sent_explicitly_is_refused(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    other = await make_school(committer_session)
    response = await api.post(
        "/subjects", json={"name": "Smuggled", "school_id": str(other.id)}, headers=as_role("school_admin", school)
    )
    assert_canonical_error(response, 403, "42501")
    assert await committer_session.fetchval("select count(*) from data.subjects where name = 'Smuggled'") == 0
