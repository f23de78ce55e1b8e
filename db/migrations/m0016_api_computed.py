"""Computed fields and computed relationships of the api views
(db/tenancy/computed.sql): full_name, current_term, current_classes,
and the RPC search_students whose rows embed like students."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager


ID = "2026-11-26T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "api computed fields and computed relationships"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Code only: what it created now lives in the current code files (db/README.md);
    # the ID stays because databases out there have it applied.
    return manager
