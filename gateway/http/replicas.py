"""Reads on streaming replicas, everything else on the primary (README "Scale-out").

What goes to a replica: a statement rendered read-only (GET and HEAD, and calls
of stable or immutable functions: plan.py's `read_only`), when
- a replica is up and its lag is within REPLICA_MAX_LAG (checked every
  REPLICA_CHECK_INTERVAL by a task of this worker), and
- the caller did not write through this worker in the last
  REPLICA_READ_YOUR_WRITES seconds (read-your-writes: their reads stay on the
  primary until a replica within the lag bound has surely replayed the write).
A read that fails on a replica for want of the replica (connection lost, pool
timeout, a query cancelled by a recovery conflict) is run again on the primary.

Lag is measured as PostgreSQL's replay lag is: how long ago the primary was at
a WAL position the replica has not replayed yet (samples of the primary's
position, taken at each check), so an idle primary does not look like lag.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from gateway.errors import ApiError
from gateway.http.execute import Outcome, Session, execute

log = logging.getLogger("gateway.replicas")

# Errors that say "this replica, not this request": try the primary instead.
# PGRST000/PGRST003: connection lost / no connection in time (execute.py);
# 40001: canceled because of a conflict with recovery (PostgreSQL hot standby).
FALL_BACK = {"PGRST000", "PGRST003", "40001"}
SAMPLES = 600  # primary WAL positions kept per replica: minutes of history at 1 check/s


def lsn(text: str) -> int:
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


@dataclass
class Replica:
    name: str  # host or socket directory: never the password
    pool: asyncpg.Pool
    up: bool = False
    lag_seconds: float | None = None
    lag_bytes: int | None = None
    error: str | None = None
    samples: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=SAMPLES))

    def status(self, max_lag: float) -> str:
        if not self.up:
            return "down"
        return "ok" if self.lag_seconds is not None and self.lag_seconds <= max_lag else "lagging"

    def report(self, max_lag: float) -> dict[str, Any]:
        lag = None if self.lag_seconds is None else round(self.lag_seconds, 3)
        return {"name": self.name, "status": self.status(max_lag), "lag_seconds": lag, "lag_bytes": self.lag_bytes,
                "error": self.error}  # fmt: skip


class Replicas:
    """The primary's pool and the replicas' pools of one worker."""

    def __init__(self, primary: asyncpg.Pool, replicas: list[Replica], *, max_lag: float, interval: float,
                 read_your_writes: float) -> None:  # fmt: skip
        self.primary = primary
        self.replicas = replicas
        self.max_lag = max_lag
        self.interval = interval
        self.read_your_writes = read_your_writes
        self._writers: dict[str, float] = {}  # caller -> until (monotonic)
        self._next = 0
        self._task: asyncio.Task[None] | None = None

    def pick(self, caller: str) -> Replica | None:
        """A replica for this caller's read, or None for the primary."""
        until = self._writers.get(caller)
        if until is not None:
            if until > time.monotonic():
                return None
            del self._writers[caller]
        usable = [r for r in self.replicas if r.status(self.max_lag) == "ok"]
        if not usable:
            return None
        self._next = (self._next + 1) % len(usable)
        return usable[self._next]

    def wrote(self, caller: str) -> None:
        self._writers[caller] = time.monotonic() + self.read_your_writes
        if len(self._writers) > 10_000:  # forget the oldest half rather than grow
            for key in list(self._writers)[:5_000]:
                del self._writers[key]

    async def run(self, session: Session, sql: str, args: tuple[Any, ...], *, read_only: bool, caller: str,
                  **options: Any) -> Outcome:  # fmt: skip
        replica = self.pick(caller) if read_only else None
        if replica is not None:
            try:
                return await execute(replica.pool, session, sql, args, read_only=True, **options)
            except ApiError as error:
                if error.code not in FALL_BACK:
                    raise
                replica.up, replica.error = False, error.message  # until the next check says otherwise
                log.warning("replica %s failed a read (%s); reading from the primary", replica.name, error.code)
        outcome = await execute(self.primary, session, sql, args, read_only=read_only, **options)
        if not read_only:
            self.wrote(caller)
        return outcome

    async def check(self) -> None:
        """Each replica's state and lag, against the primary's current WAL position."""
        try:
            async with self.primary.acquire(timeout=2) as connection:
                position = lsn(await connection.fetchval("select pg_current_wal_lsn()::text"))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            return  # the primary's own readiness says it
        now = time.monotonic()
        for replica in self.replicas:
            replica.samples.append((now, position))
            try:
                async with replica.pool.acquire(timeout=2) as connection:
                    replayed = await connection.fetchval(
                        "select pg_last_wal_replay_lsn()::text where pg_is_in_recovery()"
                    )
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
                replica.up, replica.error, replica.lag_seconds = False, str(error) or type(error).__name__, None
                continue
            if replayed is None:  # promoted, or not a standby at all: not a replica of this primary
                replica.up, replica.error = False, "not in recovery"
                continue
            done = lsn(replayed)
            behind = [t for t, p in replica.samples if p > done]
            replica.up, replica.error = True, None
            replica.lag_bytes = max(0, position - done)
            replica.lag_seconds = now - behind[0] if behind else 0.0

    async def _loop(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # a check must never stop the checking
                log.exception("replica check failed")
            await asyncio.sleep(self.interval)

    async def start(self) -> None:
        await self.check()
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.gather(*(r.pool.close() for r in self.replicas), return_exceptions=True)

    def report(self) -> list[dict[str, Any]]:
        return [r.report(self.max_lag) for r in self.replicas]


def replica_name(url: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    return parse_qs(parts.query).get("host", [parts.hostname or "?"])[0] + (f":{parts.port}" if parts.port else "")


async def open_replicas(primary: asyncpg.Pool, urls: tuple[str, ...], *, max_size: int, statement_cache_size: int,
                        reset: Any, max_lag: float, interval: float, read_your_writes: float) -> Replicas:  # fmt: skip
    """Pools that connect on first use (min_size 0): a replica that is down at
    start does not stop the gateway; its reads go to the primary meanwhile."""
    replicas = []
    for url in urls:
        pool = await asyncpg.create_pool(
            url, min_size=0, max_size=max_size, statement_cache_size=statement_cache_size, reset=reset,
            # pg_stat_activity tells the replica pool's sessions from the primary's
            server_settings={"application_name": "school-gateway read"},
        )  # fmt: skip
        replicas.append(Replica(name=replica_name(url), pool=pool))
    found = Replicas(primary, replicas, max_lag=max_lag, interval=interval, read_your_writes=read_your_writes)
    await found.start()
    return found
