"""Bulk writes cost less per row: ids in batches, two redundant foreign keys
gone, a partial audit user index, timestamps stamped on INSERT only when a
client sent its own (db/audit/audit.sql); the OneRoster import's
inserts use the batched ids (db/roster/import.sql); computed
relationships keep `enrollments?select=*,schools(...)` working without the key
(db/tenancy/computed.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T16:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bulk writes: batched ids, redundant keys dropped, cheaper timestamps"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Table state only: its functions, views, triggers, policies and grants
    # are code, applied from the current files after the versioned steps (db/README.md).
    manager.add_raw(run_sql("migrations/sql/m0017_bulk_writes_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0017_bulk_writes_down.sql"))
    return manager
