"""One-to-one embedding over HTTP (PostgREST's O2O, docs "Resource Embedding:
one-to-one"): school_settings.school_id is both its primary key and a foreign
key to schools, so either side embeds the other as an object or null, never an
array, and may be spread."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error

Api = AsyncTestClient[Litestar]


@pytest.fixture(scope="module")
async def school(committer_session: asyncpg.Connection) -> School:
    """A school with its settings row (attendance from 08:15)."""
    made = await make_school(committer_session)
    await committer_session.execute(
        "insert into data.school_settings (school_id, attendance_start_time) values ($1, '08:15')", made.id
    )
    return made


@pytest.fixture(scope="module")
async def bare(committer_session: asyncpg.Connection) -> School:
    """A school without a settings row."""
    return await make_school(committer_session)


async def get(api: Api, path: str, school: School) -> Any:
    response = await api.get(path, headers=as_role("school_admin", school))
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_referenced_side_embeds_an_object(api: Api, school: School) -> None:
    rows = await get(api, "/schools?select=name,school_settings(attendance_start_time)", school)
    assert rows == [{"name": rows[0]["name"], "school_settings": {"attendance_start_time": "08:15:00"}}]


async def test_the_referenced_side_without_a_row_is_null(api: Api, bare: School) -> None:
    rows = await get(api, "/schools?select=id,school_settings(school_id)", bare)
    assert rows == [{"id": str(bare.id), "school_settings": None}]


async def test_the_holding_side_embeds_an_object(
    api: Api, school: School, committer_session: asyncpg.Connection
) -> None:
    name = await committer_session.fetchval("select name from data.schools where id = $1", school.id)
    rows = await get(api, "/school_settings?select=school_id,schools(name)", school)
    assert rows == [{"school_id": str(school.id), "schools": {"name": name}}]


async def test_either_side_may_be_spread(api: Api, school: School) -> None:
    rows = await get(api, "/schools?select=id,...school_settings(attendance_start_time)", school)
    assert rows == [{"id": str(school.id), "attendance_start_time": "08:15:00"}]
    rows = await get(api, "/school_settings?select=attendance_start_time,...schools(school_name:name)", school)
    assert rows[0]["attendance_start_time"] == "08:15:00" and rows[0]["school_name"].startswith("School ")


async def test_inner_keeps_only_schools_with_settings(api: Api, school: School, bare: School) -> None:
    assert await get(api, "/schools?select=id,school_settings!inner(school_id)", bare) == []
    assert len(await get(api, "/schools?select=id,school_settings!inner(school_id)", school)) == 1


async def test_order_and_limit_do_not_apply_to_a_to_one_embed(api: Api, school: School) -> None:
    response = await api.get(
        "/schools?select=id,school_settings(school_id)&school_settings.limit=1", headers=as_role("school_admin", school)
    )
    assert_canonical_error(response, 400, "PGRST100")
