"""HTTP: POST /ims/oneroster/import (a OneRoster 1.2 CSV zip) -> 202 and a run
id at once; the run goes on in an asyncio task. GET /ims/oneroster/import/{id}
-> the run's status and report (data.sync_runs, under RLS: the school's admins
and the partner that started it).

One run per school at a time: a second POST while a run of the school is alive
is a 409 (SDA423). The run keeps one pooled connection for its whole life (the
session holding its lock, run.py `pinned`); a gateway that stops mid-run leaves
a row the next start-up (fail_interrupted_runs) or the school's next run marks
FAILED, "interrupted: the gateway stopped before the run finished"."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Final, Literal

import asyncpg
import msgspec
from litestar import Request, Response, get, post

from gateway.errors import ApiError
from gateway.identity.auth import Caller as AuthCaller
from gateway.identity.partners import IMPORT_SCOPE, caller_of, in_caller_transaction
from gateway.oneroster.counts import school_changed
from gateway.pg_errors import from_postgres
from gateway.roster_import.archive import MAX_TOTAL_BYTES
from gateway.roster_import.run import Caller, RunInProgress, execute_run, pinned, release_run_lock, start_run

log = logging.getLogger("gateway.roster_import")

MAX_UPLOAD: Final = MAX_TOTAL_BYTES  # the zip is compressed: never larger than what it holds
_TASKS: set[asyncio.Task[Any]] = set()  # a reference per running import, or the loop may drop it


class ImportStarted(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    status: Literal["RUNNING"]
    href: str  # where to follow it: GET /ims/oneroster/import/{id}


class ImportRun(msgspec.Struct, frozen=True, kw_only=True):
    """A run's row (api.sync_runs), its counts and report as JSON."""

    id: str
    status: Literal["RUNNING", "APPLIED", "DRY_RUN", "REJECTED", "FAILED"]
    dry_run: bool
    file_sha256: str | None
    actor_role: str
    actor_sub: str | None
    source: Literal["HTTP", "CLI"]
    counts: dict[str, int] | None  # inserted, updated, unchanged, deactivated, rejected, skipped
    report: dict[str, Any] | None  # per file counts, rejected and skipped rows with reasons; `error` when FAILED
    duration_ms: int | None
    created_at: str
    finished_at: str | None


def _json(body: Any, status: int = 200) -> Response[bytes]:
    return Response(msgspec.json.encode(body), status_code=status, media_type="application/json")


@post(
    "/ims/oneroster/import", operation_id="importOneRosterCsv", tags=["oneroster-import"], status_code=202,
    request_max_body_size=MAX_UPLOAD,
)  # fmt: skip
async def start_import(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Import a OneRoster 1.2 CSV zip (bulk or delta per its manifest); `?dry_run=true` reports without applying."""
    caller, claims = await caller_of(request)
    scopes = str(caller.claims.get("scope") or "").split()
    if caller.role not in ("school_admin", "partner_sync") or (caller.role == "partner_sync" and IMPORT_SCOPE not in scopes):
        raise ApiError(403, "SDA420", "importing a roster needs a school_admin token or a partner token with the import scope",
                       hint=IMPORT_SCOPE)  # fmt: skip
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    # octet-stream: what generated clients send for a binary body (openapi/openapi.json).
    if content_type not in ("application/zip", "application/x-zip-compressed", "application/octet-stream"):
        raise ApiError(415, "SDA421", "send the zip with Content-Type: application/zip")
    flag = (request.query_params.get("dry_run") or "false").lower()
    if flag not in ("true", "false"):
        raise ApiError(400, "PGRST100", "dry_run must be true or false")
    # Before the body is read: the school's upload rate, one of the worker's
    # import slots and half its share (http/limits.py), given back when the run ends.
    release = request.app.state.fair_share.admit_import(caller)
    try:
        run_id, task = await _start(request, caller, claims, flag == "true")
    except BaseException:
        release()
        raise
    task.add_done_callback(lambda _: release())
    return _json(ImportStarted(id=run_id, status="RUNNING", href=f"/ims/oneroster/import/{run_id}"), 202)


async def _start(
    request: Request[Any, Any, Any], caller: AuthCaller, claims: str, dry_run: bool
) -> tuple[str, asyncio.Task[None]]:
    """Read the zip, start the run on a connection of its own; the task that runs it."""
    data = await request.body()
    pool = request.app.state.pool
    who = Caller(role=caller.db_role, claims=claims, request_id=request.scope["state"].get("request_id", ""),
                 limits=request.app.state.gateway.settings.limits_for(caller.role))  # fmt: skip
    try:
        connection = await pool.acquire(timeout=30)
    except TimeoutError:
        raise ApiError(504, "PGRST003", "Timed out acquiring connection from connection pool.") from None
    # The run's session from here to the end: it holds the run's lock (run.py `pinned`).
    try:
        run_id = await start_run(pinned(connection), who, data, dry_run=dry_run, source="HTTP")
    except BaseException as error:
        await _release(pool, connection)
        if isinstance(error, RunInProgress):
            raise ApiError(409, "SDA423", error.message, details=error.detail, hint=error.hint) from None
        if isinstance(error, asyncpg.PostgresError):
            raise from_postgres(error, role=caller.role, request_id=who.request_id) from None
        raise
    task = asyncio.create_task(_run(pool, connection, who, run_id, data, dry_run=dry_run))
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return run_id, task


async def _run(
    pool: asyncpg.Pool, connection: asyncpg.Connection, who: Caller, run_id: str, data: bytes, *, dry_run: bool
) -> None:
    try:
        await execute_run(pinned(connection), who, run_id, data, dry_run=dry_run)
    finally:
        await _release(pool, connection)
        # OneRoster totals of the school are counted afresh (gateway/oneroster/counts.py).
        school_changed(str(json.loads(who.claims).get("school_id", "")))


async def _release(pool: asyncpg.Pool, connection: asyncpg.Connection) -> None:
    try:
        await release_run_lock(connection)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        connection.terminate()  # a session we cannot unlock must not go back to the pool
    await pool.release(connection)


async def fail_interrupted_runs(pool: asyncpg.Pool) -> int:
    """At start-up: runs left RUNNING by a gateway that stopped mid-run are
    FAILED, with the reason (roster.fail_interrupted_runs, db/roster/runs.sql).
    Never stops the start-up: a database without the roster yet is logged."""
    try:
        async with pool.acquire(timeout=10) as connection:
            count: int = await connection.fetchval("select roster.fail_interrupted_runs()")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
        log.warning("could not check for interrupted import runs: %s", error)
        return 0
    if count:
        log.warning("%d import run(s) interrupted by a previous stop marked FAILED", count)
    return count


_RUN: Final = """
    select id::text, status, dry_run, file_sha256, actor_role, actor_sub, source, counts::text, report::text,
           duration_ms, created_at, finished_at
    from api.sync_runs where id = $1::uuid"""


@get("/ims/oneroster/import/{run_id:str}", operation_id="getOneRosterImport", tags=["oneroster-import"])
async def get_import(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Status and report of an import run."""
    run_id: str = request.path_params["run_id"]
    caller, claims = await caller_of(request)
    try:
        from uuid import UUID

        UUID(run_id)
    except ValueError:
        raise ApiError(404, "SDA422", "no such import run") from None
    # Polling a run is a read like any other: the school's rate and share.
    async with request.app.state.fair_share.admit(caller), in_caller_transaction(request, caller, claims) as connection:
        row = await connection.fetchrow(_RUN, run_id)
        # A RUNNING run whose session is gone (its gateway died and none has
        # restarted since) is failed now, so no reader waits on it for ever.
        if row is not None and row["status"] == "RUNNING":
            if await connection.fetchval("select roster.fail_run_if_dead($1::uuid)", run_id):
                row = await connection.fetchrow(_RUN, run_id)
    if row is None:
        raise ApiError(404, "SDA422", "no such import run")
    body = dict(row)
    body["counts"] = json.loads(body["counts"]) if body["counts"] else None
    body["report"] = json.loads(body["report"]) if body["report"] else None
    body["created_at"] = body["created_at"].isoformat()
    body["finished_at"] = body["finished_at"].isoformat() if body["finished_at"] else None
    return _json(ImportRun(**body))


async def wait_for_imports() -> None:
    """Tests and shutdown: let running imports finish."""
    while _TASKS:
        await asyncio.gather(*list(_TASKS), return_exceptions=True)


import_routes = [start_import, get_import]
