"""The OneRoster 1.2 Gradebook service (issue 17): PUT/GET/DELETE of line
items, results, categories and score scales by a real partner token, each
answer validated against 1EdTech's gradebook schemas (the `api` client's
response hook, tests/roster/schema_check.py); scopes refused in the imsx
shape; row-level security keeping a partner to its school; every write in
the audit log."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import api, as_role, committer_session, gateway_app  # noqa: F401
from tests.roster.test_roster_scopes import SCOPE, bearer

GB = "/ims/oneroster/gradebook/v1p2"
READ, PUT, DELETE, ROSTER = (
    SCOPE + "gradebook.readonly",
    SCOPE + "gradebook.createput",
    SCOPE + "gradebook.delete",
    SCOPE + "roster.readonly",
)


def minor(response: Any) -> str:
    field: str = response.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
    return field


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


@pytest.fixture
async def partner(api: AsyncTestClient[Litestar], school: School) -> dict[str, str]:
    return await bearer(api, school, ROSTER, READ, PUT, DELETE)


def line_item(school: School, title: str = "Essay 1", **extra: Any) -> dict[str, Any]:
    return {"lineItem": {
        "title": title, "assignDate": "2026-10-01T08:00:00.000Z", "dueDate": "2026-10-08T08:00:00.000Z",
        "class": {"sourcedId": str(school.class_)}, "school": {"sourcedId": str(school.id)},
        "category": {"sourcedId": "type:essay"}, "resultValueMin": 0, "resultValueMax": 20, **extra,
    }}  # fmt: skip


def result(school: School, item: str, score: float, status: str = "fully graded") -> dict[str, Any]:
    return {"result": {
        "lineItem": {"sourcedId": item}, "student": {"sourcedId": str(school.student)},
        "scoreStatus": status, "score": score, "scoreDate": "2026-10-09", "comment": "Good work",
    }}  # fmt: skip


async def test_a_line_item_and_its_result_round_trip(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str]
) -> None:
    term = {"sourcedId": str(school.term)}
    created = await api.put(f"{GB}/lineItems/li-1", json=line_item(school, academicSession=term), headers=partner)
    assert created.status_code == 201, created.text
    replaced = await api.put(f"{GB}/lineItems/li-1", json=line_item(school, "Essay one", academicSession=term), headers=partner)
    assert replaced.status_code == 200, "a PUT of a known sourcedId replaces it"
    item = (await api.get(f"{GB}/lineItems/li-1", headers=partner)).json()["lineItem"]
    assert (item["title"], item["category"]["sourcedId"], item["class"]["sourcedId"]) == (
        "Essay one", "type:essay", str(school.class_),
    )  # fmt: skip
    assert item["resultValueMax"] == 20 and item["academicSession"]["sourcedId"] == str(school.term)
    assert (await api.put(f"{GB}/results/r-1", json=result(school, "li-1", 17.5), headers=partner)).status_code == 201
    for path in (
        f"{GB}/results/r-1", f"{GB}/results", f"{GB}/lineItems/li-1/results", f"{GB}/classes/{school.class_}/results",
        f"{GB}/classes/{school.class_}/lineItems/li-1/results",
        f"{GB}/classes/{school.class_}/students/{school.student}/results",
    ):  # fmt: skip
        response = await api.get(path, headers=partner)
        assert response.status_code == 200, f"{path}: {response.text}"
        body = response.json()
        found = [body["result"]] if "result" in body else body["results"]
        assert [(r["sourcedId"], r["score"], r["scoreStatus"]) for r in found] == [("r-1", 17.5, "fully graded")], path
    other = await api.get(f"{GB}/classes/{school.class_}/students/{school.other_student}/results", headers=partner)
    assert other.json()["results"] == [], "the class's results of another student: none"


async def test_reads_page_filter_sort_and_select_fields(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str]
) -> None:
    for n in range(3):
        await api.put(f"{GB}/lineItems/page-{n}", json=line_item(school, f"Quiz {n}"), headers=partner)
    page = await api.get(f"{GB}/classes/{school.class_}/lineItems?limit=2&sort=title&orderBy=desc", headers=partner)
    assert [i["title"] for i in page.json()["lineItems"]] == ["Quiz 2", "Quiz 1"]
    assert page.headers["X-Total-Count"] == "3" and 'rel="next"' in page.headers["Link"]
    found = await api.get(f"{GB}/lineItems?filter=title~'quiz 1'&fields=title", headers=partner)
    assert [i["title"] for i in found.json()["lineItems"]] == ["Quiz 1"]
    assert set(found.json()["lineItems"][0]) >= {"sourcedId", "status", "dateLastModified", "title", "class"}
    bad = await api.get(f"{GB}/lineItems?filter=colour='red'", headers=partner)
    assert (bad.status_code, minor(bad)) == (400, "invalid_filter_field")


async def test_delete_marks_the_object_tobedeleted(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str]
) -> None:
    await api.put(f"{GB}/lineItems/gone", json=line_item(school), headers=partner)
    await api.put(f"{GB}/results/gone-r", json=result(school, "gone", 3), headers=partner)
    assert (await api.delete(f"{GB}/results/gone-r", headers=partner)).status_code == 204
    assert (await api.delete(f"{GB}/lineItems/gone", headers=partner)).status_code == 204
    assert (await api.get(f"{GB}/classes/{school.class_}/lineItems", headers=partner)).json()["lineItems"] == []
    delta = await api.get(f"{GB}/lineItems?filter=status='tobedeleted'", headers=partner)
    assert [i["sourcedId"] for i in delta.json()["lineItems"]] == ["gone"], "a delta read shows the deletion"
    again = await api.delete(f"{GB}/lineItems/gone", headers=partner)
    assert (again.status_code, minor(again)) == (404, "unknownobject")
    revived = await api.put(f"{GB}/lineItems/gone", json=line_item(school), headers=partner)
    assert revived.status_code == 200, "a PUT brings a deleted line item back"


async def test_categories_and_score_scales(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str]
) -> None:
    types = (await api.get(f"{GB}/classes/{school.class_}/categories", headers=partner)).json()["categories"]
    assert "type:homework" in {c["sourcedId"] for c in types}, "the assignment types are categories of every school"
    put = await api.put(f"{GB}/categories/tests", json={"category": {"title": "Tests", "weight": 40}}, headers=partner)
    assert put.status_code == 201
    scale = {"scoreScale": {"title": "Letters", "type": "letter", "class": {"sourcedId": str(school.class_)},
                            "scoreScaleValue": [{"itemValueLHS": "A", "itemValueRHS": "90-100"}]}}  # fmt: skip
    assert (await api.put(f"{GB}/scoreScales/letters", json=scale, headers=partner)).status_code == 201
    item = line_item(school, category={"sourcedId": "tests"}, scoreScale={"sourcedId": "letters"})
    assert (await api.put(f"{GB}/lineItems/cat-1", json=item, headers=partner)).status_code == 201
    got = (await api.get(f"{GB}/lineItems/cat-1", headers=partner)).json()["lineItem"]
    assert (got["category"]["sourcedId"], got["scoreScale"]["sourcedId"]) == ("tests", "letters")
    assert (await api.get(f"{GB}/categories/tests", headers=partner)).json()["category"]["weight"] == 40
    scales = (await api.get(f"{GB}/schools/{school.id}/scoreScales", headers=partner)).json()["scoreScales"]
    assert [s["scoreScaleValue"] for s in scales] == [[{"itemValueLHS": "A", "itemValueRHS": "90-100"}]]
    unknown = await api.put(f"{GB}/lineItems/cat-2", json=line_item(school, category={"sourcedId": "nope"}), headers=partner)
    assert (unknown.status_code, minor(unknown)) == (400, "invaliddata")


async def test_assessments_are_assessment_line_items(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str], committer_session: asyncpg.Connection
) -> None:
    exam = await committer_session.fetchval(
        "insert into data.assessments (school_id, name, class_id, max_score) values ($1, 'Mock exam', $2, 80) returning id",
        school.id, school.class_,
    )  # fmt: skip
    await committer_session.execute(
        "insert into data.grades (school_id, assessment_id, student_id, score, recorded_by_user_id) values ($1, $2, $3, 64, $4)",
        school.id, exam, school.student, school.teacher_user,
    )  # fmt: skip
    refused = await api.get(f"{GB}/assessmentLineItems", headers=partner)
    assert (refused.status_code, minor(refused)) == (403, "forbidden"), "1.2: assessment reads take assessment.readonly"
    assessments = await bearer(api, school, ROSTER, SCOPE + "assessment.readonly")
    response = await api.get(f"{GB}/assessmentLineItems", headers=assessments)
    items = response.json().get("assessmentLineItems", response.text)
    assert isinstance(items, list), items
    assert [(i["title"], i["resultValueMax"]) for i in items] == [("Mock exam", 80)]
    results = (await api.get(f"{GB}/assessmentResults", headers=assessments)).json()["assessmentResults"]
    assert [(r["score"], r["scoreStatus"]) for r in results] == [(64, "fully graded")]


async def test_writes_need_the_gradebook_scopes(api: AsyncTestClient[Litestar], school: School) -> None:
    reader = await bearer(api, school, ROSTER, READ)
    refused = await api.put(f"{GB}/lineItems/x", json=line_item(school), headers=reader)
    assert (refused.status_code, minor(refused)) == (403, "forbidden"), "no createput scope: 403 imsx"
    assert refused.json()["imsx_codeMajor"] == "failure"
    writer = await bearer(api, school, ROSTER, PUT)
    assert (await api.put(f"{GB}/lineItems/x", json=line_item(school), headers=writer)).status_code == 201
    no_delete = await api.delete(f"{GB}/lineItems/x", headers=writer)
    assert (no_delete.status_code, minor(no_delete)) == (403, "forbidden"), "no delete scope: 403 imsx"
    no_read = await api.get(f"{GB}/lineItems", headers=writer)
    assert (no_read.status_code, minor(no_read)) == (403, "forbidden"), "no readonly scope: 403 imsx"
    admin = await api.put(f"{GB}/lineItems/y", json=line_item(school), headers=as_role("school_admin", school))
    assert (admin.status_code, minor(admin)) == (403, "forbidden"), "gradebook writes are a partner's"
    anon = await api.put(f"{GB}/lineItems/y", json=line_item(school))
    assert (anon.status_code, minor(anon)) == (401, "unauthorisedrequest")


async def test_a_partner_neither_reads_nor_writes_another_schools_gradebook(
    api: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    a, b = await make_school(committer_session), await make_school(committer_session)
    partner_a = await bearer(api, a, ROSTER, READ, PUT, DELETE)
    partner_b = await bearer(api, b, ROSTER, READ, PUT, DELETE)
    assert (await api.put(f"{GB}/lineItems/b-item", json=line_item(b), headers=partner_b)).status_code == 201
    assert (await api.put(f"{GB}/results/b-res", json=result(b, "b-item", 5), headers=partner_b)).status_code == 201
    for path in (f"{GB}/lineItems", f"{GB}/results", f"{GB}/classes/{b.class_}/lineItems", f"{GB}/lineItems/b-item/results"):
        response = await api.get(path, headers=partner_a)
        assert response.status_code in (200, 404), path
        if response.status_code == 200:
            key = "results" if path.endswith("results") else "lineItems"
            assert response.json()[key] == [], f"{path}: school B's rows are not school A's"
    assert (await api.get(f"{GB}/lineItems/b-item", headers=partner_a)).status_code == 404
    assert (await api.get(f"{GB}/results/b-res", headers=partner_a)).status_code == 404
    # Writing into B's class, or over B's line item, from A: B's class is no class of A's.
    into_b = await api.put(f"{GB}/lineItems/a-item", json=line_item(b), headers=partner_a)
    assert (into_b.status_code, minor(into_b)) == (400, "invaliddata")
    over_b = await api.put(f"{GB}/results/b-res", json=result(b, "b-item", 0), headers=partner_a)
    assert over_b.status_code == 400, "B's line item is unknown to A"
    assert (await api.delete(f"{GB}/lineItems/b-item", headers=partner_a)).status_code == 404
    score = await committer_session.fetchval("select score from data.grades where school_id = $1 and sourced_id = 'b-res'", b.id)
    assert score == 5, "school B's result is untouched"
    # A line item of the same sourcedId in A is A's own row, not B's.
    assert (await api.put(f"{GB}/lineItems/b-item", json=line_item(a), headers=partner_a)).status_code == 201
    assert await committer_session.fetchval(
        "select count(*) from data.assignments where sourced_id = 'b-item' and not is_deleted"
    ) == 2  # fmt: skip


async def test_every_gradebook_write_is_audited(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str], committer_session: asyncpg.Connection
) -> None:
    await api.put(f"{GB}/lineItems/audited", json=line_item(school), headers=partner)
    await api.put(f"{GB}/results/audited-r", json=result(school, "audited", 9), headers=partner)
    await api.delete(f"{GB}/results/audited-r", headers=partner)
    rows = await committer_session.fetch(
        """select table_name, action, actor_role from audit.audit_log
           where school_id = $1 and table_name in ('assignments', 'grades') order by id""",
        school.id,
    )
    assert [(r["table_name"], r["action"], r["actor_role"]) for r in rows] == [
        ("assignments", "CREATE", "partner_sync"), ("grades", "CREATE", "partner_sync"),
        ("grades", "SOFT_DELETE", "partner_sync"),
    ]  # fmt: skip


async def test_gradebook_core_reads_every_object_or_one_but_no_nested_collection(
    api: AsyncTestClient[Litestar], school: School, partner: dict[str, str]
) -> None:
    """1.2's securitySchemes: gradebook-core.readonly is on getAll<Type> and
    get<Type> only; the nested collections take gradebook.readonly."""
    assert (await api.put(f"{GB}/lineItems/core-1", json=line_item(school), headers=partner)).status_code == 201
    core = await bearer(api, school, ROSTER, SCOPE + "gradebook-core.readonly")
    listed = await api.get(f"{GB}/lineItems", headers=core)
    assert [i["sourcedId"] for i in listed.json()["lineItems"]] == ["core-1"], "the database shows it the rows"
    assert (await api.get(f"{GB}/lineItems/core-1", headers=core)).status_code == 200
    for path in (f"{GB}/classes/{school.class_}/lineItems", f"{GB}/lineItems/core-1/results",
                 f"{GB}/classes/{school.class_}/students/{school.student}/results"):  # fmt: skip
        nested = await api.get(path, headers=core)
        assert (nested.status_code, minor(nested)) == (403, "forbidden"), path
    assert (await api.get(f"{GB}/classes/{school.class_}/lineItems", headers=partner)).status_code == 200
