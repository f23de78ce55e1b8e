"""Bring a database to a migration: bootstrap the cluster roles, then the
versioned migrations (Piccolo: tables and data moves), then the code files
(db/code.py: functions, views, triggers, policies, grants).

`to="head"` applies every versioned migration, then the code files: all of
them when a versioned migration ran, else the changed ones. `to="zero"` undoes
everything (back to an empty database). Any other value is a migration ID to
go back to (kept applied): its tables, keys and indexes, and no code objects,
until the next `migrate` to head rebuilds them from the checked-out tree
(db/README.md, "Going back").
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import asyncpg

from db.bootstrap import bootstrap
from db.code import BOOKKEEPING, apply_code, drop_code
from db.database import OWNER_ROLE, admin_url

HEAD = "head"
ZERO = "zero"


async def migrate(to: str = HEAD) -> None:
    url = admin_url()
    await bootstrap(url)
    # piccolo_conf reads DATABASE_URL when Piccolo first looks for its engine.
    os.environ["DATABASE_URL"] = url
    from piccolo.apps.migrations.commands.backwards import run_backwards
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.apps.migrations.tables import Migration

    if to == HEAD:
        before = await _applied(Migration)
        rebuild = bool(_migration_ids() - set(before))
        if rebuild:
            # A table change may be refused while a view or policy depends on
            # it, and may leave them stale: no code during the versioned steps
            # (no grants either, so API roles see nothing meanwhile).
            await _with_owner(url, drop_code)
        _check(await run_forwards(app_name="db", migration_id="all"))
        applied = await _with_owner(url, lambda c: apply_code(c, rebuild=rebuild))
        print(f"code files: {len(applied)} applied{' (rebuild)' if rebuild else ''}: {', '.join(applied) or 'none changed'}")
        created = await _with_owner(url, ensure_partitions)
        if created:
            print(f"partitions created: {', '.join(created)}")
        return
    later = _later_than(to, await _applied(Migration))
    if not later:
        print("nothing to undo")  # and the code stays: it belongs to this migration
        return
    await _with_owner(url, drop_code)
    _check(await run_backwards(app_name="db", migration_id="all" if to == ZERO else later[0], auto_agree=True))
    if to == ZERO:
        await _with_owner(url, lambda c: c.execute(f"drop schema if exists {BOOKKEEPING} cascade"))


# Monthly partitions of attendance_records and audit_log made ahead of time
# (db/partitions/partitions.sql). Rows of a month without one land in the
# default partition; `school-gateway partitions ensure` from cron keeps ahead.
PARTITION_MONTHS_AHEAD_DEFAULT = 3


def partition_months_ahead() -> int:
    value = os.environ.get("PARTITION_MONTHS_AHEAD", "")
    return int(value) if value.strip() else PARTITION_MONTHS_AHEAD_DEFAULT


async def ensure_partitions(connection: asyncpg.Connection, months_ahead: int | None = None) -> list[str]:
    """Create this month's partitions and `months_ahead` more (as the owner); the names created."""
    ahead = partition_months_ahead() if months_ahead is None else months_ahead
    rows = await connection.fetch("select data.ensure_partitions($1) as name", ahead)
    return [r["name"] for r in rows]


def _later_than(to: str, applied: list[str]) -> list[str]:
    """The applied migrations that going back to `to` undoes (`zero`: all of them)."""
    if to == ZERO:
        return applied
    if to not in applied:
        raise RuntimeError(f"{to} is not an applied migration; applied: {', '.join(applied) or 'none'}")
    return applied[applied.index(to) + 1 :]


def _migration_ids() -> set[str]:
    folder = Path(__file__).parent / "migrations"
    return {m.group(1) for f in folder.glob("m*.py") if (m := re.search(r'^ID = "(.+)"$', f.read_text(), re.M))}


def _check(result) -> None:
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}")


async def _applied(migration_table) -> list[str]:
    if not await migration_table.table_exists().run():
        return []
    return await migration_table.get_migrations_which_ran(app_name="db")


async def _with_owner(url: str, action) -> object:
    """Run `action(connection)` as the owner, as the versioned migrations do (piccolo_conf.py)."""
    connection = await asyncpg.connect(url, server_settings={"role": OWNER_ROLE})
    try:
        return await action(connection)
    finally:
        await connection.close()
