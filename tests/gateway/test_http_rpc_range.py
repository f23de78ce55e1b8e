"""A set-returning function's rows are paged like a table's (PostgREST's
"Functions as RPC" and RpcSpec): filters on a GET call's result, Range
(GET only) and limit/offset, Content-Range, 206 and 416, Prefer count; one
value is the range 0-0 whatever is asked. A throw-away schema `gw_rpc_range`,
served by a second app, holds the functions; every answer is checked against
the database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.gateway.http_support import MAX_ROWS, assert_canonical_error, settings_for

TEST_SCHEMA = """
create schema gw_rpc_range;
grant usage on schema gw_rpc_range to anon;
create table gw_rpc_range.item (id integer primary key, name text not null, grade integer);
insert into gw_rpc_range.item select n, 'item ' || n, case when n % 3 = 0 then null else n % 5 end
    from generate_series(1, 80) n;
grant select on gw_rpc_range.item to anon;
create table gw_rpc_range.calls (n serial primary key);
grant insert on gw_rpc_range.calls to anon;
grant usage on sequence gw_rpc_range.calls_n_seq to anon;
create function gw_rpc_range.items(p_min integer default 0, p_name text default null)
    returns setof gw_rpc_range.item language sql stable as
    $$ select * from gw_rpc_range.item where id >= p_min and (p_name is null or name like p_name) order by id $$;
create function gw_rpc_range.numbers(p_upto integer) returns setof integer
    language sql immutable as $$ select generate_series(1, p_upto) $$;
create function gw_rpc_range.answer() returns integer language sql immutable as $$ select 42 $$;
-- Volatile, with a side effect per run: a count must not run it twice.
create function gw_rpc_range.counted_items() returns setof gw_rpc_range.item language sql as
    $$ insert into gw_rpc_range.calls default values; select * from gw_rpc_range.item order by id $$;
"""


@pytest.fixture(scope="module")
async def rpc(database_url: str, committer_session: asyncpg.Connection) -> AsyncIterator[AsyncTestClient[Litestar]]:
    await committer_session.execute(TEST_SCHEMA)
    try:
        async with AsyncTestClient(create_app(settings_for(database_url, db_schema="gw_rpc_range"))) as client:
            yield client
    finally:
        await committer_session.execute("drop schema gw_rpc_range cascade")


async def ids(db: asyncpg.Connection, where: str = "true") -> list[int]:
    return [r["id"] for r in await db.fetch(f"select id from gw_rpc_range.item where {where} order by id")]


async def test_get_filters_the_result_and_passes_the_arguments(
    rpc: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    response = await rpc.get("/rpc/items?p_min=10&grade=gte.3&id=lt.30&select=id&order=id")
    assert response.status_code == 200, response.text
    expected = await ids(committer_session, "id >= 10 and grade >= 3 and id < 30")
    assert [r["id"] for r in response.json()] == expected and expected
    either = await rpc.get("/rpc/items?p_min=70&or=(grade.is.null,id.eq.71)&select=id&order=id")
    assert [r["id"] for r in either.json()] == await ids(committer_session, "id >= 70 and (grade is null or id = 71)")
    # A value that is not a filter is an argument, even of a text parameter with a dot in it.
    named = await rpc.get("/rpc/items?p_name=item 7%&select=id&id=not.in.(7)&order=id")
    assert [r["id"] for r in named.json()] == await ids(committer_session, "name like 'item 7%' and id <> 7")


async def test_range_header_and_content_range(
    rpc: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    every = await ids(committer_session, "id >= 5")
    response = await rpc.get("/rpc/items?p_min=5&select=id&order=id", headers={"Range": "2-4"})
    assert (response.status_code, response.headers["content-range"]) == (200, "2-4/*")
    assert [r["id"] for r in response.json()] == every[2:5]
    counted = await rpc.get("/rpc/items?p_min=5&select=id&order=id",
                            headers={"Range": "2-4", "Prefer": "count=exact"})  # fmt: skip
    assert (counted.status_code, counted.headers["content-range"]) == (206, f"2-4/{len(every)}")
    assert counted.headers["preference-applied"] == "count=exact"
    # The query string's limit/offset win over the header, as on tables.
    limited = await rpc.get("/rpc/items?p_min=5&select=id&order=id&limit=1&offset=3", headers={"Range": "0-9"})
    assert ([r["id"] for r in limited.json()], limited.headers["content-range"]) == (every[3:4], "3-3/*")


async def test_post_pages_by_limit_offset_and_ignores_range(
    rpc: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    every = await ids(committer_session, "id >= 75")
    ignored = await rpc.post("/rpc/items?select=id&order=id", json={"p_min": 75},
                             headers={"Range": "1-1", "Prefer": "count=exact"})  # fmt: skip
    assert (ignored.status_code, ignored.headers["content-range"]) == (200, f"0-{len(every) - 1}/{len(every)}")
    assert [r["id"] for r in ignored.json()] == every
    paged = await rpc.post("/rpc/items?select=id&order=id&limit=2&offset=1&grade=not.is.null", json={"p_min": 75},
                           headers={"Prefer": "count=exact"})  # fmt: skip
    filtered = await ids(committer_session, "id >= 75 and grade is not null")
    assert (paged.status_code, paged.headers["content-range"]) == (206, f"1-2/{len(filtered)}")
    assert [r["id"] for r in paged.json()] == filtered[1:3]


async def test_past_the_end(rpc: AsyncTestClient[Litestar]) -> None:
    refused = await rpc.get("/rpc/items?p_min=79", headers={"Range": "5-9", "Prefer": "count=exact"})
    body = assert_canonical_error(refused, 416, "PGRST103")
    assert refused.headers["content-range"] == "*/2" and "2 rows" in body["details"]
    uncounted = await rpc.get("/rpc/items?p_min=79", headers={"Range": "5-9"})
    assert (uncounted.status_code, uncounted.json(), uncounted.headers["content-range"]) == (200, [], "*/*")
    empty = await rpc.get("/rpc/items?p_min=1000", headers={"Prefer": "count=exact"})
    assert (empty.status_code, empty.json(), empty.headers["content-range"]) == (200, [], "*/0")


async def test_max_rows_cuts_a_set_and_the_count_says_so(rpc: AsyncTestClient[Litestar]) -> None:
    response = await rpc.get("/rpc/numbers?p_upto=80", headers={"Prefer": "count=exact"})
    assert response.json() == list(range(1, MAX_ROWS + 1))
    assert (response.status_code, response.headers["content-range"]) == (206, f"0-{MAX_ROWS - 1}/80")
    scalars = await rpc.get("/rpc/numbers?p_upto=9", headers={"Range": "3-4"})  # a set of values pages too
    assert (scalars.json(), scalars.headers["content-range"]) == ([4, 5], "3-4/*")


@pytest.mark.parametrize("prefer", ["count=planned", "count=estimated"])
async def test_planned_and_estimated_counts(rpc: AsyncTestClient[Litestar], prefer: str) -> None:
    """Both are exact up to MAX_ROWS and unknown past it, like a read: never
    the planner's estimate, whose statistics span every school (issue 13, F1)."""
    response = await rpc.get("/rpc/items?p_min=0&select=id&limit=5", headers={"Prefer": prefer})
    assert response.status_code == 200, response.text
    assert response.headers["content-range"] == "0-4/*"
    small = await rpc.get("/rpc/items?p_min=71&select=id", headers={"Prefer": prefer})
    assert small.headers["content-range"] == "0-9/10"


async def test_a_volatile_function_runs_once_when_counted(
    rpc: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    before = await committer_session.fetchval("select count(*) from gw_rpc_range.calls")
    for prefer in ("count=exact", "count=estimated", "count=planned"):
        response = await rpc.post("/rpc/counted_items?select=id&limit=3", json={}, headers={"Prefer": prefer})
        # Past MAX_ROWS a planned or estimated total is unknown (`*`): 200, not 206.
        assert response.status_code == (206 if prefer == "count=exact" else 200), response.text
        assert [r["id"] for r in response.json()] == [1, 2, 3]
    assert await committer_session.fetchval("select count(*) from gw_rpc_range.calls") == before + 3


async def test_one_value_is_the_range_0_0(rpc: AsyncTestClient[Litestar]) -> None:
    plain = await rpc.get("/rpc/answer")
    assert (plain.status_code, plain.json(), plain.headers["content-range"]) == (200, 42, "0-0/*")
    counted = await rpc.get("/rpc/answer", headers={"Prefer": "count=exact", "Range": "5-9"})
    assert (counted.status_code, counted.json(), counted.headers["content-range"]) == (200, 42, "0-0/1")
    planned = await rpc.post("/rpc/answer", json={}, headers={"Prefer": "count=planned"})
    assert (planned.status_code, planned.headers["content-range"]) == (200, "0-0/*")


async def test_head_counts_without_a_body(
    rpc: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    every = await ids(committer_session, "id >= 60")
    response = await rpc.head("/rpc/items?p_min=60&limit=5", headers={"Prefer": "count=exact"})
    assert (response.status_code, response.content) == (206, b"")
    assert response.headers["content-range"] == f"0-4/{len(every)}"
