"""Integrity Piccolo cannot declare: tenant-consistent composite keys, CHECKs,
partial uniques, foreign-key indexes, the generated line total, timestamps."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Integrity: composite keys, checks, uniques, indexes, triggers"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Table state only: its functions, views, triggers, policies and grants
    # are code, applied from the current files after the versioned steps (db/README.md).
    manager.add_raw(run_sql("migrations/sql/m0002_integrity_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0002_integrity_down.sql"))
    return manager
