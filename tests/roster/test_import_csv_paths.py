"""Two ways a CSV file reaches its staging table (archive.quote_free): parsed by
Postgres' COPY when it holds no quote, parsed in Python otherwise or when COPY
refuses a row. Either way the same rows land and the same problems are reported."""

from __future__ import annotations

import io
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
