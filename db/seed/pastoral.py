"""Announcements, discipline incidents, health records and the contact log:
a handful of rows per school (counts grow slowly with the roll)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from db.seed.context import SchoolContext, at
from db.seed.people import People
from db.seed.vocabulary import COMMUNICATION_SUMMARIES, DISCIPLINE_DESCRIPTIONS, HEALTH_DETAILS

ANNOUNCEMENT_COLUMNS = ("id", "title", "content", "published_at", "school_id", "created_by_user_id", "audience")
DISCIPLINE_COLUMNS = (
    "id", "school_id", "student_id", "reported_by_user_id", "incident_date", "description", "severity",
    "action_taken", "resolved", "resolved_by_user_id", "resolved_date",
)  # fmt: skip
HEALTH_COLUMNS = ("id", "school_id", "student_id", "record_date", "type", "details", "recorded_by_user_id")
COMMUNICATION_COLUMNS = (
    "id", "school_id", "initiated_by_user_id", "party_type", "party_id", "date", "method", "summary",
)  # fmt: skip

EVERYONE = ["ADMIN", "TEACHER", "PARENT", "STUDENT"]
ANNOUNCEMENTS = (  # title, content, audience roles (row-level security reads them), by a teacher?
    ("Welcome back", "The school year starts on Tuesday. Doors open at 7:45.", EVERYONE, False),
    ("Staff meeting on Friday", "All staff in the library at 15:30.", ["ADMIN", "TEACHER"], False),
    ("Parent-teacher conferences", "Book a slot with your child's teachers.", ["ADMIN", "TEACHER", "PARENT"], False),
    ("Science fair sign-up", "Teams of two or three; projects due in November.", ["TEACHER", "STUDENT"], True),
)
METHODS = ("EMAIL", "PHONE", "MEETING", "LETTER", "SMS")


@dataclass
class Pastoral:
    announcements: list[tuple] = field(default_factory=list)
    incidents: list[tuple] = field(default_factory=list)
    health: list[tuple] = field(default_factory=list)
    communications: list[tuple] = field(default_factory=list)


def counts(students: int) -> tuple[int, int, int]:
    """(discipline incidents, health records, contact log entries) per school."""
    return max(3, students // 100), max(3, students // 50), max(3, students // 50)


def build_pastoral(ctx: SchoolContext, people: People) -> Pastoral:
    rng, days = ctx.rng("pastoral"), ctx.calendar
    pastoral = Pastoral()
    admin, teachers, students = people.admin_user, people.teacher_user_ids, people.student_ids
    incidents, health, communications = counts(ctx.size.students_per_school)

    ids = ctx.ids("announcements")
    for k, (title, content, roles, by_teacher) in enumerate(ANNOUNCEMENTS):
        author = teachers[0] if by_teacher else admin
        published = at(days[k * len(days) // len(ANNOUNCEMENTS)], 7)
        pastoral.announcements.append((ids(), title, content, published, ctx.id, author, json.dumps({"roles": roles})))

    ids = ctx.ids("discipline_incidents")
    for k in range(incidents):
        description, severity, action = rng.choice(DISCIPLINE_DESCRIPTIONS)
        when = at(rng.choice(days), rng.randrange(9, 15))
        resolved = k % 2 == 0
        pastoral.incidents.append((
            ids(), ctx.id, rng.choice(students), rng.choice(teachers), when, description, severity, action,
            resolved, admin if resolved else None, when + timedelta(days=2) if resolved else None,
        ))  # fmt: skip

    ids = ctx.ids("health_records")
    for _ in range(health):
        kind, details = rng.choice(HEALTH_DETAILS)
        pastoral.health.append((ids(), ctx.id, rng.choice(students), rng.choice(days), kind, details, admin))

    ids = ctx.ids("communication_logs")
    for k in range(communications):
        # Alternate parties; the trigger checks each party_id against its table.
        party_type, party = (
            ("PARENT", rng.choice(people.parent_ids)) if k % 2 == 0 else ("STUDENT", rng.choice(students))
        )
        pastoral.communications.append((
            ids(), ctx.id, rng.choice(teachers), party_type, party, at(rng.choice(days), 16), rng.choice(METHODS),
            rng.choice(COMMUNICATION_SUMMARIES),
        ))  # fmt: skip
    return pastoral
