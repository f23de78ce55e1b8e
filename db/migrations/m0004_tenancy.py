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

PARTS = ("scopes", "policies", "api_views", "grants", "reporting", "login")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql(*(f"tenancy/0004_{part}_up.sql" for part in PARTS)))
    manager.add_raw_backwards(run_sql(*(f"tenancy/0004_{part}_down.sql" for part in reversed(PARTS))))
    return manager
