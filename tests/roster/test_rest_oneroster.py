"""OneRoster 1.2 REST reads over HTTP against the real database: envelopes and
object shapes, every collection and nested collection, paging headers, sort,
filter, fields, delta reads with tobedeleted, tenancy, scopes, imsx errors."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import (  # noqa: F401  (fixtures)
    api,
    committer_session,
    gateway_app,
    token,
)

V = "/ims/oneroster/rostering/v1p2"
SCOPE = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
CORE = SCOPE + "roster-core.readonly"
ALL = SCOPE + "roster.readonly"
DEMOGRAPHICS = SCOPE + "roster-demographics.readonly"
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@dataclass(frozen=True)
class Roster:
    school: School
    org: str  # the school's sourcedId
    delta_since: str  # ISO timestamp after the roster was built, before the changes
    gone: UUID  # a soft-deleted student, enrolled in CLASS-MA


@pytest.fixture(scope="module")
async def roster(committer_session: asyncpg.Connection) -> Roster:
    """A factory school with partner sourcedIds on some rows (others keep their
    id), a term and grading period under the year, a course, and then, after
    `delta_since`, a soft-deleted student and a renamed teacher."""
    c = committer_session
    school = await make_school(c)
    org = f"ORG-{secrets.token_hex(4)}"
    await c.execute("update data.schools set sourced_id = $2 where id = $1", school.id, org)
    await c.execute("update data.academic_terms set sourced_id = 'YEAR-1' where id = $1", school.term)
    term = await c.fetchval(
        """insert into data.academic_terms (school_id, name, start_date, end_date, type, parent_id, sourced_id)
           values ($1, 'Autumn', '2026-09-01', '2026-12-20', 'TERM', $2, 'TERM-1') returning id""",
        school.id, school.term,
    )  # fmt: skip
    await c.execute(
        """insert into data.academic_terms (school_id, name, start_date, end_date, type, parent_id, sourced_id)
           values ($1, 'Autumn 1', '2026-09-01', '2026-10-20', 'GRADING_PERIOD', $2, 'GP-1')""",
        school.id, term,
    )  # fmt: skip
    course = await c.fetchval(
        "insert into data.subjects (school_id, name, code, sourced_id) values ($1, 'Maths', 'MA', 'COURSE-MA') returning id",
        school.id,
    )
    await c.execute(
        "update data.classes set subject_id = $2, academic_term_id = $3, sourced_id = 'CLASS-MA' where id = $1",
        school.class_, course, term,
    )  # fmt: skip
    await c.execute(
        """update data.students set sourced_id = 'STU-1', first_name = 'Ada', last_name = 'Abbott',
                  date_of_birth = '2012-03-04', gender = 'FEMALE' where id = $1""",
        school.student,
    )
    await c.execute("update data.teachers set sourced_id = 'TEA-1' where id = $1", school.teacher)
    await c.execute("update data.parents set sourced_id = 'PAR-1' where id = $1", school.parent)
    gone = await c.fetchval(
        """insert into data.students (school_id, student_number, first_name, last_name, sourced_id)
           values ($1, 'S-9', 'Gus', 'Gone', 'STU-GONE') returning id""",
        school.id,
    )
    await c.execute(
        "insert into data.enrollments (school_id, student_id, class_id, sourced_id) values ($1, $2, $3, 'ENR-GONE')",
        school.id, gone, school.class_,
    )  # fmt: skip
    since = await c.fetchval(
        "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    )
    await c.execute("delete from data.students where id = $1", gone)  # soft delete
    await c.execute("update data.teachers set last_name = 'Renamed' where id = $1", school.other_teacher)
    return Roster(school=school, org=org, delta_since=since, gone=gone)


@pytest.fixture(scope="module")
async def other(committer_session: asyncpg.Connection) -> School:
    school = await make_school(committer_session)
    await committer_session.execute("update data.classes set sourced_id = 'CLASS-B-ONLY' where id = $1", school.class_)
    return school


def partner(school: School, *scopes: str) -> dict[str, str]:
    claims = {"scope": " ".join(scopes)} if scopes else {}
    return {"Authorization": f"Bearer {token('partner_sync', school, 'partner-client-1', **claims)}"}


def admin(school: School) -> dict[str, str]:
    return {"Authorization": f"Bearer {token('school_admin', school, school.admin_user)}"}


def assert_imsx(response: httpx.Response, status: int, minor: str) -> dict[str, Any]:
    """Every OneRoster error: the status and one imsx_StatusInfo, nothing else."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"imsx_codeMajor", "imsx_severity", "imsx_description", "imsx_CodeMinor"}, body
    assert (body["imsx_codeMajor"], body["imsx_severity"]) == ("failure", "error")
    assert body["imsx_CodeMinor"] == {
        "imsx_codeMinorField": [{"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor}]
    }
    description = body["imsx_description"].lower()
    assert not any(w in description for w in ("select ", "$1", "json_", "api.")), "no SQL in an error"
    return body


async def get(api: AsyncTestClient[Litestar], path: str, headers: dict[str, str], **params: Any) -> httpx.Response:
    return await api.get(V + path, headers=headers, params=params)


async def ids(api: AsyncTestClient[Litestar], path: str, headers: dict[str, str], **params: Any) -> list[str]:
    response = await get(api, path, headers, **params)
    assert response.status_code == 200, response.text
    (key,) = response.json()
    return sorted(o["sourcedId"] for o in response.json()[key])


# -- envelopes and shapes -------------------------------------------------------------------------------------------


async def test_users_come_in_the_envelope_shaped_per_the_model(api: AsyncTestClient[Litestar], roster: Roster) -> None:
    s = roster.school
    response = await get(api, "/users", partner(s, CORE))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    users = {u["sourcedId"]: u for u in response.json()["users"]}
    assert set(users) == {"STU-1", str(s.other_student), "TEA-1", str(s.other_teacher), "PAR-1"}, (
        "students, teachers and parents; the partner's sourcedId, else the row's id; no admins, no deleted rows"
    )
    ada = users["STU-1"]
    assert ada["status"] == "active" and ISO_UTC.fullmatch(ada["dateLastModified"])
    assert (ada["givenName"], ada["familyName"], ada["enabledUser"]) == ("Ada", "Abbott", "true")
    assert ada["identifier"] == "S-1" and ada["username"].startswith("student.")
    org_ref = {"href": f"http://testserver.local{V}/orgs/{roster.org}", "sourcedId": roster.org, "type": "org"}
    assert ada["roles"] == [{"roleType": "primary", "role": "student", "org": org_ref}]
    assert ada["primaryOrg"] == org_ref
    assert ada["agents"] == [{"href": f"http://testserver.local{V}/users/PAR-1", "sourcedId": "PAR-1", "type": "user"}]
    assert users["PAR-1"]["roles"][0]["role"] == "guardian"
    assert users["TEA-1"]["roles"][0]["role"] == "teacher"


async def test_every_object_type_has_its_shape(api: AsyncTestClient[Litestar], roster: Roster) -> None:
    s, h = roster.school, admin(roster.school)
    (klass,) = (await get(api, "/classes", h, filter="sourcedId='CLASS-MA'")).json()["classes"]
    assert klass["title"] == "Maths 7A" and klass["classType"] == "scheduled"
    assert klass["course"]["sourcedId"] == "COURSE-MA" and klass["course"]["type"] == "course"
    assert klass["school"] == {
        "href": f"http://testserver.local{V}/schools/{roster.org}",
        "sourcedId": roster.org,
        "type": "org",
    }
    assert [t["sourcedId"] for t in klass["terms"]] == ["TERM-1"]
    term = (await get(api, "/academicSessions/TERM-1", h)).json()["academicSession"]
    assert (term["type"], term["startDate"], term["endDate"], term["schoolYear"]) == (
        "term",
        "2026-09-01",
        "2026-12-20",
        "2026",
    )
    assert term["parent"]["sourcedId"] == "YEAR-1" and [c["sourcedId"] for c in term["children"]] == ["GP-1"]
    course = (await get(api, "/courses/COURSE-MA", h)).json()["course"]
    assert (course["title"], course["courseCode"], course["org"]["sourcedId"]) == ("Maths", "MA", roster.org)
    org = (await get(api, f"/orgs/{roster.org}", h)).json()["org"]
    assert (org["name"].startswith("School "), org["type"], org["status"]) == (True, "school", "active")
    enrollments = (await get(api, "/enrollments", h, filter="class.sourcedId='CLASS-MA'")).json()["enrollments"]
    by_role = {e["role"]: e for e in enrollments}
    assert by_role["student"]["user"]["sourcedId"] == "STU-1" and by_role["student"]["primary"] == "false"
    assert by_role["teacher"]["user"]["sourcedId"] == "TEA-1" and by_role["teacher"]["primary"] == "true"
    assert by_role["teacher"]["sourcedId"] == "CLASS-MA:TEA-1"
    assert (
        by_role["student"]["class"]["sourcedId"] == "CLASS-MA"
        and by_role["student"]["school"]["sourcedId"] == roster.org
    )
    demographics = (await get(api, "/demographics/STU-1", h)).json()["demographics"]
    assert (demographics["birthDate"], demographics["sex"]) == ("2012-03-04", "female")
    assert str(s.student) not in (await get(api, "/demographics", h)).text, "served under the partner's sourcedId"


@pytest.mark.parametrize(
    ("path", "key", "expected"),
    [
        ("/orgs", "orgs", "ORG"),
        ("/schools", "orgs", "ORG"),
        ("/academicSessions", "academicSessions", ["GP-1", "TERM-1", "YEAR-1"]),
        ("/terms", "academicSessions", ["TERM-1"]),
        ("/gradingPeriods", "academicSessions", ["GP-1"]),
        # the other class has no subject: it is served with a course of its own
        ("/courses", "courses", ["COURSE-MA", "other_class:course"]),
        ("/classes", "classes", ["CLASS-MA", "other_class"]),
        ("/students", "users", ["STU-1", "other_student"]),
        ("/teachers", "users", ["TEA-1", "other_teacher"]),
        ("/enrollments", "enrollments", ["CLASS-MA:TEA-1", "enr_other", "enr_stu1", "other_class:other_teacher"]),
        ("/demographics", "demographics", ["STU-1", "other_student"]),
    ],
)
async def test_every_collection_lists_the_schools_live_records(
    api: AsyncTestClient[Litestar],
    roster: Roster,
    committer_session: asyncpg.Connection,
    path: str,
    key: str,
    expected: Any,
) -> None:
    s = roster.school
    enrollment = {
        r["student_id"]: str(r["id"])
        for r in await committer_session.fetch("select id, student_id from data.enrollments where school_id = $1", s.id)
    }
    names = {
        "ORG": [roster.org], "other_class": str(s.other_class), "other_student": str(s.other_student),
        "other_teacher": str(s.other_teacher), "enr_other": enrollment[s.other_student], "enr_stu1": enrollment[s.student],
        "other_class:other_teacher": f"{s.other_class}:{s.other_teacher}", "other_class:course": f"{s.other_class}:course",
    }  # fmt: skip
    wanted = names["ORG"] if expected == "ORG" else sorted(names.get(e, e) for e in expected)
    response = await get(api, path, partner(s, ALL))
    assert response.status_code == 200, response.text
    assert list(response.json()) == [key]
    assert sorted(o["sourcedId"] for o in response.json()[key]) == wanted
    assert response.headers["x-total-count"] == str(len(wanted))


@pytest.mark.parametrize(
    ("path", "key", "found"),
    [
        ("/users/STU-1", "user", "STU-1"),
        ("/students/STU-1", "user", "STU-1"),
        ("/teachers/TEA-1", "user", "TEA-1"),
        ("/terms/TERM-1", "academicSession", "TERM-1"),
        ("/gradingPeriods/GP-1", "academicSession", "GP-1"),
        ("/classes/CLASS-MA", "class", "CLASS-MA"),
        ("/enrollments/ENR-GONE", "enrollment", "ENR-GONE"),  # one object: tobedeleted ones are found too
    ],
)
async def test_one_object_by_sourced_id(
    api: AsyncTestClient[Litestar], roster: Roster, path: str, key: str, found: str
) -> None:
    response = await get(api, path, partner(roster.school, CORE))
    assert response.status_code == 200, response.text
    assert list(response.json()) == [key] and response.json()[key]["sourcedId"] == found
    assert "x-total-count" not in response.headers


async def test_a_record_without_a_partner_sourced_id_is_served_under_its_id(
    api: AsyncTestClient[Litestar], roster: Roster
) -> None:
    s = roster.school
    response = await get(api, f"/students/{s.other_student}", partner(s, CORE))
    assert response.json()["user"]["sourcedId"] == str(s.other_student)


@pytest.mark.parametrize(
    ("path", "minor"),
    [
        ("/students/TEA-1", "unknownobject"),  # a teacher is not a student
        ("/terms/YEAR-1", "unknownobject"),  # a school year is not a term
        ("/users/nobody", "unknownobject"),
        ("/classes/nobody/students", "unknownobject"),
        ("/widgets", "unknownobject"),
        ("/classes/CLASS-MA/widgets", "unknownobject"),
    ],
)
async def test_unknown_objects_are_404s(api: AsyncTestClient[Litestar], roster: Roster, path: str, minor: str) -> None:
    assert_imsx(await get(api, path, partner(roster.school, ALL)), 404, minor)


# -- nested collections ---------------------------------------------------------------------------------------------


async def test_nested_collections(api: AsyncTestClient[Litestar], roster: Roster) -> None:
    s, h, org = roster.school, partner(roster.school, CORE), roster.org
    assert await ids(api, f"/schools/{org}/classes", h) == sorted(["CLASS-MA", str(s.other_class)])
    assert await ids(api, f"/schools/{org}/students", h) == sorted(["STU-1", str(s.other_student)])
    assert await ids(api, f"/schools/{org}/teachers", h) == sorted(["TEA-1", str(s.other_teacher)])
    assert len(await ids(api, f"/schools/{org}/enrollments", h)) == 4
    assert await ids(api, f"/schools/{org}/courses", h) == sorted(["COURSE-MA", f"{s.other_class}:course"])
    assert await ids(api, f"/courses/{s.other_class}:course/classes", h) == [str(s.other_class)], "its own course"
    assert await ids(api, f"/schools/{org}/terms", h) == ["TERM-1"]
    assert await ids(api, "/classes/CLASS-MA/students", h) == ["STU-1"]
    assert await ids(api, "/classes/CLASS-MA/teachers", h) == ["TEA-1"]
    assert await ids(api, f"/classes/{s.other_class}/students", h) == [str(s.other_student)]
    assert await ids(api, "/terms/TERM-1/classes", h) == ["CLASS-MA"]
    assert await ids(api, "/terms/TERM-1/gradingPeriods", h) == ["GP-1"]
    assert await ids(api, "/courses/COURSE-MA/classes", h) == ["CLASS-MA"]
    assert await ids(api, "/users/STU-1/classes", h) == ["CLASS-MA"]
    assert await ids(api, "/students/STU-1/classes", h) == ["CLASS-MA"]
    assert await ids(api, "/teachers/TEA-1/classes", h) == ["CLASS-MA"]
    assert await ids(api, f"/teachers/{s.other_teacher}/classes", h) == [str(s.other_class)]
    assert len(await ids(api, f"/schools/{org}/classes/CLASS-MA/enrollments", h)) == 2
    assert await ids(api, f"/schools/{org}/classes/CLASS-MA/students", h) == ["STU-1"]
    assert await ids(api, f"/schools/{org}/classes/CLASS-MA/teachers", h) == ["TEA-1"]
    assert await ids(api, "/classes/CLASS-MA/students", h, filter="givenName='Nobody'") == [], "an empty page"
    assert_imsx(await get(api, "/students/TEA-1/classes", h), 404, "unknownobject")
    assert_imsx(await get(api, "/schools/elsewhere/classes/CLASS-MA/enrollments", h), 404, "unknownobject")


# -- paging, sort, filter, fields -----------------------------------------------------------------------------------


async def test_paging_headers(api: AsyncTestClient[Litestar], roster: Roster) -> None:
    h = partner(roster.school, CORE)
    first = await get(api, "/users", h, limit=2, sort="sourcedId")
    assert first.status_code == 200 and len(first.json()["users"]) == 2
    assert first.headers["x-total-count"] == "5"
    links = {rel: href for href, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', first.headers["link"])}
    assert set(links) == {"first", "next", "last"}
    assert (
        "limit=2&offset=2" in links["next"]
        and "limit=2&offset=4" in links["last"]
        and "sort=sourcedId" in links["next"]
    )
    last = await api.get(links["last"].removeprefix("http://testserver.local"), headers=h)
    assert len(last.json()["users"]) == 1
    assert 'rel="prev"' in last.headers["link"] and 'rel="next"' not in last.headers["link"]
    pages = []
    for offset in (0, 2, 4):
        pages += [
            u["sourcedId"]
            for u in (await get(api, "/users", h, limit=2, offset=offset, sort="sourcedId")).json()["users"]
        ]
    assert pages == sorted(pages) and len(set(pages)) == 5, "pages are disjoint and in order"
    assert (await get(api, "/users", h, limit=100000)).status_code == 200, "a large limit is capped, not refused"


async def test_sort_and_order_by(api: AsyncTestClient[Litestar], roster: Roster) -> None:
    h = partner(roster.school, CORE)
    asc = [u["familyName"] for u in (await get(api, "/users", h, sort="familyName")).json()["users"]]
    desc = [u["familyName"] for u in (await get(api, "/users", h, sort="familyName", orderBy="desc")).json()["users"]]
    assert asc == sorted(asc) and desc == sorted(desc, reverse=True) and len(asc) == 5
    assert_imsx(await get(api, "/users", h, sort="family_name"), 400, "invalid_selection_field")
    assert_imsx(await get(api, "/users", h, orderBy="up"), 400, "invaliddata")


@pytest.mark.parametrize(
    ("path", "filter_", "expected"),
    [
        ("/users", "givenName='Ada'", ["STU-1"]),
        ("/users", "familyName~'abb'", ["STU-1"]),
        ("/users", "role='teacher' AND familyName='Teacher'", ["TEA-1"]),
        ("/users", "sourcedId='STU-1' OR sourcedId='PAR-1'", ["PAR-1", "STU-1"]),
        ("/users", "givenName='Ada'' OR ''1''=''1'", []),
        ("/enrollments", "user.sourcedId='STU-1'", "one"),
        ("/academicSessions", "startDate>='2026-09-01' AND type='term'", ["TERM-1"]),
        ("/users", "enabledUser='false'", []),
    ],
)
async def test_filters(api: AsyncTestClient[Litestar], roster: Roster, path: str, filter_: str, expected: Any) -> None:
    found = await ids(api, path, partner(roster.school, CORE), filter=filter_)
    assert len(found) == 1 if expected == "one" else found == expected


@pytest.mark.parametrize(
    ("params", "minor"),
    [
        ({"filter": "givenName=Ada"}, "invalid_filter_field"),
        ({"filter": "password_hash='x'"}, "invalid_filter_field"),
        ({"filter": "school_id='x'"}, "invalid_filter_field"),
        ({"filter": "givenName='a' AND familyName='b' AND role='c'"}, "invalid_filter_field"),
        ({"filter": "dateLastModified>'last week'"}, "invalid_filter_field"),
        ({"filter": "givenName='x';select 1"}, "invalid_filter_field"),
        ({"fields": "sourcedId,password_hash"}, "invalid_selection_field"),
        ({"fields": "given_name"}, "invalid_selection_field"),
        ({"limit": "-5"}, "invaliddata"),
        ({"offset": "x"}, "invaliddata"),
    ],
)
async def test_bad_queries_are_400_imsx(
    api: AsyncTestClient[Litestar], roster: Roster, params: dict[str, str], minor: str
) -> None:
    assert_imsx(await get(api, "/users", partner(roster.school, CORE), **params), 400, minor)


async def test_fields_select_what_is_returned(api: AsyncTestClient[Litestar], roster: Roster) -> None:
    """`fields` adds nothing beyond what it names and what the 1.2 schema requires."""
    h = partner(roster.school, CORE)
    users = (await get(api, "/users", h, fields="sourcedId,givenName,email")).json()["users"]
    required = {"sourcedId", "status", "dateLastModified", "enabledUser", "givenName", "familyName", "roles"}
    assert users and all(set(u) - {"email"} == required for u in users)
    one = (await get(api, "/classes/CLASS-MA", h, fields="title")).json()["class"]
    assert set(one) == {"sourcedId", "status", "dateLastModified", "title", "course", "school", "terms"}
    assert_imsx(await get(api, "/classes/CLASS-MA", h, fields="title,nope"), 400, "invalid_selection_field")


# -- delta ----------------------------------------------------------------------------------------------------------


async def test_a_delta_read_returns_changes_with_deleted_records_as_tobedeleted(
    api: AsyncTestClient[Litestar], roster: Roster
) -> None:
    s, h = roster.school, partner(roster.school, CORE)
    since = f"dateLastModified>'{roster.delta_since}'"
    users = (await get(api, "/users", h, filter=since)).json()["users"]
    assert {u["sourcedId"]: u["status"] for u in users} == {"STU-GONE": "tobedeleted", str(s.other_teacher): "active"}
    assert all(u["dateLastModified"] > roster.delta_since[:19] for u in users)
    enrollments = (await get(api, "/enrollments", h, filter=since)).json()["enrollments"]
    assert [(e["sourcedId"], e["status"]) for e in enrollments if e["role"] == "student"] == [
        ("ENR-GONE", "tobedeleted")
    ]
    assert "STU-GONE" not in (await get(api, "/users", h)).text, "a full read shows live records only"
    gone = (await get(api, "/users", h, filter="status='tobedeleted'")).json()["users"]
    assert [u["sourcedId"] for u in gone] == ["STU-GONE"]
    assert (await get(api, "/students/STU-GONE", h)).json()["user"]["status"] == "tobedeleted"


# -- tenancy and scopes ---------------------------------------------------------------------------------------------


async def test_a_partner_reads_its_own_school_only(
    api: AsyncTestClient[Litestar], roster: Roster, other: School
) -> None:
    h = partner(roster.school, ALL)
    assert_imsx(await get(api, "/classes/CLASS-B-ONLY", h), 404, "unknownobject")
    assert_imsx(await get(api, "/classes/CLASS-B-ONLY/students", h), 404, "unknownobject")
    assert_imsx(await get(api, f"/students/{other.student}", h), 404, "unknownobject")
    assert_imsx(await get(api, f"/orgs/{other.id}", h), 404, "unknownobject")
    classes = await ids(api, "/classes", h, limit=1000)
    assert "CLASS-B-ONLY" not in classes and str(other.other_class) not in classes
    everything = (await get(api, "/enrollments", h)).text + (await get(api, "/users", h)).text
    assert str(other.student) not in everything and str(other.teacher) not in everything
    mine = (await get(api, "/classes/CLASS-B-ONLY", partner(other, CORE))).json()["class"]
    assert mine["sourcedId"] == "CLASS-B-ONLY", "the same request with school B's token finds it"


@pytest.mark.parametrize(
    ("scopes", "path", "status"),
    [
        ((CORE,), "/users", 200),
        ((ALL,), "/users", 200),
        ((DEMOGRAPHICS,), "/users", 403),
        ((), "/users", 403),
        ((SCOPE + "roster-core.createput",), "/classes", 403),
        ((CORE,), "/demographics", 403),
        ((CORE,), "/demographics/STU-1", 403),
        ((DEMOGRAPHICS,), "/demographics", 200),
        ((ALL,), "/demographics", 200),
    ],
)
async def test_scopes_decide_what_a_partner_reads(
    api: AsyncTestClient[Litestar], roster: Roster, scopes: tuple[str, ...], path: str, status: int
) -> None:
    response = await get(api, path, partner(roster.school, *scopes))
    if status == 200:
        assert response.status_code == 200, response.text
    else:
        assert_imsx(response, status, "forbidden")


async def test_roles_and_tokens(api: AsyncTestClient[Litestar], roster: Roster) -> None:
    s = roster.school
    assert (await get(api, "/demographics", admin(s))).status_code == 200, "an admin holds every scope"
    for role, sub in (("teacher", s.teacher_user), ("parent", s.parent_user), ("student", s.student_user)):
        headers = {"Authorization": f"Bearer {token(role, s, sub)}"}
        assert_imsx(await get(api, "/users", headers), 403, "forbidden")
    response = await get(api, "/users", {})
    assert_imsx(response, 401, "unauthorisedrequest")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert_imsx(await get(api, "/users", {"Authorization": "Bearer not-a-jwt"}), 401, "unauthorisedrequest")
