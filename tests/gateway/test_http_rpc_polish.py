"""PostgREST parity on function calls over HTTP (issue 6): `Accept: text/csv`
on function results, `Prefer: max-affected` with handling=strict, and the
headers of a void call. A throw-away schema `gw_rpc_polish`, served by a
second app; every answer is checked against what the database holds."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.gateway.http_support import assert_canonical_error, settings_for

TEST_SCHEMA = """
create schema gw_rpc_polish;
grant usage on schema gw_rpc_polish to anon;
create table gw_rpc_polish.item (id integer primary key, name text not null, grade integer);
insert into gw_rpc_polish.item values (1, 'one', 3), (2, 'two, "2"', 1), (3, 'three', 2), (4, 'four', null);
grant select, insert, delete on gw_rpc_polish.item to anon;
create table gw_rpc_polish.log (note text);
grant select, insert on gw_rpc_polish.log to anon;
create type gw_rpc_polish.point as (x integer, label text);
create function gw_rpc_polish.items(p_min integer default 0) returns setof gw_rpc_polish.item
    language sql stable as $$ select * from gw_rpc_polish.item where id >= p_min order by id $$;
create function gw_rpc_polish.pick(p_id integer) returns gw_rpc_polish.item
    language sql stable as $$ select * from gw_rpc_polish.item where id = p_id $$;
create function gw_rpc_polish.pairs() returns table (n integer, label text)
    language sql stable as $$ select i, 'n' || i from generate_series(1, 2) i $$;
create function gw_rpc_polish.origin() returns gw_rpc_polish.point
    language sql immutable as $$ select 0, 'a,b' $$;
create function gw_rpc_polish.answer() returns integer language sql immutable as $$ select 42 $$;
create function gw_rpc_polish.phrase() returns text language sql immutable as $$ select 'say "hi", twice' $$;
create function gw_rpc_polish.numbers(p_upto integer) returns setof integer
    language sql immutable as $$ select generate_series(1, p_upto) $$;
create function gw_rpc_polish.remember(p_note text) returns void
    language sql as $$ insert into gw_rpc_polish.log values (p_note) $$;
-- Volatile, for max-affected: each deletes rows and says which.
create function gw_rpc_polish.purge(p_max_id integer) returns setof gw_rpc_polish.item
    language sql as $$ delete from gw_rpc_polish.item where id <= p_max_id returning * $$;
create function gw_rpc_polish.purge_table(p_max_id integer) returns table (id integer)
    language sql as $$ delete from gw_rpc_polish.item where id <= p_max_id returning id $$;
create function gw_rpc_polish.purge_one(p_id integer) returns gw_rpc_polish.item
    language sql as $$ delete from gw_rpc_polish.item where id = p_id returning * $$;
create function gw_rpc_polish.purge_count(p_max_id integer) returns integer
    language sql as $$ with gone as (delete from gw_rpc_polish.item where id <= p_max_id returning 1)
                       select count(*)::integer from gone $$;
"""
ROWS = [(1, "one", 3), (2, 'two, "2"', 1), (3, "three", 2), (4, "four", None)]


@pytest.fixture(scope="module")
async def rpc(database_url: str, committer_session: asyncpg.Connection) -> AsyncIterator[AsyncTestClient[Litestar]]:
    await committer_session.execute(TEST_SCHEMA)
    try:
        async with AsyncTestClient(create_app(settings_for(database_url, db_schema="gw_rpc_polish"))) as client:
            yield client
    finally:
        await committer_session.execute("drop schema gw_rpc_polish cascade")


@pytest.fixture
async def items(committer_session: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """The four items, as the schema made them, again after a test that deletes."""
    yield committer_session
    await committer_session.execute("truncate gw_rpc_polish.item, gw_rpc_polish.log")
    await committer_session.executemany("insert into gw_rpc_polish.item values ($1, $2, $3)", ROWS)


CSV_ACCEPT = {"Accept": "text/csv"}


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def as_fields(rows: list[asyncpg.Record]) -> list[list[str]]:
    """Rows as CSV fields: NULL is an empty field."""
    return [["" if value is None else str(value) for value in row.values()] for row in rows]


# --- Accept: text/csv ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_csv_of_a_set_of_rows_is_the_relations_csv(
    rpc: AsyncTestClient[Litestar], items: asyncpg.Connection, method: str
) -> None:
    if method == "GET":
        response = await rpc.get("/rpc/items?p_min=2", headers=CSV_ACCEPT)
    else:
        response = await rpc.post("/rpc/items", json={"p_min": 2}, headers=CSV_ACCEPT)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-range"] == "0-2/*"
    expected = await items.fetch("select id, name, grade from gw_rpc_polish.item where id >= 2 order by id")
    assert parsed(response.text) == [["id", "name", "grade"], *as_fields(expected)]
    assert response.text.splitlines()[1] == '2,"two, ""2""",1'  # RFC 4180 quoting, as on tables


async def test_csv_of_a_shaped_and_paged_set(rpc: AsyncTestClient[Litestar], items: asyncpg.Connection) -> None:
    response = await rpc.get(
        "/rpc/items?select=name,grade&grade=not.is.null&order=grade.desc",
        headers={**CSV_ACCEPT, "Range": "1-1", "Prefer": "count=exact"},
    )
    assert response.status_code == 206, response.text
    assert response.headers["content-range"] == "1-1/3"
    expected = await items.fetch(
        "select name, grade from gw_rpc_polish.item where grade is not null order by grade desc limit 1 offset 1"
    )
    assert parsed(response.text) == [["name", "grade"], *as_fields(expected)]


async def test_csv_of_no_rows_is_empty(rpc: AsyncTestClient[Litestar], items: asyncpg.Connection) -> None:
    response = await rpc.get("/rpc/items?p_min=99", headers=CSV_ACCEPT)
    # As PostgREST: an empty header line, no rows.
    assert (response.status_code, response.text, response.headers["content-range"]) == (200, "\n", "*/*")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/rpc/pick?p_id=4", "select id, name, grade from gw_rpc_polish.item where id = 4"),
        ("/rpc/pairs", "select i as n, 'n' || i as label from generate_series(1, 2) i"),
        ("/rpc/origin", "select 0 as x, 'a,b' as label"),  # a composite type that is no relation
    ],
)
async def test_csv_of_a_row_names_its_columns(
    rpc: AsyncTestClient[Litestar], items: asyncpg.Connection, path: str, expected: str
) -> None:
    response = await rpc.get(path, headers=CSV_ACCEPT)
    assert response.status_code == 200, response.text
    rows = await items.fetch(expected)
    assert parsed(response.text) == [list(rows[0].keys()), *as_fields(rows)]
    assert response.headers["content-range"] == f"0-{len(rows) - 1}/*"


@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("/rpc/answer", ["42"]),
        ("/rpc/phrase", ['say "hi", twice']),
        ("/rpc/numbers?p_upto=3", ["1", "2", "3"]),
    ],
)
async def test_csv_of_values_has_postgrests_pgrst_scalar_header(
    rpc: AsyncTestClient[Litestar], path: str, values: list[str]
) -> None:
    response = await rpc.get(path, headers=CSV_ACCEPT)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert parsed(response.text) == [["pgrst_scalar"], *([v] for v in values)]
    # The same values as JSON.
    as_json = (await rpc.get(path)).json()
    assert [str(v) for v in (as_json if isinstance(as_json, list) else [as_json])] == values


async def test_csv_of_one_value_ignores_range_as_json_does(rpc: AsyncTestClient[Litestar]) -> None:
    response = await rpc.get("/rpc/answer?offset=1", headers={**CSV_ACCEPT, "Range": "2-3"})
    assert (response.status_code, response.text, response.headers["content-range"]) == (200, "pgrst_scalar\n42", "0-0/*")


async def test_csv_on_a_void_call_is_204_and_the_call_runs(
    rpc: AsyncTestClient[Litestar], items: asyncpg.Connection
) -> None:
    response = await rpc.post("/rpc/remember", json={"p_note": "csv"}, headers=CSV_ACCEPT)
    assert (response.status_code, response.content) == (204, b"")
    assert "content-type" not in response.headers
    assert await items.fetchval("select count(*) from gw_rpc_polish.log where note = 'csv'") == 1


# --- Prefer: max-affected -----------------------------------------------------------


async def ids(connection: asyncpg.Connection) -> list[int]:
    return [row["id"] for row in await connection.fetch("select id from gw_rpc_polish.item order by id")]


@pytest.mark.parametrize("function", ["purge", "purge_table"])
async def test_max_affected_refuses_more_returned_rows_and_rolls_back(
    rpc: AsyncTestClient[Litestar], items: asyncpg.Connection, function: str
) -> None:
    response = await rpc.post(
        f"/rpc/{function}", json={"p_max_id": 3}, headers={"Prefer": "handling=strict, max-affected=2"}
    )
    body = assert_canonical_error(response, 400, "PGRST124")
    assert body["message"] == "Query result exceeds max-affected preference constraint"
    assert body["details"] == "The query affects 3 rows"
    assert await ids(items) == [1, 2, 3, 4]


async def test_max_affected_allows_up_to_n_rows(rpc: AsyncTestClient[Litestar], items: asyncpg.Connection) -> None:
    response = await rpc.post(
        "/rpc/purge?select=id", json={"p_max_id": 3}, headers={"Prefer": "handling=strict, max-affected=3"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert response.headers["preference-applied"] == "handling=strict, max-affected=3"
    assert await ids(items) == [4]


async def test_max_affected_without_strict_handling_is_ignored(
    rpc: AsyncTestClient[Litestar], items: asyncpg.Connection
) -> None:
    response = await rpc.post("/rpc/purge", json={"p_max_id": 3}, headers={"Prefer": "max-affected=1"})
    assert response.status_code == 200, response.text
    assert len(response.json()) == 3
    assert "preference-applied" not in response.headers
    assert await ids(items) == [4]


async def test_max_affected_counts_a_get_calls_rows_too(rpc: AsyncTestClient[Litestar], items: asyncpg.Connection) -> None:
    """PostgREST checks every call's returned rows, whatever the method (MainTx.hs)."""
    response = await rpc.get("/rpc/items?p_min=2", headers={"Prefer": "handling=strict, max-affected=2"})
    assert assert_canonical_error(response, 400, "PGRST124")["details"] == "The query affects 3 rows"


@pytest.mark.parametrize(
    ("function", "body"),
    [("purge_one", {"p_id": 1}), ("purge_count", {"p_max_id": 3}), ("remember", {"p_note": "refused"})],
)
async def test_max_affected_refuses_functions_that_return_no_set(
    rpc: AsyncTestClient[Litestar], items: asyncpg.Connection, function: str, body: dict[str, object]
) -> None:
    response = await rpc.post(f"/rpc/{function}", json=body, headers={"Prefer": "handling=strict, max-affected=5"})
    error = assert_canonical_error(response, 400, "PGRST128")
    assert error["message"] == (
        "Function must return SETOF or TABLE when max-affected preference is used with handling=strict"
    )
    assert await ids(items) == [1, 2, 3, 4]
    assert await items.fetchval("select count(*) from gw_rpc_polish.log") == 0


# --- a void call's headers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("prefer", "content_range", "applied"),
    [
        (None, "0-0/*", None),
        ("count=exact", "0-0/1", "count=exact"),
        ("count=planned", "0-0/*", "count=planned"),
    ],
)
async def test_a_void_call_answers_204_with_content_range(
    rpc: AsyncTestClient[Litestar], items: asyncpg.Connection,
    prefer: str | None, content_range: str, applied: str | None,
) -> None:  # fmt: skip
    """PostgREST's Response.hs sends the range of its one (void) value, and no Content-Type."""
    response = await rpc.post("/rpc/remember", json={"p_note": "void"}, headers={"Prefer": prefer} if prefer else {})
    assert (response.status_code, response.content) == (204, b"")
    assert response.headers["content-range"] == content_range
    assert response.headers.get("preference-applied") == applied
    assert "content-type" not in response.headers
    assert await items.fetchval("select count(*) from gw_rpc_polish.log where note = 'void'") == 1


async def test_a_void_call_with_tx_rollback_is_undone(rpc: AsyncTestClient[Litestar], items: asyncpg.Connection) -> None:
    response = await rpc.post("/rpc/remember", json={"p_note": "undone"}, headers={"Prefer": "tx=rollback"})
    assert response.status_code == 204, response.text
    assert (response.headers["content-range"], response.headers["preference-applied"]) == ("0-0/*", "tx=rollback")
    assert await items.fetchval("select count(*) from gw_rpc_polish.log") == 0


async def test_a_void_call_is_one_object_for_the_singular_media_type(
    rpc: AsyncTestClient[Litestar], items: asyncpg.Connection
) -> None:
    """PostgREST counts a void result as one row, so vnd.pgrst.object passes its singular check."""
    response = await rpc.post(
        "/rpc/remember", json={"p_note": "one"}, headers={"Accept": "application/vnd.pgrst.object+json"}
    )
    assert (response.status_code, response.content) == (204, b"")
    assert await items.fetchval("select count(*) from gw_rpc_polish.log where note = 'one'") == 1
