"""Issue 13 F7 (an email of another school was an existence oracle): login
emails unique per school instead of across schools. Table state only; the
school-scoped login lookup is code (auth.login_lookup, db/tenancy/auth.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-07T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "emails unique per school, not across schools"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("migrations/sql/m0052_email_per_school_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0052_email_per_school_down.sql"))
    return manager
