"""Piccolo table definitions: the one place the columns of the schema are declared.

Grouped by concern; `ALL_TABLES` is the order Piccolo creates them in.
"""

from db.tables.core import AuditLog, School, SchoolSettings, User
from db.tables.finance import FeeType, Invoice, InvoiceItem, Payment
from db.tables.pastoral import Announcement, CommunicationLog, DisciplineIncident, HealthRecord
from db.tables.people import Parent, Student, StudentParent, Teacher
from db.tables.roster import PartnerClient, SyncRun
from db.tables.teaching import (
    AcademicTerm,
    Assessment,
    Assignment,
    AttendanceRecord,
    Class,
    Enrollment,
    Grade,
    GradeCategory,
    Room,
    ScoreScale,
    Subject,
)

ALL_TABLES = [
    School,
    User,
    SchoolSettings,
    AuditLog,
    Student,
    Teacher,
    Parent,
    StudentParent,
    AcademicTerm,
    Subject,
    Room,
    Class,
    Enrollment,
    AttendanceRecord,
    Assignment,
    Assessment,
    Grade,
    GradeCategory,
    ScoreScale,
    Announcement,
    DisciplineIncident,
    HealthRecord,
    CommunicationLog,
    FeeType,
    Invoice,
    InvoiceItem,
    Payment,
    PartnerClient,
    SyncRun,
]

__all__ = [t.__name__ for t in ALL_TABLES] + ["ALL_TABLES"]
