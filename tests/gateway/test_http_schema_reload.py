"""`NOTIFY pgrst, 'reload schema'` picks up a migration without a restart, and
statements prepared before it keep working (Postgres re-plans them)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.gateway.http_support import settings_for

SCHEMA = """
create schema gw_reload_test;
grant usage on schema gw_reload_test to anon;
create table gw_reload_test.base (n integer);
insert into gw_reload_test.base values (1), (2);
create view gw_reload_test.things as select n from gw_reload_test.base;
grant select on gw_reload_test.base, gw_reload_test.things to anon;
"""
MIGRATION = """
create or replace view gw_reload_test.things as select n, n * 10 as tens from gw_reload_test.base;
create view gw_reload_test.extra as select 'new' as word;
grant select on gw_reload_test.things, gw_reload_test.extra to anon;
notify pgrst, 'reload schema';
"""


@pytest.fixture(scope="module")
async def reloading(
    database_url: str, committer_session: asyncpg.Connection
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    await committer_session.execute(SCHEMA)
    try:
        async with AsyncTestClient(create_app(settings_for(database_url, db_schema="gw_reload_test"))) as client:
            yield client
    finally:
        await committer_session.execute("drop schema gw_reload_test cascade")


async def eventually(request: object, status: int) -> httpx.Response:
    for _ in range(100):
        response = await request()  # type: ignore[operator]
        if response.status_code == status:
            return response
        await asyncio.sleep(0.05)
    raise AssertionError(f"still {response.status_code}: {response.text}")


async def test_a_notify_reloads_the_schema_cache(
    reloading: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    before = await reloading.get("/things?order=n")
    assert before.json() == [{"n": 1}, {"n": 2}]  # prepared on some pooled connection
    assert (await reloading.get("/extra")).status_code == 404
    assert (await reloading.get("/things?select=tens")).status_code == 400

    await committer_session.execute(MIGRATION)

    extra = await eventually(lambda: reloading.get("/extra"), 200)
    assert extra.json() == [{"word": "new"}]
    assert (await reloading.get("/things?select=tens&order=n")).json() == [{"tens": 10}, {"tens": 20}]
    # The statement prepared before the migration: same text, re-planned by Postgres.
    for _ in range(8):  # over several pooled connections
        assert (await reloading.get("/things?order=n")).json() == [{"n": 1, "tens": 10}, {"n": 2, "tens": 20}]
