"""GET over HTTP against the real database: every operator, order, ranges,
select, the single-object media type, and the errors of bad reads."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error, settings_for

ROSTER = [
    ("R-01", "Ada", "Abbott", "2010-01-05", "FEMALE"),
    ("R-02", "Ben", "Baker", "2011-03-10", "MALE"),
    ("R-03", "Cy", "Carter", None, None),
    ("R-04", "Di", "carter", "2012-07-01", "FEMALE"),
    ("R-05", "Ed", "O'Brien, Jr", "2009-12-31", "MALE"),
]


@pytest.fixture(scope="module")
async def reading(committer_session: asyncpg.Connection) -> School:
    """A school of its own with five more students (R-01..R-05) than the factory's two."""
    school = await make_school(committer_session)
    await committer_session.executemany(
        """insert into data.students (school_id, student_number, first_name, last_name, date_of_birth, gender)
           values ($1, $2, $3, $4, $5::text::date, $6)""",
        [(school.id, *row) for row in ROSTER],
    )
    return school


async def numbers(api: AsyncTestClient[Litestar], school: School, query: str) -> list[str]:
    response = await api.get(
        f"/students?select=student_number&student_number=like.R-*&{query}", headers=as_role("school_admin", school)
    )
    assert response.status_code == 200, response.text
    return [row["student_number"] for row in response.json()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("last_name=eq.Baker", ["R-02"]),
        ("last_name=neq.Baker&order=student_number", ["R-01", "R-03", "R-04", "R-05"]),
        ("date_of_birth=gt.2011-01-01&order=student_number", ["R-02", "R-04"]),
        ("date_of_birth=gte.2011-03-10&order=student_number", ["R-02", "R-04"]),
        ("date_of_birth=lt.2010-01-05", ["R-05"]),
        ("date_of_birth=lte.2010-01-05&order=student_number", ["R-01", "R-05"]),
        ("last_name=like.C*", ["R-03"]),  # case-sensitive: not "carter"
        ("last_name=ilike.CARTER&order=student_number", ["R-03", "R-04"]),
        ("student_number=in.(R-01,R-05,nope)&order=student_number", ["R-01", "R-05"]),
        ("last_name=in.(\"O'Brien, Jr\",Baker)&order=student_number", ["R-02", "R-05"]),
        ("last_name=in.()", []),
        ("gender=is.null", ["R-03"]),
        ("date_of_birth=is.not_null&order=student_number", ["R-01", "R-02", "R-04", "R-05"]),
        ("gender=not.eq.MALE&order=student_number", ["R-01", "R-04"]),
        ("gender=not.is.null&order=student_number", ["R-01", "R-02", "R-04", "R-05"]),
        ("student_number=not.in.(R-01,R-02,R-03)&order=student_number", ["R-04", "R-05"]),
        ("or=(last_name.eq.Baker,gender.is.null)&order=student_number", ["R-02", "R-03"]),
        ("or=(and(gender.eq.FEMALE,date_of_birth.gt.2011-01-01),student_number.eq.R-05)&order=student_number",
         ["R-04", "R-05"]),
        ("not.or=(gender.eq.MALE,gender.is.null)&order=student_number", ["R-01", "R-04"]),
        ("and=(gender.eq.MALE,date_of_birth.lt.2010-06-01)", ["R-05"]),
        ("or=(last_name.eq.\"O'Brien, Jr\",last_name.like.A*)&order=student_number", ["R-01", "R-05"]),
        ("first_name=eq.Ada&first_name=eq.Ben", []),  # repeated filters are AND-ed
    ],
)  # fmt: skip
async def test_operators(api: AsyncTestClient[Litestar], reading: School, query: str, expected: list[str]) -> None:
    assert await numbers(api, reading, query) == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("gender.desc.nullsfirst,student_number.asc", ["R-03", "R-02", "R-05", "R-01", "R-04"]),
        ("date_of_birth.asc.nullslast", ["R-05", "R-01", "R-02", "R-04", "R-03"]),
        ("date_of_birth.desc.nullslast", ["R-04", "R-02", "R-01", "R-05", "R-03"]),
        ("date_of_birth.nullsfirst", ["R-03", "R-05", "R-01", "R-02", "R-04"]),
        ("student_number.desc", ["R-05", "R-04", "R-03", "R-02", "R-01"]),
    ],
)
async def test_order(api: AsyncTestClient[Litestar], reading: School, order: str, expected: list[str]) -> None:
    assert await numbers(api, reading, f"order={order}") == expected


def page_headers(school: School, **headers: str) -> dict[str, str]:
    return as_role("school_admin", school, **headers)


@pytest.mark.parametrize(
    ("query", "headers", "status", "content_range", "expected"),
    [
        ("limit=2&offset=1", {"Prefer": "count=exact"}, 206, "1-2/5", ["R-02", "R-03"]),
        ("", {"Range": "0-1", "Prefer": "count=exact"}, 206, "0-1/5", ["R-01", "R-02"]),
        ("", {"Range": "3-", "Range-Unit": "items", "Prefer": "count=exact"}, 206, "3-4/5", ["R-04", "R-05"]),
        ("limit=2", {}, 200, "0-1/*", ["R-01", "R-02"]),
        ("", {"Prefer": "count=exact"}, 200, "0-4/5", ["R-01", "R-02", "R-03", "R-04", "R-05"]),
        ("limit=0", {"Prefer": "count=exact"}, 206, "*/5", []),
        ("student_number=eq.none", {"Prefer": "count=exact"}, 200, "*/0", []),
        ("offset=10", {}, 200, "*/*", []),
    ],
)
async def test_ranges_and_counts(
    api: AsyncTestClient[Litestar], reading: School, query: str, headers: dict[str, str], status: int,
    content_range: str, expected: list[str],
) -> None:  # fmt: skip
    response = await api.get(
        f"/students?select=student_number&student_number=like.R-*&order=student_number&{query}",
        headers=page_headers(reading, **headers),
    )
    assert response.status_code == status, response.text
    assert response.headers["content-range"] == content_range
    assert [row["student_number"] for row in response.json()] == expected
    if "Prefer" in headers:
        assert response.headers["preference-applied"] == "count=exact"


async def test_an_offset_past_the_counted_total_is_416(api: AsyncTestClient[Litestar], reading: School) -> None:
    response = await api.get(
        "/students?student_number=like.R-*&offset=10", headers=page_headers(reading, Prefer="count=exact")
    )
    assert_canonical_error(response, 416, "PGRST103")
    assert response.headers["content-range"] == "*/5"


async def test_max_rows_caps_every_page(database_url: str, reading: School) -> None:
    async with AsyncTestClient(create_app(settings_for(database_url, max_rows=2))) as small:
        response = await small.get(
            "/students?student_number=like.R-*&limit=1000&order=student_number",
            headers=page_headers(reading, Prefer="count=exact"),
        )
    assert response.status_code == 206
    assert response.headers["content-range"] == "0-1/5"


async def test_select_with_aliases_and_casts(api: AsyncTestClient[Litestar], reading: School) -> None:
    response = await api.get(
        "/students?select=num:student_number,dob:date_of_birth::text,last_name,id::text&student_number=eq.R-01",
        headers=page_headers(reading),
    )
    [row] = response.json()
    assert {k: v for k, v in row.items() if k != "id"} == {"num": "R-01", "dob": "2010-01-05", "last_name": "Abbott"}
    assert list(row) == ["num", "dob", "last_name", "id"]


async def test_the_body_is_what_postgres_built(api: AsyncTestClient[Litestar], reading: School) -> None:
    response = await api.get("/students?select=student_number&student_number=in.(R-01,R-02)&order=student_number",
                             headers=page_headers(reading))  # fmt: skip
    # json_agg's own separator: the rows were never decoded and re-encoded in Python.
    # (Ordered by a NOT NULL column, the read pages by keyset: json_agg of each row's JSON.)
    assert response.text == '[{"student_number":"R-01"}, {"student_number":"R-02"}]'
    unordered = await api.get("/students?select=student_number&student_number=eq.R-01", headers=page_headers(reading))
    assert unordered.text == '[{"student_number":"R-01"}]'
    assert response.headers["content-type"] == "application/json; charset=utf-8"


async def test_single_object(api: AsyncTestClient[Litestar], reading: School) -> None:
    accept = "application/vnd.pgrst.object+json"
    one = await api.get(
        "/students?select=last_name&student_number=eq.R-02", headers=page_headers(reading, Accept=accept)
    )
    assert (one.status_code, one.json()) == (200, {"last_name": "Baker"})
    assert one.headers["content-type"].startswith("application/vnd.pgrst.object+json")
    for query, rows in (("student_number=like.R-*", 5), ("student_number=eq.none", 0)):
        response = await api.get(f"/students?{query}", headers=page_headers(reading, Accept=accept))
        body = assert_canonical_error(response, 406, "PGRST116")
        assert body["details"] == f"The result contains {rows} rows"


async def test_boolean_is_filters(api: AsyncTestClient[Litestar], reading: School) -> None:
    def terms(query: str) -> Any:
        return api.get(f"/academic_terms?select=id&{query}", headers=page_headers(reading))

    assert len((await terms("is_current=is.false")).json()) == 1  # the factory's term is not current
    assert (await terms("is_current=is.true")).json() == []
    assert (await terms("is_current=is.unknown")).json() == []
    assert len((await terms("is_current=not.is.true")).json()) == 1


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/nope", {}, 404, "PGRST205"),
        ("/students?select=nope", {}, 400, "42703"),
        ("/students?nope=eq.1", {}, 400, "42703"),
        ("/students?order=nope.desc", {}, 400, "42703"),
        ("/students?last_name=foo.1", {}, 400, "PGRST100"),
        ("/students?or=(last_name.eq.1", {}, 400, "PGRST100"),
        # Casts name catalog types, but not those whose input looks names up in the catalog.
        ("/students?select=last_name::regclass", {}, 400, "42704"),
        ("/students?select=last_name::text;drop", {}, 400, "PGRST100"),
        ("/students?id=eq.not-a-uuid", {}, 400, "22P02"),
        ("/students?date_of_birth=gt.yesterday-ish", {}, 400, "22007"),
        ("/students?id=like.1*", {}, 400, "42883"),
        ("/students?select=id::integer", {}, 400, "42846"),
        ("/students?limit=-1", {}, 416, "PGRST103"),
        ("/students", {"Accept": "text/html"}, 406, "PGRST107"),
        ("/students", {"Prefer": "handling=strict, tx=later"}, 400, "PGRST122"),
        ("/a/b/c", {}, 404, "PGRST125"),
    ],
)
async def test_bad_reads_are_client_errors_in_one_shape(
    api: AsyncTestClient[Litestar], reading: School, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    assert_canonical_error(await api.get(path, headers=page_headers(reading, **headers)), status, code)


@pytest.mark.parametrize(
    "path",
    [
        '/students?select=x" from pg_roles --:student_number',
        '/students?select=student_number,a"b:last_name',
        "/students?last_name=eq.x'); drop table data.students; --",
        '/students?last_name=in.("x\'); drop table data.students; --")',
        '/students?or=(last_name.eq."1) or (1=1",first_name.eq.x)',
        '/students?order=last_name";drop table data.students;--',
        '/students?student_number";drop table data.students;--=eq.1',
        "/students%22%3Bdrop%20table%20data.students%3B--",
        "/students?select=*&last_name=like.%25%27%3B--",
    ],
)
async def test_sql_injection_is_inert(
    api: AsyncTestClient[Litestar], reading: School, committer_session: asyncpg.Connection, path: str
) -> None:
    response = await api.get(path, headers=page_headers(reading))
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_canonical_error(response, response.status_code)
    else:
        assert all(set(row) <= {"student_number", 'a"b', 'x" from pg_roles --', "id", "school_id", "first_name",
                                "last_name", "date_of_birth", "gender", "enrollment_status", "user_id", "created_at",
                                "updated_at"} for row in response.json())  # fmt: skip
    assert await committer_session.fetchval("select count(*) from data.students where school_id = $1", reading.id) == 7
