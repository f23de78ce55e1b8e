"""Fair share per school, in each worker (issue 13, "one school cannot slow
another"): before a request takes a pooled connection it passes

1. a token bucket per school and role (RATE_LIMIT, RATE_LIMITS per role), and
   for a partner client one per client (its JWT `sub`): sustained floods are
   refused at once, never queued;
2. a per-school cap on statements in flight (SCHOOL_CONCURRENCY, default a
   quarter of DB_POOL_MAX) with a short bounded wait (SCHOOL_QUEUE_WAIT): one
   school's heavy reads can hold at most that share of the pool, so another
   school's requests still find connections instead of a pool-wide 504.

Beyond either: 429 with `Retry-After` and the IETF RateLimit headers
(draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy` and `RateLimit`).

    SDA601 429  the school's share of concurrent statements is in use
    SDA602 429  the school's (or partner client's) request rate is exceeded

Limits are per worker process: with N workers a school gets at most
N x SCHOOL_CONCURRENCY connections and N x its rate (README "Limits").
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec

from gateway.errors import ApiError
from gateway.identity.auth import Caller

_PARTNER = "partner_sync"
_MAX_KEYS = 10_000  # buckets and semaphores kept, least recently used dropped first


class FairShareConfig(msgspec.Struct, frozen=True, kw_only=True):
    school_concurrency: int = 4
    queue_wait: float = 0.5  # seconds a request may wait for its school's share
    rate: float = 100.0  # requests per second per school and role (burst: 2 s worth)
    rates: dict[str, float] = msgspec.field(default_factory=dict)  # per role
    partner_rate: float = 20.0  # per partner client

    def rate_for(self, role: str) -> float:
        return self.rates.get(role, self.partner_rate if role == _PARTNER else self.rate)


class _Bucket:
    __slots__ = ("rate", "capacity", "tokens", "stamp")

    def __init__(self, rate: float) -> None:
        self.rate, self.capacity = rate, max(1.0, 2 * rate)
        self.tokens, self.stamp = self.capacity, time.monotonic()

    def take(self) -> float:
        """0 when a token was taken, else the seconds until one is there."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate if self.rate > 0 else 60.0


class FairShare:
    """One per worker, kept across schema reloads (app.state)."""

    def __init__(self, config: FairShareConfig) -> None:
        self.config = config
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()
        self._shares: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    @asynccontextmanager
    async def admit(self, caller: Caller) -> AsyncIterator[None]:
        school = str(caller.claims.get("school_id") or "anon")
        self._take(("school", f"{school}/{caller.role}"), caller.role)
        if caller.role == _PARTNER:
            self._take(("client", str(caller.claims.get("sub", ""))), caller.role)
        semaphore, users = self._share(school)
        users[0] += 1
        try:
            try:
                await asyncio.wait_for(semaphore.acquire(), timeout=self.config.queue_wait)
            except TimeoutError:
                raise self._refusal("SDA601", "Too many concurrent requests for this school", 1,
                                    "concurrency", self.config.school_concurrency,
                                    hint="Send fewer requests at once (SCHOOL_CONCURRENCY)") from None  # fmt: skip
            try:
                yield
            finally:
                semaphore.release()
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._shares.pop(school, None)

    def _share(self, school: str) -> tuple[asyncio.Semaphore, list[int]]:
        share = self._shares.get(school)
        if share is None:
            share = self._shares[school] = (asyncio.Semaphore(self.config.school_concurrency), [0])
        return share

    def _take(self, key: tuple[str, str], role: str) -> None:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.config.rate_for(role))
            if len(self._buckets) > _MAX_KEYS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        wait = bucket.take()
        if wait > 0:
            what = "partner client" if key[0] == "client" else "school"
            raise self._refusal("SDA602", f"Too many requests for this {what}", wait, key[0], bucket.rate,
                                hint="Slow down; Retry-After says when (RATE_LIMIT, RATE_LIMITS)")  # fmt: skip

    @staticmethod
    def _refusal(code: str, message: str, wait: float, policy: str, quota: float, *, hint: str) -> ApiError:
        seconds = max(1, math.ceil(wait))
        headers = {
            "Retry-After": str(seconds),
            "RateLimit-Policy": f'"{policy}";q={int(quota)};w=1',
            "RateLimit": f'"{policy}";r=0;t={seconds}',
        }
        return ApiError(429, code, message, hint=hint, headers=headers)
