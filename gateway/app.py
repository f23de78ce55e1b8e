"""The Litestar application: pool and schema cache opened in the lifespan, the
data routes (gateway/routes.py), login, health; errors in one JSON shape; a
request id on every response and in every log line.

Litestar's own OpenAPI generation is off: the document describes the database
and is built from the schema cache (gateway/openapi/, served at
/openapi.json and /docs), not from handlers.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Request, Router
from litestar.config.cors import CORSConfig
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Response
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import ApiError
from gateway.http.asgi import data_routes, index_path_parameters
from gateway.http.config import Settings, load_settings
from gateway.http.limits import FairShare
from gateway.http.metrics import SCHEMA_RELOADS, RequestMetrics, worker_exited
from gateway.http.observe import health_live, health_ready, metrics
from gateway.http.replicas import open_replicas
from gateway.http.routes import Authenticate, Gateway
from gateway.http.schema_loader import load_schema_cache
from gateway.identity.auth import Authenticator
from gateway.identity.login import login_routes
from gateway.identity.oauth import oauth_routes
from gateway.identity.partners import partner_routes
from gateway.oneroster.errors import from_api_error
from gateway.oneroster.routes import oneroster_router
from gateway.openapi import openapi_routes
from gateway.pg_errors import internal_error
from gateway.roster_import.routes import fail_interrupted_runs, import_routes

access_log = logging.getLogger("gateway.access")
log = logging.getLogger("gateway.app")

# A client's X-Request-Id is kept only if it is short and plain: it is echoed
# in a header, written to logs and stored in audit rows.
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
ALLOW_HEADERS = ["Authorization", "Content-Type", "Prefer", "Range", "Range-Unit", "Accept", "Accept-Profile",
                 "Content-Profile", "X-Request-Id"]  # fmt: skip
# Link and X-Total-Count: the keyset cursor and OneRoster paging, readable by browser clients.
EXPOSE_HEADERS = ["Content-Range", "Content-Profile", "Location", "Preference-Applied", "X-Request-Id", "Link",
                  "X-Total-Count"]  # fmt: skip


class RequestContext:
    """Outermost ASGI layer (outside routing, so 404s and CORS preflights are
    covered too): picks the request id, adds `X-Request-Id`, logs one line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "")
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
        request_id = given.decode() if _REQUEST_ID.fullmatch(given) else str(uuid.uuid4())
        scope["state"]["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "%s %s %s %s %.1fms", request_id, method, scope["path"], status,
                    (time.perf_counter() - started) * 1000,
                )  # fmt: skip


def error_response(error: ApiError) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(error.body()),
        status_code=error.status,
        headers=error.headers or None,
        media_type="application/json; charset=utf-8",
    )


def _on_api_error(request: Request[Any, Any, Any], error: ApiError) -> Response[bytes]:
    return error_response(error)


# OneRoster REST paths answer every error as an imsx_StatusInfo (1.2 binding),
# also Litestar's own refusals (no such route, wrong method) and crashes.
_ONEROSTER_REST = ("/ims/oneroster/rostering/", "/ims/oneroster/gradebook/")


def _on_http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    """Litestar's own refusals (no route, wrong method, body too large) in our shape."""
    if request.url.path.startswith(_ONEROSTER_REST) and error.status_code < 500:
        text = "Unknown object or collection" if isinstance(error, NotFoundException) else str(error.detail)
        return error_response(from_api_error(ApiError(error.status_code, "SDA100", text)))
    if isinstance(error, NotFoundException):
        return error_response(ApiError(404, "PGRST125", "Invalid path specified in request URL"))
    if error.status_code == 405:
        return error_response(ApiError(405, "PGRST117", f"Unsupported HTTP method: {request.method}"))
    if error.status_code >= 500:
        return _on_unexpected(request, error)
    return error_response(ApiError(error.status_code, "SDA100", str(error.detail)))


def _on_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    log.error("unexpected error (request %s)", request.scope["state"].get("request_id"), exc_info=error)
    if request.url.path.startswith(_ONEROSTER_REST):
        return error_response(from_api_error(internal_error()))
    return error_response(internal_error())


def _configure_logging() -> None:
    """One line per request on stderr, unless the host configured `gateway` already."""
    gateway_log = logging.getLogger("gateway")
    if not gateway_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        gateway_log.addHandler(handler)
        gateway_log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
        gateway_log.propagate = False


async def _per_ip_rate(request: Request[Any, Any, Any]) -> None:
    """Login, refresh and OAuth token requests hash a password or a secret:
    limited per client IP before that (http/limits.py, LOGIN_RATE_LIMIT, OAUTH_RATE_LIMIT)."""
    route = "token" if request.url.path == "/oauth/token" else "login"
    request.app.state.fair_share.admit_ip(route, request.client.host if request.client else "unknown")


def _lock_timeout(value: str) -> Any:
    async def init(connection: asyncpg.Connection) -> None:
        await connection.execute("select set_config('lock_timeout', $1, false)", value)

    return init


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """Pool `reset`: every setting the gateway makes is transaction-local
    (http/execute.py), so asyncpg's default reset query (RESET ALL, UNLISTEN *, CLOSE
    ALL, unlock advisory locks) would be one more round trip per request for
    nothing. asyncpg still rolls back a transaction left open before this runs."""


async def _load_schema(app: Litestar, settings: Settings, auth: Authenticate) -> None:
    """Read the catalog and swap in a gateway built on it (fresh models, empty plan cache)."""
    async with app.state.pool.acquire() as connection:
        schema = await load_schema_cache(connection, settings.db_schema)
    app.state.schema_cache = schema
    SCHEMA_RELOADS.labels("ok").inc()
    app.state.gateway = Gateway(
        pool=app.state.pool, schema=schema, settings=settings, authenticator=auth, replicas=app.state.get("replicas"),
        fair_share=app.state.fair_share,
    )
    app.state.openapi_document = None  # gateway/openapi.py rebuilds it from the new cache
    log.info("schema cache: %d relations, %d functions in %r",
             len(schema.relations), len(schema.functions), settings.db_schema)  # fmt: skip
    _freeze_heap()


def _freeze_heap() -> None:
    """Move what start-up built (modules, Litestar's routes, the schema cache and
    its models) out of the garbage collector's reach: a full collection then
    walks only the objects requests made, not the whole heap, so its pause does
    not land on a request's latency (issue 18: GC pauses in the tail). Objects
    frozen are still freed by reference counting; only a reference cycle among
    them outlives its use (an old schema cache after a reload: rare and small)."""
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def _schema_channel(app: Litestar, settings: Settings, auth: Authenticate) -> AsyncIterator[None]:
    """`NOTIFY pgrst, 'reload schema'` (PostgREST's channel and payload) reloads
    the schema cache after a migration, without a restart. LISTEN needs a
    session on PostgreSQL itself: behind PgBouncer in transaction mode, set
    DB_CHANNEL_URL to the server (or DB_CHANNEL_ENABLED=false and restart to
    pick up schema changes). No statement cache: asyncpg sends LISTEN as a named
    prepared statement, which a PgBouncer < 1.21 hands to a server connection
    another client may already have prepared one of that name on (issue 15).
    Any login may NOTIFY (issue 13, F8), so reloads are debounced: the first
    notice reloads at once, notices within SCHEMA_RELOAD_INTERVAL of a reload
    make one more reload at the interval's end, never more."""
    if not settings.db_channel_enabled:
        yield
        return
    reloads: set[asyncio.Task[None]] = set()
    state = {"last": -1e9, "pending": 0.0}  # pending: 1.0 while a reload is scheduled

    async def reload() -> None:
        wait = state["last"] + settings.schema_reload_interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        state["pending"], state["last"] = 0.0, time.monotonic()
        try:
            await _load_schema(app, settings, auth)
        except Exception:  # keep serving with the old cache; the next NOTIFY retries
            SCHEMA_RELOADS.labels("failed").inc()
            log.exception("schema cache reload failed")

    def spawn(work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    def on_notify(_connection: object, _pid: int, _channel: str, payload: str) -> None:
        if payload in ("", "reload schema") and not state["pending"]:
            state["pending"] = 1.0
            spawn(reload())

    listening: list[asyncpg.Connection] = []

    async def listen(*, again: bool) -> None:
        """LISTEN on a session of its own. When the database goes away (a crash,
        a restart) the session dies with it: reconnect every second until it is
        back, then reload, since a NOTIFY may have been missed meanwhile."""
        while True:
            try:
                # DB_CHANNEL_URL: LISTEN needs a session on PostgreSQL itself (a transaction
                # pooler gives none), and no prepared statement (PgBouncer < 1.21).
                listener = await asyncpg.connect(
                    settings.db_channel_url or settings.database_url,
                    timeout=settings.connect_timeout,
                    statement_cache_size=0,
                )
                await listener.add_listener("pgrst", on_notify)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                if not again:
                    raise
                await asyncio.sleep(1)
                continue
            listener.add_termination_listener(lambda _c: None if closing else spawn(listen(again=True)))
            listening.append(listener)
            if again:
                await reload()
            return

    closing = False
    await listen(again=False)
    try:
        yield
    finally:
        closing = True
        for task in list(reloads):
            task.cancel()
        for listener in listening:
            await listener.close()


def create_app(settings: Settings | None = None, *, authenticator: Authenticate | None = None) -> Litestar:
    settings = settings or load_settings()
    auth = authenticator or Authenticator(settings.auth)
    _configure_logging()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(
            settings.database_url,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            statement_cache_size=settings.statement_cache_size,
            reset=_nothing_to_reset,
            timeout=settings.connect_timeout,  # asyncpg's default, 60 s, would hold requests on a hung server
            # No gateway statement waits on a lock longer than this (issue 13, F3): then
            # 55P03, 503 with a hint. A SET at connect, not a startup parameter: PgBouncer
            # refuses unknown startup parameters (behind it the SET is best effort).
            init=_lock_timeout(settings.lock_timeout),
        )
        app.state.pool = pool
        app.state.replicas = None
        app.state.fair_share = FairShare(settings.fair_share)
        try:
            if settings.read_replica_urls:
                app.state.replicas = await open_replicas(
                    pool, settings.read_replica_urls, max_size=settings.pool_max_size,
                    statement_cache_size=settings.statement_cache_size, reset=_nothing_to_reset,
                    max_lag=settings.replica_max_lag, interval=settings.replica_check_interval,
                    read_your_writes=settings.replica_read_your_writes,
                )  # fmt: skip
            await _load_schema(app, settings, auth)
            await fail_interrupted_runs(pool)  # runs a previous process left RUNNING
            async with _schema_channel(app, settings, auth):
                yield
        finally:
            if app.state.replicas is not None:
                await app.state.replicas.close()
            await pool.close()
            worker_exited()

    cors = None
    if settings.cors_origins:
        cors = CORSConfig(
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=ALLOW_HEADERS,
            expose_headers=EXPOSE_HEADERS,
            max_age=600,
        )
    app = Litestar(
        route_handlers=[health_live, health_ready, metrics, *openapi_routes, *data_routes, oneroster_router, *partner_routes, *import_routes,
                        Router("/", route_handlers=[*login_routes, *oauth_routes], before_request=_per_ip_rate)],  # fmt: skip
        lifespan=[lifespan],
        cors_config=cors,
        openapi_config=None,
        logging_config=None,
        exception_handlers={ApiError: _on_api_error, HTTPException: _on_http_error, Exception: _on_unexpected},
    )
    index_path_parameters(app)
    app.asgi_handler = RequestContext(RequestMetrics(app.asgi_handler))
    return app
