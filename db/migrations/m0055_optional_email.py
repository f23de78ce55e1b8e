"""Issue 17 (CSV as partners send it): OneRoster 1.2 makes a user's email
optional, and partners send students without one; such a user is imported
without a login address (it cannot log in by password until it gets one).
Table state only: NOT NULL -> NULL on data.users.email. The unique index on
lower(email) is untouched (NULLs never collide)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-08T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "optional email: users imported without one"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("migrations/sql/m0055_optional_email_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0055_optional_email_down.sql"))
    return manager
