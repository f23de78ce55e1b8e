"""The gateway over a real socket: uvicorn in a background thread on
127.0.0.1 and a free port, httpx as the client, the run's database behind it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from litestar import Litestar

from gateway.app import create_app
from tests.factories import School
from tests.gateway.http_support import as_role, assert_canonical_error, settings_for
from tests.http_process import free_port


@contextmanager
def running(app: Litestar) -> Iterator[str]:
    """`app` under uvicorn in a background thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="gateway-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def served(database_url: str) -> Iterator[str]:
    with running(create_app(settings_for(database_url))) as url:
        yield url


async def test_a_page_over_a_real_socket(served: str, schools: tuple[School, School]) -> None:
    async with httpx.AsyncClient(base_url=served) as client:
        response = await client.get(
            "/students?select=student_number&order=student_number&limit=1",
            headers=as_role("school_admin", schools[0], Prefer="count=exact"),
        )
        assert response.status_code == 206
        assert response.json() == [{"student_number": "S-1"}]
        assert response.headers["content-range"] == "0-0/2"
        assert response.headers["x-request-id"]
        assert_canonical_error(await client.get("/students?id=eq.nope", headers=as_role("teacher", schools[0])),
                               400, "22P02")  # fmt: skip


async def test_concurrent_callers_never_see_each_others_claims(served: str, schools: tuple[School, School]) -> None:
    """Many requests of two schools and several roles interleaved on one pool:
    role and claims are transaction-local, so no request inherits another's."""
    roles = ["school_admin", "teacher", "parent", "student", "partner_sync"]

    async def one(client: httpx.AsyncClient, i: int) -> None:
        school = schools[i % 2]
        role = roles[i % len(roles)]
        response = await client.get("/students?select=school_id,id", headers=as_role(role, school))
        assert response.status_code == 200, response.text
        rows = response.json()
        assert rows and {row["school_id"] for row in rows} == {str(school.id)}
        if role in ("teacher", "parent", "student"):
            assert [row["id"] for row in rows] == [str(school.student)]

    limits = httpx.Limits(max_connections=32)
    # 300 requests queue for 32 client connections: on a loaded machine the
    # last wait longer than httpx's 5 s default pool timeout (not what this tests).
    async with httpx.AsyncClient(base_url=served, limits=limits, timeout=httpx.Timeout(60.0)) as client:
        await asyncio.gather(*(one(client, i) for i in range(300)))
