"""Backup and restore of the benchmark-size database (20 schools x 5000
students x 180 school days, `school-gateway seed --benchmark`) on a server of
its own: base backup + verification, point-in-time restore (--latest), one
school's export. Prints seconds and sizes; README "Operations" quotes them.

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

    print(f"\nbackup benchmark: {size.describe()} (seeded in {seeded:.0f} s), database {database_mb:.0f} MB")
    print(f"  base backup (pg_basebackup, fsync on):   {backup_s:6.1f} s  {info.bytes / 1e6:7.0f} MB")
    print(f"  verify (SHA-256 manifest + pg_waldump):  {verify_s:6.1f} s")
    print(f"  restore --latest (copy, replay, promote): {restore_s:6.1f} s  {_du(restored.pgdata):7.0f} MB")
    print(f"  school export (1 school, tar.gz of CSV):  {export_s:6.1f} s  {export_mb:7.1f} MB, {sum(counts.values())} rows")
    shutil.rmtree(root, ignore_errors=True)
