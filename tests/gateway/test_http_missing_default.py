"""`Prefer: missing=default` on POST (PostgREST): a key a row lacks takes the
column's DEFAULT, read from the catalog; an explicit null stays null. Without
the preference a lacking key is null, as before."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import MutatePlan, plan_request
from gateway.dialect.render.statement import render
from gateway.dialect.schema.cache import SchemaCache
from tests.factories import School, make_school
from tests.gateway.catalog import SCHEMA
from tests.gateway.http_support import as_role, assert_canonical_error

MISSING = "missing=default, return=representation"


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


def admin(school: School, **headers: str) -> dict[str, str]:
    return as_role("school_admin", school, **headers)


def row(school: School, number: str, **fields: Any) -> dict[str, Any]:
    return {"school_id": str(school.id), "student_number": number, "first_name": "Md", "last_name": "Kid", **fields}


async def stored(committer: asyncpg.Connection, school: School) -> dict[str, str | None]:
    rows = await committer.fetch(
        "select student_number, enrollment_status from data.students where school_id = $1 and student_number like 'MD-%'",
        school.id,
    )
    return {r["student_number"]: r["enrollment_status"] for r in rows}


def _schema() -> SchemaCache:
    """The unit catalog with `active` defaulting to `true` (the loader reads pg_attrdef)."""
    relation = SCHEMA.relations["students"]
    columns = {**relation.columns, "active": msgspec.structs.replace(relation.columns["active"], default="true")}
    students = msgspec.structs.replace(relation, columns=columns)
    return msgspec.structs.replace(SCHEMA, relations={**SCHEMA.relations, "students": students})


_WITH_DEFAULT = (
    "select pgrst_body.\"last_name\", case when pgrst_in.pgrst_row -> 'active' is not null "
    'then pgrst_body."active" else (true) end from json_array_elements($1::json) as pgrst_in(pgrst_row) '
    'cross join lateral json_to_record(pgrst_in.pgrst_row) as pgrst_body("last_name" text, "active" boolean)'
)
_PLAIN = (
    'select pgrst_body."last_name", pgrst_body."active" from json_to_recordset($1::json) '
    'as pgrst_body("last_name" text, "active" boolean)'
)


@pytest.mark.parametrize(
    ("method", "prefer", "defaults", "fragment"),
    [
        ("POST", "missing=default", (None, "true"), _WITH_DEFAULT),
        ("POST", "missing=default, return=minimal", (None, "true"), _WITH_DEFAULT),
        ("POST", "missing=null", None, _PLAIN),
        ("POST", "", None, _PLAIN),
    ],
)
def test_defaults_come_from_the_catalog_and_values_stay_parameters(
    method: str, prefer: str, defaults: tuple[str | None, ...] | None, fragment: str
) -> None:
    request = parse_request(method, "students", rpc=False, query="", headers={"prefer": prefer}, body=b"{}")
    plan = plan_request(request, _schema(), columns=("last_name", "active"))
    assert isinstance(plan, MutatePlan)
    assert plan.defaults == defaults
    rendered = render(plan)
    assert fragment in rendered.sql
    assert rendered.extras == ("body_as_array",)


def test_missing_is_part_of_the_shape() -> None:
    def shape(prefer: str) -> object:
        return parse_request("POST", "students", rpc=False, query="", headers={"prefer": prefer}, body=b"{}").shape()

    assert shape("missing=default") != shape("")
    assert shape("missing=default") == shape("missing=default")


async def test_a_lacking_key_takes_the_default_and_is_applied(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    rows = [row(school, "MD-1"), row(school, "MD-2", enrollment_status="INACTIVE")]
    response = await api.post("/students?select=student_number,enrollment_status", json=rows,
                              headers=admin(school, Prefer=MISSING))  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json() == [
        {"student_number": "MD-1", "enrollment_status": "ACTIVE"},
        {"student_number": "MD-2", "enrollment_status": "INACTIVE"},
    ]
    assert response.headers["preference-applied"] == "missing=default, return=representation"  # PostgREST's order
    assert await stored(committer_session, school) == {"MD-1": "ACTIVE", "MD-2": "INACTIVE"}


async def test_columns_lists_a_key_one_object_lacks(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    query = "/students?columns=school_id,student_number,first_name,last_name,enrollment_status"
    response = await api.post(query, json=row(school, "MD-3"),
                              headers=admin(school, Prefer="missing=default, return=headers-only"))  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.headers["location"].startswith("/students?id=eq.")
    assert await stored(committer_session, school) == {"MD-3": "ACTIVE"}


async def test_the_view_default_fills_a_lacking_school_id(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    rows = [row(school, "MD-4"), {k: v for k, v in row(school, "MD-5").items() if k != "school_id"}]
    response = await api.post("/students", json=rows, headers=admin(school, Prefer="missing=default"))
    assert response.status_code == 201, response.text
    assert await stored(committer_session, school) == {"MD-4": "ACTIVE", "MD-5": "ACTIVE"}


async def test_an_explicit_null_stays_null(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    rows = [row(school, "MD-6"), row(school, "MD-7", gender=None, enrollment_status="ACTIVE")]
    response = await api.post("/students?select=student_number,gender", json=rows,
                              headers=admin(school, Prefer=MISSING))  # fmt: skip
    assert response.status_code == 201, response.text
    assert [r["gender"] for r in response.json()] == [None, None]
    # A NOT NULL column given null fails: null was not replaced by the default.
    rows = [row(school, "MD-8", enrollment_status=None)]
    failed = await api.post("/students", json=rows, headers=admin(school, Prefer="missing=default"))
    assert failed.status_code >= 400
    assert "MD-8" not in await stored(committer_session, school)


async def test_without_the_preference_the_rows_need_the_same_keys(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    """PostgREST: without `columns=` (or, here, missing=default) a bulk body's objects share their keys."""
    rows = [row(school, "MD-9"), row(school, "MD-10", enrollment_status="INACTIVE")]
    response = await api.post("/students", json=rows, headers=admin(school))
    assert assert_canonical_error(response, 400, "PGRST102")["message"] == "All object keys must match"
    assert await stored(committer_session, school) == {}


async def test_upsert_with_missing_default(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    headers = admin(school, Prefer="missing=default, resolution=merge-duplicates")
    rows = [row(school, "MD-11"), row(school, "MD-12", enrollment_status="INACTIVE")]
    response = await api.post("/students", json=rows, headers=headers)
    assert response.status_code == 201, response.text
    assert await stored(committer_session, school) == {"MD-11": "ACTIVE", "MD-12": "INACTIVE"}
