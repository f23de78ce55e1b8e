"""OneRoster 1.2 read views: the roster in OneRoster's vocabulary, soft-deleted
rows kept as status 'tobedeleted' for delta readers (gateway/oneroster)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OneRoster read views"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Table state only: its functions, views, triggers, policies and grants
    # are code, applied from the current files after the versioned steps (db/README.md).
    manager.add_raw(run_sql("migrations/sql/m0009_oneroster_views_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0009_oneroster_views_down.sql"))
    return manager
