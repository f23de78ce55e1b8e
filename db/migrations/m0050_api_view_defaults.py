"""api views default school_id to the caller's school (db/tenancy/api_views.sql).

Its ID sorts after every migration that creates api views, so it runs last."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager


ID = "2026-11-26T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "api views: school_id defaults to the caller's school"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Code only: what it created now lives in the current code files (db/README.md);
    # the ID stays because databases out there have it applied.
    return manager
