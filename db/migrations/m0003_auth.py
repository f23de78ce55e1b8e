"""Claim helpers in `auth`: who is asking (role, school, user, request id)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Auth: claim helpers and reporting-login registry"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Table state only: its functions, views, triggers, policies and grants
    # are code, applied from the current files after the versioned steps (db/README.md).
    manager.add_raw(run_sql("migrations/sql/m0003_auth_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0003_auth_down.sql"))
    return manager
