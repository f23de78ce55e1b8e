"""Bring a database to a migration: bootstrap the cluster roles, then Piccolo.

`to="head"` applies every migration; `to="zero"` undoes them all (back to an
empty database); any other value is a migration ID to go back to (kept applied).
"""

from __future__ import annotations

import os

from db.bootstrap import bootstrap
from db.database import admin_url

HEAD = "head"
ZERO = "zero"


async def migrate(to: str = HEAD) -> None:
    url = admin_url()
    await bootstrap(url)
    # piccolo_conf reads DATABASE_URL when Piccolo first looks for its engine.
    os.environ["DATABASE_URL"] = url
    from piccolo.apps.migrations.commands.backwards import run_backwards
    from piccolo.apps.migrations.commands.forwards import run_forwards

    if to == HEAD:
        result = await run_forwards(app_name="db", migration_id="all")
    elif to == ZERO:
        result = await run_backwards(app_name="db", migration_id="all", auto_agree=True)
    else:
        result = await _back_to(to)
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}")


async def _back_to(migration_id: str):
    """Undo the migrations applied after `migration_id`, keeping it."""
    from piccolo.apps.migrations.commands.backwards import run_backwards
    from piccolo.apps.migrations.tables import Migration

    applied = await Migration.get_migrations_which_ran(app_name="db")
    if migration_id not in applied:
        raise RuntimeError(f"{migration_id} is not an applied migration; applied: {', '.join(applied) or 'none'}")
    later = applied[applied.index(migration_id) + 1 :]
    if not later:
        from piccolo.apps.migrations.commands.base import MigrationResult

        return MigrationResult(success=True, message="nothing to undo")
    return await run_backwards(app_name="db", migration_id=later[0], auto_agree=True)
