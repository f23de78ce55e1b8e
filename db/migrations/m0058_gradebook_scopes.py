"""Issue 17 (gradebook completeness): an admin can grant every OneRoster 1.2
Gradebook scope of the binding's securitySchemes, not three of them:
`gradebook-core.readonly` (reading every object or one object) and
`gradebook.createpost` (the POSTs where the service allocates the sourcedIds)
join `gradebook.readonly`, `gradebook.createput` and `gradebook.delete`; and
`assessment.readonly`, which 1.2 puts on the assessment line item and result
reads.
Table state only: the CHECK on data.partner_clients.scopes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from db.sql_files import run_sql

ID = "2026-12-08T01:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "gradebook scopes: gradebook-core.readonly, gradebook.createpost, assessment.readonly"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="db", description=DESCRIPTION)
    manager.add_raw(run_sql("migrations/sql/m0058_gradebook_scopes_up.sql"))
    manager.add_raw_backwards(run_sql("migrations/sql/m0058_gradebook_scopes_down.sql"))
    return manager
