"""Every OneRoster REST response the tests receive, checked against 1EdTech's
own OneRoster 1.2 schemas (tests/roster/reference/, see its README).

`violations()` is pure: (path, status, body) -> messages. `check_response` is
an httpx response hook installed on the tests' HTTP client
(tests/gateway/http_support.py), so no test can receive a OneRoster body that
the official schema refuses without failing. With ONEROSTER_SCHEMA_LOG=<file>
the hook appends the violations to that file instead of failing (how the
"before" figure in the README was counted).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any, Final

import httpx
from jsonschema import Draft7Validator, FormatChecker

REFERENCE: Final = Path(__file__).parent / "reference"
ROSTERING: Final = "/ims/oneroster/rostering/v1p2"
GRADEBOOK: Final = "/ims/oneroster/gradebook/v1p2"
DOCUMENTS: Final = {
    ROSTERING: "onerosterv1p2rostersservice_schemas.json",
    GRADEBOOK: "onerosterv1p2gradebookservice_schemas.json",
}
# Gradebook collections: (single schema, set schema) of the gradebook document.
_GRADEBOOK_ITEM: Final = {
    "categories": ("SingleCategoryDType", "CategoriesSetDType"),
    "lineItems": ("SingleLineItemDType", "LineItemSetDType"),
    "results": ("SingleResultDType", "ResultSetDType"),
    "scoreScales": ("SingleScoreScaleDType", "ScoreScaleSetDType"),
    "assessmentLineItems": ("SingleAssessmentLineItemDType", "AssessmentLineItemSetDType"),
    "assessmentResults": ("SingleAssessmentResultDType", "AssessmentResultSetDType"),
}

# The item schema of each rostering collection (the binding's paths; schools
# are orgs, terms and grading periods academicSessions, students and teachers users).
_ITEM: Final = {
    "orgs": ("org", "orgs", "Org"),
    "schools": ("org", "orgs", "Org"),
    "academicSessions": ("academicSession", "academicSessions", "AcademicSession"),
    "terms": ("academicSession", "academicSessions", "AcademicSession"),
    "gradingPeriods": ("academicSession", "academicSessions", "AcademicSession"),
    "courses": ("course", "courses", "Course"),
    "classes": ("class", "classes", "Class"),
    "users": ("user", "users", "User"),
    "students": ("user", "users", "User"),
    "teachers": ("user", "users", "User"),
    "enrollments": ("enrollment", "enrollments", "Enrollment"),
    "demographics": ("demographics", "demographics", "Demographics"),
}


@cache
def _schemas(service: str = ROSTERING) -> dict[str, Any]:
    document = json.loads((REFERENCE / DOCUMENTS[service]).read_text())
    return document  # type: ignore[no-any-return]


def _validator(name: str, service: str = ROSTERING) -> Draft7Validator:
    document = _schemas(service)
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return Draft7Validator(schema, format_checker=FormatChecker())


def schema_for(path: str, status: int) -> str | None:
    """The official schema of a response, or None when the path is no OneRoster REST path."""
    if path.startswith(GRADEBOOK + "/"):
        return _gradebook_schema(path, status)
    if not path.startswith(ROSTERING + "/"):
        return None
    if status >= 300:
        return "imsx_StatusInfoDType"
    parts = path[len(ROSTERING) + 1 :].split("/")
    if len(parts) == 2:  # get<Type>
        known = _ITEM.get(parts[0])
        return f"Single{known[2]}DType" if known else None
    collection = {1: parts[0], 3: parts[-1], 5: parts[-1]}.get(len(parts))
    known = _ITEM.get(collection or "")
    return f"{known[2]}SetDType" if known else None


# The Gradebook binding's POSTs ("createbp"): the path's (parent, child) -> the
# requestBody's schema; each answers 201 with a GUIDPairSetDType.
_GRADEBOOK_POSTS: Final = {
    ("classes", "lineItems"): "LineItemSetDType",
    ("schools", "lineItems"): "LineItemSetDType",
    ("lineItems", "results"): "ResultSetDType",
    ("classes", "results"): "ResultSetDType",  # classes/{id}/academicSessions/{id}/results
}


def request_schema(path: str, method: str) -> str | None:
    """The official schema of a gradebook write's request body (PUT: Single<Type>DType)."""
    if not path.startswith(GRADEBOOK + "/"):
        return None
    parts = path[len(GRADEBOOK) + 1 :].split("/")
    if method == "PUT" and len(parts) == 2 and parts[0] in _GRADEBOOK_ITEM:
        return _GRADEBOOK_ITEM[parts[0]][0]
    if method == "POST" and len(parts) in (3, 5):
        return _GRADEBOOK_POSTS.get((parts[0], parts[-1]))
    return None


def request_violations(path: str, method: str, body: Any) -> list[str]:
    """What the official schema finds wrong with a request body a test sends."""
    name = request_schema(path, method)
    assert name is not None, f"{method} {path} has no request body in the Gradebook binding"
    return [
        f"{name} at /{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in _validator(name, GRADEBOOK).iter_errors(body)
    ]


def _gradebook_schema(path: str, status: int) -> str | None:
    if status >= 300:
        return "imsx_StatusInfoDType"
    if status == 201:  # a POST's pairs (check_response: a PUT's 201 has no body)
        return "GUIDPairSetDType"
    if status != 200:  # PUT's 201 and DELETE's 204 carry no body
        return None
    parts = path[len(GRADEBOOK) + 1 :].split("/")
    if len(parts) == 2:
        known = _GRADEBOOK_ITEM.get(parts[0])
        return known[0] if known else None
    known = _GRADEBOOK_ITEM.get(parts[-1]) if len(parts) in (1, 3, 5) else None
    return known[1] if known else None


def violations(path: str, status: int, body: Any) -> list[str]:
    name = schema_for(path, status)
    if name is None:
        return []
    service = GRADEBOOK if path.startswith(GRADEBOOK + "/") else ROSTERING
    found = [
        f"{name} at /{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in _validator(name, service).iter_errors(body)
    ]
    return found


async def check_response(response: httpx.Response) -> None:
    path = response.request.url.path
    if schema_for(path, response.status_code) is None or response.request.method == "HEAD":
        return
    # A write's success has no body in the binding (PUT 201, DELETE 204) but a
    # gradebook POST's (its sourcedIdPairs); their errors are checked.
    pairs = response.request.method == "POST" and path.startswith(GRADEBOOK + "/") and response.status_code == 201
    if response.request.method in ("PUT", "DELETE", "POST") and response.status_code < 300 and not pairs:
        return
    await response.aread()
    try:
        body = response.json()
    except ValueError:
        body = response.text
    found = violations(path, response.status_code, body)
    log = os.environ.get("ONEROSTER_SCHEMA_LOG")
    if log:
        with open(log, "a") as out:
            out.write(json.dumps({"path": path, "status": response.status_code, "violations": found}) + "\n")
        return
    assert not found, f"{response.request.method} {response.request.url}: {len(found)} schema violations: {found[:5]}"
