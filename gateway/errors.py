"""Every error the gateway returns, in one JSON shape (PostgREST's):

    {"code": "...", "message": "...", "details": ..., "hint": ...}

PostgREST's codes are reused where the failure is the same (clients test for
them): PGRST1xx request, PGRST2xx schema cache, PGRST3xx JWT. Our own codes,
for what PostgREST lacks, are SDA<stage><nn> and never reused. Postgres errors
keep their SQLSTATE as the code and map to a status by SQLSTATE
(gateway/pg_errors.py).
"""

from __future__ import annotations

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
