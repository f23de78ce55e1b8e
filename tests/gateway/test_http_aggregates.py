"""Aggregates in select over HTTP (PostgREST 12's count()/sum()/avg()/min()/max(),
grouped by the other selected columns), each answer checked against the same
aggregate in SQL; and PGRST123 for roles outside AGGREGATES_ROLES."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error, settings_for

STUDENTS = [("G-1", "FEMALE", "2010-01-01"), ("G-2", "FEMALE", "2011-01-01"), ("G-3", "MALE", "2012-01-01"),
            ("G-4", None, None)]  # fmt: skip
FEES = [("Books", "10.50"), ("Trips", "25.00"), ("Lunch", "4.25")]


@pytest.fixture(scope="module")
async def school(committer_session: asyncpg.Connection) -> School:
    school = await make_school(committer_session)
    await committer_session.executemany(
        """insert into data.students (school_id, student_number, first_name, last_name, gender, date_of_birth)
           values ($1, $2, 'Agg', 'Row', $3, $4::text::date)""",
        [(school.id, *row) for row in STUDENTS],
    )
    await committer_session.executemany(
        "insert into data.fee_types (school_id, name, amount) values ($1, $2, $3::text::numeric)",
        [(school.id, *row) for row in FEES],
    )
    return school


async def rows(api: AsyncTestClient[Litestar], school: School, path: str, role: str = "school_admin") -> list[dict]:
    response = await api.get(path, headers=as_role(role, school))
    assert response.status_code == 200, response.text
    return response.json()


async def test_count_grouped_by_the_other_columns(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    got = await rows(api, school, "/students?select=gender,count()&student_number=like.G-*&order=gender.nullsfirst")
    expected = await committer_session.fetch(
        """select gender, count(*) as count from data.students where school_id = $1 and student_number like 'G-%'
           group by gender order by gender nulls first""",
        school.id,
    )
    assert got == [dict(row) for row in expected]


async def test_aliases_column_counts_min_and_max(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    got = await rows(
        api, school, "/students?select=total:id.count(),born:date_of_birth.count(),first:date_of_birth.min(),"
        "date_of_birth.max()&student_number=like.G-*",
    )  # fmt: skip
    expected = await committer_session.fetchrow(
        """select count(id) as total, count(date_of_birth) as born, min(date_of_birth)::text as first,
                  max(date_of_birth)::text as max
           from data.students where school_id = $1 and student_number like 'G-%'""",
        school.id,
    )
    assert got == [dict(expected)]


async def test_sum_and_avg_of_numeric_columns(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    got = await rows(api, school, "/fee_types?select=amount.sum(),mean:amount.avg()::text,n:count()")
    expected = await committer_session.fetchrow(
        "select sum(amount) as sum, avg(amount)::text as mean, count(*) as n from data.fee_types where school_id = $1",
        school.id,
    )
    assert Decimal(str(got[0]["sum"])) == expected["sum"] == Decimal("39.75")
    assert (got[0]["mean"], got[0]["n"]) == (expected["mean"], 3)


async def test_exact_count_counts_groups(api: AsyncTestClient[Litestar], school: School) -> None:
    response = await api.get("/students?select=gender,count()&student_number=like.G-*&limit=1",
                             headers=as_role("school_admin", school, Prefer="count=exact"))  # fmt: skip
    assert response.status_code == 206, response.text
    assert response.headers["content-range"] == "0-0/3"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/students?select=*,count()", 400, "PGRST100"),
        ("/students?select=last_name.sum()", 400, "42883"),  # Postgres: sum(text) does not exist
        ("/students?select=gender,count()&order=last_name", 400, "42803"),  # order by a column not grouped
        ("/students?select=nope.count()", 400, "42703"),
        ("/students?select=id.median()", 400, "PGRST200"),  # not an aggregate: read as an embed, which fails
        ("/students?select=count()&order=student_number&cursor=x", 400, "PGRST100"),
    ],
)
async def test_aggregate_errors(api: AsyncTestClient[Litestar], school: School, path: str, status: int,
                                code: str) -> None:  # fmt: skip
    assert_canonical_error(await api.get(path, headers=as_role("school_admin", school)), status, code)


@pytest.mark.parametrize("role", ["parent", "student", "partner_sync"])
async def test_roles_outside_aggregates_roles_get_pgrst123(
    api: AsyncTestClient[Litestar], school: School, role: str
) -> None:
    response = await api.get("/students?select=count()", headers=as_role(role, school))
    assert_canonical_error(response, 400, "PGRST123")


async def test_aggregates_roles_is_configurable(database_url: str, school: School) -> None:
    async with AsyncTestClient(create_app(settings_for(database_url, aggregates_roles=()))) as none:
        response = await none.get("/students?select=count()", headers=as_role("school_admin", school))
    assert_canonical_error(response, 400, "PGRST123")
