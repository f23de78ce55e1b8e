"""Partner clients may hold the OneRoster 1.2 Gradebook scopes: the scopes
CHECK widens (db/migrations/sql/m0019_oneroster_1p2_*.sql). Table state only;
the OneRoster views' change of issue 17 (a course for every class) is in the
current code file db/roster/oneroster_views.sql."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-07T20:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OneRoster 1.2: gradebook scopes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("migrations/sql/m0019_oneroster_1p2_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0019_oneroster_1p2_down.sql"))
    return manager
