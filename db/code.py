"""Database code objects (functions, views, triggers, policies, grants): each
declared once, in one current file listed by db/code_files.txt, re-applied by
`migrate` when its checksum changes (db/README.md, "State and code").

Two ways to apply:
- changed files only: the files whose checksum differs from the one recorded,
  in manifest order (a function body edited in place); if that fails (a view
  whose columns changed), a rebuild in the same transaction;
- rebuild: every code object of our schemas dropped, then every file applied.
  Used when a versioned migration ran (a table change may need its views and
  policies made again) and when a file left the manifest (its objects must go).
  The drop alone runs before versioned migrations run or go back (db/migrate.py).
Both run in one transaction: a failing file leaves the previous code in place.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import asyncpg

DB_DIR = Path(__file__).parent
MANIFEST = DB_DIR / "code_files.txt"
# Only the owner sees it: schemas grant nothing to other roles until asked.
BOOKKEEPING = "code_state"
# The schemas whose functions, views, triggers, policies and grants are code.
CODE_SCHEMAS = ("data", "audit", "auth", "api", "reporting", "roster", "oneroster")


def manifest() -> list[str]:
    """The code files in load order; `--` starts a comment."""
    files = []
    for line in MANIFEST.read_text().splitlines():
        name = line.split("--", 1)[0].strip()
        if name:
            if not (DB_DIR / name).is_file():
                raise FileNotFoundError(DB_DIR / name)
            files.append(name)
    return files


def checksum(name: str) -> str:
    return hashlib.sha256((DB_DIR / name).read_bytes()).hexdigest()


async def _recorded(connection: asyncpg.Connection) -> dict[str, str]:
    await _bookkeeping(connection)
    rows = await connection.fetch(f"select file, checksum from {BOOKKEEPING}.applied_files")
    return {r["file"]: r["checksum"] for r in rows}


async def _bookkeeping(connection: asyncpg.Connection) -> None:
    await connection.execute(
        f"""create schema if not exists {BOOKKEEPING};
        create table if not exists {BOOKKEEPING}.applied_files (
            file text primary key,
            checksum text not null,
            applied_at timestamptz not null default now());
        -- Two migrates at once take turns here instead of interleaving files.
        lock table {BOOKKEEPING}.applied_files in exclusive mode;"""
    )


async def apply_code(connection: asyncpg.Connection, *, rebuild: bool = False) -> list[str]:
    """Apply the changed code files (all of them after a rebuild); return their names."""
    files = manifest()
    async with connection.transaction():
        recorded = await _recorded(connection)
        if set(recorded) - set(files):
            rebuild = True
        if not rebuild:
            try:
                async with connection.transaction():  # a savepoint
                    return await _apply(connection, files, recorded)
            except asyncpg.PostgresError:
                # In place is not always possible: CREATE OR REPLACE cannot
                # change a view's columns or a function's result type, or drop
                # what depends on it. A rebuild can; a real error fails again there.
                pass
        await _drop(connection)
        return await _apply(connection, files, {})


async def _apply(connection: asyncpg.Connection, files: list[str], recorded: dict[str, str]) -> list[str]:
    applied = []
    for name in files:
        digest = checksum(name)
        if recorded.get(name) == digest:
            continue
        # Bodies are checked when called, not when created: files stay in
        # concern order even where a function calls one declared later.
        await connection.execute("set local check_function_bodies = off")
        await connection.execute((DB_DIR / name).read_text())
        await connection.execute(
            f"""insert into {BOOKKEEPING}.applied_files (file, checksum) values ($1, $2)
            on conflict (file) do update set checksum = excluded.checksum, applied_at = now()""",
            name,
            digest,
        )
        applied.append(name)
    await connection.execute(f"delete from {BOOKKEEPING}.applied_files where file <> all($1::text[])", files)
    return applied


async def drop_code(connection: asyncpg.Connection) -> None:
    """Drop every code object of our schemas, in one transaction (before going back)."""
    async with connection.transaction():
        await _bookkeeping(connection)
        await _drop(connection)


async def _drop(connection: asyncpg.Connection) -> None:
    """Drop every code object of our schemas, keeping tables, keys, indexes and rows.

    Functions are dropped without CASCADE: if table state (a default, a CHECK,
    an index) needs one, the drop fails instead of taking the table state with it.
    """
    schemas = [s for s in CODE_SCHEMAS if await connection.fetchval("select to_regnamespace($1)", s)]
    statements = await connection.fetch(DROP_STATEMENTS, schemas)
    for row in statements:
        await connection.execute(row["sql"])
    await connection.execute(f"delete from {BOOKKEEPING}.applied_files")


DROP_STATEMENTS = """
with ours as (select oid, nspname, nspowner from pg_namespace where nspname = any($1::text[])),
-- Whoever holds a privilege on our schemas or their tables and views, but the owner.
grantees as (
    select distinct case a.grantee when 0 then 'public' else a.grantee::regrole::text end as grantee  -- regrole quotes as needed
    from ours cross join lateral (
        select (aclexplode(nspacl)).grantee from pg_namespace where oid = ours.oid
        union all
        select (aclexplode(c.relacl)).grantee from pg_class c where c.relnamespace = ours.oid
        union all
        -- A role holding column privileges only (partner_demographics): REVOKE ALL
        -- on a table takes its column privileges too, once the role is listed.
        select (aclexplode(a.attacl)).grantee from pg_attribute a join pg_class c on c.oid = a.attrelid
        where c.relnamespace = ours.oid and a.attacl is not null
    ) a
    where a.grantee <> ours.nspowner
)
select format('drop policy %I on %s', p.polname, p.polrelid::regclass) as sql, 1 as step
from pg_policy p join pg_class c on c.oid = p.polrelid join ours on ours.oid = c.relnamespace
union all
select format('drop trigger %I on %s', t.tgname, t.tgrelid::regclass), 2
from pg_trigger t join pg_class c on c.oid = t.tgrelid join ours on ours.oid = c.relnamespace
where not t.tgisinternal and t.tgparentid = 0  -- a partition's clone goes with its parent's trigger
union all
select format('drop view if exists %s cascade', c.oid::regclass), 3
from pg_class c join ours on ours.oid = c.relnamespace where c.relkind in ('v', 'm')
union all
select format('drop routine if exists %s', p.oid::regprocedure), 4
from pg_proc p join ours on ours.oid = p.pronamespace
where not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
union all
select format('alter table %s no force row level security, disable row level security', c.oid::regclass), 5
from pg_class c join ours on ours.oid = c.relnamespace where c.relkind in ('r', 'p') and c.relrowsecurity
union all
select format('revoke all on all tables in schema %I from %s', ours.nspname, grantee), 5
from ours, grantees
union all
select format('revoke all on all sequences in schema %I from %s', ours.nspname, grantee), 5
from ours, grantees
union all
select format('revoke all on schema %I from %s', ours.nspname, grantee), 5
from ours, grantees
order by step
"""
