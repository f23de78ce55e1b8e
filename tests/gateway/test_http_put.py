"""PUT as PostgREST has it: insert or replace the one row that the primary
key filters name, the body's key matching the URL; checked in the database."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


def row(school: School, id_: str, number: str, last: str) -> dict[str, str]:
    return {"id": id_, "school_id": str(school.id), "student_number": number, "first_name": "Put", "last_name": last}


async def stored(committer: asyncpg.Connection, id_: str) -> list[tuple[str, str]]:
    rows = await committer.fetch("select student_number, last_name from data.students where id = $1::uuid", id_)
    return [(r["student_number"], r["last_name"]) for r in rows]


async def test_put_inserts_then_replaces_one_row(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    id_ = str(uuid.uuid4())
    headers = as_role("school_admin", school, Prefer="return=representation")
    created = await api.put(f"/students?id=eq.{id_}&select=student_number,last_name",
                            json=row(school, id_, "PUT-1", "First"), headers=headers)  # fmt: skip
    assert created.status_code == 201, created.text  # inserted (PostgREST: 201, 200 when it replaced)
    assert created.json() == [{"student_number": "PUT-1", "last_name": "First"}]
    replaced = await api.put(f"/students?id=eq.{id_.upper()}", json=row(school, id_, "PUT-1", "Second"),
                             headers=as_role("school_admin", school))  # fmt: skip
    assert (replaced.status_code, replaced.content) == (204, b"")
    assert await stored(committer_session, id_) == [("PUT-1", "Second")]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("student_number=eq.PUT-2", 405, "PGRST105"),  # not the primary key
        ("id=gt.{id}", 405, "PGRST105"),  # not eq
        ("id=eq.{id}&last_name=eq.x", 405, "PGRST105"),  # more than the key
        ("", 405, "PGRST105"),  # no filter at all
        ("id=eq.{other}", 400, "PGRST115"),  # the body names another row
    ],
)
async def test_put_refusals_change_nothing(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection,
    query: str, status: int, code: str,
) -> None:  # fmt: skip
    id_, other = str(uuid.uuid4()), str(uuid.uuid4())
    response = await api.put(f"/students?{query.format(id=id_, other=other)}", json=row(school, id_, "PUT-2", "X"),
                             headers=as_role("school_admin", school))  # fmt: skip
    assert_canonical_error(response, status, code)
    assert await stored(committer_session, id_) == [] and await stored(committer_session, other) == []


async def test_put_takes_an_array_whose_one_element_is_the_named_row(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    """As PostgREST: a one-element array is the row; an array whose elements do not
    name the URL's row exactly once is PGRST115, and nothing is written."""
    id_, other = str(uuid.uuid4()), str(uuid.uuid4())
    headers = as_role("school_admin", school, Prefer="return=representation")
    refused = await api.put(f"/students?id=eq.{id_}", json=[row(school, other, "PUT-4", "X")], headers=headers)
    assert_canonical_error(refused, 400, "PGRST115")
    response = await api.put(f"/students?id=eq.{id_}&select=student_number", json=[row(school, id_, "PUT-3", "X")],
                             headers=headers)  # fmt: skip
    assert (response.status_code, response.json()) == (201, [{"student_number": "PUT-3"}])
    again = await api.put(f"/students?id=eq.{id_}&select=last_name", json=[row(school, id_, "PUT-3", "Y")],
                          headers=headers)  # fmt: skip
    assert (again.status_code, again.json()) == (200, [{"last_name": "Y"}])
    assert await stored(committer_session, other) == []
