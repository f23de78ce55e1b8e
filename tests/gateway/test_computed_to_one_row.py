"""A computed to-one relationship declared without SETOF (PostgREST warns it is
not inlined, but allows it): when it finds no row, Postgres' FROM gives a row
of nulls, which the embed must show as null, not as an object of nulls. Run on
the real database inside a rolled-back transaction, with the schema cache read
there and the statement the gateway renders."""

from __future__ import annotations

import asyncpg
import msgspec

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import plan_request
from gateway.dialect.render.statement import bind, render
from gateway.http.schema_loader import load_schema_cache
from tests.factories import make_school


async def test_a_null_row_is_no_row(admin: asyncpg.Connection) -> None:
    school = await make_school(admin)
    await admin.execute(
        """create function api.gw_test_term(api.schools) returns api.academic_terms language sql stable
           as $$ select t.* from api.academic_terms t where t.school_id = $1.id and t.is_current $$"""
    )
    cache = await load_schema_cache(admin, "api")
    assert [c.to_one for c in cache.computed_relationships if c.function == "gw_test_term"] == [True]
    request = parse_request("GET", "schools", rpc=False, query=f"select=id,gw_test_term(name)&id=eq.{school.id}",
                            headers={}, body=None)  # fmt: skip
    rendered = render(plan_request(request, cache))
    body = await admin.fetchval(rendered.sql, *bind(rendered, request, 10))
    assert msgspec.json.decode(body) == [{"id": str(school.id), "gw_test_term": None}]
    await admin.execute("update data.academic_terms set is_current = true where id = $1", school.term)
    body = await admin.fetchval(rendered.sql, *bind(rendered, request, 10))
    assert msgspec.json.decode(body) == [{"id": str(school.id), "gw_test_term": {"name": "2026-2027"}}]
