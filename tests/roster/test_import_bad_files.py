"""Every bad file is refused with a report a person can act on, and nothing changes."""

from __future__ import annotations

import copy
import io
import secrets
import zipfile
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.roster_import import archive
from tests.factories import School, make_school
from tests.gateway.http_support import api, as_role, committer_session, gateway_app  # noqa: F401
from tests.roster.import_support import import_zip
from tests.roster.oneroster_zip import build_zip, csv_text, sample_roster
from tests.roster.test_import import partner, snapshot


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


def roster_with(change: Any) -> bytes:
    roster = sample_roster(secrets.token_hex(4))
    change(roster)
    return build_zip(roster)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def set_field(file: str, index: int, **values: str) -> Any:
    def change(roster: dict[str, Any]) -> None:
        roster[file][index].update(values)

    return change


def bomb() -> bytes:
    roster = sample_roster("bomb")
    return build_zip(roster, extra={"userProfiles.csv": b"0" * (60 * 1024 * 1024)})


def truncated() -> bytes:
    data = build_zip(sample_roster(secrets.token_hex(4)))
    return data[: len(data) // 2]


def without_manifest() -> bytes:
    return build_zip(sample_roster(secrets.token_hex(4)), manifest=False)


def wrong_header() -> bytes:
    roster = sample_roster(secrets.token_hex(4))
    data = build_zip({k: v for k, v in roster.items() if k != "courses"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "manifest.csv":
                content = content.replace(b"file.courses,absent", b"file.courses,bulk")
            dst.writestr(item, content)
        # A header naming a column the binding does not have (optional columns
        # may be left out and columns reordered: tests/roster/test_public_samples.py).
        header = tuple("courseTitle" if h == "title" else h for h in archive.HEADERS["courses"])
        dst.writestr("courses.csv", csv_text("courses", roster["courses"], header))
    return buffer.getvalue()


def not_utf8() -> bytes:
    roster = sample_roster(secrets.token_hex(4))
    data = build_zip(roster)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "users.csv":
                content = content.decode().replace("Lovelace", "Lovelacé").encode("latin-1")
            dst.writestr(item, content)
    return buffer.getvalue()


def unknown_file() -> bytes:
    return build_zip(sample_roster(secrets.token_hex(4)), extra={"teachers.csv": b"a,b\r\n"})


def too_many_files() -> bytes:
    return build_zip(sample_roster(secrets.token_hex(4)), extra={f"x{i}.csv": b"" for i in range(40)})


CASES = [
    pytest.param(without_manifest, "manifest.csv", None, "missing manifest", id="missing-manifest"),
    pytest.param(unknown_file, "teachers.csv", None, "unknown file", id="unknown-file"),
    pytest.param(wrong_header, "courses.csv", None, "unknown column 'courseTitle'", id="wrong-header"),
    pytest.param(not_utf8, "users.csv", None, "not UTF-8", id="non-utf8"),
    pytest.param(truncated, "(zip)", None, "truncated", id="truncated-zip"),
    pytest.param(bomb, "userProfiles.csv", None, "zip bomb", id="zip-bomb"),
    pytest.param(too_many_files, "(zip)", None, "too many files", id="too-many-files"),
    pytest.param(lambda: roster_with(set_field("enrollments", 0, classSourcedId="cl-nope")),
                 "enrollments.csv", "classSourcedId", "unknown reference", id="unknown-reference"),
    pytest.param(lambda: roster_with(set_field("academicSessions", 1, startDate="2026-13-45")),
                 "academicSessions.csv", "startDate", "bad date", id="bad-date"),
    pytest.param(lambda: roster_with(set_field("users", 1, givenName="")),
                 "users.csv", "givenName", "missing required field", id="missing-required-field"),
    pytest.param(lambda: roster_with(set_field("classes", 1, sourcedId="cl-math")),
                 "classes.csv", "sourcedId", "duplicate sourcedId", id="duplicate-sourcedid"),
    pytest.param(lambda: roster_with(set_field("academicSessions", 0, type="decade")),
                 "academicSessions.csv", "type", "bad enum value", id="bad-enum-value"),
    pytest.param(lambda: roster_with(set_field("demographics", 0, sex="f")),
                 "demographics.csv", "sex", "bad enum value", id="bad-sex"),
    pytest.param(lambda: roster_with(set_field("users", 0, status="deleted")),
                 "users.csv", "status", "bad enum value", id="bad-status"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "file", "column", "reason"), CASES)
async def test_a_bad_file_is_refused_with_a_clear_report_and_no_change(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection,
    make: Any, file: str, column: str | None, reason: str,
) -> None:  # fmt: skip
    before = await snapshot(committer_session, school)
    run = await import_zip(api, partner(school), make())
    assert run["status"] == "REJECTED", run["report"]
    problems = run["report"]["rejected"]
    assert any(p["file"] == file and (column is None or p["column"] == column) and reason in p["reason"] for p in problems), problems
    assert all(p.get("row") is None or p["row"] >= 1 for p in problems), "rows are numbered as in the file"
    assert await snapshot(committer_session, school) == before, "a file with an error applies nothing"
    assert await committer_session.fetchval("select sourced_id from data.schools where id = $1", school.id) is None


async def test_a_rejected_row_names_its_row_number(api: AsyncTestClient[Litestar], school: School) -> None:
    run = await import_zip(api, partner(school), roster_with(set_field("enrollments", 2, userSourcedId="u-ghost")))
    [problem] = run["report"]["rejected"]
    assert problem == {"file": "enrollments.csv", "row": 4, "column": "userSourcedId",
                       "reason": "unknown reference: user u-ghost is neither in users.csv nor already here"}  # fmt: skip


async def test_uploads_must_be_zips_and_callers_must_be_allowed(api: AsyncTestClient[Litestar], school: School) -> None:
    data = build_zip(sample_roster(secrets.token_hex(4)))
    wrong_type = await api.post("/ims/oneroster/import", content=data, headers={**partner(school), "Content-Type": "text/csv"})
    assert wrong_type.status_code == 415
    teacher = await api.post("/ims/oneroster/import", content=data, headers={**as_role("teacher", school), "Content-Type": "application/zip"})
    assert teacher.status_code == 403
    no_scope = await api.post("/ims/oneroster/import", content=data,
                              headers={**as_role("partner_sync", school), "Content-Type": "application/zip"})  # fmt: skip
    assert no_scope.status_code == 403, "a partner token without the import scope cannot import"


async def test_a_zip_sent_as_octet_stream_is_accepted(api: AsyncTestClient[Litestar], school: School) -> None:
    """Generated clients (openapi-python-client) send a binary body as application/octet-stream."""
    data = build_zip(sample_roster(secrets.token_hex(4)))
    started = await api.post("/ims/oneroster/import?dry_run=true", content=data,
                             headers={**partner(school), "Content-Type": "application/octet-stream"})  # fmt: skip
    assert started.status_code == 202, started.text
