"""The worker's fair gate (gateway/http/fair_gate.py) and the request cost it
counts (dialect/plan/limits.request_cost): the order in which schools are
served when statements queue, which the noisy-neighbour benchmark relies on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.limits import answer_cost, request_cost
from gateway.errors import ApiError
from gateway.http.fair_gate import FairGate
from gateway.http.limits import FairShare, FairShareConfig
from gateway.identity.auth import Caller


def cost(query: str, *, prefer: str = "", method: str = "GET", target: str = "students", rpc: bool = False) -> int:
    api = parse_request(method, target, rpc=rpc, query=query, headers={"prefer": prefer}, body=None)
    return request_cost(api, 1000)


def test_a_page_costs_one_and_a_heavy_read_costs_its_rows_embeds_and_count() -> None:
    assert cost("select=id,first_name&limit=20") == 1
    assert cost("select=id,first_name,classes(name)&limit=20") == 1
    assert cost("select=id&limit=1000") == 4
    assert cost("select=*,classes(*)&limit=1000", prefer="count=exact") == 9
    assert cost("select=*,classes(*,teachers(*))&limit=100") == 2
    assert cost("select=id") == 4, "no limit: MAX_ROWS may come back"
    assert cost("select=id&limit=5000") == 4, "a limit past MAX_ROWS reads MAX_ROWS"


def test_writes_and_calls_without_a_limit_cost_one() -> None:
    assert cost("", method="DELETE") == 1
    assert cost("", target="whatever", rpc=True) == 1
    assert cost("limit=1000", target="whatever", rpc=True) == 4


async def test_a_heavy_request_takes_the_share_and_runs_alone() -> None:
    gate = FairGate(capacity=16, per_school=4)
    assert gate.weigh(9) == 4
    assert await gate.acquire("a", gate.weigh(9), timeout=0.1)
    assert not await gate.acquire("a", 1, timeout=0.05), "A's share is taken by its heavy read"
    assert await gate.acquire("b", 1, timeout=0.05), "another school is not held up by it"
    gate.release("a", 4)
    assert await gate.acquire("a", 1, timeout=0.05)


async def test_the_school_with_least_in_flight_goes_first() -> None:
    gate = FairGate(capacity=2, per_school=2)
    assert await gate.acquire("a", 1, timeout=0.1)
    assert await gate.acquire("a", 1, timeout=0.1)  # the worker is full, all of it A's
    order: list[str] = []

    async def wait(school: str) -> None:
        if await gate.acquire(school, 1, timeout=2):
            order.append(school)

    a_waits = [asyncio.create_task(wait("a")) for _ in range(3)]
    await asyncio.sleep(0.01)
    b_waits = asyncio.create_task(wait("b"))  # B arrives after three of A's
    await asyncio.sleep(0.01)
    gate.release("a", 1)
    await asyncio.sleep(0.01)
    assert order == ["b"], "B, with nothing in flight, is served before A's earlier requests"
    gate.release("a", 1)
    await asyncio.sleep(0.01)
    assert order == ["b", "a"]
    for _ in range(2):
        gate.release(order[-1], 1)
        await asyncio.sleep(0.01)
    await asyncio.gather(*a_waits, b_waits)
    assert sorted(order) == ["a", "a", "a", "b"]


async def test_a_waiter_that_times_out_or_is_cancelled_leaves_nothing_held() -> None:
    gate = FairGate(capacity=1, per_school=1)
    assert await gate.acquire("a", 1, timeout=0.1)
    assert not await gate.acquire("b", 1, timeout=0.02)
    pending = asyncio.create_task(gate.acquire("c", 1, timeout=5))
    await asyncio.sleep(0.01)
    pending.cancel()
    await asyncio.sleep(0.01)
    gate.release("a", 1)
    assert gate.in_flight == 0 and gate.by_school == {}
    assert await gate.acquire("d", 1, timeout=0.02), "nobody who gave up holds the slot"


async def test_the_head_of_the_queue_is_not_overtaken_for_want_of_room() -> None:
    """A heavy request first in line is not starved by a stream of light ones."""
    gate = FairGate(capacity=4, per_school=4)
    assert await gate.acquire("a", 2, timeout=0.1)
    heavy = asyncio.create_task(gate.acquire("b", 4, timeout=2))
    await asyncio.sleep(0.01)
    light = asyncio.create_task(gate.acquire("c", 1, timeout=0.05))
    assert not await light, "C's light request waits behind B's heavy one (C has as little in flight as B)"
    gate.release("a", 2)
    assert await heavy
    assert gate.by_school == {"b": 4}


async def test_an_import_takes_units_without_waiting() -> None:
    gate = FairGate(capacity=4, per_school=4)
    assert gate.try_acquire("a", 2)
    assert not gate.try_acquire("a", 3)
    assert gate.try_acquire("b", 2)
    assert not gate.try_acquire("c", 1), "the worker is full"
    assert gate.try_acquire("c", 0), "an import charged nothing always passes"


async def test_a_schools_heavy_reads_run_one_at_a_time_across_workers(tmp_path: Path) -> None:
    """Two workers' FairShares sharing serve's lock directory (host_locks.py)."""
    config = FairShareConfig(school_concurrency=4, queue_wait=0.1, rate=1000, host_lock_dir=str(tmp_path))
    one, two = FairShare(config), FairShare(config)
    a, b = caller("a"), caller("b")
    async with one.admit(a, 9):
        with pytest.raises(ApiError) as refused:
            async with two.admit(a, 9):
                pass
        assert refused.value.status == 429 and refused.value.code == "SDA601"
        async with two.admit(a, 1):
            pass  # a light read of A's still runs in the other worker
        async with two.admit(b, 9):
            pass  # and another school's heavy read
    async with two.admit(a, 9):
        pass  # the lock went with the first read


def caller(school: str) -> Caller:
    return Caller(role="school_admin", claims={"school_id": school, "role": "school_admin"})


def test_a_heavy_answer_spends_the_schools_rate_as_it_weighs() -> None:
    """10 requests/s (a bucket of 20): three 1,000-row answers with an embed
    (8 units each: the one check_rate takes, 7 charged after) overdraw it."""
    share = FairShare(FairShareConfig(rate=10))
    a, b = caller("a"), caller("b")
    api = parse_request("GET", "students", rpc=False, query="select=*,classes(*)&limit=1000", headers={}, body=None)
    assert answer_cost(api, 1000) == 8 and answer_cost(api, 3) == 1, "a small table read without a limit costs 1"
    for _ in range(3):
        share.check_rate(a)
        share.charge(a, answer_cost(api, 1000) - 1)
    with pytest.raises(ApiError) as refused:
        share.check_rate(a)
    assert refused.value.code == "SDA602" and int(refused.value.headers["Retry-After"]) >= 1
    share.check_rate(b)  # another school's bucket is its own
