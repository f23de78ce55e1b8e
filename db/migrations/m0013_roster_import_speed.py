"""OneRoster import speed (issue 7): a cheaper audit trigger for every write
(db/audit/audit.sql) and set-based rewrites of the import's
slow statements (db/roster/import.sql). Same behaviour, same
audit entries."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager


ID = "2026-11-26T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OneRoster import speed"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Code only: what it created now lives in the current code files (db/README.md);
    # the ID stays because databases out there have it applied.
    return manager
