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


# Going back to an older migration (tables back, code objects dropped) and the
# in-place upgrade from the frozen-copy layout: tests/db/test_code_files.py.
