"""How fast the seed loads the benchmark size (20 schools x 5000 students x 180
school days) into a fresh, migrated database, every trigger and key enforced.

Not a timed test: it prints rows, seconds and rows/s per table.

    pytest -m benchmark tests/benchmarks/test_seed_speed.py -s
    SEED_BENCHMARK_SIZE=2,5000,180 pytest -m benchmark tests/benchmarks/test_seed_speed.py -s   # a slice
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import subprocess
import sys

import asyncpg
import pytest

from db.database import CREATE_OPTIONS, with_database
from db.seed.cli import print_report
from db.seed.context import BENCHMARK
from db.seed.load import load_url


def benchmark_size():
    """BENCHMARK, or `schools,students_per_school,days` from SEED_BENCHMARK_SIZE."""
    override = os.environ.get("SEED_BENCHMARK_SIZE")
    if not override:
        return BENCHMARK
    schools, students, days = (int(part) for part in override.split(","))
    return dataclasses.replace(BENCHMARK, schools=schools, students_per_school=students, days=days)


@pytest.mark.benchmark
async def test_seed_speed(server_url: str) -> None:
    size = benchmark_size()
    name = f"school_seed_bench_{secrets.token_hex(4)}"
    server = await asyncpg.connect(server_url)
    await server.execute(f'create database "{name}" {CREATE_OPTIONS}')
    url = with_database(server_url, name)
    try:
        # Blocking is fine here: nothing else runs on this event loop meanwhile.
        migrated = subprocess.run(  # noqa: ASYNC221
            [sys.executable, "-m", "gateway", "migrate"], env={**os.environ, "DATABASE_URL": url},
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert migrated.returncode == 0, migrated.stderr
        print(f"\nseed benchmark: {size.describe()}")
        report = await load_url(url, size)
        assert report is not None
        print_report(report)
        connection = await asyncpg.connect(url)
        try:
            audit_rows = await connection.fetchval("select count(*) from audit.audit_log")
            database_size = await connection.fetchval("select pg_size_pretty(pg_database_size(current_database()))")
        finally:
            await connection.close()
        print(f"audit.audit_log rows written by the triggers: {audit_rows:,}; database size {database_size}")
        students = await asyncpg.connect(url)
        try:
            assert (
                await students.fetchval("select count(*) from data.students") == size.schools * size.students_per_school
            )
        finally:
            await students.close()
    finally:
        await server.execute(f'drop database "{name}" with (force)')
        await server.close()
