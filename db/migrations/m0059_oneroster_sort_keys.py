"""Issue 17 (fast paging, sorted reads): OneRoster's `sort=familyName` and
PostgREST's `order=last_name,id` sorted every person of the school per page:
the only last-name index (students_last_name_idx) is under "C" collation for
prefix searches, which an ORDER BY in the database's collation cannot use.
Table state only: (school_id, last_name, id) on the three person tables, the
order of the page-key views' `family_name` walk (db/roster/oneroster_views.sql)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-08T01:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "oneroster paging: family-name indexes for sorted pages"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("migrations/sql/m0059_oneroster_sort_keys_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0059_oneroster_sort_keys_down.sql"))
    return manager
