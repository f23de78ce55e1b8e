"""api views default school_id to the caller's school (db/tenancy/0050_*).

Its ID sorts after every migration that creates api views, so it runs last."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "api views: school_id defaults to the caller's school"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("tenancy/0050_view_defaults_up.sql"))
    manager.add_raw_backwards(run_sql("tenancy/0050_view_defaults_down.sql"))
    return manager
