"""One import run: record it, check the zip, stage it with COPY, let the
database merge it in one transaction as the caller, record the outcome.

The caller's role and claims are set exactly as gateway/execute.py sets them
(SETUP), so RLS, the audit trail (actor role and sub) and roster.import_oneroster's
own checks see the real caller. A dry run and a rejected file roll the merge
back; the run's row (data.sync_runs) is written in transactions of its own so
that it survives either.

A run lives on one database session from start_run to release_run_lock (see
`pinned`): the session holds the run's advisory lock, which is how the
database tells a run still going from one whose process died (it is then
failed as interrupted, and a second run of the same school is refused while
one is alive: db/roster/runs.sql).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec

from gateway.dialect.render.fragments import ident
from gateway.http.metrics import import_finished
from gateway.identity.setup import DEFAULT_LIMITS, SETUP, RoleLimits, setup_args
from gateway.roster_import.archive import HEADERS, IMPORTED, ArchiveRejected, Package, column_name, read_package

Connect = Callable[[], AbstractAsyncContextManager[asyncpg.Connection]]
Progress = Callable[[str], None]
COUNTS = ("inserted", "updated", "unchanged", "deactivated")


def stage_name(stem: str) -> str:
    return column_name(stem)  # academicSessions -> academic_sessions


@dataclass(frozen=True)
class Caller:
    role: str
    claims: str  # JSON
    request_id: str = ""
    statement_timeout: str = "15min"
    # The role's lock timeout, work_mem, temp_file_limit (the gateway's settings); the timeout above wins.
    limits: RoleLimits = DEFAULT_LIMITS


class _Rollback(Exception):
    pass


class CopyRefused(Exception):
    """COPY refused a file left to its CSV parser (archive.quote_free)."""


@asynccontextmanager
async def as_caller(connect: Connect, caller: Caller) -> AsyncIterator[asyncpg.Connection]:
    async with connect() as connection:
        async with connection.transaction():
            limits = msgspec.structs.replace(caller.limits, statement_timeout=caller.statement_timeout)
            await connection.execute(SETUP, *setup_args(caller.role, caller.claims, caller.request_id, limits))
            yield connection


class RunInProgress(Exception):
    """roster.start_run refused: another run of the school is alive (SQLSTATE 55006)."""

    def __init__(self, error: asyncpg.PostgresError) -> None:
        super().__init__(getattr(error, "message", None) or str(error))
        self.message = str(self)
        self.detail: str | None = getattr(error, "detail", None)
        self.hint: str | None = getattr(error, "hint", None)


def pinned(connection: asyncpg.Connection) -> Connect:
    """A Connect that always yields `connection`: a run's whole life on one
    session, the one holding the run's advisory lock (taken by roster.start_run,
    db/roster/runs.sql). While that session lives the run counts
    as alive; when it ends, however it ends, the run is failed as interrupted."""

    @asynccontextmanager
    async def connect() -> AsyncIterator[asyncpg.Connection]:
        yield connection

    return connect


async def release_run_lock(connection: asyncpg.Connection) -> None:
    """After finish_run (or a refused start): drop the session's run lock, so a
    pooled connection does not keep a finished run looking alive. The pool's
    reset does not (gateway/app.py `_nothing_to_reset`)."""
    if not connection.is_closed():
        await connection.execute("select pg_advisory_unlock_all()")


async def start_run(connect: Connect, caller: Caller, data: bytes, *, dry_run: bool, source: str) -> str:
    """Record the run and take its lock on the connection `connect` yields,
    which must stay the run's connection until release_run_lock."""
    sha = hashlib.sha256(data).hexdigest()
    async with as_caller(connect, caller) as connection:
        try:
            run_id = await connection.fetchval("select roster.start_run($1, $2, $3)", source, sha, dry_run)
        except asyncpg.PostgresError as error:
            if error.sqlstate == "55006":  # object_in_use: a live run of this school
                raise RunInProgress(error) from None
            raise
    return str(run_id)


async def stage(connection: asyncpg.Connection, package: Package, progress: Progress) -> None:
    """One temporary table per file (all of them, empty when absent), filled with COPY."""
    # A large roster's staging and merge tables (~100 MB for 100,000 users) churn
    # through the 8 MB of local buffers a session starts with (~0.2 s). The size
    # can be set only before a session's first temporary table: a pooled
    # connection that staged before keeps the size it got then.
    await connection.execute("select set_config('temp_buffers', '128MB', false) where pg_my_temp_schema() = 0")
    for stem in IMPORTED:
        # Names come from the 1.2 binding's fixed headers (archive.HEADERS), never
        # from the upload; quoted all the same, like every identifier we render.
        name = "roster_stage_" + stage_name(stem)
        table = ident(name)
        columns = ", ".join(f"{ident(column_name(h))} text" for h in HEADERS[stem])
        # row_no: the CSV record's number (the header is 1). COPY numbers the rows
        # it parses itself, in the order it reads them. metadata: the row's
        # extension columns as a JSON object (archive.Package.extension_columns);
        # a file COPY reads has none.
        await connection.execute(
            f"create temporary table {table} (row_no integer generated by default as identity (start with 2), {columns},"
            " metadata jsonb) on commit drop"
        )
        rows = package.rows.get(stem, [])
        if rows:
            progress(f"staging {stem}.csv: {len(rows)} rows")
            await connection.copy_records_to_table(name, records=[(n, *r) for n, r in enumerate(rows, start=2)])
        elif stem in package.csv:
            progress(f"staging {stem}.csv")
            try:
                await connection.copy_to_table(
                    name, source=io.BytesIO(package.csv[stem]), columns=[column_name(h) for h in HEADERS[stem]],
                    format="csv", header=True,
                )  # fmt: skip
            except asyncpg.DataError as error:  # 22P04 bad copy file format, 22021 a NUL...
                raise CopyRefused(f"{stem}.csv: {error}") from error
        # Temporary tables are never analyzed by autovacuum: without statistics
        # the merge's joins and anti-joins turn into nested loops. No indexes:
        # with statistics the merge hashes (db/roster/import.sql,
        # import_rules.sql: no lookup per row of a staging table), and
        # building them cost ~0.8 s of a 100,000-user roster.
        await connection.execute(f"analyze {table}")
        # roster.import_oneroster runs as the table owner (SECURITY DEFINER); it
        # deletes other orgs' rows and lowercases booleans written `TRUE`.
        await connection.execute(f"grant select, update, delete on {table} to school_owner")


def totals(report: dict[str, Any]) -> dict[str, int]:
    counts = {k: 0 for k in COUNTS}
    for entry in (report.get("files") or {}).values():
        for k in COUNTS:
            counts[k] += int(entry.get(k, 0) or 0)
    counts["rejected"] = len(report.get("rejected") or [])
    counts["skipped"] = len(report.get("skipped") or [])
    return counts


async def merge(
    connect: Connect, caller: Caller, package: Package, *, dry_run: bool, progress: Progress
) -> dict[str, Any]:
    report: dict[str, Any] = {}
    try:
        async with as_caller(connect, caller) as connection:
            await stage(connection, package, progress)
            progress("merging")
            modes = {stage_name(stem): mode for stem, mode in package.modes.items()}
            report = json.loads(
                await connection.fetchval("select roster.import_oneroster($1::jsonb)::text", json.dumps(modes))
            )
            if report["status"] == "REJECTED" or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if report["status"] == "APPLIED" and dry_run:
        report["status"] = "DRY_RUN"
    return report


async def execute_run(
    connect: Connect, caller: Caller, run_id: str, data: bytes, *, dry_run: bool, progress: Progress = lambda _: None
) -> dict[str, Any]:
    """The whole run after start_run; never raises for a bad file or a database refusal."""
    started = time.monotonic()
    try:
        progress("reading the zip")
        package = await asyncio.to_thread(read_package, data)
        try:
            report = await merge(connect, caller, package, dry_run=dry_run, progress=progress)
        except CopyRefused:
            # A row COPY could not read: parse it all here, which reports such rows
            # (or stages them as parsed, e.g. a file mixing line ends), and run again.
            progress("re-reading the zip")
            package = await asyncio.to_thread(read_package, data, copy_csv=False)
            report = await merge(connect, caller, package, dry_run=dry_run, progress=progress)
        if package.skipped_files:
            report["skipped_files"] = [f"{s}.csv: not imported by this service" for s in package.skipped_files]
        if package.extension_columns:
            report["extension_columns"] = {f"{s}.csv": names for s, names in package.extension_columns.items()}
    except ArchiveRejected as rejected:
        report = {
            "status": "REJECTED",
            "files": {},
            "rejected": [p.as_dict() for p in rejected.problems],
            "skipped": [],
        }
    except asyncpg.PostgresError as error:
        report = {"status": "FAILED", "files": {}, "rejected": [], "skipped": [],
                  "error": {"code": error.sqlstate, "message": str(error), "detail": getattr(error, "detail", None)}}  # fmt: skip
    report["dry_run"] = dry_run
    report["totals"] = totals(report)
    duration_ms = int((time.monotonic() - started) * 1000)
    report["duration_ms"] = duration_ms
    import_finished(report["status"], report["totals"], duration_ms / 1000)
    try:
        async with as_caller(connect, caller) as connection:
            await connection.execute(
                "select roster.finish_run($1::uuid, $2, $3::jsonb, $4::jsonb, $5)",
                run_id, report["status"], json.dumps(report["totals"]), json.dumps(report), duration_ms,
            )  # fmt: skip
    except asyncpg.PostgresError as error:  # e.g. the client was revoked meanwhile
        report["record_error"] = str(error)
    progress(f"{report['status'].lower()}: {report['totals']}")
    return report
