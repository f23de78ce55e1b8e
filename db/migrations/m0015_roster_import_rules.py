"""OneRoster import rules: rows entered by hand are adopted by natural key,
conflicts are per-row rejects, guardian links follow agentSourcedIds both ways,
a dropped teacher enrollment clears the class's teacher
(db/roster/import_rules.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager


ID = "2026-11-26T16:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OneRoster import rules: adoption, per-row conflicts, guardian links"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Code only: what it created now lives in the current code files (db/README.md);
    # the ID stays because databases out there have it applied.
    return manager
