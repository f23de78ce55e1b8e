"""OneRoster import rules beyond the plain merge, against the real database:
rows a school entered by hand are taken over by natural key on the first sync,
conflicts that a constraint would have refused are per-row rejects, guardian
links follow agentSourcedIds both ways, a dropped teacher enrollment clears the
class's teacher."""

from __future__ import annotations

import copy
import secrets
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from db.database import scratch_database
from tests.db.test_migrations import school_gateway
from tests.factories import School, make_school
from tests.gateway.http_support import api, committer_session, gateway_app  # noqa: F401
from tests.roster.import_support import import_zip
from tests.roster.oneroster_zip import build_zip, sample_roster
from tests.roster.test_import import partner, snapshot
from tests.roster.test_roster_scopes import SNAPSHOT

CHANGED = "2026-11-26T12:00:00Z"


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


def rejects(run: dict[str, Any]) -> list[tuple[str, str, str]]:
    assert run["status"] == "REJECTED", run["report"]
    return [(r["file"], r["column"], r["reason"]) for r in run["report"]["rejected"]]


async def test_a_first_sync_takes_over_rows_entered_by_hand(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    db, tag = committer_session, secrets.token_hex(4)
    maths = await db.fetchval(
        "insert into data.subjects (school_id, name) values ($1, 'Mathematics') returning id", school.id
    )
    science = await db.fetchval(
        "insert into data.subjects (school_id, name, code) values ($1, 'Natural science', 'SCI') returning id",
        school.id,
    )
    login = await db.fetchval(
        "insert into data.users (school_id, email, password_hash, role) values ($1, $2, 'x', 'TEACHER') returning id",
        school.id, f"u-tea-1.{tag}@school.test",
    )  # fmt: skip
    teacher = await db.fetchval(
        "insert into data.teachers (school_id, user_id, first_name, last_name) values ($1, $2, 'G', 'H') returning id",
        school.id,
        login,
    )
    pupil = await db.fetchval(
        "insert into data.students (school_id, student_number, first_name, last_name) values ($1, 'S-101', 'Al', 'T') returning id",
        school.id,
    )

    data = build_zip(sample_roster(tag))
    run = await import_zip(api, partner(school), data)
    assert run["status"] == "APPLIED", run["report"]
    files = run["report"]["files"]
    assert files["courses.csv"]["adopted"] == 2 and files["courses.csv"]["inserted"] == 0
    # u-tea-1 is taken over with its login; u-stu-2 keeps its student row but gets a new login.
    assert (files["users.csv"]["adopted"], files["users.csv"]["inserted"], files["users.csv"]["updated"]) == (
        2,
        3,
        1,
    ), files["users.csv"]

    subjects = {
        r["sourced_id"]: r
        for r in await db.fetch("select * from data.subjects where school_id = $1 and not is_deleted", school.id)
    }
    assert set(subjects) == {"c-math", "c-sci"}, "no duplicate subject"
    assert subjects["c-math"]["id"] == maths and subjects["c-math"]["code"] == "MATH", (
        "taken over by name, the partner's code set"
    )
    assert subjects["c-sci"]["id"] == science and subjects["c-sci"]["name"] == "Science", "taken over by code, renamed"
    assert await db.fetchval("select sourced_id from data.users where id = $1", login) == "u-tea-1"
    assert await db.fetchval("select password_hash from data.users where id = $1", login) == "x", (
        "the login keeps its password"
    )
    assert await db.fetchval("select sourced_id from data.teachers where id = $1", teacher) == "u-tea-1", (
        "its profile comes along"
    )
    assert (
        await db.fetchval(
            "select count(*) from data.teachers where school_id = $1 and sourced_id = 'u-tea-1'", school.id
        )
        == 1
    )
    row = await db.fetchrow("select * from data.students where id = $1", pupil)
    assert (row["sourced_id"], row["first_name"], row["last_name"]) == ("u-stu-2", "Alan", "Turing"), (
        "by student number"
    )
    assert row["user_id"] == await db.fetchval(
        "select id from data.users where school_id = $1 and sourced_id = 'u-stu-2'", school.id
    )
    math_class = await db.fetchrow(
        "select * from data.classes where school_id = $1 and sourced_id = 'cl-math'", school.id
    )
    assert math_class["subject_id"] == maths and math_class["teacher_id"] == teacher

    before = await snapshot(db, school)
    again = await import_zip(api, partner(school), data)
    assert again["status"] == "APPLIED"
    assert again["counts"]["inserted"] == again["counts"]["updated"] == again["counts"]["deactivated"] == 0, again[
        "counts"
    ]
    assert await snapshot(db, school) == before


async def test_adoptions_that_cannot_be_right_are_rejected_per_row(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    db, tag = committer_session, secrets.token_hex(4)
    await db.execute("insert into data.subjects (school_id, name) values ($1, 'Mathematics')", school.id)
    await db.execute("insert into data.subjects (school_id, name, code) values ($1, 'Algebra', 'MATH')", school.id)
    await db.execute(
        "insert into data.users (school_id, email, password_hash, role) values ($1, $2, 'x', 'PARENT')",
        school.id,
        f"u-stu-1.{tag}@school.test",
    )
    before = await snapshot(db, school)
    found = rejects(await import_zip(api, partner(school), build_zip(sample_roster(tag))))
    ambiguous = "ambiguous: this row's title and courseCode match two different subjects entered here; make them agree or rename one"
    assert ("courses.csv", "title", ambiguous) in found
    assert (
        "users.csv",
        "email",
        f"email u-stu-1.{tag}@school.test belongs to a parent login entered here; this file makes it a student",
    ) in found
    assert await snapshot(db, school) == before, "a rejected file applies nothing"


async def test_a_course_name_held_by_another_partner_course_is_a_row_reject(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    tag = secrets.token_hex(4)
    roster = sample_roster(tag)
    assert (await import_zip(api, partner(school), build_zip(roster)))["status"] == "APPLIED"
    twin = dict(
        roster["courses"][0], sourcedId="c-math-2", courseCode="MATH2", status="active", dateLastModified=CHANGED
    )
    found = rejects(await import_zip(api, partner(school), build_zip({"courses": [twin]}, {"courses": "delta"})))
    held = "a subject with name 'Mathematics' already belongs to course c-math: rename one, or remove that course in the same file"
    assert found == [("courses.csv", "title", held)]

    # The same name is free once the file removes the old course.
    gone = {"sourcedId": "c-math", "status": "tobedeleted", "dateLastModified": CHANGED}
    run = await import_zip(api, partner(school), build_zip({"courses": [gone, twin]}, {"courses": "delta"}))
    assert run["status"] == "APPLIED", run["report"]
    assert (
        run["report"]["files"]["courses.csv"]["inserted"] == 1
        and run["report"]["files"]["courses.csv"]["deactivated"] == 1
    )


async def test_unknown_agents_are_rejected(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    roster = sample_roster(secrets.token_hex(4))
    roster["users"][1]["agentSourcedIds"] = "u-par-1, u-nobody"
    before = await snapshot(committer_session, school)
    found = rejects(await import_zip(api, partner(school), build_zip(roster)))
    assert found == [
        ("users.csv", "agentSourcedIds", "unknown reference: agent u-nobody is neither in users.csv nor already here")
    ]
    assert await snapshot(committer_session, school) == before


async def test_guardian_links_follow_agents_both_ways(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    db, tag = committer_session, secrets.token_hex(4)
    roster = sample_roster(tag)
    assert (await import_zip(api, partner(school), build_zip(roster)))["status"] == "APPLIED"

    async def links() -> set[tuple[str | None, str | None]]:
        rows = await db.fetch(
            """select st.sourced_id as s, pa.sourced_id as p from data.student_parents sp
               join data.students st on st.id = sp.student_id join data.parents pa on pa.id = sp.parent_id
               where sp.school_id = $1""", school.id)  # fmt: skip
        return {(r["s"], r["p"]) for r in rows}

    hand_made = (None, None)  # make_school's own student-parent link, entered here
    assert await links() == {("u-stu-1", "u-par-1"), hand_made}
    # Bulk: the guardian now names both children, the student names none.
    moved = copy.deepcopy(roster)
    users = {u["sourcedId"]: u for u in moved["users"]}
    users["u-stu-1"]["agentSourcedIds"] = ""
    users["u-par-1"]["agentSourcedIds"] = "u-stu-1,u-stu-2"
    run = await import_zip(api, partner(school), build_zip(moved))
    assert run["status"] == "APPLIED", run["report"]
    assert await links() == {("u-stu-1", "u-par-1"), ("u-stu-2", "u-par-1"), hand_made}
    assert run["report"]["files"]["users.csv"]["updated"] == 2, "the guardian and the new child"

    # Bulk: nobody names the first child's link any more: it goes, the hand-made one stays.
    users["u-par-1"]["agentSourcedIds"] = "u-stu-2"
    run = await import_zip(api, partner(school), build_zip(moved))
    assert run["status"] == "APPLIED", run["report"]
    assert await links() == {("u-stu-2", "u-par-1"), hand_made}

    # Delta: a row without agentSourcedIds says nothing about links.
    quiet = dict(users["u-stu-2"], status="active", dateLastModified=CHANGED, agentSourcedIds="")
    assert (await import_zip(api, partner(school), build_zip({"users": [quiet]}, {"users": "delta"})))[
        "status"
    ] == "APPLIED"
    assert await links() == {("u-stu-2", "u-par-1"), hand_made}


async def test_a_dropped_teacher_enrollment_clears_the_class_teacher(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    db, tag = committer_session, secrets.token_hex(4)
    roster = sample_roster(tag)
    assert (await import_zip(api, partner(school), build_zip(roster)))["status"] == "APPLIED"
    teacher_of = "select teacher_id from data.classes where school_id = $1 and sourced_id = 'cl-math'"
    assert await db.fetchval(teacher_of, school.id) is not None

    gone = {"sourcedId": "e-4", "status": "tobedeleted", "dateLastModified": CHANGED, "classSourcedId": "cl-math",
            "schoolSourcedId": f"org-{tag}", "userSourcedId": "u-tea-1", "role": "teacher"}  # fmt: skip
    run = await import_zip(api, partner(school), build_zip({"enrollments": [gone]}, {"enrollments": "delta"}))
    assert run["status"] == "APPLIED", run["report"]
    assert await db.fetchval(teacher_of, school.id) is None
    assert run["report"]["files"]["enrollments.csv"]["deactivated"] == 1

    assert (await import_zip(api, partner(school), build_zip(roster)))["status"] == "APPLIED"
    assert await db.fetchval(teacher_of, school.id) is not None, "back with the bulk file that names it"
    without = copy.deepcopy(roster)
    without["enrollments"] = [e for e in without["enrollments"] if e["sourcedId"] != "e-4"]
    assert (await import_zip(api, partner(school), build_zip(without)))["status"] == "APPLIED"
    assert await db.fetchval(teacher_of, school.id) is None, "a bulk file without it clears it"

    # A teacher the school set by hand is the school's business.
    await db.execute(
        "update data.classes set teacher_id = $2 where school_id = $1 and sourced_id = 'cl-math'",
        school.id,
        school.teacher,
    )
    assert (await import_zip(api, partner(school), build_zip(without)))["status"] == "APPLIED"
    assert await db.fetchval(teacher_of, school.id) == school.teacher


async def test_a_student_enrolled_twice_in_a_class_is_a_row_reject_or_a_rekey(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    db, tag = committer_session, secrets.token_hex(4)
    roster = sample_roster(tag)
    assert (await import_zip(api, partner(school), build_zip(roster)))["status"] == "APPLIED"
    e1 = next(e for e in roster["enrollments"] if e["sourcedId"] == "e-1")

    again = dict(e1, sourcedId="e-9", status="active", dateLastModified=CHANGED)
    found = rejects(
        await import_zip(api, partner(school), build_zip({"enrollments": [again]}, {"enrollments": "delta"}))
    )
    twice = (
        "user u-stu-1 is already enrolled in class cl-math here as enrollment e-1: "
        "send e-1 as tobedeleted in the same file, or use that sourcedId"
    )
    assert found == [("enrollments.csv", "sourcedId", twice)]

    moved = dict(next(e for e in roster["enrollments"] if e["sourcedId"] == "e-2"), userSourcedId="u-stu-1",
                 status="active", dateLastModified=CHANGED)  # fmt: skip
    found = rejects(
        await import_zip(api, partner(school), build_zip({"enrollments": [moved]}, {"enrollments": "delta"}))
    )
    assert found == [
        (
            "enrollments.csv",
            "classSourcedId",
            "enrollment e-2 cannot move to class cl-math: user u-stu-1 already has enrollment e-1 there",
        )
    ]

    # A bulk file that names the same enrollment under a new sourcedId re-keys the one row.
    rekeyed = copy.deepcopy(roster)
    rekeyed["enrollments"] = [
        dict(e, sourcedId="e-9") if e["sourcedId"] == "e-1" else e for e in rekeyed["enrollments"]
    ]
    run = await import_zip(api, partner(school), build_zip(rekeyed))
    assert run["status"] == "APPLIED", run["report"]
    assert run["report"]["files"]["enrollments.csv"]["adopted"] == 1
    rows = await db.fetch(
        """select e.sourced_id, e.completion_date from data.enrollments e join data.students s on s.id = e.student_id
           join data.classes c on c.id = e.class_id
           where e.school_id = $1 and s.sourced_id = 'u-stu-1' and c.sourced_id = 'cl-math'""", school.id)  # fmt: skip
    assert [(r["sourced_id"], r["completion_date"]) for r in rows] == [("e-9", None)]


async def test_reviving_a_student_whose_number_was_given_away_is_a_row_reject(
    api: AsyncTestClient[Litestar], school: School, committer_session: asyncpg.Connection
) -> None:
    db, tag = committer_session, secrets.token_hex(4)
    roster = sample_roster(tag)
    assert (await import_zip(api, partner(school), build_zip(roster)))["status"] == "APPLIED"
    smaller = copy.deepcopy(roster)
    smaller["users"] = [u for u in smaller["users"] if u["sourcedId"] != "u-stu-2"]
    smaller["roles"] = [r for r in smaller["roles"] if r["userSourcedId"] != "u-stu-2"]
    smaller["enrollments"] = [e for e in smaller["enrollments"] if e["userSourcedId"] != "u-stu-2"]
    assert (await import_zip(api, partner(school), build_zip(smaller)))["status"] == "APPLIED"
    # The school gives the freed number to a new pupil by hand.
    await db.execute(
        "insert into data.students (school_id, student_number, first_name, last_name) values ($1, 'S-101', 'New', 'Pupil')",
        school.id,
    )
    before = await snapshot(db, school)
    found = rejects(await import_zip(api, partner(school), build_zip(roster)))
    assert found == [
        ("users.csv", "identifier", "student number S-101 is already used by another student of this school")
    ]
    assert await snapshot(db, school) == before


async def test_going_back_over_m0015_drops_the_import_and_forwards_rebuilds_it(server_url: str) -> None:
    """The import's functions are code (db/roster/import.sql): going back over
    m0015 leaves none; forwards again creates the current ones, rules included."""
    before_0015 = "2026-11-26T16:10:00:000000"  # m0014
    async with scratch_database(server_url, "school_import_rules") as url:
        connection = await asyncpg.connect(url)
        try:
            school_gateway("migrate", database_url=url)
            head = await connection.fetch(SNAPSHOT)
            school_gateway("migrate", "--to", before_0015, database_url=url)
            before = await connection.fetch(SNAPSHOT)
            assert not [r for r in before if r[0].startswith("function ")], "no import functions at m0014"
            school_gateway("migrate", database_url=url)
            after = await connection.fetch(SNAPSHOT)
            imports = [r[1] for r in after if r[0] == "function roster.import_oneroster(jsonb)"]
            assert len(imports) == 1 and "validate_rules" in imports[0], "the current import, with its rules"
            assert after == head
            school_gateway("migrate", "--to", before_0015, database_url=url)
            assert await connection.fetch(SNAPSHOT) == before
        finally:
            await connection.close()
