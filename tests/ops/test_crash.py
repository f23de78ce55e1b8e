"""Crash safety (issue 14): PostgreSQL killed with SIGKILL under write load,
on a server of its own. While it is away the gateway answers 503 quickly and
/health/ready says so; when it is back the same gateway process serves again
(no restart), and every write it acknowledged is in the database."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from db.database import DATABASE_NAME
from gateway.app import create_app
from gateway.http.metrics import SCHEMA_RELOADS
from gateway.ops.cluster import Cluster
from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error, settings_for
from tests.ops.servers import own_server, serving

WRITERS = 4
FAST = 1.0  # seconds: the most a request may take while the database is away


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with own_server(Path(tempfile.mkdtemp(prefix="school-crash-"))) as server:
        yield server


@pytest.fixture(scope="module")
async def school(cluster: Cluster) -> School:
    admin = await asyncpg.connect(cluster.url(DATABASE_NAME))
    try:
        assert await admin.fetchval("show fsync") == "on" and await admin.fetchval("show synchronous_commit") == "on"
        return await make_school(admin)
    finally:
        await admin.close()


def kill_9(cluster: Cluster) -> None:
    """SIGKILL the postmaster and every backend at once, as a power cut would stop them."""
    postmaster = psutil.Process(cluster.postmaster_pid())
    processes = [postmaster, *postmaster.children(recursive=True)]
    for process in processes:
        os.kill(process.pid, signal.SIGKILL)
    psutil.wait_procs(processes, timeout=10)


class Load:
    """Writers posting students until stopped; what was acknowledged, and how
    long each refusal took."""

    def __init__(self, api: httpx.AsyncClient, school: School) -> None:
        self.api, self.school = api, school
        self.acked: set[str] = set()
        self.refusals: list[tuple[int, float]] = []
        self.stopped = False

    async def writer(self, n: int) -> None:
        i = 0
        while not self.stopped:
            i += 1
            number = f"K{n}-{i}"
            body = {"school_id": str(self.school.id), "student_number": number, "first_name": "Crash", "last_name": "Load"}
            started = time.monotonic()
            response = await self.api.post("/students", json=body, headers=as_role("school_admin", self.school))
            if response.status_code == 201:
                self.acked.add(number)
            else:
                assert_canonical_error(response, response.status_code)
                assert response.status_code in (503, 504), response.text
                self.refusals.append((response.status_code, time.monotonic() - started))
                await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
async def crash(cluster: Cluster, school: School) -> AsyncIterator[dict[str, object]]:
    url = cluster.url(DATABASE_NAME)
    settings = settings_for(url, pool_max_size=WRITERS, acquire_timeout=2.0, connect_timeout=2.0)
    async with serving(create_app(settings)) as base, httpx.AsyncClient(base_url=base, timeout=30) as api:
        load = Load(api, school)
        writers = [asyncio.create_task(load.writer(n)) for n in range(WRITERS)]
        await asyncio.sleep(1.5)
        acked_before = len(load.acked)
        reloads_before = SCHEMA_RELOADS.labels("ok")._value.get()
        await asyncio.to_thread(kill_9, cluster)
        await asyncio.sleep(1.0)
        started = time.monotonic()
        ready_down = await api.get("/health/ready")
        ready_down_seconds = time.monotonic() - started
        await asyncio.to_thread(cluster.start)
        back = time.monotonic()
        while time.monotonic() - back < 30 and (await api.get("/health/ready")).status_code != 200:
            await asyncio.sleep(0.2)
        ready_up = await api.get("/health/ready")
        acked_at_restart = len(load.acked)
        while time.monotonic() - back < 30 and SCHEMA_RELOADS.labels("ok")._value.get() == reloads_before:
            await asyncio.sleep(0.2)
        reloaded = SCHEMA_RELOADS.labels("ok")._value.get() > reloads_before
        await asyncio.sleep(1.5)
        load.stopped = True
        await asyncio.gather(*writers)
        yield {"load": load, "acked_before": acked_before, "acked_at_restart": acked_at_restart, "ready_down": ready_down,
               "ready_down_seconds": ready_down_seconds, "ready_up": ready_up, "reloaded": reloaded}  # fmt: skip
        slowest = max((s for _, s in load.refusals), default=0)
        print(f"crash drill: {acked_before} writes acknowledged before the kill, {len(load.acked)} in all; "
              f"{len(load.refusals)} refused while away (slowest {slowest * 1000:.0f} ms); "
              f"ready again {time.monotonic() - back:.1f} s after the restart began")


async def test_every_acknowledged_write_survives_the_crash(crash: dict, cluster: Cluster, school: School) -> None:
    load: Load = crash["load"]
    assert crash["acked_before"] > 0, "writes were acknowledged before the kill"
    admin = await asyncpg.connect(cluster.url(DATABASE_NAME))
    try:
        rows = await admin.fetch("select student_number from data.students where school_id = $1 and first_name = 'Crash'",
                                 school.id)  # fmt: skip
    finally:
        await admin.close()
    present = {r[0] for r in rows}
    assert load.acked <= present, f"acknowledged, then lost: {sorted(load.acked - present)[:10]}"


async def test_while_the_database_is_away_the_gateway_refuses_fast(crash: dict) -> None:
    load: Load = crash["load"]
    assert load.refusals, "some writes met the dead database"
    slowest = max(seconds for _, seconds in load.refusals)
    assert slowest < FAST, f"a refusal took {slowest:.2f} s"
    assert crash["ready_down"].status_code == 503 and crash["ready_down"].json()["database"] == "unavailable"
    assert crash["ready_down_seconds"] < FAST


async def test_the_same_gateway_serves_again_once_the_database_is_back(crash: dict) -> None:
    assert crash["ready_up"].status_code == 200, "ready again without a gateway restart"
    assert len(crash["load"].acked) > crash["acked_at_restart"], "writes are acknowledged again after the restart"
    assert crash["reloaded"], "the NOTIFY listener reconnected by itself and reloaded the schema cache"
