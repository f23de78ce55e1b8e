"""The OneRoster 1.2 Gradebook CSV files in the import (issue 17): a partner's
zip with categories, scoreScales, lineItems and results lands in the tables
the gradebook REST service reads, which then answers them (every answer
checked against 1EdTech's gradebook schemas by the `api` client's hook);
dry run, re-import with zero changes, bulk and delta, every row audited,
per-row rejects naming file, line and cause; extension columns kept and
returned in `metadata`."""

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
from tests.factories import School, make_school
from tests.gateway.http_support import api, committer_session, gateway_app, token  # noqa: F401
from tests.roster.import_support import import_zip
from tests.roster.oneroster_zip import Rows, build_zip, sample_roster
from tests.roster.test_roster_scopes import SCOPE, bearer

GB = "/ims/oneroster/gradebook/v1p2"
RS = "/ims/oneroster/rostering/v1p2"
READ = (SCOPE + "roster.readonly", SCOPE + "gradebook.readonly")
GRADEBOOK_TABLES = ("grade_categories", "score_scales", "assignments", "grades")
LINE_ITEM_HEADER = (*HEADERS["lineItems"], "metadata.district.code", "ext_vendor_id")


def gradebook(org: str) -> dict[str, Rows]:
    """Two categories, a letter scale, two line items (one in a category of
    the file, one in an assignment-type category), three results."""
    return {
        "categories": [{"sourcedId": "cat-hw", "title": "Homework", "weight": "40"},
                       {"sourcedId": "cat-test", "title": "Tests", "weight": "60"}],
        "scoreScales": [{"sourcedId": "ss-letter", "title": "Letters", "type": "letter", "orgSourcedId": org,
                         "classSourcedId": "cl-math", "scoreScaleValue": "{A:90-100},{B:80-89},{C:0-79}"}],
        "lineItems": [
            {"sourcedId": "li-1", "title": "Fractions quiz", "description": "Chapter 3", "assignDate": "2026-10-01T08:00:00Z",
             "dueDate": "2026-10-08T08:00:00Z", "classSourcedId": "cl-math", "categorySourcedId": "cat-test",
             "academicSessionSourcedId": "t1", "resultValueMin": "0", "resultValueMax": "20", "schoolSourcedId": org,
             "metadata.district.code": "D-7", "ext_vendor_id": "v-991"},
            {"sourcedId": "li-2", "title": "Lab report", "assignDate": "2026-10-02", "dueDate": "2026-10-09",
             "classSourcedId": "cl-sci", "categorySourcedId": "type:lab", "resultValueMax": "20", "schoolSourcedId": org},
        ],
        "results": [
            {"sourcedId": "res-1", "lineItemSourcedId": "li-1", "studentSourcedId": "u-stu-1", "scoreStatus": "fully graded",
             "score": "18.5", "scoreDate": "2026-10-09", "comment": "Good work", "textScore": "A"},
            {"sourcedId": "res-2", "lineItemSourcedId": "li-1", "studentSourcedId": "u-stu-2", "scoreStatus": "submitted",
             "scoreDate": "2026-10-09"},
            # Above resultValueMax: extra credit, as a OneRoster PUT allows.
            {"sourcedId": "res-3", "lineItemSourcedId": "li-2", "studentSourcedId": "u-stu-1", "scoreStatus": "fully graded",
             "score": "25", "scoreDate": "2026-10-10"},
        ],
    }  # fmt: skip


def package(tag: str, **changes: Rows) -> tuple[dict[str, Rows], bytes]:
    files = {**sample_roster(tag), **gradebook(f"org-{tag}"), **changes}
    return files, build_zip(files, headers={"lineItems": LINE_ITEM_HEADER})


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


@pytest.fixture
async def partner(api: AsyncTestClient[Litestar], school: School) -> dict[str, str]:
    return await bearer(api, school, IMPORT_SCOPE, *READ)


async def gradebook_rows(db: asyncpg.Connection, school: School) -> dict[str, Any]:
    """The school's partner gradebook rows (updated_at included) and their audit rows."""
    out: dict[str, Any] = {}
    for table in GRADEBOOK_TABLES:
        rows = await db.fetch(f"select * from data.{table} where school_id = $1 and sourced_id is not null order by sourced_id", school.id)
        out[table] = [dict(r) for r in rows]
    out["audit"] = await db.fetchval(
        "select count(*) from audit.audit_log where school_id = $1 and table_name = any($2::text[])", school.id, list(GRADEBOOK_TABLES)
    )
    return out


async def test_a_gradebook_zip_lands_and_the_gradebook_service_reads_it(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str], committer_session: asyncpg.Connection
) -> None:
    _, data = package(secrets.token_hex(4))
    run = await import_zip(api, partner, data)
    assert run["status"] == "APPLIED", run["report"]
    files = run["report"]["files"]
    assert {f: files[f]["inserted"] for f in ("categories.csv", "scoreScales.csv", "lineItems.csv", "results.csv")} == {
        "categories.csv": 2, "scoreScales.csv": 1, "lineItems.csv": 2, "results.csv": 3,
    }  # fmt: skip
    assert "skipped_files" not in run["report"], "no gradebook file is skipped any more"

    item = (await api.get(f"{GB}/lineItems/li-1", headers=partner)).json()["lineItem"]
    assert (item["title"], item["description"], item["category"]["sourcedId"], item["class"]["sourcedId"]) == (
        "Fractions quiz", "Chapter 3", "cat-test", "cl-math")
    assert (item["academicSession"]["sourcedId"], item["resultValueMin"], item["resultValueMax"]) == ("t1", 0, 20)
    assert item["assignDate"] == "2026-10-01T08:00:00.000Z" and item["dueDate"] == "2026-10-08T08:00:00.000Z"
    lab = (await api.get(f"{GB}/lineItems/li-2", headers=partner)).json()["lineItem"]
    assert lab["category"]["sourcedId"] == "type:lab", "type:<type> names the school's assignment-type category"
    assert "metadata" not in lab, "a row without extension values has no metadata"

    results = (await api.get(f"{GB}/lineItems/li-1/results?sort=sourcedId", headers=partner)).json()["results"]
    assert [(r["sourcedId"], r["student"]["sourcedId"], r["scoreStatus"], r.get("score")) for r in results] == [
        ("res-1", "u-stu-1", "fully graded", 18.5), ("res-2", "u-stu-2", "submitted", None)]
    assert (results[0]["textScore"], results[0]["comment"], results[0]["scoreDate"]) == ("A", "Good work", "2026-10-09")
    extra = (await api.get(f"{GB}/results/res-3", headers=partner)).json()["result"]
    assert extra["score"] == 25, "a score above resultValueMax is kept (extra credit)"

    categories = (await api.get(f"{GB}/categories?filter=sourcedId~'cat-'&sort=sourcedId", headers=partner)).json()["categories"]
    assert [(c["sourcedId"], c["title"], c["weight"]) for c in categories] == [("cat-hw", "Homework", 40), ("cat-test", "Tests", 60)]
    scale = (await api.get(f"{GB}/scoreScales/ss-letter", headers=partner)).json()["scoreScale"]
    assert scale["class"]["sourcedId"] == "cl-math" and scale["scoreScaleValue"] == [
        {"itemValueLHS": "A", "itemValueRHS": "90-100"}, {"itemValueLHS": "B", "itemValueRHS": "80-89"},
        {"itemValueLHS": "C", "itemValueRHS": "0-79"}]  # fmt: skip

    db = committer_session
    audited = await db.fetchval(
        "select count(distinct record_id) from audit.audit_log where school_id = $1 and actor_role = 'partner_sync' "
        "and action = 'CREATE' and table_name = any($2::text[])", school.id, list(GRADEBOOK_TABLES))
    assert audited == 2 + 1 + 2 + 3, "every gradebook row the import wrote is in the audit log, under the partner"


async def test_dry_run_then_run_then_the_same_zip_again(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str], committer_session: asyncpg.Connection
) -> None:
    _, data = package(secrets.token_hex(4))
    before = await gradebook_rows(committer_session, school)
    dry = await import_zip(api, partner, data, dry_run=True)
    assert dry["status"] == "DRY_RUN" and dry["report"]["files"]["results.csv"]["inserted"] == 3
    assert await gradebook_rows(committer_session, school) == before, "a dry run applies nothing"

    run = await import_zip(api, partner, data)
    assert run["status"] == "APPLIED", run["report"]
    assert {k: run["report"]["files"]["results.csv"][k] for k in ("inserted", "updated")} == \
        {k: dry["report"]["files"]["results.csv"][k] for k in ("inserted", "updated")}, "the dry run showed exactly the run"
    after = await gradebook_rows(committer_session, school)

    again = await import_zip(api, partner, data)
    assert again["status"] == "APPLIED", again["report"]
    totals = again["counts"]
    assert totals["inserted"] == totals["updated"] == totals["deactivated"] == 0, totals
    assert again["report"]["files"]["results.csv"]["unchanged"] == 3
    assert await gradebook_rows(committer_session, school) == after, "no row touched: same updated_at, no audit rows"


async def test_bulk_and_delta_files(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str], committer_session: asyncpg.Connection
) -> None:
    tag = secrets.token_hex(4)
    files, data = package(tag)
    assert (await import_zip(api, partner, data))["status"] == "APPLIED"
    # Bulk without res-2 and li-2's result res-3: both deactivated; li-2 stays.
    files["results"] = [r for r in files["results"] if r["sourcedId"] == "res-1"]
    files["results"][0] = {**files["results"][0], "score": "19"}
    run = await import_zip(api, partner, build_zip(files, headers={"lineItems": LINE_ITEM_HEADER}))
    assert run["status"] == "APPLIED", run["report"]
    assert {k: run["report"]["files"]["results.csv"][k] for k in ("updated", "deactivated")} == {"updated": 1, "deactivated": 2}
    gone = (await api.get(f"{GB}/results/res-2", headers=partner)).json()["result"]
    assert gone["status"] == "tobedeleted", "a result a bulk file no longer names is deactivated"

    # Delta: only what it names; tobedeleted deactivates; the rest stays.
    delta = {"lineItems": [{"sourcedId": "li-2", "status": "tobedeleted", "dateLastModified": "2026-11-01T00:00:00Z"}],
             "results": [{"sourcedId": "res-4", "status": "active", "dateLastModified": "2026-11-01T00:00:00Z",
                          "lineItemSourcedId": "li-1", "studentSourcedId": "u-stu-2", "scoreStatus": "exempt",
                          "scoreDate": "2026-11-01"}]}  # fmt: skip
    run = await import_zip(api, partner, build_zip(delta, modes={"lineItems": "delta", "results": "delta"}))
    assert run["status"] == "APPLIED", run["report"]
    assert run["report"]["files"]["lineItems.csv"]["deactivated"] == 1 and run["report"]["files"]["results.csv"]["inserted"] == 1
    live = await committer_session.fetch(
        "select sourced_id from data.grades where school_id = $1 and sourced_id is not null and not is_deleted order by 1", school.id)
    assert [r["sourced_id"] for r in live] == ["res-1", "res-4"], "a delta file leaves the rows it does not name"
    li2 = (await api.get(f"{GB}/lineItems/li-2", headers=partner)).json()["lineItem"]
    assert li2["status"] == "tobedeleted"


async def test_rejects_name_file_line_and_cause_and_hide_no_valid_row(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str], committer_session: asyncpg.Connection
) -> None:
    tag = secrets.token_hex(4)
    book = gradebook(f"org-{tag}")
    book["results"] += [
        {"sourcedId": "res-9", "lineItemSourcedId": "li-nope", "studentSourcedId": "u-stu-2", "scoreStatus": "fully graded"},
        {"sourcedId": "res-10", "lineItemSourcedId": "li-2", "studentSourcedId": "u-stu-2", "scoreStatus": "graded",
         "score": "-1"},
        {"sourcedId": "res-11", "lineItemSourcedId": "li-1", "studentSourcedId": "u-stu-1", "scoreStatus": "submitted"},
    ]  # fmt: skip
    book["lineItems"][1] = {**book["lineItems"][1], "classSourcedId": "cl-gone", "dueDate": "next week"}
    book["scoreScales"][0] = {**book["scoreScales"][0], "scoreScaleValue": "A=90"}
    before = await gradebook_rows(committer_session, school)
    run = await import_zip(api, partner, build_zip({**sample_roster(tag), **book}, headers={"lineItems": LINE_ITEM_HEADER}))
    assert run["status"] == "REJECTED"
    rejected = {(r["file"], r["row"], r["column"]): r["reason"] for r in run["report"]["rejected"]}
    assert set(rejected) == {
        ("results.csv", 5, "lineItemSourcedId"), ("results.csv", 6, "scoreStatus"), ("results.csv", 6, "score"),
        ("results.csv", 7, "studentSourcedId"), ("lineItems.csv", 3, "classSourcedId"), ("lineItems.csv", 3, "dueDate"),
        ("scoreScales.csv", 2, "scoreScaleValue"),
    }, "exactly the bad rows, each with every cause; the valid rows of the same files are not named"  # fmt: skip
    assert "line item li-nope is neither in lineItems.csv nor already here" in rejected[("results.csv", 5, "lineItemSourcedId")]
    assert "duplicate result of student u-stu-1 for line item li-1 (first on row 2)" in rejected[("results.csv", 7, "studentSourcedId")]
    assert "class cl-gone" in rejected[("lineItems.csv", 3, "classSourcedId")]
    assert "{A:90-100}" in rejected[("scoreScales.csv", 2, "scoreScaleValue")], "the reason shows the expected form"
    assert await gradebook_rows(committer_session, school) == before, "a rejected run applies nothing"


async def test_a_grade_entered_here_is_taken_over_and_a_score_over_its_maximum_rejected(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str], committer_session: asyncpg.Connection
) -> None:
    """A results.csv row may name a line item entered here (by its id, as the
    REST service shows it): the grade of the same student is adopted, not
    duplicated; a score over that item's maximum is a row reject, not a failed run."""
    tag = secrets.token_hex(4)
    db = committer_session
    assert (await import_zip(api, partner, build_zip(sample_roster(tag))))["status"] == "APPLIED"
    klass, student = (await db.fetchrow(
        "select c.id, s.id from data.classes c, data.students s where c.school_id = $1 and c.sourced_id = 'cl-math' "
        "and s.school_id = $1 and s.sourced_id = 'u-stu-1'", school.id))  # fmt: skip
    item = await db.fetchval(
        "insert into data.assignments (school_id, class_id, title, max_score) values ($1, $2, 'Hand-made', 10) returning id",
        school.id, klass)
    grade = await db.fetchval(
        "insert into data.grades (school_id, assignment_id, student_id, score, recorded_by_user_id) "
        "values ($1, $2, $3, 7, $4) returning id", school.id, item, student, school.admin_user)
    row = {"sourcedId": "res-h", "status": "active", "dateLastModified": "2026-11-01T00:00:00Z", "lineItemSourcedId": str(item), "studentSourcedId": "u-stu-1", "scoreStatus": "fully graded",
           "score": "11", "scoreDate": "2026-10-09"}  # fmt: skip
    over = await import_zip(api, partner, build_zip({"results": [row]}, modes={"results": "delta"}))
    assert over["status"] == "REJECTED"
    assert [(r["row"], r["column"]) for r in over["report"]["rejected"]] == [(2, "score")]
    assert "above the maximum 10.00" in over["report"]["rejected"][0]["reason"]

    run = await import_zip(api, partner, build_zip({"results": [{**row, "score": "9"}]}, modes={"results": "delta"}))
    assert run["status"] == "APPLIED", run["report"]
    counts = run["report"]["files"]["results.csv"]
    assert (counts["inserted"], counts["updated"], counts["adopted"]) == (0, 1, 1), counts
    kept = await db.fetchrow("select id, sourced_id, score from data.grades where school_id = $1 and assignment_id = $2", school.id, item)
    assert (kept["id"], kept["sourced_id"], float(kept["score"])) == (grade, "res-h", 9.0), "the same grade, re-keyed"


async def test_an_admin_imports_a_gradebook_zip_with_the_cli(tmp_path: Any, database_url: str) -> None:
    from tests.roster.test_import_cli import cli

    db = await asyncpg.connect(database_url)
    try:
        school = await make_school(db)
        path = tmp_path / "gradebook.zip"
        path.write_bytes(package(secrets.token_hex(4))[1])
        dry = cli(str(path), "--school", str(school.id), "--dry-run", database_url=database_url)
        assert dry.returncode == 0, dry.stderr
        assert json.loads(dry.stdout)["files"]["lineItems.csv"]["inserted"] == 2
        assert await db.fetchval("select count(*) from data.assignments where school_id = $1", school.id) == 0
        done = cli(str(path), "--school", str(school.id), database_url=database_url)
        report = json.loads(done.stdout)
        assert done.returncode == 0 and report["status"] == "APPLIED", done.stdout
        assert await db.fetchval("select count(*) from data.grades where school_id = $1 and sourced_id is not null", school.id) == 3
        again = json.loads(cli(str(path), "--school", str(school.id), database_url=database_url).stdout)
        assert again["totals"]["inserted"] == again["totals"]["updated"] == 0, again["totals"]
    finally:
        await db.close()


async def test_the_gradebook_link_files_are_accepted_and_reported_as_skipped(
    api: AsyncTestClient[Litestar], school: School
) -> None:
    """Also: the import scope alone imports the gradebook files (no gradebook scope)."""
    partner = {"Authorization": f"Bearer {token('partner_sync', school, 'pc_test_' + secrets.token_hex(4), scope=IMPORT_SCOPE)}"}
    tag = secrets.token_hex(4)
    files = {**sample_roster(tag), **gradebook(f"org-{tag}")}
    link = "sourcedId,status,dateLastModified,title,lineItemSourcedId,scoreScaleSourcedId\r\nlss-1,,,,li-1,ss-letter\r\n"
    data = build_zip(files, headers={"lineItems": LINE_ITEM_HEADER}, extra={"lineItemScoreScales.csv": link.encode()},
                     properties={"file.lineItemScoreScales": "bulk"})  # fmt: skip
    run = await import_zip(api, partner, data)
    assert run["status"] == "APPLIED", run["report"]
    assert run["report"]["skipped_files"] == ["lineItemScoreScales.csv: not imported by this service"]
    assert run["report"]["files"]["lineItems.csv"]["inserted"] == 2
