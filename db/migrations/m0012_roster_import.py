"""OneRoster 1.2 CSV import: validation and set-based merge of staged files,
run in the caller's transaction (db/roster/import.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager


ID = "2026-11-26T15:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OneRoster CSV import functions"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Code only: what it created now lives in the current code files (db/README.md);
    # the ID stays because databases out there have it applied.
    return manager
