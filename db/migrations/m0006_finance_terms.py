"""Money and calendar rules: invoice totals, balances and statuses, payments
that serialise per invoice, one current term per school, the class register."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Finance rules, current term, class attendance"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("finance/0006_finance_up.sql", "terms/0006_terms_up.sql", "terms/0006_attendance_up.sql"))
    manager.add_raw_backwards(
        run_sql("terms/0006_attendance_down.sql", "terms/0006_terms_down.sql", "finance/0006_finance_down.sql")
    )
    return manager
