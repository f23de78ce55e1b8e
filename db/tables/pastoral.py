"""Communication and care: announcements, discipline, health, contact log."""

from piccolo.columns import JSONB, UUID, Boolean, Date, Text, Timestamptz, Varchar
from piccolo.table import Table

from db.tables import choices
from db.tables._columns import created_at, is_deleted, school_ref, tenant_ref, text, updated_at, uuid_pk
from db.tables.core import School


class Announcement(Table, tablename="announcements", schema="data"):
    id = uuid_pk()
    title = text()
    content = Text(default=None)
    published_at = Timestamptz(default=None)
    school_id = school_ref(School)
    created_by_user_id = tenant_ref()
    # {"roles": ["TEACHER", "PARENT", ...]}: who may read it (row-level security reads it).
    audience = JSONB(default='{"roles": ["ADMIN", "TEACHER", "PARENT", "STUDENT"]}')
    created_at = created_at()
    updated_at = updated_at()


class DisciplineIncident(Table, tablename="discipline_incidents", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    student_id = tenant_ref()
    reported_by_user_id = tenant_ref()
    incident_date = Timestamptz(default=None)
    description = Text(default=None)
    severity = Varchar(length=50, null=True, default=None, choices=choices.Severity)
    action_taken = Text(null=True, default=None)
    resolved = Boolean(default=False)
    resolved_by_user_id = tenant_ref(null=True)
    resolved_date = Timestamptz(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()


class HealthRecord(Table, tablename="health_records", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    student_id = tenant_ref()
    record_date = Date(default=None)
    type = Varchar(length=50, default=None, choices=choices.HealthRecordType)
    details = Text(default=None)
    recorded_by_user_id = tenant_ref()
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()


class CommunicationLog(Table, tablename="communication_logs", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    initiated_by_user_id = tenant_ref()
    party_type = Varchar(length=50, default=None, choices=choices.PartyType)
    # A parent or a student of the same school, by party_type (checked by trigger).
    party_id = UUID(default=None)
    date = Timestamptz(default=None)
    method = Varchar(length=50, null=True, default=None, choices=choices.CommunicationMethod)
    summary = Text(default=None)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
