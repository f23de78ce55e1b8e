"""Issue 13 (one school cannot block another): an owner-only lock row per
school for import starts, and the partner secret's rotation time. Table state
only; roster.start_run and auth.partner_client_active use them (db/roster/runs.sql,
db/tenancy/auth.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-07T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "fairness: owner-only import lock rows, partner secret rotation time"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("migrations/sql/m0051_fairness_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0051_fairness_down.sql"))
    return manager
