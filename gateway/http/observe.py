"""`/metrics`, `/health/live`, `/health/ready`: what an operator's monitoring
reads. Both database reads are bounded in time (HEALTH_TIMEOUT, METRICS_DB_TIMEOUT),
so a database that is down or hung gives a fast answer, never a hanging probe.

Replication: with READ_REPLICA_URLS (state.replicas, gateway/http/replicas.py),
readiness lists each replica's state and lag and /metrics its replay lag; a
replica down or lagging is not unready (its reads go to the primary).
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
from litestar import get
from litestar.datastructures import State
from litestar.response import Response
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from gateway.http.metrics import CONTENT_TYPE, exposition

_DOWN = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)

# One round trip, views any login may read. pg_stat_replication's lag columns
# are NULL unless the login has pg_read_all_stats: then no sample is written.
DATABASE_FIGURES = """
select (select sum(numbackends) from pg_stat_database)::float8 as connections,
       (select xact_commit + xact_rollback from pg_stat_database where datname = current_database())::float8 as xacts,
       a.archived_count::float8 as archived, a.failed_count::float8 as failed,
       extract(epoch from a.last_archived_time)::float8 as last_archived,
       extract(epoch from a.last_failed_time)::float8 as last_failed,
       (select max(extract(epoch from r.replay_lag)) from pg_stat_replication r)::float8 as standby_lag
from pg_stat_archiver a
"""
DEFAULT_REPO = Path.home() / ".local" / "share" / "school-data-api" / "backups"


def _seconds(name: str, default: str) -> float:
    return float(os.environ.get(name, default))


@get("/health/live", operation_id="healthLive", tags=["health"], sync_to_thread=False)
def health_live() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@get("/health/ready", operation_id="healthReady", tags=["health"])
async def health_ready(state: State) -> Response[dict[str, Any]]:
    """The database answers to the gateway's own login, within HEALTH_TIMEOUT (2 s)."""
    timeout = _seconds("HEALTH_TIMEOUT", "2")
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    try:
        await asyncio.wait_for(_ping(state.pool, timeout), timeout)
    except _DOWN:
        body |= {"status": "unavailable", "database": "unavailable"}
    replicas = getattr(state, "replicas", None)
    if replicas is not None:
        body["replicas"] = replicas.report()
    return Response(body, status_code=200 if body["status"] == "ok" else 503)


async def _ping(pool: asyncpg.Pool, timeout: float) -> None:
    async with pool.acquire(timeout=timeout) as connection:
        await connection.fetchval("select 1", timeout=timeout)



@get("/metrics", operation_id="metrics", tags=["health"], include_in_schema=False)
async def metrics(state: State) -> Response[bytes]:
    from gateway.http.metrics import read_pool

    read_pool(getattr(state, "pool", None))
    families = await database_families(state)
    families += backup_families()
    return Response(exposition(families), media_type=CONTENT_TYPE)


async def database_families(state: State) -> list[Any]:
    timeout = _seconds("METRICS_DB_TIMEOUT", "2")
    up = GaugeMetricFamily("school_database_up", "The database answered the scrape's query")
    try:
        async with state.pool.acquire(timeout=timeout) as connection:
            row = await connection.fetchrow(DATABASE_FIGURES, timeout=timeout)
    except _DOWN:
        up.add_metric([], 0)
        return [up]
    up.add_metric([], 1)
    families = [up]
    for name, help_text, value, kind in (
        ("school_database_connections", "Server processes connected, all databases", row["connections"], "gauge"),
        ("school_database_transactions", "Transactions committed or rolled back in this database", row["xacts"], "counter"),
        ("school_wal_archived", "WAL segments archived", row["archived"], "counter"),
        ("school_wal_archive_failed", "WAL archive attempts that failed", row["failed"], "counter"),
        ("school_wal_last_archived_timestamp_seconds", "When the last WAL segment was archived", row["last_archived"], "gauge"),
        ("school_wal_last_failed_timestamp_seconds", "When WAL archiving last failed", row["last_failed"], "gauge"),
        ("school_replication_lag_seconds", "Largest replay lag of a standby (needs pg_read_all_stats)", row["standby_lag"], "gauge"),
    ):  # fmt: skip
        if value is None:
            continue
        family = CounterMetricFamily(name, help_text) if kind == "counter" else GaugeMetricFamily(name, help_text)
        family.add_metric([], value)
        families.append(family)
    replicas = getattr(state, "replicas", None)
    if replicas is not None:
        family = GaugeMetricFamily(
            "school_replica_replay_lag_seconds", "Age of the last transaction a replica replayed", labels=["replica"]
        )
        for replica in replicas.report():
            if replica["lag_seconds"] is not None:
                family.add_metric([replica["name"]], replica["lag_seconds"])
        families.append(family)
    return families


def backup_families() -> list[Any]:
    """From the backup repository's files, when this process can read them
    (BACKUP_REPO; the layout is gateway/ops/repository.py's, read here without
    importing the operator commands, which sit above this layer)."""
    root = Path(os.environ.get("BACKUP_REPO", str(DEFAULT_REPO))).expanduser()
    base, wal = root / "base", root / "wal"
    if not base.is_dir():
        return []
    backups = [json.loads(p.read_bytes()) for p in base.glob("*.json")]
    count = GaugeMetricFamily("school_backups", "Base backups in the repository")
    count.add_metric([], len(backups))
    families = [count]
    verified = [b["finished"] for b in backups if b.get("verified")]
    if verified:
        family = GaugeMetricFamily("school_backup_last_good_timestamp_seconds",
                                   "When the newest verified base backup finished")  # fmt: skip
        family.add_metric([], datetime.fromisoformat(max(verified)).timestamp())
        families.append(family)
    segments = sorted(p for p in wal.glob("0*") if len(p.name) == 24) if wal.is_dir() else []
    if segments:
        family = GaugeMetricFamily("school_backup_last_wal_timestamp_seconds",
                                   "When the newest WAL segment reached the repository")  # fmt: skip
        family.add_metric([], segments[-1].stat().st_mtime)
        families.append(family)
    return families
