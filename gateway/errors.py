"""Every error the gateway returns, in one JSON shape (PostgREST's):

    {"code": "...", "message": "...", "details": ..., "hint": ...}

PostgREST's codes are reused where the failure is the same (clients test for
them): PGRST1xx request, PGRST2xx schema cache, PGRST3xx JWT. Our own codes,
for what PostgREST lacks, are SDA<stage><nn> and never reused. Postgres errors
keep their SQLSTATE as the code and map to a status by SQLSTATE
(gateway/pg_errors.py).

Codes in use (PostgREST's meaning unless said otherwise), by stage:
    parse    PGRST100 400  bad query string or header syntax, pointing at the bad part
             PGRST102 400  body not JSON, or not what the resource accepts (models)
             PGRST103 416  range not satisfiable
             PGRST107 406  no acceptable media type
             PGRST117 405  unsupported HTTP method
             PGRST122 400  invalid preferences with handling=strict
             PGRST125 404  no such path
    auth     PGRST300 500  no JWT secret configured        (gateway/auth.py)
             PGRST301 401  token cannot be decoded/verified
             PGRST303 401  token claims refused
             SDA301   503  identity provider keys unavailable
    plan     (PGRST101: GET on a volatile function; retired, any function may be
             called with GET in a read-only transaction: a write answers 405 25006)
             PGRST105 405  PUT filters other than `eq` on every primary key column
             PGRST115 400  PUT body's primary key differs from the URL's (http/routes.py)
             PGRST202 404  unknown function or arguments
             PGRST123 400  aggregates in select for a role not in AGGREGATES_ROLES (http/routes.py)
             PGRST204 400  unknown column in a body or `columns=`
             PGRST205 404  unknown table or view
             21000    400  PATCH/DELETE without filters (pg-safeupdate's words;
                           opt in with `Prefer: unfiltered=allow`)
             42703    400  unknown column in select/filter/order (Postgres' words)
             42883    400  operator does not fit the column's type
             SDA101   405  the relation does not accept this method (not insertable ...)
             SDA102   400  a read-only column (generated, ...) in a body
    execute  PGRST000 503  database unreachable
             PGRST003 504  no pooled connection in time
             PGRST116 406  object requested, not exactly one row (rolled back)
             PGRST124 400  more rows changed than `max-affected` with handling=strict (rolled back)
             <SQLSTATE>    Postgres' own error, status from gateway/pg_errors.py
    any      SDA100   4xx  Litestar's own refusals (body too large ...)
             SDA500   500  anything unexpected (never SQL or a stack trace)
"""

from __future__ import annotations

import re
from typing import Any


class ApiError(Exception):
    """An error with its HTTP status and the body clients see."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Any = None,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.hint = hint
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details, "hint": self.hint}


def bad_query(message: str, details: str | None = None, hint: str | None = None) -> ApiError:
    """PGRST100: the query string or a header does not follow the dialect."""
    return ApiError(400, "PGRST100", message, details=details, hint=hint)


def invalid_body(message: str, details: str | None = None) -> ApiError:
    """PGRST102: the body is not JSON, or not what the resource accepts."""
    return ApiError(400, "PGRST102", message, details=details)


def not_one_row(rows: int) -> ApiError:
    """PGRST116: `Accept: application/vnd.pgrst.object+json` and not exactly one row."""
    return ApiError(
        406,
        "PGRST116",
        "JSON object requested, multiple (or no) rows returned",
        details=f"The result contains {rows} rows",
    )


# RFC 9110 field names are tokens; a value must not carry CR, LF or other
# control characters (a function's header would otherwise split the answer:
# header injection) and must be Latin-1, which is what HTTP/1.1 sends.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def valid_header(name: object, value: object) -> bool:
    """Whether a header a database function asked for may be sent as it is."""
    if not (isinstance(name, str) and isinstance(value, str) and _TOKEN.fullmatch(name)):
        return False
    return value.isprintable() and all(ord(c) < 256 for c in value)
