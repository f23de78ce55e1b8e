"""The roster contract (m0007, m0008): sourced_id is the last column of the
nine api views, unique per school where set (a soft-deleted row keeps it), and
m0008's backwards script restores the 0004 views exactly: definition,
privileges, triggers, comments and the functions that use their row types."""

from __future__ import annotations

import asyncpg
import pytest

from db.database import scratch_database
from tests.db.test_migrations import school_gateway
from tests.factories import make_school

VIEWS = ["schools", "users", "students", "teachers", "parents", "academic_terms", "subjects", "classes", "enrollments"]
BEFORE_ROSTER = "2026-11-26T14:40:00:000000"  # m0006
SNAPSHOT = """
    select c.relname::text, pg_get_viewdef(c.oid), c.relacl::text,
           (select array_agg(tgname order by tgname) from pg_trigger where tgrelid = c.oid)::text,
           (select array_agg(coalesce(col_description(c.oid, a.attnum), '') order by a.attnum)
            from pg_attribute a where a.attrelid = c.oid and a.attnum > 0)::text,
           obj_description(c.oid)
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'api' and c.relkind = 'v' order by 1"""
FUNCTIONS = """
    select p.oid::regprocedure::text, pg_get_functiondef(p.oid), p.proacl::text
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'api' order by 1"""


async def test_sourced_id_is_the_last_column_of_the_roster_views(admin: asyncpg.Connection) -> None:
    for view in VIEWS:
        last = await admin.fetchval(
            "select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 order by attnum desc limit 1",
            f"api.{view}",
        )
        assert last == "sourced_id", view


async def test_a_sourced_id_is_unique_per_school_and_kept_by_a_soft_deleted_row(admin: asyncpg.Connection) -> None:
    a, b = await make_school(admin), await make_school(admin)
    insert = "insert into data.subjects (school_id, name, sourced_id) values ($1, $2, 'c-1')"
    await admin.execute(insert, a.id, "One")
    await admin.execute(insert, b.id, "One")  # the same sourcedId in another school is fine
    await admin.execute("update data.subjects set is_deleted = true where school_id = $1 and sourced_id = 'c-1'", a.id)
    with pytest.raises(asyncpg.UniqueViolationError):
        await admin.execute(insert, a.id, "Two")


async def test_m0008_backwards_restores_the_0004_views(server_url: str) -> None:
    async with scratch_database(server_url, "school_roster_contract") as url:
        connection = await asyncpg.connect(url)
        try:
            school_gateway("migrate", database_url=url)
            school_gateway("migrate", "--to", BEFORE_ROSTER, database_url=url)
            before, before_functions = await connection.fetch(SNAPSHOT), await connection.fetch(FUNCTIONS)
            assert all("sourced_id" not in r[1] for r in before)
            school_gateway("migrate", database_url=url)
            school_gateway("migrate", "--to", BEFORE_ROSTER, database_url=url)
            assert await connection.fetch(SNAPSHOT) == before, "views, grants, triggers and comments as 0004 made them"
            assert await connection.fetch(FUNCTIONS) == before_functions, "api functions recreated as they were"
        finally:
            await connection.close()
