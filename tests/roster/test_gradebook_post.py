"""The OneRoster 1.2 Gradebook POSTs (issue 17): postLineItemsForClass,
postLineItemsForSchool, postResultsForLineItem and
postResultsForAcademicSessionForClass, by a real partner token with
gradebook.createpost. Every request body below is checked against 1EdTech's
schema for it (LineItemSetDType, ResultSetDType) before it is sent, and every
answer by the client's response hook (GUIDPairSetDType, imsx_StatusInfoDType:
tests/roster/schema_check.py)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import api, as_role, committer_session, gateway_app  # noqa: F401
from tests.roster.schema_check import request_violations
from tests.roster.test_gradebook import GB, READ, ROSTER, minor
from tests.roster.test_roster_scopes import SCOPE, bearer

POST = SCOPE + "gradebook.createpost"
NOW = "2026-10-01T08:00:00.000Z"


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


@pytest.fixture
async def partner(api: AsyncTestClient[Litestar], school: School) -> dict[str, str]:
    return await bearer(api, school, ROSTER, READ, POST)


def ref(kind: str, sourced_id: Any, path: str) -> dict[str, str]:
    """A GUIDRef as the schema has it (href, sourcedId, type)."""
    return {"href": f"https://partner.example/ims/oneroster/{path}/{sourced_id}", "sourcedId": str(sourced_id), "type": kind}


def item(school: School, supplied: str, title: str, **extra: Any) -> dict[str, Any]:
    """A LineItemDType as the schema has it: every required field."""
    return {
        "sourcedId": supplied, "status": "active", "dateLastModified": NOW, "title": title,
        "assignDate": NOW, "dueDate": "2026-10-08T08:00:00.000Z",
        "class": ref("class", school.class_, "rostering/v1p2/classes"),
        "school": ref("org", school.id, "rostering/v1p2/schools"),
        "category": ref("category", "type:homework", "gradebook/v1p2/categories"),
        "resultValueMin": 0.0, "resultValueMax": 10.0, **extra,
    }  # fmt: skip


def result(school: School, supplied: str, line_item: str, score: float, **extra: Any) -> dict[str, Any]:
    """A ResultDType as the schema has it: every required field."""
    return {
        "sourcedId": supplied, "status": "active", "dateLastModified": NOW,
        "lineItem": ref("lineItem", line_item, "gradebook/v1p2/lineItems"),
        "student": ref("user", school.student, "rostering/v1p2/students"), "scoreStatus": "fully graded",
        "score": score, "scoreDate": "2026-10-09", **extra,
    }  # fmt: skip


async def post(api: AsyncTestClient[Litestar], path: str, body: Any, headers: dict[str, str]) -> Any:
    """POST a body the official schema accepts (the test's own check, before sending)."""
    assert request_violations(GB + path, "POST", body) == [], "the test sends what the binding defines"
    return await api.post(GB + path, json=body, headers=headers)


def pairs(response: Any) -> dict[str, str]:
    assert response.status_code == 201, response.text
    return {p["suppliedSourcedId"]: p["allocatedSourcedId"] for p in response.json()["sourcedIdPairs"]}


async def test_line_items_posted_to_a_class_get_sourced_ids_allocated_here(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str], committer_session: asyncpg.Connection
) -> None:
    body = {"lineItems": [item(school, "sis-1", "Homework 1"), item(school, "sis-2", "Homework 2")]}
    response = await post(api, f"/classes/{school.class_}/lineItems", body, partner)
    allocated = pairs(response)
    assert [p["suppliedSourcedId"] for p in response.json()["sourcedIdPairs"]] == ["sis-1", "sis-2"], "in the set's order"
    assert all(uuid.UUID(a) for a in allocated.values()) and len(set(allocated.values())) == 2
    got = (await api.get(f"{GB}/lineItems/{allocated['sis-2']}", headers=partner)).json()["lineItem"]
    assert (got["title"], got["class"]["sourcedId"], got["resultValueMax"]) == ("Homework 2", str(school.class_), 10)
    assert (await api.get(f"{GB}/lineItems/sis-1", headers=partner)).status_code == 404, "the supplied id is not kept"
    audit = await committer_session.fetch(
        "select action, actor_role from audit.audit_log where school_id = $1 and table_name = 'assignments' order by id",
        school.id,
    )  # fmt: skip
    assert [(r["action"], r["actor_role"]) for r in audit] == [("CREATE", "partner_sync")] * 2, "audited as any write"


async def test_line_items_posted_to_the_school_name_their_class(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str]
) -> None:
    body = {"lineItems": [item(school, "s-1", "Term project")]}
    allocated = pairs(await post(api, f"/schools/{school.id}/lineItems", body, partner))
    listed = (await api.get(f"{GB}/schools/{school.id}/lineItems", headers=partner)).json()["lineItems"]
    assert [(i["sourcedId"], i["title"]) for i in listed] == [(allocated["s-1"], "Term project")]
    other = await post(api, f"/schools/{uuid.uuid4()}/lineItems", body, partner)
    assert (other.status_code, minor(other)) == (404, "unknownobject"), "a school that is not the partner's"


async def test_results_posted_to_a_line_item_and_to_a_class_in_a_session(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str]
) -> None:
    term = ref("academicSession", school.term, "rostering/v1p2/academicSessions")
    line = pairs(await post(api, f"/classes/{school.class_}/lineItems",
                            {"lineItems": [item(school, "li", "Quiz", academicSession=term)]}, partner))["li"]  # fmt: skip
    first = pairs(await post(api, f"/lineItems/{line}/results", {"results": [result(school, "r-a", line, 7.5)]}, partner))
    got = (await api.get(f"{GB}/results/{first['r-a']}", headers=partner)).json()["result"]
    assert (got["lineItem"]["sourcedId"], got["score"], got["student"]["sourcedId"]) == (line, 7.5, str(school.student))
    in_session = f"/classes/{school.class_}/academicSessions/{school.term}/results"
    again = await post(api, in_session, {"results": [result(school, "r-b", line, 9)]}, partner)
    assert (again.status_code, minor(again)) == (409, "invaliddata"), "one result per student and line item"
    assert again.json()["imsx_description"].startswith("results[0] (sourcedId r-b): duplicate key")
    await api.delete(f"{GB}/results/{first['r-a']}", headers=await bearer(api, school, SCOPE + "gradebook.delete"))
    second = pairs(await post(api, in_session, {"results": [result(school, "r-b", line, 9)]}, partner))
    listed = (await api.get(f"{GB}/lineItems/{line}/results", headers=partner)).json()["results"]
    assert [(r["sourcedId"], r["score"]) for r in listed if r["status"] == "active"] == [(second["r-b"], 9)]
    elsewhere = await post(api, f"/classes/{school.other_class}/academicSessions/{school.term}/results",
                           {"results": [result(school, "r-c", line, 1)]}, partner)  # fmt: skip
    assert (elsewhere.status_code, minor(elsewhere)) == (400, "invaliddata"), "the line item is not of that class"
    assert "results[0] (sourcedId r-c)" in elsewhere.json()["imsx_description"]
    unknown = await post(api, f"/classes/{school.class_}/academicSessions/nope/results", {"results": []}, partner)
    assert (unknown.status_code, minor(unknown)) == (404, "unknownobject")


async def test_a_set_is_all_or_nothing_and_names_the_bad_object(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str], committer_session: asyncpg.Connection
) -> None:
    bad = item(school, "bad", "Lab", category=ref("category", "no-such-category", "gradebook/v1p2/categories"))
    refused = await post(api, f"/classes/{school.class_}/lineItems", {"lineItems": [item(school, "ok", "Lab"), bad]}, partner)
    assert (refused.status_code, minor(refused)) == (400, "invaliddata")
    assert refused.json()["imsx_description"].startswith("lineItems[1] (sourcedId bad): No category"), refused.text
    twice = {"lineItems": [item(school, "dup", "A"), item(school, "dup", "B")]}
    repeated = await post(api, f"/classes/{school.class_}/lineItems", twice, partner)
    assert (repeated.status_code, minor(repeated)) == (400, "invaliddata"), "two objects, one supplied sourcedId"
    assert await committer_session.fetchval("select count(*) from data.assignments where school_id = $1", school.id) == 0
    empty = await post(api, f"/classes/{school.class_}/lineItems", {"lineItems": []}, partner)
    assert empty.json() == {"sourcedIdPairs": []}
    for body in (b"{}", b'{"lineItem": {}}', b"[]", b"not json"):
        shape = await api.post(f"{GB}/classes/{school.class_}/lineItems", content=body, headers=partner)
        assert (shape.status_code, minor(shape)) == (400, "invaliddata"), body
    other_class = {**item(school, "oc", "Lab"), "class": ref("class", school.other_class, "rostering/v1p2/classes")}
    named = await post(api, f"/classes/{school.class_}/lineItems", {"lineItems": [other_class]}, partner)
    assert (named.status_code, minor(named)) == (400, "invaliddata"), "an object naming another class than the path's"
    assert "Its class is" in named.json()["imsx_description"]
    mismatch = await post(api, f"/lineItems/{uuid.uuid4()}/results", {"results": []}, partner)
    assert (mismatch.status_code, minor(mismatch)) == (404, "unknownobject"), "no such line item"


async def test_posts_need_the_createpost_scope_and_a_partner(api: AsyncTestClient[Litestar], school: School) -> None:
    body = {"lineItems": [item(school, "x", "X")]}
    put_only = await bearer(api, school, ROSTER, READ, SCOPE + "gradebook.createput")
    refused = await post(api, f"/classes/{school.class_}/lineItems", body, put_only)
    assert (refused.status_code, minor(refused)) == (403, "forbidden"), "createput does not allow a POST"
    admin = await post(api, f"/classes/{school.class_}/lineItems", body, as_role("school_admin", school))
    assert (admin.status_code, minor(admin)) == (403, "forbidden"), "gradebook writes are a partner's"
    anon = await post(api, f"/classes/{school.class_}/lineItems", body, {})
    assert (anon.status_code, minor(anon)) == (401, "unauthorisedrequest")
    nowhere = await api.post(f"{GB}/classes/{school.class_}/categories", json={"categories": []}, headers=put_only)
    assert (nowhere.status_code, minor(nowhere)) == (404, "unknownobject"), "no POST of the binding there"


async def test_a_partner_posts_into_its_own_school_only(
    api: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    a, b = await make_school(committer_session), await make_school(committer_session)
    partner_a = await bearer(api, a, ROSTER, READ, POST)
    partner_b = await bearer(api, b, ROSTER, READ, POST)
    b_line = pairs(await post(api, f"/classes/{b.class_}/lineItems", {"lineItems": [item(b, "b", "B's")]}, partner_b))["b"]
    into_b = await post(api, f"/classes/{b.class_}/lineItems", {"lineItems": [item(b, "a", "A's")]}, partner_a)
    assert (into_b.status_code, minor(into_b)) == (404, "unknownobject"), "B's class is no class of A's"
    on_b = await post(api, f"/lineItems/{b_line}/results", {"results": [result(b, "a-r", b_line, 1)]}, partner_a)
    assert (on_b.status_code, minor(on_b)) == (404, "unknownobject"), "B's line item is no line item of A's"
    school_b = await post(api, f"/schools/{b.id}/lineItems", {"lineItems": [item(a, "a2", "A's")]}, partner_a)
    assert (school_b.status_code, minor(school_b)) == (404, "unknownobject")
    other_school = {**item(a, "a3", "A's"), "school": ref("org", b.id, "rostering/v1p2/schools")}
    named_b = await post(api, f"/classes/{a.class_}/lineItems", {"lineItems": [other_school]}, partner_a)
    assert (named_b.status_code, minor(named_b)) == (400, "invaliddata"), "an item naming another school"
    assert await committer_session.fetchval("select count(*) from data.assignments where school_id = $1", a.id) == 0
