"""Two ways a CSV file reaches its staging table (archive.quote_free): parsed by
Postgres' COPY when it holds no quote, parsed in Python otherwise or when COPY
refuses a row. Either way the same rows land and the same problems are reported."""

from __future__ import annotations

import io
from typing import Any
import secrets
import zipfile

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.roster_import.archive import read_package
from tests.factories import School, make_school
from tests.gateway.http_support import api, as_role, committer_session, gateway_app  # noqa: F401
from tests.roster.import_support import import_zip
from tests.roster.oneroster_zip import build_zip, sample_roster
from tests.roster.test_import import partner


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


def rewritten(data: bytes, name: str, change: callable) -> bytes:  # type: ignore[valid-type]
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            dst.writestr(item, change(content) if item.filename == name else content)
    return buffer.getvalue()


def test_quote_free_files_are_left_to_copy_and_quoted_ones_parsed_here() -> None:
    roster = sample_roster("paths")
    roster["users"][0]["familyName"] = 'Lovelace, "Ada"'
    package = read_package(build_zip(roster))
    assert "users" in package.rows and "users" not in package.csv, "a file with a quote is parsed in Python"
    assert "enrollments" in package.csv and "enrollments" not in package.rows, "a quote-free file goes to COPY"
    assert set(read_package(build_zip(roster), copy_csv=False).rows) == set(package.modes), "or every file, when asked"


async def test_a_short_row_copy_refuses_is_reported_like_before(api: AsyncTestClient[Litestar], school: School) -> None:
    data = rewritten(build_zip(sample_roster(secrets.token_hex(4))), "enrollments.csv",
                     lambda b: b.replace(b",cl-math,", b",cl-math", 1))  # fmt: skip
    run = await import_zip(api, partner(school), data)
    assert run["status"] == "REJECTED", run["report"]
    assert run["report"]["rejected"] == [
        {"file": "enrollments.csv", "row": 2, "column": None, "reason": "9 fields where the header has 10"}
    ], "the row as Python's csv module counts it"


async def test_a_file_copy_cannot_read_but_python_can_is_imported(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    # Mixed line ends: COPY refuses them, csv.reader does not.
    data = rewritten(build_zip(sample_roster(secrets.token_hex(4))), "enrollments.csv",
                     lambda b: b.replace(b"\r\n", b"\n", 2))  # fmt: skip
    run = await import_zip(api, partner(school), data)
    assert run["status"] == "APPLIED", run["report"]
    assert run["report"]["files"]["enrollments.csv"]["inserted"] == 3
    count = await committer_session.fetchval(
        "select count(*) from data.enrollments where school_id = $1 and sourced_id is not null", school.id)  # fmt: skip
    assert count == 3, "the three student enrollments landed"


async def test_quoted_fields_keep_their_commas_and_quotes(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    roster = sample_roster(secrets.token_hex(4))
    roster["users"][0]["familyName"] = 'Lovelace, "Ada"'
    run = await import_zip(api, partner(school), build_zip(roster))
    assert run["status"] == "APPLIED", run["report"]
    name = await committer_session.fetchval(
        "select last_name from data.students where school_id = $1 and sourced_id = 'u-stu-1'", school.id)  # fmt: skip
    assert name == 'Lovelace, "Ada"'


def _duplicate_email(roster: dict[str, Any]) -> None:
    roster["users"][1]["email"] = roster["users"][0]["email"]


def _duplicate_number(roster: dict[str, Any]) -> None:
    roster["users"][1]["identifier"] = "S-100"


def _duplicate_enrollment(roster: dict[str, Any]) -> None:
    roster["enrollments"][1]["userSourcedId"] = "u-stu-1"


def _duplicate_sourced_id(roster: dict[str, Any]) -> None:
    roster["roles"][1]["sourcedId"] = "r-u-stu-1"


# The duplicate checks run their window query only when a hash aggregate finds a
# duplicate (db/roster/import.sql): the first row is still named.
DUPLICATES = [
    pytest.param(_duplicate_email, "users.csv", "email", "duplicate email", id="email"),
    pytest.param(_duplicate_number, "users.csv", "identifier", "duplicate student number S-100 (first on row 2)", id="number"),
    pytest.param(_duplicate_enrollment, "enrollments.csv", "userSourcedId",
                 "duplicate enrollment of user u-stu-1 in class cl-math (first on row 2)", id="enrollment"),
    pytest.param(_duplicate_sourced_id, "roles.csv", "sourcedId", "duplicate sourcedId r-u-stu-1 (first on row 2)", id="sourcedid"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "file", "column", "reason"), DUPLICATES)
async def test_a_duplicate_is_reported_on_its_second_row(
    api: AsyncTestClient[Litestar], school: School, change: Any, file: str, column: str, reason: str
) -> None:
    roster = sample_roster(secrets.token_hex(4))
    change(roster)
    run = await import_zip(api, partner(school), build_zip(roster))
    assert run["status"] == "REJECTED", run["report"]
    found = [p for p in run["report"]["rejected"] if p["file"] == file and p["column"] == column]
    assert len(found) == 1 and found[0]["row"] == 3 and reason in found[0]["reason"], run["report"]["rejected"]


async def test_a_users_first_primary_role_decides(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    roster = sample_roster(secrets.token_hex(4))
    org = roster["roles"][0]["orgSourcedId"]
    roster["roles"].append({"sourcedId": "r-late", "userSourcedId": "u-stu-1", "roleType": "primary", "role": "teacher",
                            "orgSourcedId": org})  # fmt: skip
    run = await import_zip(api, partner(school), build_zip(roster))
    assert run["status"] == "APPLIED", run["report"]
    role = await committer_session.fetchval(
        "select role from data.users where school_id = $1 and sourced_id = 'u-stu-1'", school.id)  # fmt: skip
    assert role == "STUDENT", "the first primary role in roles.csv, not a later one"
