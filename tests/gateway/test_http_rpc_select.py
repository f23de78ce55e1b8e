"""A function returning rows of a relation is read like one (PostgREST):
`select`, filters (POST), `order`, `limit`/`offset` on its result, the columns
resolved against the returned relation. A throw-away schema `gw_rpc_select`,
served by a second app, holds set-returning and one-row functions; the real
api.set_current_term covers the client's case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import CallPlan, plan_request
from gateway.dialect.render.statement import bind, render
from gateway.dialect.schema.cache import Argument, Function
from tests.factories import School, make_school
from tests.gateway.catalog import SCHEMA
from tests.gateway.http_support import as_role, assert_canonical_error, settings_for

# What writes and calls add to the four columns (render/statement.py _RESPONSE).
RESPONSE = (
    "nullif(current_setting('response.headers', true), '') as response_headers, "
    "nullif(current_setting('response.status', true), '') as response_status "
)

TEST_SCHEMA = """
create schema gw_rpc_select;
grant usage on schema gw_rpc_select to anon, school_admin;
create table gw_rpc_select.item (id integer primary key, name text not null, grade integer);
insert into gw_rpc_select.item values (1, 'one', 3), (2, 'two', 1), (3, 'three', 2), (4, 'four', null);
grant select on gw_rpc_select.item to anon, school_admin;
create function gw_rpc_select.items(p_min integer default 0) returns setof gw_rpc_select.item
    language sql stable as $$ select * from gw_rpc_select.item where id >= p_min order by id $$;
create function gw_rpc_select.pick(p_id integer) returns gw_rpc_select.item
    language sql stable as $$ select * from gw_rpc_select.item where id = p_id $$;
create function gw_rpc_select.pairs() returns table (n integer, label text)
    language sql stable as $$ select 1, 'a' $$;
create function gw_rpc_select.answer() returns integer language sql immutable as $$ select 42 $$;
"""


@pytest.fixture(scope="module")
async def rpc(database_url: str, committer_session: asyncpg.Connection) -> AsyncIterator[AsyncTestClient[Litestar]]:
    await committer_session.execute(TEST_SCHEMA)
    try:
        async with AsyncTestClient(create_app(settings_for(database_url, db_schema="gw_rpc_select"))) as client:
            yield client
    finally:
        await committer_session.execute("drop schema gw_rpc_select cascade")


# --- pure: parse, plan, render ----------------------------------------------------

_ITEMS = Function(schema="api", name="items", arguments=(Argument(name="p_min", type="integer", has_default=True),),
                  returns="api.students", returns_set=True, volatility="stable")  # fmt: skip
_SCHEMA = SCHEMA.__class__(schema=SCHEMA.schema, relations=SCHEMA.relations,
                           functions={**SCHEMA.functions, "items": (_ITEMS,)})  # fmt: skip


@pytest.mark.parametrize(
    ("method", "query", "body", "fragment", "args"),
    [
        ("GET", "select=id,last_name&p_min=2", None,
         ('with pgrst_source as (select pgrst_call.* from "api"."items"("p_min" => $1::text::integer) as pgrst_call) '
          'select coalesce(json_agg(pgrst_t), \'[]\')::text as body, count(*) as page_total, null::bigint as total, '
          'null::text[] as location, ' + RESPONSE + 'from (select pgrst_call."id" as "id", pgrst_call."last_name" as "last_name" '
          "from pgrst_source as pgrst_call limit $2 offset $3) pgrst_t"), ("2", 1000, 0)),
        ("GET", "order=last_name.desc&limit=5&offset=1", None,
         'from pgrst_source as pgrst_call order by pgrst_call."last_name" desc limit $1 offset $2', (5, 1)),
        ("POST", "select=id&last_name=eq.x", b'{"p_min": 1}',
         ('with pgrst_source as (select pgrst_call.* from json_to_record($2::json) as pgrst_args("p_min" integer) '
          'cross join lateral "api"."items"("p_min" => pgrst_args."p_min") as pgrst_call '
          'where (pgrst_call."last_name" = $1::text)) '), ("x", '{"p_min": 1}', 1000, 0)),
        # GET: a filter-shaped value is a filter, any other an argument; filters' slots come first.
        ("GET", "p_min=2&last_name=eq.x&or=(id.is.null)", None,
         ('"api"."items"("p_min" => $2::text::integer) as pgrst_call '
          'where (pgrst_call."last_name" = $1::text) and ((pgrst_call."id" is null)))'), ("x", "2", 1000, 0)),
    ],
)  # fmt: skip
def test_shaped_calls_render_against_the_returned_relation(
    method: str, query: str, body: bytes | None, fragment: str, args: tuple[object, ...]
) -> None:
    request = parse_request(method, "items", rpc=True, query=query, headers={}, body=body)
    plan = plan_request(request, _SCHEMA)
    assert isinstance(plan, CallPlan) and plan.shaped
    rendered = render(plan)
    assert fragment in rendered.sql
    assert bind(rendered, request, 1000) == args


@pytest.mark.parametrize("query", ["", "select=*"])
def test_an_unshaped_call_returns_whole_rows_still_cut(query: str) -> None:
    request = parse_request("GET", "items", rpc=True, query=query, headers={}, body=None)
    plan = plan_request(request, _SCHEMA)
    assert isinstance(plan, CallPlan) and not plan.shaped
    sql = render(plan).sql
    assert 'select pgrst_call from "api"."items"() as pgrst_call' in sql and "json_agg(pgrst_t.pgrst_call)" in sql
    assert "limit $1 offset $2" in sql and bind(render(plan), request, 50) == (50, 0)


def test_limit_is_a_value_not_a_shape() -> None:
    """A set is always cut (MAX_ROWS at least), so a limit is only a bound value."""

    def shape(query: str) -> object:
        return parse_request("GET", "items", rpc=True, query=query, headers={}, body=None).shape()

    assert shape("limit=1") == shape("") == shape("limit=2&offset=3")


@pytest.mark.parametrize(
    ("query", "arguments", "filters"),
    [
        ("p_min=2&name=eq.x", ("p_min",), 1),
        ("p_min=eq.2", (), 1),  # PostgREST: the value decides, so this filters a column p_min
        ("p_min=in.progress&name=like.a*", ("p_min",), 1),  # `in.` needs a list: not a filter
        ("name=not.is.null&p_min=is.maybe", ("p_min",), 1),
        ("or=(id.eq.1,id.eq.2)&p_min=1", ("p_min",), 1),
    ],
)
def test_get_tells_arguments_from_filters_by_their_values(
    query: str, arguments: tuple[str, ...], filters: int
) -> None:
    request = parse_request("GET", "items", rpc=True, query=query, headers={}, body=None)
    assert (request.rpc_args, len(request.where)) == (arguments, filters)
    if arguments:  # the arguments' values are the last slots
        assert request.values[-len(arguments):] == tuple(dict(parse_qsl(query))[a] for a in arguments)


@pytest.mark.parametrize(
    ("prefer", "total", "explain"),
    [
        ("count=exact", "(select count(*) from pgrst_source) as total", False),
        # planned counts as estimated does (issue 13, F1); the EXPLAIN is rendered, never run
        ("count=planned", "(select count(*) from (select 1 from pgrst_source limit $3) pgrst_c) as total", True),
        ("count=estimated", "(select count(*) from (select 1 from pgrst_source limit $3) pgrst_c) as total", True),
    ],
)
def test_counts_run_over_the_cte_so_the_function_runs_once(prefer: str, total: str, explain: bool) -> None:
    request = parse_request("POST", "items", rpc=True, query="select=id", headers={"prefer": prefer}, body=b"{}")
    rendered = render(plan_request(request, _SCHEMA))
    assert total in rendered.sql and rendered.sql.count('"api"."items"(') == 1
    assert (rendered.explain is not None) is explain
    if explain:  # the EXPLAIN takes the body too: it is the CTE's argument source
        assert rendered.explain_extras == 0 and "$" not in (rendered.explain or "")
    posted = parse_request("POST", "items", rpc=True, query="select=id", headers={"prefer": prefer},
                           body=b'{"p_min": 1}')  # fmt: skip
    with_arguments = render(plan_request(posted, _SCHEMA))
    assert with_arguments.explain_extras == 1


# --- over HTTP ----------------------------------------------------------------------


async def test_select_order_limit_on_a_set(rpc: AsyncTestClient[Litestar]) -> None:
    response = await rpc.get("/rpc/items?select=id,name&order=name.desc&limit=2&offset=1")
    assert response.status_code == 200, response.text
    assert response.json() == [{"id": 3, "name": "three"}, {"id": 1, "name": "one"}]
    renamed = await rpc.get("/rpc/items?p_min=3&select=key:id")
    assert renamed.json() == [{"key": 3}, {"key": 4}]


async def test_filters_on_a_posted_call(rpc: AsyncTestClient[Litestar]) -> None:
    response = await rpc.post("/rpc/items?select=id&grade=gte.2&order=id", json={"p_min": 1})
    assert response.status_code == 200, response.text
    assert response.json() == [{"id": 1}, {"id": 3}]
    nulls = await rpc.post("/rpc/items?select=id&grade=is.null", json={})
    assert nulls.json() == [{"id": 4}]
    either = await rpc.post("/rpc/items?select=id&or=(id.eq.1,name.eq.two)&order=id", json={})
    assert either.json() == [{"id": 1}, {"id": 2}]


async def test_one_row_type_answers_one_object(rpc: AsyncTestClient[Litestar]) -> None:
    response = await rpc.get("/rpc/pick?p_id=2&select=name")
    assert (response.status_code, response.json()) == (200, {"name": "two"})
    assert (await rpc.get("/rpc/pick?p_id=2")).json() == {"id": 2, "name": "two", "grade": 1}


async def test_single_object_of_a_shaped_set(rpc: AsyncTestClient[Litestar]) -> None:
    one = await rpc.get("/rpc/items?select=id&limit=1", headers={"Accept": "application/vnd.pgrst.object+json"})
    assert (one.status_code, one.json()) == (200, {"id": 1})


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/rpc/items?select=nope", 400, "42703"),
        ("GET", "/rpc/items?order=nope", 400, "42703"),
        ("POST", "/rpc/items?nope=eq.1", 400, "42703"),
        ("GET", "/rpc/pairs?select=n", 400, "PGRST100"),  # a record of OUT columns: no relation to resolve
        ("GET", "/rpc/answer?select=x", 400, "PGRST100"),
        ("GET", "/rpc/items?select=id,item(id)", 400, "PGRST200"),  # no relationship item-item
        # aggregates apply to a function's rows (AggregateFunctionsSpec:90), only for AGGREGATES_ROLES
        ("GET", "/rpc/items?select=id.count()", 400, "PGRST123"),
    ],
)
async def test_what_cannot_be_resolved_is_refused(
    rpc: AsyncTestClient[Litestar], method: str, path: str, status: int, code: str
) -> None:
    response = await rpc.request(method, path, json={} if method == "POST" else None)
    assert_canonical_error(response, status, code)


async def test_set_current_term_with_select(
    api: AsyncTestClient[Litestar], gateway_app: Litestar, committer_session: asyncpg.Connection
) -> None:
    assert "set_current_term" in gateway_app.state.schema_cache.functions, "api.set_current_term (m0006) is exposed"
    school: School = await make_school(committer_session)
    response = await api.post("/rpc/set_current_term?select=id,is_current", json={"p_term_id": str(school.term)},
                              headers=as_role("school_admin", school))  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json() == {"id": str(school.term), "is_current": True}


async def test_head_calls_a_stable_function_without_a_body(rpc: AsyncTestClient[Litestar]) -> None:
    response = await rpc.head("/rpc/items?p_min=2&select=id")
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-type"].startswith("application/json")


async def test_head_on_a_writing_function_is_refused_read_only(
    api: AsyncTestClient[Litestar], gateway_app: Litestar, committer_session: asyncpg.Connection
) -> None:
    assert "set_current_term" in gateway_app.state.schema_cache.functions, "api.set_current_term (m0006) is exposed"
    school = await make_school(committer_session)
    response = await api.head(f"/rpc/set_current_term?p_term_id={school.term}", headers=as_role("school_admin", school))
    assert (response.status_code, response.content) == (405, b""), "the UPDATE fails in HEAD's read-only transaction"
    assert not await committer_session.fetchval("select is_current from data.academic_terms where id = $1", school.term)