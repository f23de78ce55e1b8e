"""OneRoster import rules: rows entered by hand are adopted by natural key,
conflicts are per-row rejects, guardian links follow agentSourcedIds both ways,
a dropped teacher enrollment clears the class's teacher
(db/roster/0015_import_rules_up.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T16:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OneRoster import rules: adoption, per-row conflicts, guardian links"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("roster/0015_import_rules_up.sql"))
    # Back to m0013's import: 0012's functions dropped and created again, then
    # 0013's replacements of some of them.
    manager.add_raw_backwards(
        run_sql(
            "roster/0015_import_rules_down.sql",
            "roster/0012_import_down.sql",
            "roster/0012_import_up.sql",
            "roster/0013_import_speed_up.sql",
        )
    )
    return manager
