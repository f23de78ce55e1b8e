"""What makes a transaction the caller's: one statement, run first in every
transaction that runs SQL as a caller (http/execute.py, partner clients,
roster imports). Every setting is transaction-local (`true`), so nothing
outlives the request on a pooled connection, and it is safe behind PgBouncer
in transaction mode.

Per-role guards are set here, not with `ALTER ROLE ... SET`: role settings
apply when a session logs in as the role, never after `SET ROLE`, and the
gateway logs in as `authenticator` for every role. The values come from the
gateway's configuration (STATEMENT_TIMEOUT(S), LOCK_TIMEOUT(S), WORK_MEM(S),
TEMP_FILE_LIMIT(S); README "Limits"), always as bind parameters.

`temp_file_limit` is a superuser setting. `authenticator` holds SET on it
(PostgreSQL 15+ `GRANT SET ON PARAMETER`, db/bootstrap.sql) and the API roles
do not, so it is set first, while the user is still `authenticator`: select
list items are evaluated in order, and no API role (nor a function it calls)
can raise it afterwards.
"""

from __future__ import annotations

import functools
from typing import Any, Final

import msgspec

SETUP: Final = (
    "select set_config('temp_file_limit', $7, true), set_config('role', $1, true), "
    "set_config('request.jwt.claims', $2, true), set_config('request.id', $3, true), "
    "set_config('statement_timeout', $4, true), set_config('lock_timeout', $5, true), "
    "set_config('work_mem', $6, true)"
)

# OneRoster reads (gateway/oneroster/routes.py): one statement shape per
# collection, filter shape, sort and fields, over union views under RLS, whose
# planning cost more CPU than running a 100-row page (issue 17: ~5 of ~10 ms of
# the backend's CPU per page). A generic plan is made once per pooled
# connection and shape and reused; with `auto` Postgres kept re-planning,
# as a custom plan of a known LIMIT always looks cheaper than a generic one.
GENERIC_SETUP: Final = SETUP + ", set_config('plan_cache_mode', 'force_generic_plan', true)"

# The data path (http/execute.py) adds what PostgREST tells a function of the
# HTTP request (Query.hs setPgLocals): method, path, headers and cookies as
# JSON objects (lowercased header names, the Cookie header only as cookies),
# with DB_SET_SEARCH_PATH the exposed schema first on the search_path, and the
# configured `app.settings.*` (http/config.py APP_SETTINGS_*), still in the one
# statement: names and values are parameters.
REQUEST_SETUP: Final = (
    SETUP + ", set_config('request.method', $8, true), set_config('request.path', $9, true), "
    "set_config('request.headers', $10, true), set_config('request.cookies', $11, true), "
    "set_config('search_path', coalesce($12, current_setting('search_path')), true)"
)


@functools.cache
def app_settings_setup(count: int) -> str:
    """REQUEST_SETUP and `count` app settings, each a (full name, value) pair of
    parameters: plain set_config calls cost less than an unnest subquery."""
    pairs = (f", set_config(${13 + 2 * i}, ${14 + 2 * i}, true)" for i in range(count))
    return REQUEST_SETUP + "".join(pairs)


class RoleLimits(msgspec.Struct, frozen=True, kw_only=True):
    """The guards one role's transactions run under (Postgres units: "10s", "4MB")."""

    statement_timeout: str = "10s"
    # No request waits on a lock longer than this (issue 13, F3): 503 55P03.
    lock_timeout: str = "2s"
    # Per sort or hash node; a pool of 16 connections x a few nodes stays small.
    work_mem: str = "4MB"
    # Disk a statement's sorts and hashes may spill to: 400 53400 beyond it.
    temp_file_limit: str = "1GB"


DEFAULT_LIMITS: Final = RoleLimits()


def setup_args(role: str, claims: str, request_id: str, limits: RoleLimits = DEFAULT_LIMITS) -> tuple[Any, ...]:
    """The parameters of SETUP, in its order."""
    return (
        role, claims, request_id, limits.statement_timeout, limits.lock_timeout, limits.work_mem,
        limits.temp_file_limit,
    )  # fmt: skip
