"""Throughput of a 20-row page: the gateway over HTTP vs the same SQL through
asyncpg directly (DESIGN.md "Performance notes"). On demand:

    pytest -m benchmark tests/gateway/test_http_benchmark.py -s
    BENCH_SCHOOLS=20 BENCH_STUDENTS=5000 BENCH_WORKERS=2 BENCH_CLIENTS=32 BENCH_SECONDS=10 pytest -m benchmark ...
    BENCH_UVICORN_ARGS="--loop asyncio --http h11" ...   # the pure-Python stack (no uvloop/httptools)
    BENCH_LOG_LEVEL=WARNING ...                          # without the per-request access log line

The ceiling does exactly the gateway's database work per request: BEGIN READ
ONLY, the set_config round trip, the rendered statement, COMMIT. The load
generator is a minimal keep-alive HTTP/1.1 client in this process; on a small
machine it competes with the server and Postgres for the same cores, so read
the ratio, not the absolute numbers.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import asyncpg
import pytest

from db.database import with_user
from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import plan_request
from gateway.dialect.render.statement import bind, render
from gateway.http.schema_loader import load_schema_cache
from gateway.identity.setup import SETUP, setup_args
from tests.factories import School, make_school
from tests.gateway.http_support import SECRET, token
from tests.http_process import free_port

SCHOOLS = int(os.environ.get("BENCH_SCHOOLS", "20"))
STUDENTS = int(os.environ.get("BENCH_STUDENTS", "5000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
QUERY = "select=id,student_number,first_name,last_name,date_of_birth&order=student_number&limit=20"

pytestmark = pytest.mark.benchmark


@pytest.fixture(scope="module")
async def bench_school(database_url: str) -> School:
    connection = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        schools = [await make_school(connection) for _ in range(SCHOOLS)]
        for school in schools:
            await connection.execute(
                """insert into data.students (school_id, student_number, first_name, last_name, date_of_birth, gender)
                   select $1, 'B-' || lpad(i::text, 6, '0'), 'First' || i, 'Last' || (i % 997),
                          date '2010-01-01' + (i % 2000), (array['FEMALE', 'MALE'])[1 + i % 2]
                   from generate_series(1, $2) i""",
                school.id, STUDENTS,
            )  # fmt: skip
        await connection.execute("analyze data.students")
        print(f"\nseeded {SCHOOLS} schools x {STUDENTS} students in {time.perf_counter() - started:.1f}s")
        return schools[0]
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def server(database_url: str, bench_school: School) -> Iterator[int]:
    port = free_port()
    env = os.environ | {
        "AUTHENTICATOR_URL": with_user(database_url, "authenticator"),
        "JWT_SECRET": SECRET,
        "DB_POOL_MIN": "4",
        "DB_POOL_MAX": str(max(4, CLIENTS // WORKERS)),
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning",
         *os.environ.get("BENCH_UVICORN_ARGS", "").split()],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


async def _http_client(port: int, request: bytes, deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), head
            length = next(
                int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            counts[0] += 1
    finally:
        writer.close()


async def _wait_until_serving(port: int, request: bytes) -> None:
    for _ in range(200):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        writer.close()
        assert head.startswith(b"HTTP/1.1 200"), head
        return
    raise AssertionError("the gateway did not start")


async def test_page_throughput_vs_direct_asyncpg(database_url: str, bench_school: School, server: int) -> None:
    authorization = f"Bearer {token('school_admin', bench_school, bench_school.admin_user)}"
    request = (f"GET /students?{QUERY} HTTP/1.1\r\nHost: bench\r\nAuthorization: {authorization}\r\n\r\n").encode()
    await _wait_until_serving(server, request)

    counts = [0]
    deadline = time.perf_counter() + SECONDS
    await asyncio.gather(*(_http_client(server, request, deadline, counts) for _ in range(CLIENTS)))
    gateway_rps = counts[0] / SECONDS

    pool = await asyncpg.create_pool(with_user(database_url, "authenticator"), min_size=CLIENTS, max_size=CLIENTS)
    async with pool.acquire() as connection:
        schema = await load_schema_cache(connection)
    api = parse_request("GET", "students", rpc=False, query=QUERY, headers={}, body=None)
    rendered = render(plan_request(api, schema))
    args = bind(rendered, api, 1000)
    claims = json.dumps(
        {"role": "school_admin", "school_id": str(bench_school.id), "sub": str(bench_school.admin_user)}
    )
    done = [0]

    async def direct(deadline: float) -> None:
        while time.perf_counter() < deadline:
            async with pool.acquire() as connection, connection.transaction(readonly=True):
                await connection.execute(SETUP, *setup_args("school_admin", claims, "bench"))
                row = await connection.fetchrow(rendered.sql, *args)
                assert row[1] == 20
                done[0] += 1

    deadline = time.perf_counter() + SECONDS
    await asyncio.gather(*(direct(deadline) for _ in range(CLIENTS)))
    await pool.close()
    direct_rps = done[0] / SECONDS
    print(
        f"\n20-row page, {CLIENTS} concurrent clients, {SECONDS:.0f}s each, {os.cpu_count()} cores:\n"
        f"  asyncpg direct (the ceiling): {direct_rps:8.0f} req/s\n"
        f"  gateway, {WORKERS} uvicorn worker(s): {gateway_rps:8.0f} req/s  = {gateway_rps / direct_rps:.2f} of the ceiling"
    )
    assert gateway_rps > 0 and direct_rps > 0
