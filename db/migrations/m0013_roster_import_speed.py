"""OneRoster import speed (issue 7): a cheaper audit trigger for every write
(db/audit/0013_record_changes_up.sql) and set-based rewrites of the import's
slow statements (db/roster/0013_import_speed_up.sql). Same behaviour, same
audit entries."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OneRoster import speed"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("audit/0013_record_changes_up.sql", "roster/0013_import_speed_up.sql"))
    # Back to 0012's import functions: dropped and created again from 0012's own
    # file (a copy of them here would be 330 lines to keep identical).
    manager.add_raw_backwards(
        run_sql("roster/0012_import_down.sql", "roster/0012_import_up.sql", "audit/0013_record_changes_down.sql")
    )
    return manager
