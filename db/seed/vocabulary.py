"""Fixed word lists the generator draws from: plain ASCII, so every value
passes the name and email CHECKs, and no third-party faker changes them
between versions (the same seed must give the same rows forever)."""

from __future__ import annotations

SCHOOL_NAMES = (
    "Northside", "Riverside", "Lakeview", "Hillcrest", "Oakwood", "Maple Grove", "Cedar Park", "Westfield",
    "Eastbrook", "Southgate", "Pinecrest", "Brookside", "Fairview", "Greenfield", "Highland", "Kingswood",
    "Lincoln", "Meadowbrook", "Parkside", "Ridgeview",
)  # fmt: skip

FIRST_NAMES = (
    "Ava", "Liam", "Olivia", "Noah", "Emma", "Elijah", "Sophia", "Lucas", "Mia", "Mateo", "Amara", "Kenji",
    "Isabella", "Omar", "Zara", "Ethan", "Layla", "Arjun", "Chloe", "Diego", "Hana", "Felix", "Nadia", "Samuel",
    "Grace", "Tariq", "Lena", "Jonas", "Priya", "Leo", "Ines", "Kofi", "Maya", "Ivan", "Sara", "Yusuf",
    "Elena", "Theo", "Aisha", "Max",
)  # fmt: skip

LAST_NAMES = (
    "Smith", "Garcia", "Nguyen", "Okafor", "Kowalski", "Haddad", "Johnson", "Tanaka", "Muller", "Rossi",
    "Patel", "Silva", "Brown", "Kim", "Andersen", "Novak", "Cohen", "Dubois", "Mensah", "Lopez", "Murphy",
    "Ivanova", "Sato", "Khan", "Wilson", "Costa", "Fischer", "Ali", "Moreau", "Jensen",
)  # fmt: skip

# Every class group takes the first SUBJECTS_TAUGHT subjects; the others exist
# for screens and roster sync to pick from.
SUBJECTS = (
    ("Mathematics", "MATH"), ("English", "ENG"), ("Science", "SCI"), ("History", "HIST"),
    ("Geography", "GEO"), ("Physical Education", "PE"), ("Art", "ART"), ("Music", "MUS"),
)  # fmt: skip
SUBJECTS_TAUGHT = 6

QUALIFICATIONS = ("B.Ed.", "M.Ed.", "B.Sc., PGCE", "M.A., PGCE", "Ph.D.")

ASSIGNMENT_TOPICS = (
    "Chapter review", "Problem set", "Reading response", "Lab report", "Group project", "Map study",
    "Short essay", "Vocabulary quiz", "Field notes", "Presentation",
)  # fmt: skip

DISCIPLINE_DESCRIPTIONS = (
    ("Repeatedly late to class", "MINOR", "Verbal warning"),
    ("Disruptive behaviour during a lesson", "MODERATE", "Detention"),
    ("Phone use during a test", "MODERATE", "Parent contacted"),
    ("Damage to school property", "MAJOR", "Meeting with parents"),
)

HEALTH_DETAILS = (
    ("ALLERGY", "Peanut allergy; epinephrine auto-injector in the office"),
    ("IMMUNIZATION", "MMR booster recorded"),
    ("MEDICATION", "Inhaler before physical education"),
    ("SCREENING", "Vision screening passed"),
    ("INJURY", "Sprained ankle at recess; ice applied"),
)

COMMUNICATION_SUMMARIES = (
    "Discussed progress in mathematics",
    "Reminder about the upcoming field trip",
    "Follow-up on missing homework",
    "Praise for excellent project work",
)
