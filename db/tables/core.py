"""Tenancy and identity: schools, their users, their settings, the audit log."""

from piccolo.columns import JSONB, UUID, Boolean, OnDelete, Text, Time, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from db.tables import choices
from db.tables._columns import created_at, is_deleted, school_key, school_ref, tenant_ref, text, updated_at, uuid_pk


class School(Table, tablename="schools", schema="data"):
    id = uuid_pk()
    name = text()
    address = Text(null=True, default=None)
    contact_email = text(null=True)
    contact_phone = text(50, null=True)
    created_at = created_at()
    updated_at = updated_at()
    # The partner's OneRoster sourcedId (roster sync keys on it, unique per school).
    sourced_id = Varchar(length=255, null=True, default=None)
    # Extension columns of the imported OneRoster CSV row (m0057).
    metadata = JSONB(null=True, default=None)


class User(Table, tablename="users", schema="data"):
    """A login. Profiles (student, teacher, parent) point at it; admins have none."""

    id = uuid_pk()
    school_id = school_ref(School)
    # Optional (m0055): OneRoster 1.2 imports students without one; no login then.
    email = text(null=True)
    # An argon2id hash (db/schema/tenancy), never readable by an API role.
    password_hash = text()
    role = Varchar(length=50, default=None, choices=choices.UserRole)
    is_active = Boolean(default=True)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    # The partner's OneRoster sourcedId (roster sync keys on it, unique per school).
    sourced_id = Varchar(length=255, null=True, default=None)
    # Extension columns of the imported OneRoster CSV row (m0057).
    metadata = JSONB(null=True, default=None)



class SchoolSettings(Table, tablename="school_settings", schema="data"):
    """One row per school (its primary key is the school's id)."""

    school_id = UUID(primary_key=True, default=None)
    current_academic_term_id = tenant_ref(null=True)
    attendance_start_time = Time(null=True, default=None)
    attendance_end_time = Time(null=True, default=None)
    grading_scale_details = JSONB(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()


class AuditLog(Table, tablename="audit_log", schema="audit"):
    """Append-only; written only by the generic audit trigger (db/schema/audit)."""

    id = uuid_pk()
    school_id = school_key()
    user_id = tenant_ref(null=True)
    # Who acted when there is no user row: the JWT role and subject (a partner's client id).
    actor_role = Varchar(length=63, null=True, default=None)
    actor_sub = Varchar(length=255, null=True, default=None)
    occurred_at = Timestamptz(default=TimestamptzNow())
    table_name = text()
    record_id = UUID(default=None)
    action = Varchar(length=50, default=None, choices=choices.AuditAction)
    old_data = JSONB(null=True, default=None)
    new_data = JSONB(null=True, default=None)
    request_id = Varchar(length=255, null=True, default=None)


