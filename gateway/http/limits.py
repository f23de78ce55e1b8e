"""Fair share per school, in each worker (issue 13, "one school cannot slow
another"): before a request takes a pooled connection it passes

1. a token bucket per school and role (RATE_LIMIT, RATE_LIMITS per role), and
   for a partner client one per client (its JWT `sub`): sustained floods are
   refused at once, never queued;
2. a per-school share of statements in flight, counted in units of request
   cost (SCHOOL_CONCURRENCY, default a quarter of DB_POOL_MAX; a 20-row page
   is one unit, a 1,000-row read with an embed takes the whole share), inside
   a per-worker total (WORKER_CONCURRENCY, default DB_POOL_MAX) granted in fair
   order between schools (fair_gate.py), with a short bounded wait
   (SCHOOL_QUEUE_WAIT): one school's heavy reads hold at most its share, and a
   school with nothing running goes first, so another school's requests find
   a connection instead of a pool-wide 504 or a queue behind the flood.

Routes outside that path get the same kind of limits (app.py wires them):

3. `/auth/login`, `/auth/refresh` and `/oauth/token`, before any password or
   secret is hashed: a token bucket per client IP (LOGIN_RATE_LIMIT,
   OAUTH_RATE_LIMIT). Per IP, not per email, school or client id: those are
   the caller's claim, and a bucket keyed on them would let anyone drain
   another school's or partner's logins;
4. roster import uploads, before the body is read: a bucket per school
   (IMPORT_RATE_LIMIT), and a cap on imports running at once in the worker
   (IMPORT_CONCURRENCY): a run holds a pooled connection for its whole life,
   so many schools importing at once must not take the pool from reads.

Beyond any: 429 with `Retry-After` and the IETF RateLimit headers
(draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy` and `RateLimit`).

    SDA601 429  the school's share of concurrent statements (or the worker's import slots) is in use
    SDA602 429  the school's (partner client's, client IP's) request rate is exceeded

Limits are per worker process: with N workers a school gets at most
N x SCHOOL_CONCURRENCY connections and N x its rate (README "Limits").
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import msgspec

from gateway.errors import ApiError
from gateway.http.fair_gate import FairGate
from gateway.http.host_locks import HostLocks
from gateway.identity.auth import Caller

_PARTNER = "partner_sync"
_MAX_KEYS = 10_000  # buckets and semaphores kept, least recently used dropped first


class FairShareConfig(msgspec.Struct, frozen=True, kw_only=True):
    school_concurrency: int = 4  # units of request cost (fair_gate.py) a school may hold at once
    worker_concurrency: int = 0  # units the worker holds at once, every school together (0: 4 x school_concurrency)
    host_lock_dir: str = ""  # shared by the workers `serve` starts (SCHOOL_GATEWAY_LOCK_DIR, host_locks.py)
    queue_wait: float = 0.5  # seconds a request may wait for its school's share
    rate: float = 100.0  # requests per second per school and role (burst: 2 s worth)
    rates: dict[str, float] = msgspec.field(default_factory=dict)  # per role
    partner_rate: float = 20.0  # per partner client
    login_rate: float = 10.0  # /auth/login and /auth/refresh per client IP (a school behind one NAT logs in at 9:00)
    token_rate: float = 5.0  # /oauth/token per client IP (a partner needs a token per 15 minutes)
    import_rate: float = 0.5  # import uploads per school (burst 1: a dry run, then the run 2 s later)
    import_concurrency: int = 4  # imports running at once per worker, every school together

    def rate_for(self, role: str) -> float:
        return self.rates.get(role, self.partner_rate if role == _PARTNER else self.rate)


def _school(caller: Caller) -> str:
    return str(caller.claims.get("school_id") or "anon")


def _school_key(caller: Caller) -> tuple[str, str]:
    """The bucket of a school and role (RATE_LIMIT, RATE_LIMITS)."""
    return ("school", f"{_school(caller)}/{caller.role}")


class _Bucket:
    __slots__ = ("rate", "capacity", "tokens", "stamp")

    def __init__(self, rate: float) -> None:
        self.rate, self.capacity = rate, max(1.0, 2 * rate)
        self.tokens, self.stamp = self.capacity, time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def charge(self, tokens: float) -> None:
        """Spend `tokens` after the fact: the bucket may go below zero, and then
        refuses until it has refilled (what a heavy answer cost)."""
        self._refill()
        self.tokens -= tokens

    def take(self) -> float:
        """0 when a token was taken, else the seconds until one is there."""
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate if self.rate > 0 else 60.0


class FairShare:
    """One per worker, kept across schema reloads (app.state)."""

    def __init__(self, config: FairShareConfig) -> None:
        self.config = config
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()
        # serve --workers N: a school's heavy statements, one per host (host_locks.py).
        self.host_locks = HostLocks(Path(config.host_lock_dir)) if config.host_lock_dir else None
        self.gate = FairGate(config.worker_concurrency or config.school_concurrency * 4, config.school_concurrency)
        self._imports = 0  # running in this worker (admit_import .. release_import)

    def check_rate(self, caller: Caller) -> None:
        """The school's (and a partner client's) token bucket: checked as soon as
        the token is verified, before the request is parsed or planned, so a
        refused flood costs microseconds."""
        self._take(_school_key(caller), caller.role)
        if caller.role == _PARTNER:
            self._take(("client", str(caller.claims.get("sub", ""))), caller.role)

    def charge(self, caller: Caller, units: int) -> None:
        """Charge the school's rate what an answer cost beyond the one unit
        check_rate took (dialect/plan/limits.answer_cost); the next request
        past what the bucket holds is refused with SDA602."""
        if units > 0:
            bucket = self._buckets.get(_school_key(caller))
            if bucket is not None:
                bucket.charge(units)

    @asynccontextmanager
    async def admit(self, caller: Caller, cost: int = 1, *, rated: bool = True) -> AsyncIterator[None]:
        """Hold `cost` units of the school's share (fair_gate.py) while the block
        runs; `rated=False` when check_rate already counted this request."""
        if rated:
            self.check_rate(caller)
        school = _school(caller)
        units = self.gate.weigh(cost)
        if not await self.gate.acquire(school, units, self.config.queue_wait):
            raise self._busy()
        held = None
        try:
            if self.host_locks is not None and units >= self.gate.per_school:
                held = await self.host_locks.acquire(school, self.config.queue_wait)
                if held is None:
                    raise self._busy()
            yield
        finally:
            if held is not None:
                self.host_locks.release(held)  # type: ignore[union-attr]
            self.gate.release(school, units)

    def _busy(self) -> ApiError:
        return self._refusal("SDA601", "Too many concurrent requests for this school", 1,
                             "concurrency", self.config.school_concurrency,
                             hint="Send fewer or lighter requests at once (SCHOOL_CONCURRENCY)")  # fmt: skip

    def admit_ip(self, route: str, ip: str) -> None:
        """`route` is "login" or "token": one bucket per client IP and route."""
        rate, setting = (self.config.login_rate, "LOGIN_RATE_LIMIT") if route == "login" else (
            self.config.token_rate, "OAUTH_RATE_LIMIT")  # fmt: skip
        self._take((route, ip), "", rate=rate, setting=setting)

    def admit_import(self, caller: Caller) -> Callable[[], None]:
        """Count an import upload against its school's rate, take one of the
        worker's import slots and half the school's share for the run's life
        (a run is one long heavy statement); the caller calls what this returns
        when the run ends."""
        school = _school(caller)
        self._take(("import", school), "", rate=self.config.import_rate, setting="IMPORT_RATE_LIMIT")
        if self._imports >= self.config.import_concurrency:
            raise self._refusal("SDA601", "Too many imports are running; try again shortly", 5, "imports",
                                self.config.import_concurrency,
                                hint="Imports run a few at a time per worker (IMPORT_CONCURRENCY)")  # fmt: skip
        # Half, so the school can still poll its run and read while it imports;
        # nothing with a share of one, which polling needs.
        units = min(self.gate.per_school // 2, self.gate.per_school - 1)
        if not self.gate.try_acquire(school, units):
            raise self._refusal("SDA601", "This school's share is in use; try the import again shortly", 5,
                                "concurrency", self.config.school_concurrency,
                                hint="An import waits for the school's running requests (SCHOOL_CONCURRENCY)")  # fmt: skip
        self._imports += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._imports = max(0, self._imports - 1)
                self.gate.release(school, units)

        return release

    def _take(self, key: tuple[str, str], role: str, *, rate: float | None = None, setting: str = "") -> None:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.config.rate_for(role) if rate is None else rate)
            if len(self._buckets) > _MAX_KEYS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        wait = bucket.take()
        if wait > 0:
            what = {"client": "partner client", "login": "client address", "token": "client address"}.get(key[0], "school")
            raise self._refusal("SDA602", f"Too many requests for this {what}", wait, key[0], bucket.rate,
                                hint=f"Slow down; Retry-After says when ({setting or 'RATE_LIMIT, RATE_LIMITS'})")  # fmt: skip

    @staticmethod
    def _refusal(code: str, message: str, wait: float, policy: str, quota: float, *, hint: str) -> ApiError:
        seconds = max(1, math.ceil(wait))
        # Below one a second (imports): one request per so many seconds.
        quota_window = (int(quota), 1) if quota >= 1 else (1, math.ceil(1 / quota) if quota > 0 else 60)
        headers = {
            "Retry-After": str(seconds),
            "RateLimit-Policy": f'"{policy}";q={quota_window[0]};w={quota_window[1]}',
            "RateLimit": f'"{policy}";r=0;t={seconds}',
        }
        return ApiError(429, code, message, hint=hint, headers=headers)
