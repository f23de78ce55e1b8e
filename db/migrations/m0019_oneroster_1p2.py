"""Partner clients may hold the OneRoster 1.2 Gradebook scopes
(db/roster/0019_gradebook_scopes_*.sql); a OneRoster class without a subject
gets a course of its own (db/roster/0019_course_of_class_*.sql), as the 1.2
schema requires one."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-07T20:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OneRoster 1.2: gradebook scopes, a course for every class"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("roster/0019_gradebook_scopes_up.sql", "roster/0019_course_of_class_up.sql"))
    manager.add_raw_backwards(run_sql("roster/0019_course_of_class_down.sql", "roster/0019_gradebook_scopes_down.sql"))
    return manager
