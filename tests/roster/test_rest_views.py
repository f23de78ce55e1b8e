"""The OneRoster read views (db/roster/oneroster_views.sql and gradebook.sql,
in the schema `oneroster` since 0014) in the catalog and under each role:
security_invoker over roster and gradebook tables only, readable by
school_admin and partner_sync only, and never across schools. The gradebook's
write-through row views (`*_rows`, db/roster/gradebook.sql) are partner_sync's
only, for the write functions."""

from __future__ import annotations

import json

import asyncpg

from tests.db.test_security_catalog import is_security_invoker, view_base_relations
from tests.factories import make_school
from tests.support import expect_sqlstate

ROSTER_TABLES = {
    "data.schools", "data.users", "data.students", "data.teachers", "data.parents", "data.student_parents",
    "data.academic_terms", "data.subjects", "data.rooms", "data.classes", "data.enrollments",
}  # fmt: skip
GRADEBOOK_TABLES = {"data.assignments", "data.grades", "data.grade_categories", "data.score_scales", "data.assessments"}
API_ROLES = ["anon", "school_admin", "teacher", "parent", "student", "partner_sync", "reporting"]


async def oneroster_views(admin: asyncpg.Connection, *, rows: bool = False) -> list[asyncpg.Record]:
    """The read views, or (`rows`) the gradebook's write-through row views."""
    return await admin.fetch(
        """select c.oid, c.oid::regclass::text as name, c.reloptions from pg_class c
           where c.relnamespace = 'oneroster'::regnamespace and c.relkind = 'v'
             and (c.relname like '%\\_rows') = $1""",
        rows,
    )


async def test_the_views_are_security_invoker_over_roster_tables_only(admin: asyncpg.Connection) -> None:
    views = await oneroster_views(admin)
    assert len(views) == 20, "8 rostering, 6 gradebook, 6 page-key views (oneroster.*_keys, m0056)"
    allowed = ROSTER_TABLES | GRADEBOOK_TABLES | {v["name"] for v in views}
    for view in views:
        assert is_security_invoker(view["reloptions"]), f"{view['name']} runs as its caller"
        bases = {b["name"] for b in await view_base_relations(admin, view["oid"])}
        assert bases <= allowed, f"{view['name']} reads {bases - allowed}"


async def test_the_gradebook_row_views_are_partner_sync_s_only(admin: asyncpg.Connection) -> None:
    """The write functions (oneroster.put_*, SECURITY INVOKER) write as the
    partner through these; no other role reads or writes them."""
    views = await oneroster_views(admin, rows=True)
    assert {v["name"] for v in views} == {
        "oneroster.assignment_rows", "oneroster.grade_rows", "oneroster.category_rows", "oneroster.score_scale_rows",
    }  # fmt: skip
    for view in views:
        assert is_security_invoker(view["reloptions"]), f"{view['name']} runs as its caller: RLS and audit apply"
        bases = {b["name"] for b in await view_base_relations(admin, view["oid"])}
        assert bases <= GRADEBOOK_TABLES, f"{view['name']} reads {bases}"
        for role in [*API_ROLES, "partner_demographics"]:
            usable = await admin.fetchval(
                "select has_table_privilege($1, $2::oid, 'select, insert, update, delete')", role, view["oid"]
            )
            assert usable == (role in ("partner_sync", "partner_demographics")), f"{role} on {view['name']}"


async def test_only_admins_and_partners_may_select_and_nobody_may_write(admin: asyncpg.Connection) -> None:
    for view in await oneroster_views(admin):
        # Demographics: a partner's only with a demographics scope, i.e. as the
        # database role partner_demographics (issue 13, F2; db/roster/README.md).
        # partner_demographics is a member of partner_sync: it reads every view.
        readers = {"school_admin", "partner_demographics"}
        if view["name"] != "oneroster.demographics":
            readers.add("partner_sync")
        for role in [*API_ROLES, "partner_demographics"]:
            readable = await admin.fetchval("select has_table_privilege($1, $2::oid, 'select')", role, view["oid"])
            assert readable == (role in readers), f"{role} select on {view['name']}"
            writable = await admin.fetchval(
                "select has_table_privilege($1, $2::oid, 'insert, update, delete, truncate')", role, view["oid"]
            )
            assert not writable, f"{role} writes nothing through {view['name']}"


async def test_a_partner_sees_its_own_school_only_and_a_teacher_nothing(admin: asyncpg.Connection) -> None:
    mine, theirs = await make_school(admin), await make_school(admin)
    await admin.execute("delete from data.students where id = $1", mine.other_student)  # soft delete
    await admin.execute("set local role partner_sync")
    await admin.execute(
        "select set_config('request.jwt.claims', $1, true)",
        json.dumps({"role": "partner_sync", "school_id": str(mine.id), "sub": "client"}),
    )
    seen = {r["school_id"] for r in await admin.fetch("select school_id from oneroster.users")}
    assert seen == {mine.id}, "RLS applies through the view"
    statuses = dict(await admin.fetch("select id, status from oneroster.users where role = 'student'"))
    assert statuses == {mine.student: "active", mine.other_student: "tobedeleted"}, "soft-deleted rows are kept"
    assert await admin.fetchval("select count(*) from oneroster.classes where school_id = $1", theirs.id) == 0
    await admin.execute("reset role")
    await admin.execute("set local role teacher")
    await expect_sqlstate(admin, "42501", "select * from oneroster.users")
