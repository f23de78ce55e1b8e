"""Partner roster sync: OAuth client credentials (data.partner_clients, argon2id
secrets, revocation enforced by every partner_sync policy), the record of each
sync run (data.sync_runs), and the OneRoster CSV import functions (db/roster/)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T15:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Partner clients, sync runs, OneRoster CSV import"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Table state only: its functions, views, triggers, policies and grants
    # are code, applied from the current files after the versioned steps (db/README.md).
    manager.add_raw(run_sql("migrations/sql/m0011_partners_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0011_partners_down.sql"))
    return manager
