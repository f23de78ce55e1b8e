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
import re
from typing import Any

from gateway.errors import ApiError

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
        return raised(sqlstate, getattr(error, "message", None), getattr(error, "detail", None),
                      getattr(error, "hint", None))  # fmt: skip
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


# PostgREST docs "Raise errors with HTTP Status Codes" (Error.hs PgRaiseErrMessage,
# PgRaiseErrDetails): a function answers with a status of its choosing.
#   raise sqlstate 'PT402' using message = ..., detail = ..., hint = ...   -> 402 (PT + 3 digits; else 500)
#   raise sqlstate 'PGRST' using message = '{"code": ..., "message": ..., "details": ..., "hint": ...}',
#                                detail = '{"status": 332, "status_text": ..., "headers": {"X-Header": "str"}}'
# The second's JSON must parse, or the answer is PGRST121 (500), as PostgREST's.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_TEXT = (str, type(None))


def raised(sqlstate: str, message: str | None, detail: str | None, hint: str | None) -> ApiError:
    if sqlstate.startswith("PT"):
        status = int(sqlstate[2:]) if sqlstate[2:].isdigit() and 100 <= int(sqlstate[2:]) <= 599 else 500
        return ApiError(status, sqlstate, message or "", details=detail, hint=hint)
    body, answer = _json_object(message), _json_object(detail)
    valid = (
        body is not None and answer is not None
        and isinstance(body.get("code"), str) and isinstance(body.get("message"), str)
        and isinstance(body.get("details"), _TEXT) and isinstance(body.get("hint"), _TEXT)
        and type(answer.get("status")) is int and 100 <= answer["status"] <= 599
        and isinstance(answer.get("headers"), dict)
        and all(isinstance(v, str) and _TOKEN.fullmatch(k) and v.isprintable() for k, v in answer["headers"].items())
    )  # fmt: skip
    if not valid:
        return ApiError(500, "PGRST121", "The message and detail field of RAISE 'PGRST' error expects JSON")
    assert body is not None and answer is not None
    return ApiError(answer["status"], body["code"], body["message"], details=body.get("details"),
                    hint=body.get("hint"), headers=dict(answer["headers"]))  # fmt: skip


def _json_object(text: str | None) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text is not None else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def internal_error() -> ApiError:
    return ApiError(500, "SDA500", "Internal server error", hint="The request id identifies it in the server log")
