"""Audit trail and record lifecycle: the generic audit trigger on every data
table, the append-only log, soft delete (tables and api views), student purge."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Audit trail, soft delete and student purge"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Audit first: soft delete and purge rely on audit.purge_in_progress().
    manager.add_raw(run_sql("audit/0005_audit_up.sql", "lifecycle/0005_soft_delete_up.sql", "lifecycle/0005_purge_up.sql"))
    manager.add_raw_backwards(
        run_sql("lifecycle/0005_purge_down.sql", "lifecycle/0005_soft_delete_down.sql", "audit/0005_audit_down.sql")
    )
    return manager
