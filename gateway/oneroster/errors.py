"""OneRoster errors: every failure under /ims/oneroster/... is an imsx_StatusInfo
(OneRoster 1.2 REST binding, "Error Handling"), never the PostgREST shape the
rest of the gateway uses:

    {"imsx_codeMajor": "failure", "imsx_severity": "error",
     "imsx_description": "...",
     "imsx_CodeMinor": {"imsx_codeMinorField": [
         {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": "invalid_filter_field"}]}}

Errors raised by the shared stages (auth, execute) arrive as gateway ApiErrors
and are translated by status here, so a bad token or a busy database keeps
its HTTP status and headers and gains the OneRoster body.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from gateway.errors import ApiError

CodeMinor = Literal[
    "invalid_filter_field",
    "invalid_selection_field",
    "invaliddata",
    "unauthorisedrequest",
    "forbidden",
    "unknownobject",
    "server_busy",
    "internal_server_error",
]

_BY_STATUS: Final[dict[int, CodeMinor]] = {
    400: "invaliddata",
    401: "unauthorisedrequest",
    403: "forbidden",
    404: "unknownobject",
    405: "invaliddata",
    406: "invaliddata",
    503: "server_busy",
    504: "server_busy",
}


class OneRosterError(ApiError):
    """An ApiError whose body is an imsx_StatusInfo."""

    def __init__(
        self, status: int, minor: CodeMinor, description: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, minor, description, headers=headers)
        self.minor = minor

    def body(self) -> dict[str, Any]:
        return {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": self.message,
            "imsx_CodeMinor": {
                "imsx_codeMinorField": [
                    {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": self.minor}
                ]
            },
        }


def from_api_error(error: ApiError) -> OneRosterError:
    """A gateway error (bad token, database refusal, timeout) in OneRoster's shape."""
    if isinstance(error, OneRosterError):
        return error
    minor = _BY_STATUS.get(error.status, "internal_server_error" if error.status >= 500 else "invaliddata")
    return OneRosterError(error.status, minor, error.message, headers=error.headers or None)


def invalid_filter(description: str) -> OneRosterError:
    return OneRosterError(400, "invalid_filter_field", description)


def invalid_selection(description: str) -> OneRosterError:
    return OneRosterError(400, "invalid_selection_field", description)


def invalid_sort(description: str) -> OneRosterError:
    # 1.1's `invalid_sort_field` is gone from 1.2's codes; a sort on an unknown
    # field is a selection the service cannot make.
    return OneRosterError(400, "invalid_selection_field", description)


def invalid_data(description: str) -> OneRosterError:
    return OneRosterError(400, "invaliddata", description)


def unknown_object(description: str) -> OneRosterError:
    return OneRosterError(404, "unknownobject", description)


def forbidden(description: str) -> OneRosterError:
    return OneRosterError(403, "forbidden", description)


def unauthorised(description: str) -> OneRosterError:
    return OneRosterError(401, "unauthorisedrequest", description, headers={"WWW-Authenticate": "Bearer"})
