"""/metrics in process: bounded labels, database figures, the pool, Server-Timing."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.factories import School
from tests.gateway.http_support import as_role, settings_for


async def test_requests_are_counted_by_route_template_and_known_resource(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    headers = as_role("teacher", schools[0])
    await api.get("/students?select=id&limit=1", headers=headers)
    await api.get("/no_such_table_4f1c", headers=headers)
    text = (await api.get("/metrics")).text
    assert re.search(r'school_gateway_requests_total\{method="GET",resource="students",role="teacher",'
                     r'route="/\{resource\}",status="200"\} [1-9]', text)  # fmt: skip
    assert "no_such_table_4f1c" not in text, "a name the schema does not know never becomes a label"
    assert 'school_gateway_request_duration_seconds_bucket{le="0.005",method="GET",route="/{resource}"}' in text


async def test_database_and_pool_figures_are_in_the_scrape(api: AsyncTestClient[Litestar]) -> None:
    response = await api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert "school_database_up 1.0" in text
    assert re.search(r"school_database_transactions_total \d", text)
    assert re.search(r'school_gateway_pool_connections\{state="max"\} 8\.0', text), "the pool's configured size"
    assert "school_gateway_schema_reloads_total{outcome=\"ok\"}" in text


async def test_server_timing_is_off_by_default_and_names_each_stage_when_on(
    api: AsyncTestClient[Litestar], database_url: str, schools: tuple[School, School]
) -> None:
    headers = as_role("school_admin", schools[0])
    plain = await api.get("/students?select=id&limit=1", headers=headers)
    assert "server-timing" not in plain.headers
    async with AsyncTestClient(create_app(settings_for(database_url, server_timing=True))) as timed:
        response = await timed.get("/students?select=id&limit=1", headers=headers)
    assert response.status_code == 200
    stages = [part.split(";")[0] for part in response.headers["server-timing"].split(", ")]
    assert stages == ["jwt", "parse", "plan", "transaction", "response"], "PostgREST's names, in order"
    assert re.fullmatch(r"(\w+;dur=\d+\.\d(, )?)+", response.headers["server-timing"])
