"""api.full_name without a pinned search_path, so the planner inlines it
(db/tenancy/0018_full_name_inline_up.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T16:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "api.full_name inlinable"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("tenancy/0018_full_name_inline_up.sql"))
    manager.add_raw_backwards(run_sql("tenancy/0018_full_name_inline_down.sql"))
    return manager
