"""The migration history is the one way the schema comes to exist: forwards from
empty, backwards to empty, forwards again, on a fresh database, through the CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import asyncpg

from db.database import scratch_database

PLAN_TABLES = {
    "schools", "users", "students", "classes", "attendance_records", "announcements", "teachers", "parents",
    "student_parents", "enrollments", "subjects", "assignments", "grades", "assessments", "academic_terms",
    "discipline_incidents", "health_records", "communication_logs", "fee_types", "invoices", "invoice_items",
    "payments", "school_settings", "audit_log", "rooms",
}  # fmt: skip

OUR_SCHEMAS = ("data", "audit", "auth", "api", "reporting")


def school_gateway(*args: str, database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", "gateway", *args], env=env, check=True, capture_output=True, timeout=300)


async def schema_objects(connection: asyncpg.Connection) -> tuple[set[str], int]:
    tables = await connection.fetch(
        "select table_name from information_schema.tables where table_schema = any($1::text[])", list(OUR_SCHEMAS)
    )
    objects = await connection.fetchval(
        """select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = any($1::text[])""",
        list(OUR_SCHEMAS),
    )
    return {r["table_name"] for r in tables}, objects


async def test_forwards_backwards_forwards_on_a_fresh_database(server_url: str) -> None:
    async with scratch_database(server_url, "school_migration_roundtrip") as url:
        connection = await asyncpg.connect(url)
        try:
            school_gateway("migrate", database_url=url)
            tables, _ = await schema_objects(connection)
            assert PLAN_TABLES <= tables, f"missing: {PLAN_TABLES - tables}"
            head = await connection.fetchval(
                "select count(*) from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname in ('data','audit')"
            )

            school_gateway("migrate", "--to", "zero", database_url=url)
            tables, objects = await schema_objects(connection)
            assert tables == set() and objects == 0, "backwards to empty leaves nothing of ours behind"
            schemas = await connection.fetch(
                "select nspname from pg_namespace where nspname = any($1::text[])", list(OUR_SCHEMAS)
            )
            assert schemas == [], "the schemas themselves are gone too"

            school_gateway("migrate", database_url=url)
            tables, _ = await schema_objects(connection)
            assert PLAN_TABLES <= tables
            again = await connection.fetchval(
                "select count(*) from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname in ('data','audit')"
            )
            assert again == head, "forwards again builds the same constraints"
        finally:
            await connection.close()


async def test_objects_belong_to_the_non_superuser_owner(admin: asyncpg.Connection) -> None:
    owners = await admin.fetch(
        """select distinct pg_get_userbyid(c.relowner) as owner, r.rolsuper
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           join pg_roles r on r.oid = c.relowner
           where n.nspname = any($1::text[])""",
        list(OUR_SCHEMAS),
    )
    assert [(o["owner"], o["rolsuper"]) for o in owners] == [("school_owner", False)]


BEFORE_0017 = "2026-11-26T16:30:00:000000"  # m0016
SCHEMA_SNAPSHOT = """
    select 'constraint ' || c.conrelid::regclass::text || '.' || c.conname, pg_get_constraintdef(c.oid)
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname in ('data', 'audit')
    union all
    select 'index ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('data', 'audit')
    union all
    select 'trigger ' || t.tgrelid::regclass::text || '.' || t.tgname, pg_get_triggerdef(t.oid)
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('data', 'audit') and not t.tgisinternal
    union all
    select 'function ' || p.oid::regprocedure::text, concat_ws(' | ', pg_get_functiondef(p.oid), p.proacl::text)
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('data', 'audit', 'roster')
    order by 1
"""


async def test_m0017_backwards_restores_keys_indexes_triggers_and_functions(server_url: str) -> None:
    async with scratch_database(server_url, "school_migration_0017") as url:
        connection = await asyncpg.connect(url)
        try:
            school_gateway("migrate", database_url=url)
            head = dict(await connection.fetch(SCHEMA_SNAPSHOT))
            school_gateway("migrate", "--to", BEFORE_0017, database_url=url)
            before = dict(await connection.fetch(SCHEMA_SNAPSHOT))
            # What 0016 had, as 0002/0005/0012-0015 built it.
            assert (
                "FOREIGN KEY (school_id) REFERENCES data.schools(id)"
                in before["constraint data.enrollments.enrollments_school_id_fkey"]
            )
            assert "constraint audit.audit_log.audit_log_school_id_fkey" in before
            assert "(school_id, table_name, record_id)" in before["index audit.audit_log_record_idx"]
            assert " WHERE " not in before["index audit.audit_log_user_id_idx"]
            assert "BEFORE INSERT OR UPDATE" in before["trigger data.students.stamp_timestamps"]
            assert not [k for k in before if k.endswith("_sent") or "uuidv7_batch" in k]
            assert not [k for k, v in before.items() if k.startswith("function ") and "uuidv7_batch" in v]
            assert "attname" not in before["function roster.analyze_after(text,bigint)"]
            # And what 0017 changes.
            assert "constraint data.enrollments.enrollments_school_id_fkey" not in head
            assert "WHERE (user_id IS NOT NULL)" in head["index audit.audit_log_user_id_idx"]
            assert "uuidv7_batch" in head["function roster.merge_enrollments(uuid,text)"]
            school_gateway("migrate", database_url=url)
            assert dict(await connection.fetch(SCHEMA_SNAPSHOT)) == head
            school_gateway("migrate", "--to", BEFORE_0017, database_url=url)
            assert dict(await connection.fetch(SCHEMA_SNAPSHOT)) == before
        finally:
            await connection.close()
