"""People of a school: students, teachers, parents, and who is whose child."""

from piccolo.columns import Date, Text, Varchar
from piccolo.table import Table

from db.tables import choices
from db.tables._columns import created_at, is_deleted, school_ref, tenant_ref, text, updated_at, uuid_pk
from db.tables.core import School


class Student(Table, tablename="students", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    # The plan's `studentId`: the school's own student code, unique per school.
    student_number = text(50)
    first_name = text()
    last_name = text()
    date_of_birth = Date(null=True, default=None)
    gender = Varchar(length=20, null=True, default=None, choices=choices.Gender)
    enrollment_status = Varchar(length=50, default="ACTIVE", choices=choices.EnrollmentStatus)
    user_id = tenant_ref(null=True)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    # The partner's OneRoster sourcedId (roster sync keys on it, unique per school).
    sourced_id = Varchar(length=255, null=True, default=None)


class Teacher(Table, tablename="teachers", schema="data"):
    id = uuid_pk()
    user_id = tenant_ref()
    school_id = school_ref(School)
    # Not in the plan's teacher profile, but every screen and roster needs a name.
    first_name = text()
    last_name = text()
    employee_id = text(50, null=True)
    date_of_joining = Date(null=True, default=None)
    qualification = Text(null=True, default=None)
    contact_phone = text(50, null=True)
    contact_address = Text(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    # The partner's OneRoster sourcedId (roster sync keys on it, unique per school).
    sourced_id = Varchar(length=255, null=True, default=None)


class Parent(Table, tablename="parents", schema="data"):
    id = uuid_pk()
    user_id = tenant_ref(null=True)
    school_id = school_ref(School)
    first_name = text()
    last_name = text()
    relation_to_student = Varchar(length=50, default=None, choices=choices.RelationToStudent)
    contact_phone = text(50, null=True)
    contact_email = text(null=True)
    contact_address = Text(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    # The partner's OneRoster sourcedId (roster sync keys on it, unique per school).
    sourced_id = Varchar(length=255, null=True, default=None)


class StudentParent(Table, tablename="student_parents", schema="data"):
    """Join table. The plan's composite primary key (school, student, parent) is
    set in SQL; `id` stays as a unique handle for clients that need one key."""

    id = uuid_pk()
    student_id = tenant_ref()
    parent_id = tenant_ref()
    school_id = school_ref(School)
    created_at = created_at()
