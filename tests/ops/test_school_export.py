"""A school leaving the service takes its data: `school-gateway school export`
writes its rows (and only its rows) to an archive, and `school import` loads
that archive into an empty migrated database, where the rows, the audit log
and row-level security are as they were."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import asyncpg
import pytest

from db.database import scratch_database
from gateway.ops.export import import_school
from gateway.ops.pgtools import OpsError
from tests.factories import School, make_school
from tests.ops.servers import migrate

ROWS = "select count(*) from data.{} where school_id = $1"


async def test_export_then_import_into_an_empty_database(database_url: str, server_url: str, tmp_path: Path) -> None:
    live = await asyncpg.connect(database_url)
    try:
        school, other = await make_school(live), await make_school(live)
        file = tmp_path / "school.tar.gz"
        env = {**os.environ, "DATABASE_URL": database_url}
        done = subprocess.run([sys.executable, "-m", "gateway", "school", "export", "--school", str(school.id), str(file)],
                              env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        expected = {t: await live.fetchval(ROWS.format(t), school.id) for t in ("users", "students", "classes")}
        audit = await live.fetchval("select count(*) from audit.audit_log where school_id = $1", school.id)
        student = await live.fetchrow("select * from data.students where id = $1", school.student)
    finally:
        await live.close()

    with tarfile.open(file) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
        text = b"".join(archive.extractfile(m).read() for m in archive.getmembers() if m.name.endswith(".csv"))  # type: ignore[union-attr]
    assert str(other.id).encode() not in text, "nothing of another school is in the export"
    assert "password_hash" not in manifest["tables"]["data.users"]["columns"], "password hashes stay with the service"
    assert "data.partner_clients" not in manifest["tables"]

    async with scratch_database(server_url, "school_import") as url:
        migrate(url)
        counts = await import_school(url, file)
        assert counts["data.students"] == expected["students"]
        imported = await asyncpg.connect(url)
        try:
            for table, rows in expected.items():
                assert await imported.fetchval(ROWS.format(table), school.id) == rows, f"{table}: every row came back"
            assert await imported.fetchval("select count(*) from audit.audit_log") == audit, "the audit log as it was"
            assert await imported.fetchrow("select * from data.students where id = $1", school.student) == student
            hashes = await imported.fetch("select distinct password_hash from data.users")
            assert [r[0] for r in hashes] == ["!"], "imported logins have no password until one is set"
            await assert_rls_applies(imported, school)
        finally:
            await imported.close()
        with pytest.raises(OpsError, match="exists here already"):
            await import_school(url, file)


async def assert_rls_applies(connection: asyncpg.Connection, school: School) -> None:
    """As the school's parent, through the API view: only the linked child."""
    async with connection.transaction():
        claims = json.dumps({"role": "parent", "school_id": str(school.id), "sub": str(school.parent_user)})
        await connection.execute("select set_config('role', 'parent', true), set_config('request.jwt.claims', $1, true)",
                                 claims)  # fmt: skip
        seen = await connection.fetch("select id from api.students")
        assert [r["id"] for r in seen] == [school.student], "row security holds on the imported rows"
