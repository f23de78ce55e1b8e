"""OneRoster 1.2 CSV import over HTTP against the real database: every mapped
row lands where the mapping says, a second run changes nothing, bulk and delta
deactivate what they should, a dry run applies nothing."""

from __future__ import annotations

import copy
import secrets
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.identity.partners import IMPORT_SCOPE
from tests.factories import School, make_school
from tests.gateway.http_support import api, as_role, committer_session, gateway_app, token  # noqa: F401
from tests.roster.import_support import import_zip
from tests.roster.oneroster_zip import build_zip, sample_roster


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


def partner(school: School) -> dict[str, str]:
    return {"Authorization": f"Bearer {token('partner_sync', school, 'pc_test_' + secrets.token_hex(4), scope=IMPORT_SCOPE)}"}


def admin(school: School) -> dict[str, str]:
    return as_role("school_admin", school)


async def snapshot(db: asyncpg.Connection, school: School) -> dict[str, Any]:
    """Every roster row of the school that has a sourcedId, with updated_at."""
    out: dict[str, Any] = {}
    for table in ("users", "students", "teachers", "parents", "academic_terms", "subjects", "classes", "enrollments"):
        rows = await db.fetch(f"select * from data.{table} where school_id = $1 and sourced_id is not null order by sourced_id", school.id)
        out[table] = [dict(r) for r in rows]
    out["audit"] = await db.fetchval(
        "select count(*) from audit.audit_log where school_id = $1 and table_name <> 'sync_runs'", school.id
    )
    return out


async def test_a_bulk_zip_lands_every_mapped_row(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    tag = secrets.token_hex(4)
    run = await import_zip(api, partner(school), build_zip(sample_roster(tag)))
    assert run["status"] == "APPLIED", run["report"]
    db = committer_session
    assert await db.fetchval("select sourced_id from data.schools where id = $1", school.id) == f"org-{tag}", "the org is adopted"

    terms = {r["sourced_id"]: r for r in await db.fetch("select * from data.academic_terms where school_id = $1 and sourced_id is not null", school.id)}
    assert terms["y2026"]["type"] == "YEAR" and terms["t1"]["type"] == "SEMESTER" and terms["t1"]["parent_id"] == terms["y2026"]["id"]
    assert str(terms["t1"]["start_date"]) == "2026-09-01" and terms["t1"]["name"] == "Autumn 2026"
    subjects = {r["sourced_id"]: r for r in await db.fetch("select * from data.subjects where school_id = $1 and sourced_id is not null", school.id)}
    assert (subjects["c-math"]["name"], subjects["c-math"]["code"]) == ("Mathematics", "MATH")
    classes = {r["sourced_id"]: r for r in await db.fetch("select * from data.classes where school_id = $1 and sourced_id is not null", school.id)}
    math = classes["cl-math"]
    assert math["name"] == "Math 7A" and math["subject_id"] == subjects["c-math"]["id"] and math["academic_term_id"] == terms["t1"]["id"]
    assert math["academic_year"] == "2026-2027", "the year's title"

    users = {r["sourced_id"]: r for r in await db.fetch("select * from data.users where school_id = $1 and sourced_id is not null", school.id)}
    assert {k: users[k]["role"] for k in users} == {"u-stu-1": "STUDENT", "u-stu-2": "STUDENT", "u-tea-1": "TEACHER", "u-par-1": "PARENT"}
    assert all(u["password_hash"] == "!" for u in users.values()), "imported logins cannot log in until a password is set"
    assert users["u-stu-1"]["email"] == f"u-stu-1.{tag}@school.test"
    student = await db.fetchrow("select * from data.students where school_id = $1 and sourced_id = 'u-stu-1'", school.id)
    assert (student["student_number"], student["first_name"], student["last_name"]) == ("S-100", "Ada", "Lovelace")
    assert student["user_id"] == users["u-stu-1"]["id"]
    assert (str(student["date_of_birth"]), student["gender"]) == ("2013-03-04", "FEMALE"), "demographics"
    teacher = await db.fetchrow("select * from data.teachers where school_id = $1 and sourced_id = 'u-tea-1'", school.id)
    assert teacher["last_name"] == "Hopper" and math["teacher_id"] == teacher["id"], "the primary teacher teaches the class"
    parent = await db.fetchrow("select * from data.parents where school_id = $1 and sourced_id = 'u-par-1'", school.id)
    assert parent["relation_to_student"] == "GUARDIAN"
    assert await db.fetchval("select count(*) from data.student_parents where student_id = $1 and parent_id = $2", student["id"], parent["id"]) == 1
    enrollments = {r["sourced_id"]: r for r in await db.fetch("select * from data.enrollments where school_id = $1 and sourced_id is not null", school.id)}
    assert set(enrollments) == {"e-1", "e-2", "e-3"}
    assert enrollments["e-1"]["class_id"] == math["id"] and enrollments["e-1"]["student_id"] == student["id"]
    assert str(enrollments["e-1"]["enrollment_date"]) == "2026-09-01"

    report = run["report"]
    assert report["files"]["users.csv"]["inserted"] == 4 and report["files"]["enrollments.csv"]["inserted"] == 3
    reasons = {(s["file"], s["row"]): s["reason"] for s in report["skipped"]}
    assert "administrator" in reasons[("users.csv", 6)], "a partner's administrator row is skipped with its reason"
    assert "wrong org" in reasons[("orgs.csv", 2)], "another org's row is skipped"
    assert run["counts"]["inserted"] > 0 and run["file_sha256"] and run["actor_role"] == "partner_sync"
    audit = await db.fetchval("select count(*) from audit.audit_log where school_id = $1 and actor_role = 'partner_sync'", school.id)
    assert audit > 0, "the import is audited under the partner's name"


async def test_an_admin_imports_administrators_too(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    run = await import_zip(api, admin(school), build_zip(sample_roster(secrets.token_hex(4))))
    assert run["status"] == "APPLIED", run["report"]
    role = await committer_session.fetchval("select role from data.users where school_id = $1 and sourced_id = 'u-adm-1'", school.id)
    assert role == "ADMIN"


async def test_the_same_zip_twice_changes_nothing(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    data = build_zip(sample_roster(secrets.token_hex(4)))
    first = await import_zip(api, partner(school), data)
    assert first["status"] == "APPLIED"
    before = await snapshot(committer_session, school)
    second = await import_zip(api, partner(school), data)
    assert second["status"] == "APPLIED", second["report"]
    assert second["counts"]["inserted"] == second["counts"]["updated"] == second["counts"]["deactivated"] == 0, second["counts"]
    assert await snapshot(committer_session, school) == before, "no row touched: same values, same updated_at, no audit rows"


async def test_a_dry_run_reports_and_applies_nothing(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    before = await snapshot(committer_session, school)
    run = await import_zip(api, partner(school), build_zip(sample_roster(secrets.token_hex(4))), dry_run=True)
    assert run["status"] == "DRY_RUN" and run["dry_run"] and run["report"]["files"]["users.csv"]["inserted"] == 4
    assert await snapshot(committer_session, school) == before
    assert await committer_session.fetchval("select sourced_id from data.schools where id = $1", school.id) is None


async def test_bulk_without_a_row_soft_deletes_it(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    roster = sample_roster(secrets.token_hex(4))
    assert (await import_zip(api, partner(school), build_zip(roster)))["status"] == "APPLIED"
    smaller = copy.deepcopy(roster)
    smaller["users"] = [u for u in smaller["users"] if u["sourcedId"] != "u-stu-2"]
    smaller["roles"] = [r for r in smaller["roles"] if r["userSourcedId"] != "u-stu-2"]
    smaller["enrollments"] = [e for e in smaller["enrollments"] if e["userSourcedId"] != "u-stu-2"]
    smaller["classes"] = [c for c in smaller["classes"] if c["sourcedId"] != "cl-sci"]
    smaller["enrollments"] = [e for e in smaller["enrollments"] if e["classSourcedId"] != "cl-sci"]
    run = await import_zip(api, partner(school), build_zip(smaller))
    assert run["status"] == "APPLIED", run["report"]
    db = committer_session
    user = await db.fetchrow("select is_deleted, is_active from data.users where school_id = $1 and sourced_id = 'u-stu-2'", school.id)
    assert user["is_deleted"] and not user["is_active"], "soft-deleted, never removed"
    assert await db.fetchval("select is_deleted from data.students where school_id = $1 and sourced_id = 'u-stu-2'", school.id)
    assert await db.fetchval("select is_deleted from data.classes where school_id = $1 and sourced_id = 'cl-sci'", school.id)
    ended = await db.fetchval("select completion_date from data.enrollments where school_id = $1 and sourced_id = 'e-2'", school.id)
    assert ended is not None, "an enrollment has no soft delete: it ends"
    assert run["report"]["files"]["users.csv"]["deactivated"] == 1 and run["report"]["files"]["classes.csv"]["deactivated"] == 1

    revived = await import_zip(api, partner(school), build_zip(roster))
    assert revived["status"] == "APPLIED"
    assert not await db.fetchval("select is_deleted from data.users where school_id = $1 and sourced_id = 'u-stu-2'", school.id), \
        "naming the sourcedId again revives the same row"


async def test_delta_files_apply_only_what_they_name(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    tag = secrets.token_hex(4)
    roster = sample_roster(tag)
    assert (await import_zip(api, partner(school), build_zip(roster)))["status"] == "APPLIED"
    db = committer_session
    before = await snapshot(db, school)

    changed = dict(next(u for u in roster["users"] if u["sourcedId"] == "u-stu-1"), status="active",
                   dateLastModified="2026-11-26T12:00:00Z", givenName="Augusta")  # fmt: skip
    run = await import_zip(api, partner(school), build_zip({"users": [changed]}, {"users": "delta"}))
    assert run["status"] == "APPLIED", run["report"]
    assert run["report"]["files"]["users.csv"] == {"inserted": 0, "updated": 1, "unchanged": 0, "deactivated": 0}
    after = await snapshot(db, school)
    changed_students = [s for s, b in zip(after["students"], before["students"]) if s != b]
    assert [s["sourced_id"] for s in changed_students] == ["u-stu-1"] and changed_students[0]["first_name"] == "Augusta"
    assert after["users"] == before["users"] and after["classes"] == before["classes"], "nothing else moved"

    gone = {"sourcedId": "e-2", "status": "tobedeleted", "dateLastModified": "2026-11-26T12:00:00Z",
            "classSourcedId": "cl-math", "schoolSourcedId": f"org-{tag}", "userSourcedId": "u-stu-2", "role": "student"}  # fmt: skip
    run = await import_zip(api, partner(school), build_zip({"enrollments": [gone]}, {"enrollments": "delta"}))
    assert run["status"] == "APPLIED", run["report"]
    assert run["report"]["files"]["enrollments.csv"]["deactivated"] == 1
    assert await db.fetchval("select completion_date from data.enrollments where school_id = $1 and sourced_id = 'e-2'", school.id)
    assert await db.fetchval("select completion_date from data.enrollments where school_id = $1 and sourced_id = 'e-1'", school.id) is None

    leaving = {"sourcedId": "cl-sci", "status": "tobedeleted", "dateLastModified": "2026-11-26T12:00:00Z"}
    run = await import_zip(api, partner(school), build_zip({"classes": [leaving]}, {"classes": "delta"}))
    assert run["status"] == "APPLIED" and run["report"]["files"]["classes.csv"]["deactivated"] == 1
    assert await db.fetchval("select is_deleted from data.classes where school_id = $1 and sourced_id = 'cl-sci'", school.id)
