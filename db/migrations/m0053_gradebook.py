"""OneRoster 1.2 Gradebook (issue 17): categories and score scales get tables
of their own; assignments become line items and grades results (their
sourcedId, category, score scale, score status...). Table state only; the
views and write functions are in the current code file db/roster/gradebook.sql
(db/migrations/sql/m0053_gradebook_*.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-08T00:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OneRoster 1.2 gradebook: categories, score scales, line item and result columns"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("migrations/sql/m0053_gradebook_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0053_gradebook_down.sql"))
    return manager
