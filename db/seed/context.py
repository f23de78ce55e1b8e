"""What every table builder shares: the requested size, and one school's
fixed facts (id, name, calendar, derived counts, seeded generators).

Counts are formulas of the size alone (never drawn at random), so a test can
state them exactly; only values (names, scores, statuses, amounts) are drawn.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from math import ceil
from uuid import UUID

from db.seed.ids import Ids
from db.seed.vocabulary import SCHOOL_NAMES, SUBJECTS_TAUGHT

GROUP_SIZE = 25  # students per class group (a homeroom): they share all their classes
CLASSES_PER_TEACHER = 5
MIN_TEACHERS = 4
LOGIN_EVERY = 10  # every 10th student and every 10th parent has a login
FIRST_SCHOOL_DAY = date(2026, 9, 1)
YEAR_END = date(2027, 7, 15)
ACADEMIC_YEAR = "2026-2027"


@dataclass(frozen=True)
class Size:
    schools: int = 2
    students_per_school: int = 60
    days: int = 15  # school days (weekdays from FIRST_SCHOOL_DAY) of attendance
    seed: int = 1

    def __post_init__(self) -> None:
        if self.schools < 1 or self.students_per_school < 1 or self.days < 1:
            raise ValueError("schools, students per school and days must be at least 1")

    def describe(self) -> str:
        return (
            f"{self.schools} school(s) x {self.students_per_school} students x {self.days} school days, "
            f"seed {self.seed}"
        )


DEMO = Size()
BENCHMARK = Size(schools=20, students_per_school=5000, days=180)


def school_days(count: int) -> list[date]:
    """Weekdays from the first day of the year; holidays are left out of the model."""
    days: list[date] = []
    day = FIRST_SCHOOL_DAY
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A timestamptz value on a school day (UTC keeps it independent of the server's zone)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


class SchoolContext:
    """One school of the generated data set."""

    def __init__(self, size: Size, index: int) -> None:
        self.size = size
        self.index = index
        base, round_ = SCHOOL_NAMES[index % len(SCHOOL_NAMES)], index // len(SCHOOL_NAMES)
        suffix = str(round_ + 1) if round_ else ""
        self.name = f"{base} School{' ' + suffix if suffix else ''}"
        self.slug = base.lower().replace(" ", "") + suffix  # emails: admin@northside.demo
        self.id: UUID = self.ids("schools")()
        self.calendar = school_days(size.days)
        self.year_end = max(YEAR_END, self.calendar[-1])
        students = size.students_per_school
        self.groups = ceil(students / GROUP_SIZE)
        self.classes = self.groups * SUBJECTS_TAUGHT
        self.teachers = max(MIN_TEACHERS, ceil(self.classes / CLASSES_PER_TEACHER))

    def rng(self, table: str) -> random.Random:
        """A generator per (seed, school, table): a table's values do not depend
        on which tables were generated before it."""
        return random.Random(f"values:{self.size.seed}:{self.index}:{table}")

    def ids(self, table: str) -> Ids:
        return Ids(self.size.seed, self.index, table)

    def email(self, local: str) -> str:
        return f"{local}@{self.slug}.demo"

    def group_of(self, student_index: int) -> int:
        return student_index // GROUP_SIZE

    def group_students(self, group: int) -> range:
        """Student indexes of a group: consecutive, GROUP_SIZE each, the last one shorter."""
        return range(group * GROUP_SIZE, min((group + 1) * GROUP_SIZE, self.size.students_per_school))
