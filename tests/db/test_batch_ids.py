"""Ids in batches (db/audit/audit.sql): a statement that writes many
rows draws one uuidv7() and numbers its rows after it. The ids must stay
version-7 UUIDs with the batch's timestamp, distinct, in the statement's order."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from tests.db.test_audit import as_admin
from tests.factories import School

FIRST = UUID("019abcde-f012-7345-8678-fffffffffffe")


async def batch(admin: asyncpg.Connection, first: UUID, count: int) -> list[UUID]:
    return await admin.fetchval(
        "select array_agg(data.uuidv7_batch($1, n) order by n) from generate_series(1, $2::bigint) n", first, count
    )


async def test_a_batch_keeps_the_version_the_variant_and_the_time_of_its_first_id(admin: asyncpg.Connection) -> None:
    ids = await batch(admin, FIRST, 4)
    assert [i.version for i in ids] == [7] * 4 and {i.variant for i in ids} == {FIRST.variant}
    assert {str(i)[:24] for i in ids} == {str(FIRST)[:24]}, "timestamp, sub-millisecond and first random bits"
    assert [str(i)[24:] for i in ids] == ["ffffffffffff", "000000000000", "000000000001", "000000000002"], (
        "the last 48 bits count on and wrap, never reaching into the timestamp"
    )


async def test_a_large_batch_has_no_duplicate(admin: asyncpg.Connection) -> None:
    first = await admin.fetchval("select uuidv7()")
    ids = await batch(admin, first, 100_000)
    assert len(set(ids)) == 100_000 and ids == sorted(ids) and ids[0] > first


async def test_a_statement_s_audit_entries_are_numbered_in_one_batch(
    authenticator: asyncpg.Connection, school: School
) -> None:
    await as_admin(authenticator, school)
    students = await authenticator.fetch(
        """insert into api.students (school_id, student_number, first_name, last_name)
           select $1, 'BATCH-' || g, 'Ada', 'Lovelace' from generate_series(1, 5) g returning id""",
        school.id,
    )
    later = await authenticator.fetchval(
        "insert into api.students (school_id, student_number, first_name, last_name) values ($1, 'BATCH-6', 'Bo', 'L') returning id",
        school.id,
    )
    entries = await authenticator.fetch(
        "select id, record_id from api.audit_log where record_id = any($1::uuid[]) order by id",
        [s["id"] for s in students] + [later],
    )
    ids = [e["id"] for e in entries]
    assert len(set(ids)) == 6 and {i.version for i in ids} == {7}
    first_five = sorted(i.int for i in ids[:5])
    assert first_five == list(range(first_five[0], first_five[0] + 5)), "one statement, consecutive ids"
    assert entries[-1]["record_id"] == later, "a later statement's entries sort after an earlier one's"
