"""Backup and restore of the benchmark-size database (20 schools x 5000
students x 180 school days, `school-gateway seed --benchmark`) on a server of
its own: base backup + verification, point-in-time restore (--latest), one
school's export, then a day of attendance (one mark per student) and an
incremental backup on top of the base backup. Prints seconds and sizes;
README "Operations" quotes them.

    pytest -m benchmark tests/benchmarks/test_backup_restore.py -s
    SEED_BENCHMARK_SIZE=2,5000,180 pytest -m benchmark tests/benchmarks/test_backup_restore.py -s   # a slice
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import asyncpg
import pytest

from db.database import DATABASE_NAME
from db.seed.load import load_url
from gateway.ops.backup import create, verify, wait_archived
from gateway.ops.cluster import Cluster
from gateway.ops.export import export_school
from gateway.ops.repository import Repository
from gateway.ops.restore import restore
from tests.benchmarks.test_seed_speed import benchmark_size
from tests.ops.servers import own_server


def _du(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def _du_data(path: Path) -> float:
    """Without pg_wal: each backup carries at least one whole 16 MB segment."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and "pg_wal" not in f.parts) / 1e6


# One school day: every student marked once, as the seed does, on the day after the last seeded one.
ATTENDANCE_DAY = """
    insert into data.attendance_records (date, status, session, student_id, class_id, recorded_by_id, school_id)
    select a.date + 1, 'PRESENT', 'AM', a.student_id, a.class_id, a.recorded_by_id, a.school_id
    from data.attendance_records a
    where a.date = (select max(date) from data.attendance_records) and a.session = 'AM'
"""


@pytest.mark.benchmark
async def test_backup_and_restore_of_the_benchmark_database() -> None:
    root = Path(tempfile.mkdtemp(prefix="school-backup-bench-"))
    size = benchmark_size()
    with own_server(root / "live") as live:
        url = live.url(DATABASE_NAME)
        started = time.perf_counter()
        await load_url(url, size)
        seeded = time.perf_counter() - started
        admin = await asyncpg.connect(url)
        database_mb = await admin.fetchval("select pg_database_size(current_database())") / 1e6
        students = await admin.fetchval("select count(*) from data.students")
        school = await admin.fetchval("select id from data.schools order by name limit 1")
        await admin.close()
        repo = Repository(root / "repo")

        started = time.perf_counter()
        info = await asyncio.to_thread(create, repo, url, verify_after=False)
        backup_s = time.perf_counter() - started
        started = time.perf_counter()
        await asyncio.to_thread(verify, repo, info.label)
        verify_s = time.perf_counter() - started
        await asyncio.to_thread(wait_archived, repo, url)

        started = time.perf_counter()
        restored = await asyncio.to_thread(restore, repo, root / "restored", target_time=None)
        restore_s = time.perf_counter() - started
        check = Cluster(restored.pgdata)
        check.start()
        try:
            assert int(check.sql("select count(*) from data.students", DATABASE_NAME)) == students
        finally:
            check.stop()

        started = time.perf_counter()
        counts = await export_school(url, school, root / "school.tar.gz")
        export_s = time.perf_counter() - started
        export_mb = (root / "school.tar.gz").stat().st_size / 1e6

        admin = await asyncpg.connect(url)
        marks = int((await admin.execute(ATTENDANCE_DAY)).split()[-1])
        await admin.close()
        started = time.perf_counter()
        incremental = await asyncio.to_thread(create, repo, url, verify_after=False, incremental=True)
        incremental_s = time.perf_counter() - started
        started = time.perf_counter()
        await asyncio.to_thread(verify, repo, incremental.label)
        incremental_verify_s = time.perf_counter() - started
        full_data = _du_data(repo.backup_dir(info.label))
        incremental_data = _du_data(repo.backup_dir(incremental.label))

    print(f"\nbackup benchmark: {size.describe()} (seeded in {seeded:.0f} s), database {database_mb:.0f} MB")
    print(f"  base backup (pg_basebackup, fsync on):   {backup_s:6.1f} s  {info.bytes / 1e6:7.0f} MB")
    print(f"  verify (SHA-256 manifest + pg_waldump):  {verify_s:6.1f} s")
    print(f"  restore --latest (copy, replay, promote): {restore_s:6.1f} s  {_du(restored.pgdata):7.0f} MB")
    print(f"  school export (1 school, tar.gz of CSV):  {export_s:6.1f} s  {export_mb:7.1f} MB, {sum(counts.values())} rows")
    print(f"  incremental after a day ({marks} attendance marks): {incremental_s:6.1f} s  {incremental.bytes / 1e6:7.0f} MB "
          f"(full {info.bytes / 1e6:.0f} MB: {incremental.bytes / info.bytes:.2f}; without WAL {incremental_data:.1f} "
          f"of {full_data:.0f} MB: {incremental_data / full_data:.3f}), verify {incremental_verify_s:.1f} s")  # fmt: skip
    shutil.rmtree(root, ignore_errors=True)
