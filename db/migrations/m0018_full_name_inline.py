"""api.full_name without a pinned search_path, so the planner inlines it
(db/tenancy/computed.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager


ID = "2026-11-26T16:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "api.full_name inlinable"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Code only: what it created now lives in the current code files (db/README.md);
    # the ID stays because databases out there have it applied.
    return manager
