"""Run one rendered statement for one caller: the only asyncpg user besides the
pool in app.py.

Per request, on one pooled connection (logged in as `authenticator`):

    BEGIN [READ ONLY]
    select set_config('temp_file_limit', ...), set_config('role', ...),
           set_config('request.jwt.claims', ...), set_config('request.id', ...),
           set_config('statement_timeout', ...), lock_timeout, work_mem (identity/setup.py)
    <the statement>
    COMMIT

Every setting is transaction-local (`true`), so nothing outlives the request
on the connection: safe to reuse, and safe behind PgBouncer in transaction
mode (DESIGN.md "Scale-out"). The statement is a prepared statement that
asyncpg caches per connection by SQL text; render/statement.py keeps that text stable
per request shape, so a shape is parsed and planned by Postgres once per
connection. (Behind a PgBouncer older than 1.21, set DB_STATEMENT_CACHE_SIZE=0.)
Every statement returns the same four columns (render/statement.py), so a migration
that changes a view never changes a prepared statement's result type: Postgres
re-plans it, and asyncpg's "cached statement" errors cannot arise.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
import msgspec

from gateway.errors import ApiError, not_one_row
from gateway.http.metrics import waiting_for
from gateway.identity.setup import GENERIC_SETUP, REQUEST_SETUP, SETUP, RoleLimits, app_settings_setup, setup_args
from gateway.pg_errors import from_postgres, internal_error

log = logging.getLogger("gateway.execute")


class RequestContext(msgspec.Struct, frozen=True, kw_only=True):
    method: str
    path: str
    headers: str  # a JSON object
    cookies: str  # a JSON object
    search_path: str | None  # quoted schema names, comma-separated; None: the login's own
    app_settings: tuple[tuple[str, str], ...] = ()


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """Who runs the statement, and for how long at most."""

    role: str
    claims: str  # JSON, as the claim helpers in auth read it
    request_id: str
    limits: RoleLimits  # the role's statement timeout, lock timeout, work_mem, temp_file_limit
    # PostgREST's request.method/path/headers/cookies (identity/setup.py
    # REQUEST_SETUP); None on paths that are not PostgREST's (OneRoster).
    context: RequestContext | None = None
    # Reuse one generic plan per statement shape (identity/setup.py GENERIC_SETUP);
    # only where every shape's generic plan is known to be good (OneRoster reads).
    generic_plans: bool = False


class Run(msgspec.Struct, frozen=True, kw_only=True):
    """What the Prefer header asks of the transaction around the statement."""

    explain: str | None = None  # EXPLAIN (FORMAT JSON) for a planned count, same transaction
    explain_args: int = 0  # the leading arguments the EXPLAIN takes (the request's values)
    explain_above: int | None = None  # count=estimated: only when the capped exact count passes this
    rollback: bool = False  # tx=rollback: run, answer, undo
    max_affected: int | None = None  # more rows changed -> PGRST124, rolled back
    timezone: str | None = None  # Prefer: timezone, a name Postgres knows (headers.checked_timezone)
    max_changed: int | None = None  # a PATCH/DELETE's `limit`: more rows changed -> PGRST110, rolled back


class _Rollback(Exception):  # not an error: carries the outcome out of the rolled-back transaction
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """The one row every rendered statement returns (render/statement.py)."""

    body: str | bytes | None  # bytes: made by a media type handler (dialect/media.py)
    page_total: int
    total: int | None
    location: list[str] | None
    # What a function or trigger set: response.headers (JSON text) and
    # response.status (render/statement.py _RESPONSE); writes and calls only.
    response_headers: str | None = None
    response_status: str | None = None
    inserted: int | None = None  # rows an upsert inserted (render/writes.py INSERTED)


async def execute(
    pool: asyncpg.Pool,
    session: Session,
    sql: str,
    args: tuple[Any, ...],
    *,
    read_only: bool,
    single: bool = False,
    acquire_timeout: float = 5.0,
    run: Run | None = None,
) -> Outcome:
    """`single`: exactly one row or a 406, checked before COMMIT so that a
    write answered with 406 is also not applied (as PostgREST does)."""
    try:
        return await _run(pool, session, sql, args, read_only, single, acquire_timeout, run or Run())
    except asyncpg.PostgresError as error:
        raise from_postgres(error, role=session.role, request_id=session.request_id) from None
    except TimeoutError:
        raise ApiError(
            504, "PGRST003", "Timed out acquiring connection from connection pool.", hint="Retry later"
        ) from None
    except (OSError, asyncpg.exceptions.ConnectionDoesNotExistError) as error:
        log.error("database unavailable (request %s): %s", session.request_id, error)
        raise ApiError(503, "PGRST000", "Database connection error", hint="Retry later") from None
    except asyncpg.InterfaceError as error:
        # The server went away mid-transaction (a crash, a restart): leaving the
        # transaction block then fails on the closed connection. Anything else
        # of this class is a bug.
        if "connection is closed" not in str(error) and "connection was closed" not in str(error):
            log.exception("unexpected error running a statement (request %s)", session.request_id)
            raise internal_error() from None
        log.error("database unavailable (request %s): %s", session.request_id, error)
        raise ApiError(503, "PGRST000", "Database connection error", hint="Retry later") from None
    except ApiError:
        raise
    except Exception:
        log.exception("unexpected error running a statement (request %s)", session.request_id)
        raise internal_error() from None


async def _setup(connection: Any, session: Session) -> None:
    """One statement: who the caller is and, on the data path, the request."""
    who = setup_args(session.role, session.claims, session.request_id, session.limits)
    context = session.context
    if context is None:
        await connection.execute(GENERIC_SETUP if session.generic_plans else SETUP, *who)
        return
    request = (context.method, context.path, context.headers, context.cookies, context.search_path)
    if not context.app_settings:
        await connection.execute(REQUEST_SETUP, *who, *request)
        return
    pairs = [part for name, value in context.app_settings for part in (f"app.settings.{name}", value)]
    await connection.execute(app_settings_setup(len(context.app_settings)), *who, *request, *pairs)


async def _run(
    pool: asyncpg.Pool,
    session: Session,
    sql: str,
    args: tuple[Any, ...],
    read_only: bool,
    single: bool,
    acquire_timeout: float,
    run: Run,
) -> Outcome:
    try:
        async with (
            waiting_for(pool.acquire(timeout=acquire_timeout)) as connection,
            connection.transaction(readonly=read_only),
        ):
            await _setup(connection, session)
            if run.timezone is not None:  # one more round trip, only when asked
                await connection.execute("select set_config('timezone', $1, true)", run.timezone)
            row = await connection.fetchrow(sql, *args)
            answer = (row[4], row[5]) if len(row) > 4 else (None, None)
            outcome = Outcome(body=row[0], page_total=row[1], total=row[2], location=row[3],
                              response_headers=answer[0], response_status=answer[1],
                              inserted=row[6] if len(row) > 6 else None)  # fmt: skip
            if single and outcome.page_total != 1:
                raise not_one_row(outcome.page_total)
            if run.max_affected is not None and outcome.page_total > run.max_affected:
                raise ApiError(
                    400,
                    "PGRST124",
                    "Query result exceeds max-affected preference constraint",
                    details=f"The query affects {outcome.page_total} rows",
                )
            if run.max_changed is not None and outcome.page_total > run.max_changed:
                raise ApiError(
                    400,
                    "PGRST110",
                    "The maximum number of rows allowed to change was surpassed",
                    details=f"Results contain {outcome.page_total} rows changed but the maximum number allowed is "
                    f"{run.max_changed}",
                )
            if run.explain and (run.explain_above is None or (outcome.total or 0) > run.explain_above):
                plan = msgspec.json.decode(await connection.fetchval(run.explain, *args[: run.explain_args]))
                outcome = msgspec.structs.replace(outcome, total=int(plan[0]["Plan"]["Plan Rows"]))
            if run.rollback:
                raise _Rollback(outcome)
    except _Rollback as done:
        return done.outcome
    return outcome
