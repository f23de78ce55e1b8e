"""Extension columns (issue 17): `metadata.*` and vendor columns (`ext_*`,
`ext.*`) on any imported CSV file are kept, one JSON object per row
(`metadata.district.code` under `district.code`, a vendor column under its
whole name, empty fields left out), and returned in the OneRoster REST
object's `metadata` (every answer checked against 1EdTech's schemas by the
`api` client's hook). Changing them is an update; the same values again are
no change; a row without them has no `metadata`."""

from __future__ import annotations

import json
import secrets
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.identity.partners import IMPORT_SCOPE
from gateway.roster_import.archive import HEADERS
from gateway.roster_import.columns import REQUIRED, layout
from tests.factories import School, make_school
from tests.gateway.http_support import api, committer_session, gateway_app  # noqa: F401
from tests.roster.import_support import import_zip
from tests.roster.oneroster_zip import build_zip, sample_roster
from tests.roster.test_import_gradebook import LINE_ITEM_HEADER, READ, gradebook
from tests.roster.test_roster_scopes import bearer

RS = "/ims/oneroster/rostering/v1p2"
GB = "/ims/oneroster/gradebook/v1p2"
EXTRA = ("metadata.district.code", "ext_vendor_id")
# (file, the REST path of its first row, the envelope key)
FILES = {
    "orgs": ("orgs/org-{tag}", "org", 1),
    "academicSessions": ("academicSessions/y2026", "academicSession", 0),
    "courses": ("courses/c-math", "course", 0),
    "classes": ("classes/cl-math", "class", 0),
    "users": ("users/u-stu-1", "user", 0),
    "enrollments": ("enrollments/e-1", "enrollment", 0),
}


def with_extensions(tag: str, code: str) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    """The sample roster and gradebook, one row per file carrying extension values."""
    files: dict[str, Any] = {**sample_roster(tag), **gradebook(f"org-{tag}")}
    headers = {stem: (*HEADERS[stem], *EXTRA) for stem in (*FILES, "roles")}
    for stem, (_, _, index) in FILES.items():
        files[stem][index] = {**files[stem][index], "metadata.district.code": code, "ext_vendor_id": f"{stem}-1"}
    files["lineItems"][0]["metadata.district.code"] = code
    return files, {**headers, "lineItems": LINE_ITEM_HEADER}


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


def test_a_header_reads_extension_values_into_one_object() -> None:
    plan, problems = layout(HEADERS["lineItems"], [*HEADERS["lineItems"], "metadata.district.code", "ext.colour"],
                            REQUIRED["lineItems"])  # fmt: skip
    assert plan is not None and not problems
    row = ["x"] * len(HEADERS["lineItems"])
    assert plan.metadata([*row, "D-7", "blue"]) == '{"district.code": "D-7", "ext.colour": "blue"}'
    assert plan.metadata([*row, "", "blue"]) == '{"ext.colour": "blue"}', "an empty field is left out"
    assert plan.metadata([*row, "", ""]) is None, "no values, no metadata"


async def test_extension_columns_come_back_in_metadata(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    tag = secrets.token_hex(4)
    partner = await bearer(api, school, IMPORT_SCOPE, *READ)
    files, headers = with_extensions(tag, "D-7")
    run = await import_zip(api, partner, build_zip(files, headers=headers))
    assert run["status"] == "APPLIED", run["report"]
    assert run["report"]["extension_columns"]["users.csv"] == list(EXTRA), "the report names the columns it kept"
    assert run["report"]["extension_columns"]["roles.csv"] == list(EXTRA), "roles.csv's are accepted and named (not stored)"

    for stem, (path, key, _) in FILES.items():
        body = (await api.get(f"{RS}/{path.format(tag=tag)}", headers=partner)).json()[key]
        assert body["metadata"] == {"district.code": "D-7", "ext_vendor_id": f"{stem}-1"}, stem
    item = (await api.get(f"{GB}/lineItems/li-1", headers=partner)).json()["lineItem"]
    assert item["metadata"] == {"district.code": "D-7", "ext_vendor_id": "v-991"}
    other = (await api.get(f"{RS}/users/u-stu-2", headers=partner)).json()["user"]
    assert "metadata" not in other, "a row without extension values has no metadata"
    listed = (await api.get(f"{RS}/classes?fields=sourcedId,metadata", headers=partner)).json()["classes"]
    codes = {c["sourcedId"]: c.get("metadata", {}).get("district.code") for c in listed}
    assert (codes["cl-math"], codes["cl-sci"]) == ("D-7", None), "fields=metadata selects it"

    stored = await committer_session.fetchval(
        "select metadata from data.users where school_id = $1 and sourced_id = 'u-stu-1'", school.id)
    assert json.loads(stored) == {"district.code": "D-7", "ext_vendor_id": "users-1"}, "kept as JSONB on the row's own table"

    again = await import_zip(api, partner, build_zip(files, headers=headers))
    assert again["counts"]["inserted"] == again["counts"]["updated"] == 0, "the same values again are no change"
    changed_files, _ = with_extensions(tag, "D-8")
    changed = await import_zip(api, partner, build_zip(changed_files, headers=headers))
    assert changed["status"] == "APPLIED", changed["report"]
    updated = {f: changed["report"]["files"][f]["updated"] for f in
               ("orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv", "enrollments.csv", "lineItems.csv")}
    assert set(updated.values()) == {1}, f"a changed extension value is one updated row per file: {updated}"
    user = (await api.get(f"{RS}/users/u-stu-1", headers=partner)).json()["user"]
    assert user["metadata"]["district.code"] == "D-8"

    plain = await import_zip(api, partner, build_zip(sample_roster(tag)))
    assert plain["status"] == "APPLIED" and plain["report"]["files"]["users.csv"]["updated"] == 1, plain["report"]
    user = (await api.get(f"{RS}/users/u-stu-1", headers=partner)).json()["user"]
    assert "metadata" not in user, "the file is the truth: a row sent without extension columns loses them"
