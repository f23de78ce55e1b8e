"""`Accept: text/csv` over HTTP: the CSV Postgres builds, read back with
Python's csv module and checked against the database."""

from __future__ import annotations

import csv
import io

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error

TRICKY = [("C-1", "Ann", 'O"Neil, Jr'), ("C-2", "Bo\nBo", "Plain"), ("C-3", "Cé", "Ünïcode")]


@pytest.fixture(scope="module")
async def school(committer_session: asyncpg.Connection) -> School:
    school = await make_school(committer_session)
    await committer_session.executemany(
        "insert into data.students (school_id, student_number, first_name, last_name) values ($1, $2, $3, $4)",
        [(school.id, *row) for row in TRICKY],
    )
    return school


def admin(school: School, **headers: str) -> dict[str, str]:
    return as_role("school_admin", school, Accept="text/csv", **headers)


async def test_csv_is_built_by_postgres_and_quoted(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    response = await api.get(
        "/students?select=student_number,first:first_name,last_name,date_of_birth&student_number=like.C-*"
        "&order=student_number",
        headers=admin(school, Prefer="count=exact"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-range"] == "0-2/3"
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert rows[0] == ["student_number", "first", "last_name", "date_of_birth"]
    expected = await committer_session.fetch(
        """select student_number, first_name, last_name, coalesce(date_of_birth::text, '') as dob
           from data.students where school_id = $1 and student_number like 'C-%' order by student_number""",
        school.id,
    )
    assert rows[1:] == [list(row.values()) for row in expected]
    assert '"O""Neil, Jr"' in response.text  # RFC 4180 quoting, done in SQL


async def test_csv_of_every_column_and_of_no_rows(api: AsyncTestClient[Litestar], school: School) -> None:
    everything = await api.get("/students?student_number=eq.C-1", headers=admin(school))
    header, row = list(csv.reader(io.StringIO(everything.text, newline="")))
    assert header[:3] == ["id", "school_id", "student_number"]
    assert row[2] == "C-1"
    empty = await api.get("/students?student_number=eq.nobody", headers=admin(school))
    # PostgREST's CSV of no rows: an empty header and a line break.
    assert (empty.status_code, empty.text, empty.headers["content-range"]) == (200, "\n", "*/*")


async def test_csv_honours_ranges_and_max_rows(api: AsyncTestClient[Litestar], school: School) -> None:
    response = await api.get(
        "/students?select=student_number&student_number=like.C-*&order=student_number",
        headers=admin(school, Range="1-1", Prefer="count=exact"),
    )
    assert response.status_code == 206
    assert response.text == "student_number\nC-2"
    assert response.headers["content-range"] == "1-1/3"


async def test_csv_answers_a_write_with_the_rows_it_wrote(
    api: AsyncTestClient[Litestar], school: School
) -> None:  # function results: test_http_rpc_polish.py
    """As PostgREST: return=representation with `Accept: text/csv` gives the written rows as CSV."""
    body = f"school_id,student_number,first_name,last_name\n{school.id},CSV-9,Cy,Vee\n"
    headers = {"Content-Type": "text/csv", "Accept": "text/csv", "Prefer": "return=representation, tx=rollback"}
    response = await api.post("/students?select=student_number,first_name", content=body.encode(),
                              headers=as_role("school_admin", school, **headers))  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text == "student_number,first_name\nCSV-9,Cy"


async def test_a_csv_body_is_inserted_in_one_statement(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    body = (
        "school_id,student_number,first_name,last_name,date_of_birth\n"
        f'{school.id},CSV-1,"Ann, Jr",Smith,2012-03-04\n'
        f'{school.id},CSV-2,Bob,"O""Hara",\n'
    )
    response = await api.post(
        "/students?select=student_number,first_name,last_name,date_of_birth",
        content=body.encode(),
        headers=as_role("school_admin", school, **{"Content-Type": "text/csv", "Prefer": "return=representation"}),
    )
    assert response.status_code == 201, response.text
    assert response.json() == [
        {"student_number": "CSV-1", "first_name": "Ann, Jr", "last_name": "Smith", "date_of_birth": "2012-03-04"},
        {"student_number": "CSV-2", "first_name": "Bob", "last_name": 'O"Hara', "date_of_birth": None},
    ]
    stored = await committer_session.fetch(
        "select student_number, date_of_birth from data.students where school_id = $1 and student_number like 'CSV-%' "
        "order by 1",
        school.id,
    )
    assert [(r["student_number"], r["date_of_birth"] and r["date_of_birth"].isoformat()) for r in stored] == [
        ("CSV-1", "2012-03-04"), ("CSV-2", None)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("", 400, "PGRST102"),
        ("school_id,student_number\n{school},X,extra\n", 400, "PGRST102"),  # more fields than the header
        ("nope\nx\n", 400, "PGRST204"),  # unknown column
        ("school_id,student_number,first_name,last_name,date_of_birth\n{school},CSV-9,A,B,notadate\n", 400, "22007"),
    ],
)
async def test_bad_csv_bodies(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection,
    body: str, status: int, code: str,
) -> None:  # fmt: skip
    response = await api.post("/students", content=body.format(school=school.id).encode(),
                              headers=as_role("school_admin", school, **{"Content-Type": "text/csv"}))  # fmt: skip
    assert_canonical_error(response, status, code)
    assert (
        await committer_session.fetchval(
            "select count(*) from data.students where school_id = $1 and student_number in ('X', 'CSV-9')", school.id
        )
        == 0
    )
