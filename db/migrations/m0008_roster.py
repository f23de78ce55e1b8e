"""Roster sync contract: sourcedId keys (unique per school and table, kept by a
soft-deleted row so an import can revive it), sourced_id on the api views (last
column), and the column grants data.users needs (db/roster/)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OneRoster sourcedId keys, api view columns and grants"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Table state only: its functions, views, triggers, policies and grants
    # are code, applied from the current files after the versioned steps (db/README.md).
    manager.add_raw(run_sql("migrations/sql/m0008_roster_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0008_roster_down.sql"))
    return manager
