"""The embedded server's own settings (db/database.py SERVER_SETTINGS)."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from db.database import SERVER_SETTINGS, SETTINGS_MARKER, write_server_settings


def test_settings_are_written_once_after_initdb_s_own(tmp_path: Path) -> None:
    conf = tmp_path / "postgresql.conf"
    conf.write_text("shared_buffers = 128MB\n")
    write_server_settings(tmp_path)
    write_server_settings(tmp_path)
    text = conf.read_text()
    assert text.startswith("shared_buffers = 128MB\n") and text.count(SETTINGS_MARKER) == 1
    assert text.rstrip().endswith("wal_buffers = '64MB'"), "the last setting of a name is the one PostgreSQL uses"


async def test_the_embedded_server_runs_with_them(admin: asyncpg.Connection) -> None:
    conf = Path(await admin.fetchval("show data_directory")) / "postgresql.conf"
    if not conf.is_file() or SETTINGS_MARKER not in conf.read_text():
        pytest.skip("the tests run on a server of DATABASE_URL or a container, not the embedded one")
    for name, value in SERVER_SETTINGS.items():
        assert await admin.fetchval(f"show {name}") == value
