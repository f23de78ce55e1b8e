"""Roster scopes in the database, and import runs that cannot be left RUNNING.

- db/roster/oneroster_views.sql, db/tenancy/policies.sql: the OneRoster read views move from `api`
  (PostgREST resources) to their own schema `oneroster`, read by the OneRoster
  REST routes only; partner_sync policies ask for the token's scopes.
- db/roster/runs.sql: a run holds an advisory lock for its life;
  runs whose lock is free are failed as interrupted; one run per school at a time.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-11-26T16:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Roster scopes enforced by the database; interrupted import runs"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    # Table state only: its functions, views, triggers, policies and grants
    # are code, applied from the current files after the versioned steps (db/README.md).
    manager.add_raw(run_sql("migrations/sql/m0014_roster_views_scope_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0014_roster_views_scope_down.sql"))
    return manager
