"""On demand: the audit trigger on a bulk UPDATE in a session that has already
run single-row UPDATEs (a pooled gateway connection, a partner sync).

A cached generic plan once kept a nested loop over the two transition tables:
2,000 rows took 60.8 s instead of 0.2 s. The trigger now plans that statement
per call (db/audit/audit.sql). Run with:

    pytest -m benchmark tests/benchmarks/test_audit_bulk_update.py -s
"""

from __future__ import annotations

import time

import asyncpg
import pytest

from tests.factories import make_school

ROWS = 2_000


@pytest.mark.benchmark
async def test_bulk_update_after_single_row_updates_stays_set_based(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        school = await make_school(connection)
        await connection.execute(
            """insert into data.students (school_id, student_number, first_name, last_name)
               select $1, 'B-' || g, 'Bulk', 'Student' || g from generate_series(1, $2::int) g""",
            school.id, ROWS,
        )  # fmt: skip
        for i in range(12):  # past PL/pgSQL's five custom plans, into the generic one
            await connection.execute("update data.students set first_name = $2 where id = $1", school.student, f"x{i}")
        started = time.perf_counter()
        await connection.execute("update data.students set first_name = 'Renamed' where school_id = $1", school.id)
        elapsed = time.perf_counter() - started
        logged = await connection.fetchval(
            "select count(*) from audit.audit_log where school_id = $1 and new_data ->> 'first_name' = 'Renamed'", school.id
        )
        print(f"\nbulk UPDATE of {ROWS + 2} rows after 12 single-row UPDATEs: {elapsed:.2f} s, {logged} audit rows")
        assert logged == ROWS + 2, "every changed row is logged once"
    finally:
        await connection.close()
