"""The embedded server's own settings (db/database.py SERVER_SETTINGS)."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from db.database import (
    ARCHIVE_MARKER,
    ARCHIVE_SETTINGS,
    SERVER_SETTINGS,
    SETTINGS_MARKER,
    SOCKET_MARKER,
    SUMMARY_MARKER,
    SUMMARY_SETTINGS,
    write_server_settings,
)


def test_settings_are_written_once_after_initdb_s_own(tmp_path: Path) -> None:
    conf = tmp_path / "postgresql.conf"
    conf.write_text("shared_buffers = 128MB\n")
    assert write_server_settings(tmp_path), "the first call adds the blocks"
    assert not write_server_settings(tmp_path), "the second finds them there"
    text = conf.read_text()
    assert text.startswith("shared_buffers = 128MB\n") and text.count(SETTINGS_MARKER) == 1
    assert text.count(ARCHIVE_MARKER) == 1 and text.count(SUMMARY_MARKER) == 1
    ours = text[text.index(SETTINGS_MARKER) :]
    for name, value in (SERVER_SETTINGS | ARCHIVE_SETTINGS | SUMMARY_SETTINGS).items():
        # After initdb's own lines: the last setting of a name is the one PostgreSQL uses.
        assert f"{name} = '{value}'" in ours


def test_a_directory_from_before_archiving_gets_the_archive_block_only(tmp_path: Path) -> None:
    conf = tmp_path / "postgresql.conf"
    conf.write_text(f"{SETTINGS_MARKER}\nshared_buffers = '256MB'\n")
    write_server_settings(tmp_path)
    text = conf.read_text()
    assert text.count(SETTINGS_MARKER) == 1 and text.count("shared_buffers") == 1
    assert "archive_command = '/bin/true'" in text, "archiving is on from the next start"


def test_a_directory_from_before_incremental_backups_gets_the_summary_block_only(tmp_path: Path) -> None:
    conf = tmp_path / "postgresql.conf"
    conf.write_text(f"{SETTINGS_MARKER}\nshared_buffers = '256MB'\n{SOCKET_MARKER}\nunix_socket_permissions = '0700'\n"
                    f"{ARCHIVE_MARKER}\narchive_mode = 'on'\n")  # fmt: skip
    assert write_server_settings(tmp_path), "added: the embedded server reloads its configuration"
    text = conf.read_text()
    assert text.count(ARCHIVE_MARKER) == 1 and text.count("archive_mode") == 1 and text.count(SOCKET_MARKER) == 1
    assert text.rstrip().endswith("summarize_wal = 'on'"), "WAL summaries from the next start or reload"


async def test_the_embedded_server_runs_with_them(admin: asyncpg.Connection) -> None:
    conf = Path(await admin.fetchval("show data_directory")) / "postgresql.conf"
    if not conf.is_file() or SETTINGS_MARKER not in conf.read_text():
        pytest.skip("the tests run on a server of DATABASE_URL or a container, not the embedded one")
    for name, value in SERVER_SETTINGS.items():
        assert await admin.fetchval(f"show {name}") == value
    assert await admin.fetchval("show archive_mode") == "on", "point-in-time restore needs it from the start"
    assert await admin.fetchval("show summarize_wal") == "on", "incremental backups need it before their parent"


async def test_only_the_server_s_own_os_user_reaches_its_socket(admin: asyncpg.Connection) -> None:
    """initdb's `trust` for local connections is safe only if no other OS user
    can open the socket (issue 15: under root it was world-writable)."""
    conf = Path(await admin.fetchval("show data_directory")) / "postgresql.conf"
    if not conf.is_file() or SOCKET_MARKER not in conf.read_text():
        pytest.skip("the tests run on a server of DATABASE_URL or a container, not the embedded one")
    assert await admin.fetchval("show unix_socket_permissions") == "0700"
    directory = (await admin.fetchval("show unix_socket_directories")).split(",")[0].strip()
    port = await admin.fetchval("show port")
    socket_path = Path(directory) / f".s.PGSQL.{port}"
    assert stat.S_IMODE(socket_path.stat().st_mode) == 0o700
    if os.geteuid() != 0:
        return  # only root can try it as another user
    probe = "import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])"
    command = [sys.executable, "-c", probe, str(socket_path)]
    done = await asyncio.to_thread(
        subprocess.run, command, user="nobody", check=False, capture_output=True, text=True, timeout=30
    )
    assert done.returncode != 0 and "Permission denied" in done.stderr, done.stderr
