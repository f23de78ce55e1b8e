"""Row-level security through HTTP: tokens of two schools and every role see
their rows only (db/tenancy/ACCESS_MATRIX.md decides which; the gateway only
carries the claims)."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School
from tests.gateway.http_support import as_role, assert_canonical_error, token

ROLES = ["school_admin", "teacher", "parent", "student", "partner_sync"]


async def student_ids(api: AsyncTestClient[Litestar], role: str, school: School) -> set[str]:
    response = await api.get("/students?select=id", headers=as_role(role, school))
    assert response.status_code == 200, response.text
    return {row["id"] for row in response.json()}


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("school_admin", lambda s: {s.student, s.other_student}),  # the whole school
        ("partner_sync", lambda s: {s.student, s.other_student}),  # the school's roster
        ("teacher", lambda s: {s.student}),  # enrolled in the class they teach
        ("parent", lambda s: {s.student}),  # their linked child
        ("student", lambda s: {s.student}),  # themselves
    ],
)
async def test_each_role_of_each_school_sees_its_students_only(
    api: AsyncTestClient[Litestar], schools: tuple[School, School], role: str, sees: object
) -> None:
    for school in schools:
        assert await student_ids(api, role, school) == {str(i) for i in sees(school)}  # type: ignore[operator]


async def test_anonymous_callers_get_401_with_a_challenge(api: AsyncTestClient[Litestar]) -> None:
    response = await api.get("/students")
    assert_canonical_error(response, 401, "42501")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ROLES)
async def test_no_role_reaches_another_schools_rows_by_id(
    api: AsyncTestClient[Litestar], schools: tuple[School, School], role: str
) -> None:
    mine, theirs = schools
    response = await api.get(f"/students?id=eq.{theirs.student}", headers=as_role(role, mine))
    assert response.json() == []
    classes = await api.get(f"/classes?id=in.({theirs.class_},{theirs.other_class})", headers=as_role(role, mine))
    assert classes.json() == []


@pytest.mark.parametrize("role", ROLES)
async def test_every_view_shows_only_the_callers_school(
    api: AsyncTestClient[Litestar], gateway_app: Litestar, schools: tuple[School, School], role: str
) -> None:
    mine, _ = schools
    relations = gateway_app.state.schema_cache.relations
    for name, relation in relations.items():
        column = "id" if name == "schools" else "school_id"
        if column not in relation.columns:
            continue
        response = await api.get(f"/{name}?select={column}", headers=as_role(role, mine))
        if response.status_code == 403:  # no privilege on this view for this role
            assert_canonical_error(response, 403, "42501")
            continue
        assert response.status_code == 200, (name, response.text)
        assert {row[column] for row in response.json()} <= {str(mine.id)}, name


async def test_a_forged_school_claim_does_not_verify(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    mine, theirs = schools
    forged = token("school_admin", theirs, mine.admin_user).rsplit(".", 1)[0] + ".c2lnbmF0dXJl"
    response = await api.get("/students", headers={"Authorization": f"Bearer {forged}"})
    assert_canonical_error(response, 401, "PGRST301")
