"""One current academic term per school (db/terms): the database refuses a second
one, api.set_current_term switches atomically even under concurrent calls, and
school_settings.current_academic_term_id follows on every path."""

from __future__ import annotations

import asyncio
from datetime import date
from uuid import UUID

import asyncpg
import pytest

from tests.db.conftest import act_as, authenticators
from tests.factories import School, execute_holders
from tests.support import expect_sqlstate

SWITCH = "select id, is_current from api.set_current_term($1)"


async def new_term(db: asyncpg.Connection, school: School, name: str) -> UUID:
    return await db.fetchval(
        """insert into api.academic_terms (school_id, name, start_date, end_date, type)
           values ($1, $2, $3, $4, 'TERM') returning id""",
        school.id, name, date(2026, 9, 1), date(2026, 12, 20),
    )  # fmt: skip


async def current(db: asyncpg.Connection, school: School) -> tuple[list[UUID], UUID | None]:
    """The school's current terms, and the term its settings point at."""
    terms = await db.fetch("select id from api.academic_terms where school_id = $1 and is_current", school.id)
    setting = await db.fetchval("select current_academic_term_id from api.school_settings where school_id = $1", school.id)
    return [t["id"] for t in terms], setting


@pytest.fixture
async def admin_api(authenticator: asyncpg.Connection, school: School) -> asyncpg.Connection:
    await act_as(authenticator, "school_admin", school_id=school.id, sub=school.admin_user)
    return authenticator


async def test_set_current_term_makes_it_current_and_points_the_settings_at_it(admin_api: asyncpg.Connection, school: School) -> None:
    switched = await admin_api.fetchrow(SWITCH, school.term)
    assert (switched["id"], switched["is_current"]) == (school.term, True), "it returns the term"
    assert await current(admin_api, school) == ([school.term], school.term)


async def test_switching_unsets_the_previous_term(admin_api: asyncpg.Connection, school: School) -> None:
    spring = await new_term(admin_api, school, "Spring")
    await admin_api.execute(SWITCH, school.term)
    await admin_api.execute(SWITCH, spring)
    assert await current(admin_api, school) == ([spring], spring)


async def test_a_second_current_term_is_refused_by_the_database(admin_api: asyncpg.Connection, school: School) -> None:
    spring = await new_term(admin_api, school, "Spring")
    await admin_api.execute(SWITCH, school.term)
    error = await expect_sqlstate(admin_api, "23505", "update api.academic_terms set is_current = true where id = $1", spring)
    assert error.constraint_name == "academic_terms_school_id_current_key"


async def test_settings_follow_a_direct_change_of_is_current(admin_api: asyncpg.Connection, school: School) -> None:
    await admin_api.execute("update api.academic_terms set is_current = true where id = $1", school.term)
    assert await current(admin_api, school) == ([school.term], school.term)
    await admin_api.execute("update api.academic_terms set is_current = false where id = $1", school.term)
    assert await current(admin_api, school) == ([], None)


async def test_deleting_the_current_term_clears_the_setting_and_frees_the_slot(admin_api: asyncpg.Connection, school: School) -> None:
    spring = await new_term(admin_api, school, "Spring")
    await admin_api.execute(SWITCH, school.term)
    await admin_api.execute("delete from api.academic_terms where id = $1", school.term)
    assert await current(admin_api, school) == ([], None)
    await admin_api.execute("update api.academic_terms set is_current = true where id = $1", spring)
    assert await current(admin_api, school) == ([spring], spring)


async def test_a_client_cannot_point_the_settings_elsewhere(admin_api: asyncpg.Connection, school: School) -> None:
    spring = await new_term(admin_api, school, "Spring")
    await admin_api.execute(SWITCH, school.term)
    await admin_api.execute("update api.school_settings set current_academic_term_id = $2 where school_id = $1", school.id, spring)
    assert await current(admin_api, school) == ([school.term], school.term), "the setting mirrors is_current"


async def test_a_term_of_another_school_cannot_be_made_current(
    admin_api: asyncpg.Connection, school: School, other_school: School
) -> None:
    await expect_sqlstate(admin_api, "P0002", SWITCH, other_school.term)


@pytest.mark.parametrize("role", ["teacher", "parent", "student", "partner_sync"])
async def test_only_an_admin_may_switch_the_term(authenticator: asyncpg.Connection, school: School, role: str) -> None:
    await act_as(authenticator, role, school_id=school.id, sub=school.teacher_user)
    await expect_sqlstate(authenticator, "42501", SWITCH, school.term)


# --- concurrency ----------------------------------------------------------------------------


async def switch_concurrently(database_url: str, school: School, terms: list[UUID]) -> list[str]:
    async with authenticators(database_url, len(terms)) as connections:
        ready = asyncio.Barrier(len(connections))

        async def switch(connection: asyncpg.Connection, term: UUID) -> str:
            try:
                async with connection.transaction():
                    await act_as(connection, "school_admin", school_id=school.id, sub=school.admin_user)
                    await ready.wait()
                    await connection.execute(SWITCH, term)
            except asyncpg.PostgresError as error:
                return error.sqlstate
            return "ok"

        return await asyncio.gather(*(switch(c, t) for c, t in zip(connections, terms, strict=True)))


@pytest.mark.parametrize("round_", range(5))
async def test_twenty_concurrent_switches_leave_one_current_term(
    database_url: str, committer: asyncpg.Connection, school: School, round_: int
) -> None:
    async with committer.transaction():
        await act_as(committer, "school_admin", school_id=school.id, sub=school.admin_user)
        terms = [await new_term(committer, school, f"Term {n}") for n in range(20)]
    outcomes = await switch_concurrently(database_url, school, terms)
    assert outcomes == ["ok"] * 20, "every switch succeeds, one after the other"
    async with committer.transaction():
        await act_as(committer, "school_admin", school_id=school.id, sub=school.admin_user)
        current_terms, setting = await current(committer, school)
    assert len(current_terms) == 1 and setting == current_terms[0]


async def test_only_admins_hold_execute_on_set_current_term(admin: asyncpg.Connection) -> None:
    assert await execute_holders(admin, "api.set_current_term(uuid)") == {"school_admin"}
