"""Postgres errors -> HTTP, by SQLSTATE, in one table (PostgREST's Error.hs
`pgErrorStatus`, with the differences noted).

The body keeps what Postgres said (code = SQLSTATE, message, detail, hint), as
PostgREST does, because rule errors are written for users (db/finance: a
refused payment says why). What is not in the table is our bug or the server's
trouble: 500 with a fixed message, the real error only in the log.
https://www.postgresql.org/docs/current/errcodes-appendix.html
"""

from __future__ import annotations

import json
import logging
from typing import Any

from gateway.errors import ApiError, valid_header

log = logging.getLogger("gateway.errors")

# Exact SQLSTATEs first, then two-character classes. `None`: see _status.
_EXACT: dict[str, int | None] = {
    "23503": 409,  # foreign_key_violation
    "23505": 409,  # unique_violation
    "23P01": 409,  # exclusion_violation
    "23502": 400,  # not_null_violation
    "23514": 400,  # check_violation (and the finance/terms rule refusals)
    "42501": None,  # insufficient_privilege: 401 for anon, else 403
    "P0001": 400,  # raise_exception: a function's refusal
    "P0002": 404,  # no_data_found: a function was given an id it cannot see (PostgREST: 500)
    "42P01": 404,  # undefined_table
    "42703": 400,  # undefined_column
    "42883": 400,  # undefined_function: an operator that does not fit a type (PostgREST: 404)
    "42704": 400,  # undefined_object: fts(no_such_config), an unknown text search configuration
    "42803": 400,  # grouping_error: an aggregated read ordered by a column it does not group by
    "42804": 400,  # datatype_mismatch
    "42846": 400,  # cannot_coerce: select=col::integer on a uuid
    "42P10": 400,  # invalid_column_reference: an on_conflict key no unique index matches
    "428C9": 400,  # generated_always: writing a generated column
    "21000": 400,  # cardinality_violation: e.g. one value where a function returned several
    "25006": 405,  # read_only_sql_transaction: a write in a GET (PostgREST: 405)
    "57014": 504,  # query_canceled: the role's statement_timeout
    "55P03": 503,  # lock_not_available
    "53400": 400,  # configuration_limit_exceeded: the role's temp_file_limit; retrying cannot help (PostgREST: 500)
    "40001": 503,  # serialization_failure: retry
    "40P01": 503,  # deadlock_detected: retry
    "57P01": 503,  # admin_shutdown
    "57P02": 503,  # crash_shutdown
    "57P03": 503,  # cannot_connect_now
}
_CLASSES: dict[str, int] = {
    "22": 400,  # data exception: bad input syntax, out of range, too long
    "23": 409,  # other integrity violations (restrict)
    "08": 503,  # connection exception
    "53": 503,  # insufficient resources
    "54": 400,  # program limit exceeded: a select of 2,000 columns, an expression too deep (PostgREST: 500)
    "28": 403,  # invalid authorization
    "0L": 403,  # invalid grantor
    "0P": 403,  # invalid role specification
}
_HINTS = {
    503: "The database is busy or restarting; retry the request",
    504: "The request took longer than this role's statement timeout; narrow the filter or page",
}


# lock_timeout (LOCK_TIMEOUT, http/config.py): another transaction held a lock
# longer than any gateway statement waits (issue 13, F3).
_SQLSTATE_HINTS = {
    "55P03": "Another transaction holds a lock these rows need; retry shortly (LOCK_TIMEOUT)",
    # The role's TEMP_FILE_LIMIT (identity/setup.py): the statement spilled more to disk.
    "53400": "The request needs more temporary disk than this role may use (TEMP_FILE_LIMIT); narrow the filter, order or page",
}


def status_for(sqlstate: str, role: str) -> int | None:
    """The HTTP status for a SQLSTATE, or None when it is not a client's doing."""
    if sqlstate in _EXACT:
        status = _EXACT[sqlstate]
        if status is None:  # 42501
            return 401 if role == "anon" else 403
        return status
    return _CLASSES.get(sqlstate[:2])


def from_postgres(error: Any, *, role: str, request_id: str | None = None) -> ApiError:
    """An asyncpg PostgresError (duck-typed: http/execute.py owns asyncpg) -> ApiError."""
    sqlstate = getattr(error, "sqlstate", None) or ""
    if sqlstate == "PGRST" or sqlstate.startswith("PT"):
        return _raised(error, sqlstate)
    status = status_for(sqlstate, role)
    if status is None:
        log.error("unmapped database error %s (request %s): %s", sqlstate, request_id, error)
        return internal_error()
    message = getattr(error, "message", None) or str(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    hint = getattr(error, "hint", None) or _SQLSTATE_HINTS.get(sqlstate) or _HINTS.get(status)
    details = getattr(error, "detail", None)
    constraint = getattr(error, "constraint_name", None)
    if details is None and constraint:
        # The rule refusals (db/finance) carry no DETAIL but a constraint name
        # per rule: the one thing a client can switch on.
        details = f'constraint "{constraint}"'
    return ApiError(status, sqlstate, message, details=details, hint=hint, headers=headers)


# PostgREST's PGRST121: RAISE SQLSTATE 'PGRST' whose message or detail is not the JSON it expects.
_PGRST121 = "The message and detail field of RAISE 'PGRST' error expects JSON"


def _raised(error: Any, sqlstate: str) -> ApiError:
    """A function's own HTTP answer (PostgREST's Error.hs, "Raise errors with
    HTTP Status Codes"): `PTxyz` answers status xyz (500 when xyz is not a
    number) with Postgres' message, detail and hint; `PGRST` takes code,
    message, details and hint from the message (JSON) and status and headers
    from the detail (JSON), else PGRST121. A deliberate answer, not our bug: no
    SDA500. Our own functions raise neither (db/: 22023, 23503, 23514, 42501,
    55006, P0002)."""
    message = getattr(error, "message", None) or str(error)
    detail, hint = getattr(error, "detail", None), getattr(error, "hint", None)
    if sqlstate.startswith("PT"):
        digits = sqlstate[2:]
        status = int(digits) if digits.isdigit() and 100 <= int(digits) <= 599 else 500
        return ApiError(status, sqlstate, message, details=detail, hint=hint)
    body, answer = _json_object(message), _json_object(detail)
    fields = (body.get("code"), body.get("message"), answer.get("status"), answer.get("headers"))
    code, text, status, headers = fields
    valid = (
        isinstance(code, str) and isinstance(text, str) and isinstance(status, int) and 100 <= status <= 599
        and isinstance(headers, dict) and all(valid_header(k, v) for k, v in headers.items())
    )  # fmt: skip
    if not valid:
        return ApiError(500, "PGRST121", _PGRST121)
    details, hint = body.get("details"), body.get("hint")
    return ApiError(
        int(status),  # type: ignore[arg-type]
        str(code),
        str(text),
        details=details if isinstance(details, str) else None,
        hint=hint if isinstance(hint, str) else None,
        headers=dict(headers),  # type: ignore[arg-type]
    )


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def internal_error() -> ApiError:
    return ApiError(500, "SDA500", "Internal server error", hint="The request id identifies it in the server log")
