"""OneRoster CSV as partners send it: public packages nobody here wrote
(tests/roster/reference/README.md names their sources), and our own edge cases
of the same kinds: another version, columns out of order or left out,
extension columns, 1.1's `inactive`, misspelt columns."""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.roster_import.archive import HEADERS
from tests.factories import School, make_school
from tests.gateway.http_support import api, as_role, committer_session, gateway_app  # noqa: F401
from tests.roster.import_support import import_zip
from tests.roster.test_import_cli import cli
from tests.roster.oneroster_zip import build_zip, sample_roster
from tests.roster.test_import import partner, snapshot

CSV = Path(__file__).parent / "reference" / "csv"
OR = "/ims/oneroster/rostering/v1p2"


def folder_zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for path in sorted(folder.glob("*.csv")):
            z.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


def sample(name: str) -> bytes:
    return folder_zip(CSV / name) if name == "oat_v1p1" else (CSV / "moodle" / f"{name}.zip").read_bytes()


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


@pytest.mark.parametrize("name", ["oat_v1p1", "Test_full_data_set", "Test_minimal_data_set"])
async def test_a_1p1_package_gets_one_clear_message_and_changes_nothing(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection, name: str
) -> None:
    before = await snapshot(committer_session, school)
    run = await import_zip(api, as_role("school_admin", school), sample(name))
    assert run["status"] == "REJECTED"
    (only,) = run["report"]["rejected"]
    assert (only["file"], only["column"]) == ("manifest.csv", "oneroster.version"), "one message, not one per header"
    assert "OneRoster 1.1 package" in only["reason"] and "export the roster as OneRoster 1.2" in only["reason"]
    assert await snapshot(committer_session, school) == before


async def test_misspelt_columns_are_named_with_the_binding_name_they_miss(
    api: AsyncTestClient[Litestar], school: School
) -> None:
    run = await import_zip(api, as_role("school_admin", school), sample("v1p2_full_dataset"), dry_run=True)
    reasons = [(r["file"], r["reason"]) for r in run["report"]["rejected"]]
    assert run["status"] == "REJECTED"
    assert ("users.csv", "unknown column 'prefferedGivenName' (did you mean 'preferredGivenName'?): not in the "
            "OneRoster 1.2 binding; extension columns start with metadata., ext_, ext.") in reasons
    assert any(f == "roles.csv" and "'dataLastModified' (did you mean 'dateLastModified'?)" in r for f, r in reasons)
    assert not any("wrong header" in r for _, r in reasons), "no whole-header refusal hides which column is wrong"


def with_org(data: bytes, old: str, new: str) -> bytes:
    """The package with its org's sourcedId renamed: an org belongs to one
    school of the service, and each test imports into a school of its own."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as plain, zipfile.ZipFile(buffer, "w") as out:
        for member in plain.namelist():
            out.writestr(member, plain.read(member).replace(old.encode(), new.encode()))
    return buffer.getvalue()


def moodle_1p2(tag: str) -> bytes:
    """Moodle's 1.2 fixture (oneroster_test_data.zip) as published but for its
    org's sourcedId: `TRUE` for enabledUser, a student with a username and no
    email, no resourceSourcedIds column, a userProfiles.csv."""
    return with_org(sample("oneroster_test_data"), "ORG_1", f"ORG_{tag}")


async def test_moodles_1p2_export_imports_over_http_dry_run_run_and_again(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    data = moodle_1p2(secrets.token_hex(4))
    dry = await import_zip(api, partner(school), data, dry_run=True)
    assert dry["status"] == "DRY_RUN", dry["report"]
    assert dry["report"]["skipped_files"] == ["userProfiles.csv: not imported by this service"]
    run = await import_zip(api, partner(school), data)
    assert run["status"] == "APPLIED", run["report"]
    assert dry["counts"] == run["counts"], "the dry run shows exactly what the run does"
    assert run["counts"]["inserted"] == 5, "the term, the course, the class, the student, the enrollment"
    user = await committer_session.fetchrow(
        "select u.email, u.is_active, s.first_name, s.student_number from data.users u "
        "join data.students s on s.user_id = u.id where u.school_id = $1 and u.sourced_id = 'USER_0'", school.id
    )
    assert tuple(user) == (None, True, "Bruce", "bruce.wayne"), "TRUE is true; no email is no email, not a reject"
    again = await import_zip(api, partner(school), data)
    assert again["status"] == "APPLIED"
    assert again["counts"]["inserted"] == again["counts"]["updated"] == again["counts"]["deactivated"] == 0
    read = await api.get(f"{OR}/students/USER_0", headers=as_role("school_admin", school))
    assert read.json()["user"]["username"] == "bruce.wayne", "the identifier stands in for the missing email"
    assert "email" not in read.json()["user"], "an absent email is left out, never null"


async def test_moodles_1p2_export_imports_from_the_cli(tmp_path: Path, database_url: str) -> None:
    db = await asyncpg.connect(database_url)
    try:
        school = await make_school(db)
        path = tmp_path / "oneroster_test_data.zip"
        path.write_bytes(moodle_1p2(secrets.token_hex(4)))
        outcomes = []
        for extra in (["--dry-run"], [], []):
            done = cli(str(path), "--school", str(school.id), *extra, database_url=database_url)
            assert done.returncode == 0, done.stderr
            outcomes.append(json.loads(done.stdout))
        dry, run, again = outcomes
        assert (dry["status"], run["status"], again["status"]) == ("DRY_RUN", "APPLIED", "APPLIED"), run
        assert dry["totals"] == run["totals"] and run["totals"]["inserted"] == 5
        assert again["totals"]["inserted"] == again["totals"]["updated"] == again["totals"]["deactivated"] == 0
    finally:
        await db.close()


def rewritten(files: dict[str, list[dict[str, Any]]], shape: dict[str, list[str]]) -> bytes:
    """The sample zip with some files written under another header (`shape`)."""
    buffer = io.BytesIO()
    plain = zipfile.ZipFile(io.BytesIO(build_zip(files)))
    with zipfile.ZipFile(buffer, "w") as out:
        for member in plain.namelist():
            stem = member[:-4]
            if stem not in shape:
                out.writestr(member, plain.read(member))
                continue
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=shape[stem], extrasaction="ignore", lineterminator="\r\n")
            writer.writeheader()
            for row in files[stem]:
                writer.writerow({k: row.get(k, "") for k in shape[stem]})
            out.writestr(member, text.getvalue())
    return buffer.getvalue()


async def test_reordered_columns_left_out_optional_ones_and_extensions_import(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    files = sample_roster(secrets.token_hex(4))
    for row in files["users"]:
        row["metadata.sis.homeroom"] = "7A"
    users = ["familyName", "givenName", "sourcedId", "status", "dateLastModified", "enabledUser", "username",
             "identifier", "email", "agentSourcedIds", "metadata.sis.homeroom", "ext_vendor_id"]  # fmt: skip
    shape = {"users": users, "courses": [h for h in reversed(HEADERS["courses"]) if h not in ("grades", "subjects")]}
    data = rewritten(files, shape)
    dry = await import_zip(api, partner(school), data, dry_run=True)
    assert dry["status"] == "DRY_RUN", dry["report"]
    assert dry["report"]["extension_columns"] == {"users.csv": ["metadata.sis.homeroom", "ext_vendor_id"]}
    run = await import_zip(api, partner(school), data)
    assert run["status"] == "APPLIED", run["report"]
    assert dry["counts"] == run["counts"], "the dry run shows exactly what the run does"
    again = await import_zip(api, partner(school), data)
    assert again["counts"]["inserted"] == again["counts"]["updated"] == again["counts"]["deactivated"] == 0
    ada = await committer_session.fetchrow(
        "select first_name, last_name from data.students where school_id = $1 and sourced_id = 'u-stu-1'", school.id
    )
    assert tuple(ada) == ("Ada", "Lovelace"), "columns are found by name, not position"


async def test_inactive_is_read_as_tobedeleted(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    """1.2: 'inactive' (removed in 1.1) is to be read as 'tobedeleted'."""
    files = sample_roster(secrets.token_hex(4))
    assert (await import_zip(api, partner(school), build_zip(files)))["status"] == "APPLIED"
    course = files["courses"][-1]
    delta = {"courses": [{**course, "status": "inactive", "dateLastModified": "2026-12-01T00:00:00Z"}]}
    run = await import_zip(api, partner(school), build_zip(delta, {"courses": "delta"}))
    assert run["status"] == "APPLIED", run["report"]
    deleted = await committer_session.fetchval(
        "select is_deleted from data.subjects where school_id = $1 and sourced_id = $2", school.id, course["sourcedId"]
    )
    assert deleted is True
