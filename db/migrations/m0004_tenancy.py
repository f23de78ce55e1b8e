"""Tenancy: row-level security on every table, least-privilege grants, the api
views the gateway exposes, reporting views and logins, and the login lookup.

Order matters: scope helpers before the policies that call them, views before
the grants on them. Backwards runs the undo files in the reverse order.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T14:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Tenancy: RLS policies, grants, api views, reporting, login lookup"



async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Table state only: its functions, views, triggers, policies and grants
    # are code, applied from the current files after the versioned steps (db/README.md).
    manager.add_raw(run_sql("migrations/sql/m0004_tenancy_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0004_tenancy_down.sql"))
    return manager
