"""Teaching: terms, subjects, rooms, classes, enrollments, attendance, assignments,
assessments and grades."""

from piccolo.columns import JSONB, Boolean, Date, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from db.tables import choices
from db.tables._columns import created_at, is_deleted, school_key, school_ref, tenant_ref, text, updated_at, uuid_pk
from db.tables.core import School


def score() -> Numeric:
    """numeric(5,2): exact, never a float."""
    return Numeric(digits=(5, 2), null=True, default=None)


class AcademicTerm(Table, tablename="academic_terms", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    name = text()
    start_date = Date(default=None)
    end_date = Date(default=None)
    type = Varchar(length=50, null=True, default=None, choices=choices.TermType)
    # A term inside a year (OneRoster's academicSession parent).
    parent_id = tenant_ref(null=True)
    # At most one per school: partial unique index + set_current_term() (db/schema/terms).
    is_current = Boolean(default=False)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    # The partner's OneRoster sourcedId (roster sync keys on it, unique per school).
    sourced_id = Varchar(length=255, null=True, default=None)
    # Extension columns of the imported OneRoster CSV row (m0057).
    metadata = JSONB(null=True, default=None)


class Subject(Table, tablename="subjects", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    name = text()
    description = Text(null=True, default=None)
    code = text(50, null=True)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    # The partner's OneRoster sourcedId (roster sync keys on it, unique per school).
    sourced_id = Varchar(length=255, null=True, default=None)
    # Extension columns of the imported OneRoster CSV row (m0057).
    metadata = JSONB(null=True, default=None)


class Room(Table, tablename="rooms", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    name = text()
    type = Varchar(length=50, null=True, default=None, choices=choices.RoomType)
    capacity = Integer(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()


class Class(Table, tablename="classes", schema="data"):
    id = uuid_pk()
    name = text()
    academic_year = text(50)
    school_id = school_ref(School)
    teacher_id = tenant_ref(null=True)
    # Links the plan suggests for later (subject, term, room), used by roster sync.
    subject_id = tenant_ref(null=True)
    academic_term_id = tenant_ref(null=True)
    room_id = tenant_ref(null=True)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    # The partner's OneRoster sourcedId (roster sync keys on it, unique per school).
    sourced_id = Varchar(length=255, null=True, default=None)
    # Extension columns of the imported OneRoster CSV row (m0057).
    metadata = JSONB(null=True, default=None)


class Enrollment(Table, tablename="enrollments", schema="data"):
    """Join table: composite primary key (school, student, class) set in SQL."""

    id = uuid_pk()
    student_id = tenant_ref()
    class_id = tenant_ref()
    school_id = school_key()
    enrollment_date = Date(null=True, default=None)
    completion_date = Date(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
    # The partner's OneRoster sourcedId (roster sync keys on it, unique per school).
    sourced_id = Varchar(length=255, null=True, default=None)
    # Extension columns of the imported OneRoster CSV row (m0057).
    metadata = JSONB(null=True, default=None)


class AttendanceRecord(Table, tablename="attendance_records", schema="data"):
    id = uuid_pk()
    date = Date(default=None)
    status = Varchar(length=50, default=None, choices=choices.AttendanceStatus)
    # The plan's `sessionId` ("AM", "Period 1"): a label, not a key, hence the name.
    session = text(50, null=True)
    student_id = tenant_ref()
    class_id = tenant_ref(null=True)
    recorded_by_id = tenant_ref()
    school_id = school_ref(School)
    created_at = created_at()
    updated_at = updated_at()


class Assignment(Table, tablename="assignments", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    class_id = tenant_ref()
    subject_id = tenant_ref(null=True)
    teacher_id = tenant_ref(null=True)
    title = text()
    description = Text(null=True, default=None)
    due_date = Timestamptz(null=True, default=None)
    assigned_date = Timestamptz(default=TimestamptzNow())
    max_score = score()
    type = Varchar(length=50, null=True, default=None, choices=choices.AssignmentType)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    # OneRoster 1.2 line item (m0053): the partner's sourcedId, its category,
    # grading period, score scale and resultValueMin.
    sourced_id = Varchar(length=255, null=True, default=None)
    # Extension columns of the imported OneRoster CSV row (m0057).
    metadata = JSONB(null=True, default=None)
    category_id = tenant_ref(null=True)
    academic_term_id = tenant_ref(null=True)
    score_scale_id = tenant_ref(null=True)
    min_score = score()
    # Scores above max_score allowed (OneRoster extra credit; db/integrity/triggers.sql).
    allows_extra_credit = Boolean(default=False)


class Assessment(Table, tablename="assessments", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    name = text()
    subject_id = tenant_ref(null=True)
    class_id = tenant_ref(null=True)
    exam_date = Timestamptz(null=True, default=None)
    max_score = score()
    weight = score()
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()


class Grade(Table, tablename="grades", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    assignment_id = tenant_ref(null=True)
    assessment_id = tenant_ref(null=True)
    student_id = tenant_ref()
    score = score()
    grade = text(10, null=True)
    feedback = Text(null=True, default=None)
    # Null when a partner system recorded it (OneRoster PUT result; the audit log names it).
    recorded_by_user_id = tenant_ref(null=True)
    recorded_at = Timestamptz(default=TimestamptzNow())
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    # OneRoster 1.2 result (m0053).
    sourced_id = Varchar(length=255, null=True, default=None)
    # Extension columns of the imported OneRoster CSV row (m0057).
    metadata = JSONB(null=True, default=None)
    score_status = Varchar(length=20, null=True, default=None, choices=choices.ScoreStatus)
    score_date = Date(null=True, default=None)


class GradeCategory(Table, tablename="grade_categories", schema="data"):
    """OneRoster 1.2 category of line items (m0053)."""

    id = uuid_pk()
    school_id = school_ref(School)
    title = text()
    weight = score()
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    sourced_id = Varchar(length=255, null=True, default=None)
    # Extension columns of the imported OneRoster CSV row (m0057).
    metadata = JSONB(null=True, default=None)


class ScoreScale(Table, tablename="score_scales", schema="data"):
    """OneRoster 1.2 score scale of a class (m0053): scale_values holds the
    itemValueLHS/itemValueRHS pairs."""

    id = uuid_pk()
    school_id = school_ref(School)
    title = text()
    type = text()
    class_id = tenant_ref()
    scale_values = JSONB(default=None)
    created_at = created_at()
    updated_at = updated_at()
    is_deleted = is_deleted()
    sourced_id = Varchar(length=255, null=True, default=None)
    # Extension columns of the imported OneRoster CSV row (m0057).
    metadata = JSONB(null=True, default=None)
