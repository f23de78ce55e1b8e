"""POST, PATCH and DELETE over HTTP against the real database: one statement
per write, bodies validated before SQL, Prefer/Accept honoured, RLS and the
database's rules answering with the right status."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error

OBJECT = "application/vnd.pgrst.object+json"


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


def admin(school: School, **headers: str) -> dict[str, str]:
    return as_role("school_admin", school, **headers)


def student_row(school: School, number: str, **fields: Any) -> dict[str, Any]:
    return {"school_id": str(school.id), "student_number": number, "first_name": "New", "last_name": "Kid", **fields}


async def count(committer: asyncpg.Connection, school: School, table: str = "students") -> int:
    return await committer.fetchval(f"select count(*) from data.{table} where school_id = $1", school.id)


async def test_post_one_object_returns_201_and_representation(
    api: AsyncTestClient[Litestar], school: School
) -> None:
    response = await api.post("/students?select=id,student_number", json=student_row(school, "W-1"),
                              headers=admin(school, Prefer="return=representation"))  # fmt: skip
    assert response.status_code == 201, response.text
    [row] = response.json()
    assert row["student_number"] == "W-1"
    assert "location" not in response.headers, "Location only with return=headers-only, as PostgREST"
    assert response.headers["preference-applied"] == "return=representation"
    assert response.headers["content-range"] == "*/*", "PostgREST's Content-Range on POST"
    fetched = await api.get(f"/students?id=eq.{row['id']}", headers=admin(school, Accept=OBJECT))
    assert fetched.json()["student_number"] == "W-1"


async def test_post_minimal_and_headers_only_have_no_body(api: AsyncTestClient[Litestar], school: School) -> None:
    for number, prefer in (("W-2", ""), ("W-3", "return=minimal"), ("W-4", "return=headers-only")):
        response = await api.post("/students", json=student_row(school, number), headers=admin(school, Prefer=prefer))
        assert (response.status_code, response.content) == (201, b"")
        assert "content-type" not in response.headers, "no body, no Content-Type (PostgREST)"
        if prefer == "return=headers-only":
            assert response.headers["location"].startswith("/students?id=eq.")
        else:
            assert "location" not in response.headers


async def test_post_an_array_is_one_statement(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    rows = [student_row(school, "A-1"), student_row(school, "A-2", gender="FEMALE")]
    # Objects with different keys name their columns (`columns=`, as postgrest-js sends it):
    # a row lacking one sets it null. Without it PostgREST refuses them (PGRST102).
    refused = await api.post("/students", json=rows, headers=admin(school))
    assert assert_canonical_error(refused, 400, "PGRST102")["message"] == "All object keys must match"
    columns = ",".join(rows[1])
    response = await api.post(f"/students?select=student_number,gender&columns={columns}", json=rows,
                              headers=admin(school, Prefer="return=representation, count=exact"))  # fmt: skip
    assert response.status_code == 201
    assert response.json() == [{"student_number": "A-1", "gender": None}, {"student_number": "A-2", "gender": "FEMALE"}]
    assert response.headers["content-range"] == "*/2", "POST: `*/count`, as PostgREST"
    assert "location" not in response.headers
    assert await count(committer_session, school) == 4


@pytest.mark.parametrize(
    ("bad_row", "status", "code"),
    [
        ({"student_number": "S-1"}, 409, "23505"),  # the factory's S-1 already exists
        ({"student_number": "   "}, 400, "23514"),  # students_names_check
    ],
)
async def test_a_failing_row_in_an_array_applies_nothing(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection,
    bad_row: dict[str, str], status: int, code: str,
) -> None:  # fmt: skip
    rows = [student_row(school, "OK-1"), student_row(school, "OK-2") | bad_row, student_row(school, "OK-3")]
    response = await api.post("/students", json=rows, headers=admin(school))
    body = assert_canonical_error(response, status, code)
    assert body["message"]  # Postgres' own words
    assert await count(committer_session, school) == 2


@pytest.mark.parametrize(
    ("body", "code", "details"),
    [
        ({"student_number": "x" * 51}, "PGRST102", "Expected `str` of length <= 50 - at `$.student_number`"),
        ({"gender": "ROBOT"}, "PGRST102", "Invalid enum value 'ROBOT' - at `$.gender`"),
        ({"date_of_birth": "someday"}, "PGRST102", "Invalid RFC3339 encoded date - at `$.date_of_birth`"),
        ({"first_name": 7}, "PGRST102", "Expected `str`, got `int` - at `$.first_name`"),
        ({"last_name": None}, "PGRST102", "Expected `str`, got `null` - at `$.last_name`"),
        ({"nickname": "Bo"}, "PGRST204", "Object contains unknown field `nickname`"),
    ],
)
async def test_bodies_are_validated_field_by_field_before_sql(
    api: AsyncTestClient[Litestar], school: School, body: dict[str, Any], code: str, details: str
) -> None:
    response = await api.post("/students", json=student_row(school, "V-1") | body, headers=admin(school))
    error = assert_canonical_error(response, 400, code)
    assert error["details"] == details


async def test_validation_names_the_row_of_an_array(api: AsyncTestClient[Litestar], school: School) -> None:
    rows = [student_row(school, "V-2"), student_row(school, "V-3", student_number="y" * 60)]
    error = assert_canonical_error(await api.post("/students", json=rows, headers=admin(school)), 400, "PGRST102")
    assert error["details"] == "Expected `str` of length <= 50 - at `$[1].student_number`"


@pytest.mark.parametrize(
    ("path", "content", "code"),
    [
        ("/students", b"{not json", "PGRST102"),
        ("/students", b"", "PGRST102"),
        ("/students", b'{"first_name": "No", "last_name": "Number"}', "PGRST102"),  # missing a required field
        ("/invoice_items", b'{"line_total": 3}', "SDA102"),  # generated by the database
    ],
)
async def test_unusable_bodies(api: AsyncTestClient[Litestar], school: School, path: str, content: bytes,
                               code: str) -> None:  # fmt: skip
    response = await api.post(path, content=content, headers=admin(school, **{"Content-Type": "application/json"}))
    assert_canonical_error(response, 400, code)


async def test_database_rules_answer_with_their_status(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    other = await make_school(committer_session)
    room = await api.post("/rooms", json={"school_id": str(school.id), "name": "Lab", "capacity": -1},
                          headers=admin(school))  # fmt: skip
    assert_canonical_error(room, 400, "23514")  # rooms_capacity_check: the database's rule, not the model's
    enrollment = await api.post("/enrollments", json={"school_id": str(school.id), "student_id": str(school.other_student),
                                                      "class_id": str(other.class_)}, headers=admin(school))  # fmt: skip
    assert_canonical_error(enrollment, 409, "23503")  # a class of another school


async def test_patch_with_filters(api: AsyncTestClient[Litestar], school: School) -> None:
    path = "/students?student_number=eq.S-1&select=student_number,last_name"
    changed = await api.patch(
        path, json={"last_name": "Renamed"}, headers=admin(school, Prefer="return=representation")
    )
    assert changed.status_code == 200
    assert changed.json() == [{"student_number": "S-1", "last_name": "Renamed"}]
    assert changed.headers["content-range"] == "0-0/*"
    quiet = await api.patch(path, json={"last_name": "Again"}, headers=admin(school, Prefer="count=exact"))
    assert (quiet.status_code, quiet.content, quiet.headers["content-range"]) == (204, b"", "0-0/1")
    none = await api.patch("/students?student_number=eq.nobody", json={"last_name": "X"}, headers=admin(school))
    assert (none.status_code, none.headers["content-range"]) == (204, "*/*")


async def test_patch_validates_and_refuses_nulls_in_not_null_columns(
    api: AsyncTestClient[Litestar], school: School
) -> None:
    response = await api.patch("/students?student_number=eq.S-1", json={"last_name": None}, headers=admin(school))
    assert (
        assert_canonical_error(response, 400, "PGRST102")["details"] == "Expected `str`, got `null` - at `$.last_name`"
    )
    # `{}` sets nothing: PostgREST answers 204 (test_a_patch_that_sets_nothing_changes_nothing).


async def test_unfiltered_writes_need_an_explicit_preference(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    for method in ("PATCH", "DELETE"):
        response = await api.request(method, "/students", json={"last_name": "All"} if method == "PATCH" else None,
                                     headers=admin(school))  # fmt: skip
        body = assert_canonical_error(response, 400, "21000")
        assert "unfiltered=allow" in body["hint"]
    assert await committer_session.fetchval(
        "select count(*) from data.students where school_id = $1 and last_name = 'All'", school.id) == 0  # fmt: skip
    allowed = await api.patch("/students", json={"enrollment_status": "INACTIVE"},
                              headers=admin(school, Prefer="unfiltered=allow, count=exact"))  # fmt: skip
    assert (allowed.status_code, allowed.headers["content-range"]) == (204, "0-1/2")
    assert "unfiltered=allow" in allowed.headers["preference-applied"]


async def test_single_object_writes_are_rolled_back_unless_exactly_one_row(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    response = await api.patch("/students?student_number=like.S-*", json={"last_name": "Both"},
                               headers=admin(school, Accept=OBJECT, Prefer="return=representation"))  # fmt: skip
    assert_canonical_error(response, 406, "PGRST116")
    assert await committer_session.fetchval(
        "select count(*) from data.students where school_id = $1 and last_name = 'Both'", school.id) == 0  # fmt: skip
    one = await api.patch("/students?student_number=eq.S-2", json={"last_name": "One"},
                          headers=admin(school, Accept=OBJECT, Prefer="return=representation"))  # fmt: skip
    assert one.status_code == 200
    assert one.json()["last_name"] == "One"


async def test_delete_soft_deletes_through_the_view(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    created = await api.post("/rooms", json={"school_id": str(school.id), "name": "Gym"},
                             headers=admin(school, Prefer="return=headers-only"))  # fmt: skip
    room_id = created.headers["location"].rsplit("eq.", 1)[1]
    deleted = await api.delete(f"/rooms?id=eq.{room_id}&select=name",
                               headers=admin(school, Prefer="return=representation"))  # fmt: skip
    assert (deleted.status_code, deleted.json()) == (200, [{"name": "Gym"}])
    assert (await api.get(f"/rooms?id=eq.{room_id}", headers=admin(school))).json() == []
    assert await committer_session.fetchval("select is_deleted from data.rooms where id = $1", UUID(room_id)) is True
    again = await api.delete(f"/rooms?id=eq.{room_id}", headers=admin(school))
    assert (again.status_code, again.headers["content-range"]) == (204, "*/*")


async def test_rls_decides_who_writes_what(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    other = await make_school(committer_session)
    teacher = await api.post("/students", json=student_row(school, "T-1"), headers=as_role("teacher", school))
    assert_canonical_error(teacher, 403, "42501")
    anonymous = await api.post("/students", json=student_row(school, "T-2"))
    assert_canonical_error(anonymous, 401, "42501")
    assert anonymous.headers["www-authenticate"] == "Bearer"
    foreign = await api.post("/students", json=student_row(other, "T-3"), headers=admin(school))
    assert_canonical_error(foreign, 403, "42501")  # WITH CHECK: not into another school
    invisible = await api.patch(f"/students?id=eq.{other.student}", json={"last_name": "Hijacked"},
                                headers=admin(school, Prefer="count=exact"))  # fmt: skip
    assert (invisible.status_code, invisible.headers["content-range"]) == (204, "*/0")
    assert (
        await committer_session.fetchval("select last_name from data.students where id = $1", other.student)
        != "Hijacked"
    )


async def test_a_postgrest_js_bulk_insert_names_its_columns(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    # supabase-js: insert([...]) adds ?columns="a","b" (the union of the rows' keys).
    rows = [student_row(school, "J-1"), student_row(school, "J-2", gender="MALE")]
    columns = '"school_id","student_number","first_name","last_name","gender"'
    response = await api.post(f"/students?columns={columns}", json=rows, headers=admin(school, Prefer="count=exact"))
    assert (response.status_code, response.headers["content-range"]) == (201, "*/2")
    assert await count(committer_session, school) == 4


async def test_upserts_merge_or_ignore_duplicates(api: AsyncTestClient[Litestar], school: School) -> None:
    created = await api.post("/subjects", json={"school_id": str(school.id), "name": "Art", "code": "A1"},
                             headers=admin(school, Prefer="return=representation"))  # fmt: skip
    subject = created.json()[0]
    again = {"id": subject["id"], "school_id": str(school.id), "name": "Fine Art", "code": "A1"}
    ignored = await api.post("/subjects", json=again,
                             headers=admin(school, Prefer="resolution=ignore-duplicates, return=representation"))  # fmt: skip
    assert (ignored.status_code, ignored.json()) == (201, [])
    merged = await api.post("/subjects?select=id,name", json=again,
                            headers=admin(school, Prefer="resolution=merge-duplicates,return=representation"))  # fmt: skip
    # PostgREST (Response.hs): a merge that inserted nothing answers 200, not 201.
    assert (merged.status_code, merged.json()) == (200, [{"id": subject["id"], "name": "Fine Art"}])
    assert "resolution=merge-duplicates" in merged.headers["preference-applied"]
    rows = await api.get(f"/subjects?id=eq.{subject['id']}&select=name", headers=admin(school))
    assert rows.json() == [{"name": "Fine Art"}]
    no_index = await api.post("/subjects?on_conflict=name", json=again,
                              headers=admin(school, Prefer="resolution=merge-duplicates"))  # fmt: skip
    assert_canonical_error(no_index, 400, "42P10")  # no unique index on (name)


async def test_a_patch_that_sets_nothing_changes_nothing(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    """PostgREST's answer to `PATCH {}` (its UpdateSpec): 204 and `*/*`, or `[]`
    with return=representation; no row is touched, filters or not."""
    before = await committer_session.fetchval("select max(updated_at) from data.students where school_id = $1", school.id)
    for body in (b"{}", b"[]"):
        quiet = await api.patch("/students?student_number=eq.S-1", content=body,
                                headers=admin(school, **{"Content-Type": "application/json"}))  # fmt: skip
        assert (quiet.status_code, quiet.content, quiet.headers["content-range"]) == (204, b"", "*/*")
        assert "content-type" not in quiet.headers
        shown = await api.patch("/students", content=body,
                                headers=admin(school, Prefer="return=representation",
                                              **{"Content-Type": "application/json"}))  # fmt: skip
        assert (shown.status_code, shown.json(), shown.headers["preference-applied"]) == (
            200, [], "return=representation"
        )
    after = await committer_session.fetchval("select max(updated_at) from data.students where school_id = $1", school.id)
    assert after == before
    missing = await api.patch("/nope", content=b"{}", headers=admin(school, **{"Content-Type": "application/json"}))
    assert_canonical_error(missing, 404, "PGRST205")
