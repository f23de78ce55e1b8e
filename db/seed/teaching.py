"""Terms, settings, subjects, rooms, classes, enrollments, attendance,
assignments, assessments and grades for one school.

Every class group (GROUP_SIZE consecutive students) takes the same
SUBJECTS_TAUGHT classes; its first class is the homeroom, whose teacher takes
the daily attendance. The big tables (enrollments, attendance, grades) are
generators, re-created on each call, so a school year of attendance streams
into COPY without ever being held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from uuid import UUID

from db.seed.context import ACADEMIC_YEAR, FIRST_SCHOOL_DAY, SchoolContext, at
from db.seed.people import People
from db.seed.vocabulary import ASSIGNMENT_TOPICS, SUBJECTS, SUBJECTS_TAUGHT

TERM_COLUMNS = ("id", "school_id", "name", "start_date", "end_date", "type", "parent_id", "is_current")
# current_academic_term_id is derived by the database from academic_terms.is_current (db/terms).
SETTINGS_COLUMNS = ("school_id", "attendance_start_time", "attendance_end_time", "grading_scale_details")
SUBJECT_COLUMNS = ("id", "school_id", "name", "description", "code")
ROOM_COLUMNS = ("id", "school_id", "name", "type", "capacity")
CLASS_COLUMNS = ("id", "name", "academic_year", "school_id", "teacher_id", "subject_id", "academic_term_id", "room_id")
ENROLLMENT_COLUMNS = ("id", "student_id", "class_id", "school_id", "enrollment_date")
ATTENDANCE_COLUMNS = ("id", "date", "status", "session", "student_id", "class_id", "recorded_by_id", "school_id")
ASSIGNMENT_COLUMNS = (
    "id", "school_id", "class_id", "subject_id", "teacher_id", "title", "description", "due_date",
    "assigned_date", "max_score", "type",
)  # fmt: skip
ASSESSMENT_COLUMNS = ("id", "school_id", "name", "subject_id", "class_id", "exam_date", "max_score", "weight")
GRADE_COLUMNS = (
    "id", "school_id", "assignment_id", "assessment_id", "student_id", "score", "grade", "feedback",
    "recorded_by_user_id", "recorded_at",
)  # fmt: skip

GRADING_SCALE = {"A": 90, "B": 80, "C": 70, "D": 60, "F": 0}
ATTENDANCE = (("PRESENT", 0.92), ("LATE", 0.95), ("ABSENT", 0.99), ("EXCUSED", 1.0))  # cumulative shares
ASSIGNMENT_EVERY_DAYS = 30  # one assignment per class per ~6 school weeks, at least MIN_ASSIGNMENTS
MIN_ASSIGNMENTS = 2
ASSESSMENTS_PER_SCHOOL = 3
CENT = Decimal("0.01")


@dataclass
class Klass:
    id: UUID
    group: int
    subject_id: UUID
    teacher_id: UUID
    teacher_user_id: UUID
    name: str


@dataclass
class Teaching:
    terms: list[tuple]
    settings: list[tuple]
    subjects: list[tuple]
    rooms: list[tuple]
    classes: list[Klass]
    class_rows: list[tuple]
    assignments: list[tuple] = field(default_factory=list)
    assessments: list[tuple] = field(default_factory=list)


def letter(score: Decimal, maximum: Decimal) -> str:
    percent = score * 100 / maximum
    return next(mark for mark, floor in GRADING_SCALE.items() if percent >= floor)


def build_teaching(ctx: SchoolContext, people: People) -> Teaching:
    rng = ctx.rng("teaching")
    term_ids = ctx.ids("academic_terms")
    year, fall, spring = term_ids(), term_ids(), term_ids()
    spring_start = date(2027, 1, 25)
    terms = [  # the parent year first: the self-reference must find it
        (year, ctx.id, ACADEMIC_YEAR, FIRST_SCHOOL_DAY, ctx.year_end, "YEAR", None, True),
        (fall, ctx.id, f"Fall {FIRST_SCHOOL_DAY.year}", FIRST_SCHOOL_DAY, spring_start - timedelta(days=3), "SEMESTER", year, False),
        (spring, ctx.id, f"Spring {spring_start.year}", spring_start, ctx.year_end, "SEMESTER", year, False),
    ]  # fmt: skip
    settings = [(ctx.id, time(8, 0), time(8, 30), json.dumps(GRADING_SCALE))]

    subject_ids = ctx.ids("subjects")
    subjects = [(subject_ids(), ctx.id, name, f"{name} for grades 6-12", code) for name, code in SUBJECTS]

    room_ids = ctx.ids("rooms")
    rooms = [(room_ids(), ctx.id, f"Room {101 + g}", "CLASSROOM", 30) for g in range(ctx.groups)]
    lab = room_ids()
    rooms += [(lab, ctx.id, "Science Lab", "LAB", 28), (room_ids(), ctx.id, "Gym", "GYM", 120)]
    rooms.append((room_ids(), ctx.id, "Library", "LIBRARY", 60))

    class_ids = ctx.ids("classes")
    science = SUBJECTS.index(("Science", "SCI"))
    classes: list[Klass] = []
    class_rows: list[tuple] = []
    for g in range(ctx.groups):
        grade, section = 6 + g % 7, g // 7
        label = f"{grade}{chr(65 + section)}" if section < 26 else f"{grade}-{section + 1}"
        for s in range(SUBJECTS_TAUGHT):
            n = len(classes) % ctx.teachers  # round robin: each teacher gets about CLASSES_PER_TEACHER
            c = Klass(
                class_ids(),
                g,
                subjects[s][0],
                people.teacher_ids[n],
                people.teacher_user_ids[n],
                f"{SUBJECTS[s][0]} {label}",
            )
            room = lab if s == science else rooms[g][0]
            classes.append(c)
            class_rows.append((c.id, c.name, ACADEMIC_YEAR, ctx.id, c.teacher_id, c.subject_id, year, room))
    teaching = Teaching(terms, settings, subjects, rooms, classes, class_rows)

    assignment_ids, days = ctx.ids("assignments"), ctx.calendar
    per_class = max(MIN_ASSIGNMENTS, len(days) // ASSIGNMENT_EVERY_DAYS)
    for c in classes:
        for k in range(per_class):
            assigned = days[k * len(days) // per_class]
            kind = rng.choice(("HOMEWORK", "QUIZ", "PROJECT", "ESSAY", "LAB", "CLASSWORK"))
            maximum = Decimal(rng.choice((10, 20, 50, 100)))
            title = f"{rng.choice(ASSIGNMENT_TOPICS)} {k + 1}"
            teaching.assignments.append((
                assignment_ids(), ctx.id, c.id, c.subject_id, c.teacher_id, title, f"{title} for {c.name}",
                at(assigned + timedelta(days=7), 16), at(assigned, 9), maximum, kind,
            ))  # fmt: skip

    assessment_ids = ctx.ids("assessments")
    exam_day = days[len(days) // 2]
    for c in classes[:ASSESSMENTS_PER_SCHOOL]:
        row = (
            assessment_ids(),
            ctx.id,
            f"Midterm exam, {c.name}",
            c.subject_id,
            c.id,
            at(exam_day, 10),
            Decimal(100),
            Decimal(30),
        )
        teaching.assessments.append(row)
    return teaching


def enrollments(ctx: SchoolContext, people: People, teaching: Teaching) -> Iterator[tuple]:
    ids = ctx.ids("enrollments")
    for i, student in enumerate(people.student_ids):
        group = ctx.group_of(i)
        for c in teaching.classes[group * SUBJECTS_TAUGHT : (group + 1) * SUBJECTS_TAUGHT]:
            yield (ids(), student, c.id, ctx.id, FIRST_SCHOOL_DAY)


def attendance(ctx: SchoolContext, people: People, teaching: Teaching) -> Iterator[tuple]:
    """One morning mark per student and school day, taken in the homeroom."""
    rng, ids = ctx.rng("attendance"), ctx.ids("attendance_records")
    draw, school = rng.random, ctx.id
    homerooms = [teaching.classes[g * SUBJECTS_TAUGHT] for g in range(ctx.groups)]
    for day in ctx.calendar:
        for g, homeroom in enumerate(homerooms):
            for i in ctx.group_students(g):
                roll = draw()
                status = next(name for name, share in ATTENDANCE if roll < share)
                yield (ids(), day, status, "AM", people.student_ids[i], homeroom.id, homeroom.teacher_user_id, school)


def grades(ctx: SchoolContext, people: People, teaching: Teaching) -> Iterator[tuple]:
    """Every enrolled student's score on every assignment, then on the midterms."""
    rng, ids = ctx.rng("grades"), ctx.ids("grades")
    by_id = {c.id: c for c in teaching.classes}
    targets = [(row[0], None, row[2], row[9], row[7]) for row in teaching.assignments]
    targets += [(None, row[0], row[4], row[6], row[5]) for row in teaching.assessments]
    for assignment_id, assessment_id, class_id, maximum, when in targets:
        klass = by_id[class_id]
        for i in ctx.group_students(klass.group):
            # Mostly good marks, a long tail below: 100 * (1 - x^3) skews high.
            score = (maximum * Decimal(1 - rng.random() ** 3)).quantize(CENT)
            feedback = "Well done" if score * 100 >= maximum * 90 else None
            yield (
                ids(), ctx.id, assignment_id, assessment_id, people.student_ids[i], score, letter(score, maximum),
                feedback, klass.teacher_user_id, when,
            )  # fmt: skip
