"""Money and calendar rules: invoice totals, balances and statuses, payments
that serialise per invoice, one current term per school, the class register."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Finance rules, current term, class attendance"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Table state only: its functions, views, triggers, policies and grants
    # are code, applied from the current files after the versioned steps (db/README.md).
    manager.add_raw(run_sql("migrations/sql/m0006_finance_terms_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0006_finance_terms_down.sql"))
    return manager
