"""Issue 17 (fast paging): the OneRoster views order by `sourced_id, id`, where
sourced_id is `coalesce(sourced_id, (id::text)::varchar)`. m0009's indexes are
on `coalesce(sourced_id, id::text)` (text, not varchar): another expression,
so no page and no `sourcedId` lookup could use them and every page sorted the
school. Table state only: the same indexes on the views' own expression, with
id last, so a page is an ordered index walk per source table under a Merge
Append, cut by its LIMIT; and partial indexes of the deleted students and
classes, which the enrollments' walk leaves out (oneroster.enrollment_keys)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-08T00:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "oneroster paging: sourcedId indexes on the views' own expression"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("migrations/sql/m0056_oneroster_paging_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0056_oneroster_paging_down.sql"))
    return manager
