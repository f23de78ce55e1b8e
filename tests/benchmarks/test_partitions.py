"""Partitioned history (issue 15, m0054), before and after, on the same rows.

A database is migrated with the tree as it was before m0054 (from git
history), seeded at the benchmark size, and timed; then the current tree
migrates it (m0054 converts both tables in place: that time is printed too)
and the same queries are timed again. Each query runs as a school admin
through the api views, as the gateway runs it (role and claims set, forced
row-level security), and prints its p50 and EXPLAIN (partition pruning).

    pytest -m benchmark tests/benchmarks/test_partitions.py -s
    SEED_BENCHMARK_SIZE=4,5000,180 pytest -m benchmark tests/benchmarks/test_partitions.py -s   # a slice
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest

from db.database import scratch_database
from db.seed.load import load_url
from tests.benchmarks.test_seed_speed import benchmark_size
from tests.db.test_code_files import REPO, old_layout_tree

RUNS = int(os.environ.get("PARTITION_BENCH_RUNS", "30"))
CLASS_MONTH = """
    select id, date, status, student_id from api.attendance_records
    where class_id = $1 and date >= $2::date and date < ($2::date + interval '1 month')::date
    order by date, student_id"""
RECORD_TRAIL = "select id, occurred_at, action, new_data from api.audit_log where record_id = $1 order by occurred_at"


def before_partitions() -> str:
    """The commit just before m0054 was added (as db/migrations/m0052_partitions.py: renumbered at its merge)."""
    added = subprocess.run(
        ["git", "-C", str(REPO), "log", "--full-history", "--diff-filter=A", "--format=%H", "-1", "--", "db/migrations/m0052_partitions.py"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    assert added, "needs the git history of db/migrations/m0052_partitions.py"
    return added + "^"


def migrate_with(url: str, tree: Path) -> float:
    started = time.perf_counter()
    code = "import asyncio; from db.migrate import migrate; asyncio.run(migrate())"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True, timeout=7200, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return time.perf_counter() - started


async def as_admin(connection: asyncpg.Connection, school_id: object) -> None:
    claims = json.dumps({"role": "school_admin", "school_id": str(school_id)})
    await connection.execute(
        "select set_config('role', 'school_admin', true), set_config('request.jwt.claims', $1, true)", claims
    )


async def timed(connection: asyncpg.Connection, school_id: object, sql: str, *args: object) -> tuple[float, int, str]:
    """p50 in ms over RUNS (after one warm-up), rows, and the EXPLAIN of one run."""
    samples = []
    rows = 0
    async with connection.transaction():
        await as_admin(connection, school_id)
        statement = await connection.prepare(sql)
        await statement.fetch(*args)
        for _ in range(RUNS):
            started = time.perf_counter()
            rows = len(await statement.fetch(*args))
            samples.append((time.perf_counter() - started) * 1000)
        plan = await connection.fetch("explain (analyze, costs off, timing off, summary off) " + sql, *args)
    return statistics.median(samples), rows, "\n".join(r[0] for r in plan)


async def measure(url: str, label: str) -> dict[str, float]:
    connection = await asyncpg.connect(url)
    try:
        pick = await connection.fetchrow(
            """select a.school_id, a.class_id, date_trunc('month', min(a.date))::date + interval '1 month' as month
               from data.attendance_records a where a.class_id is not null
               group by a.school_id, a.class_id order by a.school_id, a.class_id limit 1"""
        )
        record = await connection.fetchval(
            "select id from data.students where school_id = $1 order by id limit 1", pick["school_id"]
        )
        await connection.execute("update data.students set first_name = first_name || '' where id = $1", record)
        month = pick["month"].date()
        results = {}
        for name, sql, args in (("class month", CLASS_MONTH, (pick["class_id"], month)),
                                ("record trail", RECORD_TRAIL, (record,))):  # fmt: skip
            p50, rows, plan = await timed(connection, pick["school_id"], sql, *args)
            results[name] = p50
            print(f"\n[{label}] {name}: p50 {p50:.2f} ms, {rows} rows\n{plan}")
        return results
    finally:
        await connection.close()


@pytest.mark.benchmark
async def test_partitioned_history_before_and_after(server_url: str, tmp_path: Path) -> None:
    size = benchmark_size()
    old = old_layout_tree(tmp_path / "before", before_partitions())
    async with scratch_database(server_url, "school_partition_bench") as url:
        migrate_with(url, old)
        print(f"\npartition benchmark: {size.describe()}, {RUNS} runs per query")
        started = time.perf_counter()
        await load_url(url, size)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("analyze")
            counts = await connection.fetchrow(
                "select (select count(*) from data.attendance_records) as attendance, (select count(*) from audit.audit_log) as audit"
            )
        finally:
            await connection.close()
        print(f"attendance rows {counts['attendance']:,}, audit rows {counts['audit']:,}")
        before = await measure(url, "before")
        seconds = migrate_with(url, REPO)
        print(f"\nm0054 converted both tables in {seconds:.0f} s")
        after = await measure(url, "after")
    for name in before:
        print(
            f"{name}: before {before[name]:.2f} ms, after {after[name]:.2f} ms, after/before {after[name] / before[name]:.2f}"
        )
    assert set(after) == set(before)
