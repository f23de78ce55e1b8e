"""`school-gateway oneroster import` in a subprocess, against the run's database."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import asyncpg

from tests.factories import make_school
from tests.roster.oneroster_zip import build_zip, sample_roster


def cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "gateway", "oneroster", "import", *args],
                          env=env, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


async def test_the_cli_imports_a_zip_with_progress_and_a_report(tmp_path: Path, database_url: str) -> None:
    db = await asyncpg.connect(database_url)
    try:
        school = await make_school(db)
        path = tmp_path / "roster.zip"
        path.write_bytes(build_zip(sample_roster(secrets.token_hex(4))))

        dry = cli(str(path), "--school", str(school.id), "--dry-run", database_url=database_url)
        assert dry.returncode == 0, dry.stderr
        assert json.loads(dry.stdout)["status"] == "DRY_RUN"
        assert await db.fetchval("select count(*) from data.users where school_id = $1 and sourced_id is not null", school.id) == 0

        result = cli(str(path), "--school", str(school.id), database_url=database_url)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["status"] == "APPLIED" and report["files"]["users.csv"]["inserted"] == 5, "an admin run imports administrators"
        assert "staging users.csv" in result.stderr and "merging" in result.stderr, "progress on stderr"
        assert await db.fetchval("select count(*) from data.users where school_id = $1 and sourced_id is not null", school.id) == 5
        run = await db.fetchrow("select source, status, actor_role from data.sync_runs where id = $1::uuid", report["id"])
        assert tuple(run) == ("CLI", "APPLIED", "school_admin")

        again = cli(str(path), "--school", str(school.id), database_url=database_url)
        assert json.loads(again.stdout)["totals"]["inserted"] == 0 and json.loads(again.stdout)["totals"]["updated"] == 0

        bad = tmp_path / "bad.zip"
        bad.write_bytes(b"PK\x03\x04 not really")
        refused = cli(str(bad), "--school", str(school.id), database_url=database_url)
        assert refused.returncode == 1 and json.loads(refused.stdout)["status"] == "REJECTED"
    finally:
        await db.close()
