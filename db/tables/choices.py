"""Closed sets of values, one Enum per column family.

The database enforces each set with a CHECK constraint written in the migration
SQL (`db/schema/`); `tests/db/test_catalog.py` fails when a set here and its
CHECK drift apart. Values are upper-case codes, as the database plan uses.
"""

from enum import Enum


class UserRole(str, Enum):
    ADMIN = "ADMIN"
    TEACHER = "TEACHER"
    PARENT = "PARENT"
    STUDENT = "STUDENT"


class Gender(str, Enum):
    FEMALE = "FEMALE"
    MALE = "MALE"
    NON_BINARY = "NON_BINARY"
    OTHER = "OTHER"
    UNDISCLOSED = "UNDISCLOSED"


class EnrollmentStatus(str, Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUSPENDED = "SUSPENDED"
    GRADUATED = "GRADUATED"
    TRANSFERRED = "TRANSFERRED"
    WITHDRAWN = "WITHDRAWN"


class AttendanceStatus(str, Enum):
    PRESENT = "PRESENT"
    ABSENT = "ABSENT"
    LATE = "LATE"
    EXCUSED = "EXCUSED"


class RelationToStudent(str, Enum):
    MOTHER = "MOTHER"
    FATHER = "FATHER"
    GUARDIAN = "GUARDIAN"
    GRANDPARENT = "GRANDPARENT"
    SIBLING = "SIBLING"
    OTHER = "OTHER"


class AssignmentType(str, Enum):
    HOMEWORK = "HOMEWORK"
    QUIZ = "QUIZ"
    PROJECT = "PROJECT"
    ESSAY = "ESSAY"
    LAB = "LAB"
    CLASSWORK = "CLASSWORK"
    OTHER = "OTHER"


class ScoreStatus(str, Enum):
    """OneRoster 1.2 scoreStatus, upper-cased like every closed set here."""

    EXEMPT = "EXEMPT"
    FULLY_GRADED = "FULLY_GRADED"
    NOT_SUBMITTED = "NOT_SUBMITTED"
    PARTIALLY_GRADED = "PARTIALLY_GRADED"
    SUBMITTED = "SUBMITTED"


class TermType(str, Enum):
    YEAR = "YEAR"
    SEMESTER = "SEMESTER"
    TRIMESTER = "TRIMESTER"
    TERM = "TERM"
    QUARTER = "QUARTER"
    GRADING_PERIOD = "GRADING_PERIOD"


class Severity(str, Enum):
    MINOR = "MINOR"
    MODERATE = "MODERATE"
    MAJOR = "MAJOR"
    SEVERE = "SEVERE"


class HealthRecordType(str, Enum):
    IMMUNIZATION = "IMMUNIZATION"
    ALLERGY = "ALLERGY"
    MEDICATION = "MEDICATION"
    CONDITION = "CONDITION"
    INJURY = "INJURY"
    SCREENING = "SCREENING"
    OTHER = "OTHER"


class PartyType(str, Enum):
    PARENT = "PARENT"
    STUDENT = "STUDENT"


class CommunicationMethod(str, Enum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    MEETING = "MEETING"
    LETTER = "LETTER"
    SMS = "SMS"
    OTHER = "OTHER"


class InvoiceStatus(str, Enum):
    DRAFT = "DRAFT"
    SENT = "SENT"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    CANCELLED = "CANCELLED"


class PaymentMethod(str, Enum):
    CASH = "CASH"
    CARD = "CARD"
    BANK_TRANSFER = "BANK_TRANSFER"
    CHEQUE = "CHEQUE"
    MOBILE_MONEY = "MOBILE_MONEY"
    ONLINE = "ONLINE"
    OTHER = "OTHER"


class RoomType(str, Enum):
    CLASSROOM = "CLASSROOM"
    LAB = "LAB"
    OFFICE = "OFFICE"
    HALL = "HALL"
    LIBRARY = "LIBRARY"
    GYM = "GYM"
    OTHER = "OTHER"


class AuditAction(str, Enum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    SOFT_DELETE = "SOFT_DELETE"
    PURGE = "PURGE"


class SyncRunSource(str, Enum):
    HTTP = "HTTP"
    CLI = "CLI"


class SyncRunStatus(str, Enum):
    RUNNING = "RUNNING"
    APPLIED = "APPLIED"
    DRY_RUN = "DRY_RUN"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
