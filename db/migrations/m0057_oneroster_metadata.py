"""Issue 17: OneRoster CSV extension columns (`metadata.*`, `ext_*`, `ext.*`)
are kept, not only accepted: a JSONB `metadata` object on every table an
imported file lands in, returned in the OneRoster REST objects' `metadata`.
Table state only (db/migrations/sql/m0057_oneroster_metadata_*.sql); the
import writes it (db/roster/import*.sql), the views read it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-08T01:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "oneroster metadata: extension columns of imported CSV rows as JSONB"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("migrations/sql/m0057_oneroster_metadata_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0057_oneroster_metadata_down.sql"))
    return manager
