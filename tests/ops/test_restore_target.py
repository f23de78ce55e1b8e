"""Where a restore may write: never over the live data directory unless told,
never into a directory holding anything; choosing the base backup for a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.ops.pgtools import OpsError
from gateway.ops.repository import BackupInfo, Repository
from gateway.ops.restore import check_target, choose_backup, parse_time


def test_the_live_directory_is_refused_without_the_flag(tmp_path: Path) -> None:
    live = tmp_path / "pgdata"
    live.mkdir()
    (live / "PG_VERSION").write_text("18")
    with pytest.raises(OpsError, match="live data directory"):
        check_target(live, live, replace_live=False)
    assert (live / "PG_VERSION").exists(), "nothing was touched"


def test_replacing_the_live_directory_needs_its_server_stopped(tmp_path: Path) -> None:
    import os

    live = tmp_path / "pgdata"
    live.mkdir()
    (live / "postmaster.pid").write_text(f"{os.getpid()}\n")  # a process that is running
    with pytest.raises(OpsError, match="running"):
        check_target(live, live, replace_live=True)


def test_replacing_the_live_directory_keeps_the_old_one_aside(tmp_path: Path) -> None:
    live = tmp_path / "pgdata"
    live.mkdir()
    (live / "PG_VERSION").write_text("18")
    check_target(live, live, replace_live=True)
    [aside] = tmp_path.glob("pgdata.before-restore-*")
    assert (aside / "PG_VERSION").read_text() == "18" and not live.exists()


def test_a_directory_with_anything_in_it_is_refused(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x")
    with pytest.raises(OpsError, match="not empty"):
        check_target(tmp_path, None, replace_live=False)


def test_the_newest_backup_finished_before_the_target_is_chosen(tmp_path: Path) -> None:
    repo = Repository(tmp_path)
    repo.base.mkdir()
    t0 = datetime(2026, 12, 7, 8, tzinfo=UTC)
    for hours in (0, 6, 12):
        start = t0 + timedelta(hours=hours)
        repo.save(BackupInfo(label=start.strftime("%Y%m%dT%H%M%S%fZ"), started=start, finished=start + timedelta(minutes=5),
                             start_wal="0" * 24, bytes=1, server_version="18"))  # fmt: skip
    assert choose_backup(repo, t0 + timedelta(hours=7), None).started == t0 + timedelta(hours=6)
    assert choose_backup(repo, None, None).started == t0 + timedelta(hours=12), "--latest: the newest"
    with pytest.raises(OpsError, match="no backup"):
        choose_backup(repo, t0 + timedelta(minutes=1), None)


def test_a_time_without_offset_is_utc() -> None:
    assert parse_time("2026-12-07T14:30:00") == datetime(2026, 12, 7, 14, 30, tzinfo=UTC)
    with pytest.raises(OpsError):
        parse_time("yesterday")
