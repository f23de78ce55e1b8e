"""Integrity Piccolo cannot declare: tenant-consistent composite keys, CHECKs,
partial uniques, foreign-key indexes, the generated line total, timestamps."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Integrity: composite keys, checks, uniques, indexes, triggers"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("integrity/0002_up.sql"))
    manager.add_raw_backwards(run_sql("integrity/0002_down.sql"))
    return manager
