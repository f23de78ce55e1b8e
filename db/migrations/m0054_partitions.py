"""Issue 15, item 3: attendance_records and audit_log partitioned by month
(declarative range partitioning on `date` and `occurred_at`), every row kept.
Table state only: the partitions' row-level security, the append-only
triggers on audit partitions and data.ensure_partitions (partitions ahead)
are code (db/partitions/partitions.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-08T00:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partitions: attendance_records by date, audit_log by occurred_at, monthly"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("migrations/sql/m0054_partitions_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0054_partitions_down.sql"))
    return manager
