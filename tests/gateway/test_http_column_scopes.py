"""Issue 13, F2: the demographics columns of students (date_of_birth, gender)
only with a demographics scope, on every route as through OneRoster.

A partner_sync token with roster-core.readonly runs as the database role
partner_sync, which holds no SELECT on those columns; one with
roster-demographics.readonly or roster.readonly (or no scope claim at all, as
auth.has_scope reads it) runs as partner_demographics, which does. The gateway
expands `*` to the columns the role may read and refuses a named one with
Postgres' 42501, in a select, a filter, an order or an embed."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import (  # noqa: F401  (fixtures)
    api,
    as_role,
    assert_canonical_error,
    committer_session,
    gateway_app,
    token,
)

SCOPE = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
CORE = SCOPE + "roster-core.readonly"
DEMOGRAPHICS = SCOPE + "roster-demographics.readonly"
ROSTER = SCOPE + "roster.readonly"
IMPORT = "urn:school-data-api:scope:roster.import"
HIDDEN = {"date_of_birth", "gender"}


@pytest.fixture(scope="module")
async def school(committer_session: asyncpg.Connection) -> School:
    """A school whose two students have a date of birth and a gender."""
    s = await make_school(committer_session)
    await committer_session.execute(
        "update data.students set date_of_birth = '2012-03-04', gender = 'FEMALE' where school_id = $1", s.id
    )
    return s


def partner(s: School, scope: str | None) -> dict[str, str]:
    claims: dict[str, Any] = {} if scope is None else {"scope": scope}
    return {"Authorization": f"Bearer {token('partner_sync', s, 'partner-client-1', **claims)}"}


def core(s: School) -> dict[str, str]:
    return partner(s, CORE)


async def ok(api: AsyncTestClient[Litestar], path: str, headers: dict[str, str]) -> Any:
    response = await api.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: Any, column: str) -> None:
    body = assert_canonical_error(response, 403, "42501")
    assert column in body["message"], body
    assert body["hint"], "the answer says what to do instead"


async def test_select_star_as_core_partner_leaves_the_demographics_out(
    api: AsyncTestClient[Litestar], school: School
) -> None:
    for path in ("/students", "/students?select=*", "/students?select=*&order=last_name", "/students?order=id.desc"):
        rows = await ok(api, path, core(school))
        assert len(rows) == 2, path
        assert all(HIDDEN.isdisjoint(row) and {"id", "first_name", "sourced_id"} <= set(row) for row in rows), path


async def test_csv_and_singular_reads_leave_them_out_too(api: AsyncTestClient[Litestar], school: School) -> None:
    response = await api.get("/students?order=id", headers={**core(school), "Accept": "text/csv"})
    assert response.status_code == 200, response.text
    header = response.text.splitlines()[0].split(",")
    assert "first_name" in header and HIDDEN.isdisjoint(header), header
    one = await api.get(
        f"/students?id=eq.{school.student}",
        headers={**core(school), "Accept": "application/vnd.pgrst.object+json"},
    )
    assert one.status_code == 200 and HIDDEN.isdisjoint(one.json()), one.text


@pytest.mark.parametrize(
    "query",
    [
        "select=id,date_of_birth",
        "select=id,gender",
        "select=id,born:date_of_birth",
        "select=id,date_of_birth::text",
        "select=gender,count()",
        "select=id&gender=eq.FEMALE",
        "select=id&date_of_birth=lt.2013-01-01",
        "select=id&or=(gender.eq.FEMALE,id.is.null)",
        "select=id&gender=not.is.null",
        "select=id&order=date_of_birth",
    ],
)
async def test_naming_a_demographics_column_as_core_partner_is_refused(
    api: AsyncTestClient[Litestar], school: School, query: str
) -> None:
    """A filter would be an oracle of the values: refused like a select."""
    response = await api.get(f"/students?{query}", headers=core(school))
    refused(response, "gender" if "gender" in query else "date_of_birth")


async def test_head_with_a_filter_on_them_is_refused_too(api: AsyncTestClient[Litestar], school: School) -> None:
    response = await api.head("/students?gender=eq.FEMALE", headers={**core(school), "Prefer": "count=exact"})
    assert response.status_code == 403


async def test_embeds_as_core_partner_leave_them_out(api: AsyncTestClient[Litestar], school: School) -> None:
    classes = await ok(api, "/classes?select=*,students(*)", core(school))
    students = [s for c in classes for s in c["students"]]
    assert len(students) == 2 and all(HIDDEN.isdisjoint(s) and "first_name" in s for s in students)
    enrollments = await ok(api, "/enrollments?select=student:students(*)", core(school))
    assert len(enrollments) == 2 and all(HIDDEN.isdisjoint(e["student"]) for e in enrollments)
    spread = await ok(api, "/enrollments?select=id,...students(*)", core(school))
    assert len(spread) == 2 and all(HIDDEN.isdisjoint(e) and "first_name" in e for e in spread)
    many = await ok(api, "/classes?select=name,...students(*)", core(school))
    assert all(HIDDEN.isdisjoint(c) and "first_name" in c for c in many)
    deep = await ok(api, "/schools?select=classes(enrollments(students(*)))", core(school))
    inner = [s for sc in deep for c in sc["classes"] for e in c["enrollments"] for s in [e["students"]]]
    assert len(inner) == 2 and all(HIDDEN.isdisjoint(s) for s in inner)


@pytest.mark.parametrize(
    "path",
    [
        "/classes?select=id,students(date_of_birth)",
        "/enrollments?select=student:students(gender)",
        "/enrollments?select=id,...students(gender)",
        "/classes?select=id,students(id)&students.gender=eq.FEMALE",
        "/classes?select=id,students!inner(id)&students.date_of_birth=gt.2000-01-01",
        "/classes?select=id,students(id)&students.order=date_of_birth",
        "/enrollments?select=id,student:students(id)&order=student(gender)",
    ],
)
async def test_naming_them_in_an_embed_as_core_partner_is_refused(
    api: AsyncTestClient[Litestar], school: School, path: str
) -> None:
    refused(await api.get(path, headers=core(school)), "gender" if "gender" in path else "date_of_birth")


async def test_computed_fields_and_relationships_work_as_core_partner(
    api: AsyncTestClient[Litestar], school: School
) -> None:
    """They take the whole row: the core role's row has nulls where it may not read."""
    rows = await ok(api, "/students?select=id,full_name,current_classes(name)&order=full_name", core(school))
    assert sorted(r["full_name"] for r in rows) == ["Sam StudentS-1", "Sam StudentS-2"]
    rows = await ok(api, "/students?select=id&full_name=like.Sam*&order=id", core(school))
    assert len(rows) == 2
    classes = await ok(api, "/classes?select=name,students(full_name)", core(school))
    assert sorted(s["full_name"] for c in classes for s in c["students"]) == ["Sam StudentS-1", "Sam StudentS-2"]
    # Ordered by a column: a keyset page, whose rows (the readable columns) the functions are called on.
    paged = await ok(api, "/students?select=id,full_name,current_classes(name)&order=last_name", core(school))
    assert [r["full_name"] for r in paged] == ["Sam StudentS-1", "Sam StudentS-2"]


async def test_a_demographics_scope_reads_them_everywhere(api: AsyncTestClient[Litestar], school: School) -> None:
    for scope in (f"{CORE} {DEMOGRAPHICS}", ROSTER, [CORE, DEMOGRAPHICS], None):
        headers = partner(school, scope) if not isinstance(scope, list) else {
            "Authorization": f"Bearer {token('partner_sync', school, 'partner-client-1', scope=scope)}"
        }  # fmt: skip
        rows = await ok(api, "/students?select=*&gender=eq.FEMALE&order=date_of_birth", headers)
        assert len(rows) == 2 and all(r["date_of_birth"] == "2012-03-04" for r in rows), scope
        classes = await ok(api, "/classes?select=students(date_of_birth,gender)", headers)
        assert {s["gender"] for c in classes for s in c["students"]} == {"FEMALE"}, scope


async def test_demographics_without_core_reads_no_student(api: AsyncTestClient[Litestar], school: School) -> None:
    """OneRoster's rule, held by the row policies: demographics alone shows no roster."""
    assert await ok(api, "/students?select=id,date_of_birth", partner(school, DEMOGRAPHICS)) == []


@pytest.mark.parametrize("role", ["school_admin", "teacher", "parent", "student"])
async def test_school_roles_keep_reading_them(api: AsyncTestClient[Litestar], school: School, role: str) -> None:
    rows = await ok(api, "/students?select=*&gender=eq.FEMALE", as_role(role, school))
    assert rows and all(r["date_of_birth"] == "2012-03-04" for r in rows)


async def test_the_plan_cache_is_kept_per_role(api: AsyncTestClient[Litestar], school: School) -> None:
    """One query shape, planned first for the demographics role, then asked by a
    core token (and the other way round with another shape): each gets its own plan."""
    wide = partner(school, f"{CORE} {DEMOGRAPHICS}")
    shapes = ("/students?select=*&limit=7", "/classes?select=*,students(*)&limit=7")
    assert "gender" in (await ok(api, shapes[0], wide))[0]
    assert HIDDEN.isdisjoint((await ok(api, shapes[0], core(school)))[0])
    assert all(HIDDEN.isdisjoint(s) for c in await ok(api, shapes[1], core(school)) for s in c["students"])
    assert all("gender" in s for c in await ok(api, shapes[1], wide) for s in c["students"])


async def test_writes_as_core_partner_return_what_it_may_read(api: AsyncTestClient[Litestar], school: School) -> None:
    """Writing is the import scope's, not a read: the row goes in whole, the
    representation comes back without the demographics columns."""
    headers = {**partner(school, f"{CORE} {IMPORT}"), "Prefer": "return=representation"}
    created = await api.post(
        "/students", headers=headers,
        json={"student_number": "F2-1", "first_name": "Ada", "last_name": "New", "gender": "MALE",
              "date_of_birth": "2013-05-06"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    row = created.json()[0]
    assert HIDDEN.isdisjoint(row) and row["first_name"] == "Ada"
    plain = await api.post(
        "/students", headers=partner(school, f"{CORE} {IMPORT}"),
        json={"student_number": "F2-2", "first_name": "Bo", "last_name": "New"},
    )  # fmt: skip
    assert plain.status_code == 201, plain.text
    patched = await api.patch(f"/students?id=eq.{row['id']}", headers=headers, json={"last_name": "Newer"})
    assert patched.status_code == 200 and HIDDEN.isdisjoint(patched.json()[0]), patched.text
    upsert = await api.post(
        "/students", headers={**headers, "Prefer": "return=representation,resolution=merge-duplicates"},
        json={"id": row["id"], "student_number": "F2-1", "first_name": "Ada", "last_name": "Upserted"},
    )  # fmt: skip
    assert upsert.status_code in (200, 201) and HIDDEN.isdisjoint(upsert.json()[0]), upsert.text
    deleted = await api.delete(f"/students?student_number=in.(F2-1,F2-2)", headers=headers)
    assert deleted.status_code == 200 and len(deleted.json()) == 2 and HIDDEN.isdisjoint(deleted.json()[0])
    wide = await ok(api, f"/students?select=gender,date_of_birth&id=eq.{row['id']}", partner(school, ROSTER))
    assert wide == [], "deleted (soft): gone from the view"


async def test_search_students_needs_the_demographics_scope(api: AsyncTestClient[Litestar], school: School) -> None:
    """Its rows are students' rows, demographics included."""
    assert_canonical_error(await api.get("/rpc/search_students?search=sam&select=id", headers=core(school)), 403, "42501")
    rows = await ok(api, "/rpc/search_students?search=sam&select=id,gender", partner(school, ROSTER))
    assert [r["gender"] for r in rows] == ["FEMALE", "FEMALE"]


async def test_oneroster_demographics_unchanged(api: AsyncTestClient[Litestar], school: School) -> None:
    base = "/ims/oneroster/rostering/v1p2"
    assert (await api.get(f"{base}/demographics", headers=core(school))).status_code == 403
    page = await ok(api, f"{base}/demographics", partner(school, f"{CORE} {DEMOGRAPHICS}"))
    assert {d["birthDate"] for d in page["demographics"]} == {"2012-03-04"}
    users = await ok(api, f"{base}/students", core(school))
    assert len(users["users"]) == 2
