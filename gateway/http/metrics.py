"""Prometheus metrics: `GET /metrics` in the text format (prometheus-client).

Across uvicorn workers: `school-gateway serve` sets PROMETHEUS_MULTIPROC_DIR
(a fresh directory) before the workers import this module, so every worker
writes its samples there and any worker answers a scrape with the sum
(prometheus-client's multi-process mode). Without it (tests, one process),
the default registry.

Labels are bounded: the route template (`/{resource}`, never the raw
path), the resource or function only when the schema knows it (a 404 gets
none), method, status, the caller's role (one of the fixed roles). A `school`
label only with METRICS_SCHOOL_LABELS=true: it grows with the number of schools.

Database figures are read at scrape time, as the gateway's own login, from
views any login may read (pg_stat_database, pg_stat_archiver); the age of the
last good backup from the backup repository when the gateway can see it
(BACKUP_REPO, gateway/ops/repository.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest, multiprocess

from litestar.types import ASGIApp, Message, Receive, Scope, Send

# The classic text format, which every Prometheus 2.x reads (version=1.0.0,
# prometheus-client's newest, is unknown to the Prometheus of Debian 12).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
# Seconds: a cached read is ~1 ms, a bulk write or a roster import seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUESTS = Counter("school_gateway_requests_total", "HTTP requests answered",
                   ["route", "resource", "method", "status", "role"])  # fmt: skip
SCHOOL_REQUESTS = Counter("school_gateway_school_requests_total", "HTTP requests per school (METRICS_SCHOOL_LABELS)",
                          ["school", "status"])  # fmt: skip
LATENCY = Histogram("school_gateway_request_duration_seconds", "Time to answer a request",
                    ["route", "method"], buckets=LATENCY_BUCKETS)  # fmt: skip
RATE_LIMITED = Counter("school_gateway_rate_limit_refusals_total", "Requests refused with 429", ["route", "role"])
POOL = Gauge("school_gateway_pool_connections", "Database pool connections by state (open, in_use, max)",
             ["state"], multiprocess_mode="livesum")  # fmt: skip
POOL_WAITING = Gauge("school_gateway_pool_waiting", "Requests waiting for a pooled connection",
                     multiprocess_mode="livesum")  # fmt: skip
SCHEMA_RELOADS = Counter("school_gateway_schema_reloads_total", "Schema cache loads", ["outcome"])
IMPORT_RUNS = Counter("school_gateway_import_runs_total", "OneRoster import runs finished", ["status"])
IMPORT_ROWS = Counter("school_gateway_import_rows_total", "Rows of finished import runs", ["outcome"])
IMPORT_DURATION = Histogram("school_gateway_import_duration_seconds", "Duration of import runs",
                            buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800))  # fmt: skip


def school_labels_enabled() -> bool:
    return os.environ.get("METRICS_SCHOOL_LABELS", "false").lower() in ("true", "1", "yes", "on")


class RequestMetrics:
    """ASGI layer inside RequestContext: counts and times every HTTP request
    once the router has named its route (scope["path_template"])."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.per_school = school_labels_enabled()
        self._pool_read = 0.0
        self._children: dict[tuple[str, str, str, int, str], tuple[Any, Any]] = {}  # as bounded as the labels

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            self.observe(scope, status, time.perf_counter() - started)

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("path_template") or "unmatched"
        params = scope.get("path_params") or {}
        known = status != 404 and route != "unmatched"
        resource = str(params.get("resource") or params.get("function") or "") if known else ""
        state = scope.get("state") or {}
        role = str(state.get("role", "none"))
        method = scope.get("method", "")
        key = (route, resource, method, status, role)
        children = self._children.get(key)
        if children is None:  # labels() costs a lock and a tuple per call: look each set up once
            children = (REQUESTS.labels(route, resource, method, str(status), role), LATENCY.labels(route, method))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
        if status == 429:
            RATE_LIMITED.labels(route, role).inc()
        if self.per_school and state.get("school"):
            SCHOOL_REQUESTS.labels(str(state["school"]), str(status)).inc()
        now = time.monotonic()
        if now - self._pool_read > 1.0:  # each worker's pool, at most once a second
            self._pool_read = now
            app_state = getattr(scope.get("app"), "state", None)
            read_pool(getattr(app_state, "pool", None))


def read_pool(pool: Any) -> None:
    if pool is None:
        return
    size = pool.get_size()
    POOL.labels("open").set(size)
    POOL.labels("in_use").set(size - pool.get_idle_size())
    POOL.labels("max").set(pool.get_max_size())


@asynccontextmanager
async def waiting_for(acquire: Any) -> AsyncIterator[Any]:
    """`async with waiting_for(pool.acquire(...)) as connection`: counts the
    request as waiting until the pool hands it a connection."""
    POOL_WAITING.inc()
    try:
        connection = await acquire.__aenter__()
    finally:
        POOL_WAITING.dec()
    try:
        yield connection
    except BaseException as error:
        if not await acquire.__aexit__(type(error), error, error.__traceback__):
            raise
    else:
        await acquire.__aexit__(None, None, None)


def import_finished(status: str, totals: dict[str, int], seconds: float) -> None:
    IMPORT_RUNS.labels(status).inc()
    IMPORT_DURATION.observe(seconds)
    for outcome, rows in totals.items():
        if rows:
            IMPORT_ROWS.labels(outcome).inc(rows)


def exposition(database: list[Any]) -> bytes:
    """Every worker's samples (or this process's), then the database figures."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    extra = CollectorRegistry()
    extra.register(_Fixed(database))
    return generate_latest(registry) + generate_latest(extra)


class _Fixed:
    def __init__(self, families: list[Any]) -> None:
        self.families = families

    def collect(self) -> list[Any]:
        return self.families


def worker_exited() -> None:
    """Drop this worker's live gauges from the multi-process sum."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(os.getpid())


