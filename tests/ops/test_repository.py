"""The backup repository without a server: the verifier catches a changed or
missing file and a tampered manifest, the archive check finds a gap, retention
removes old backups and the WAL only they needed but never a backup a kept
incremental is built on; an incremental's chain and its links."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.ops.backup import archive_gap, prune
from gateway.ops.incremental import chain, check_links, explain_refusal, newest_parent
from gateway.ops.pgtools import OpsError
from gateway.ops.repository import BackupInfo, Repository, describe
from gateway.ops.verify import verify_backup

SEGMENT = "00000001000000000000000{}"


def fake_backup(root: Path, files: dict[str, bytes]) -> Path:
    """A directory with a backup_manifest as pg_basebackup writes it (SHA-256, no WAL range)."""
    root.mkdir(parents=True)
    entries = []
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
        entries.append({"Path": name, "Size": len(content), "Checksum-Algorithm": "SHA256",
                        "Checksum": hashlib.sha256(content).hexdigest()})  # fmt: skip
    body = ('{ "PostgreSQL-Backup-Manifest-Version": 2,\n"Files": ' + json.dumps(entries) + ',\n"WAL-Ranges": [],\n')
    checksum = hashlib.sha256(body.encode()).hexdigest()
    (root / "backup_manifest").write_text(body + f'"Manifest-Checksum": "{checksum}"}}\n')
    return root


def test_an_intact_backup_verifies(tmp_path: Path) -> None:
    backup = fake_backup(tmp_path / "b", {"PG_VERSION": b"18\n", "base/1/1259": b"x" * 9000})
    assert verify_backup(backup) == 2


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: (b / "base/1/1259").write_bytes(b"y" * 9000), "checksum mismatch"),
        (lambda b: (b / "base/1/1259").write_bytes(b"x" * 10), "bytes, the manifest says"),
        (lambda b: (b / "PG_VERSION").unlink(), "missing from the backup"),
        (lambda b: (b / "backup_manifest").write_text((b / "backup_manifest").read_text().replace("9000", "9001")),
         "does not match its own checksum"),
    ],
)
def test_a_damaged_backup_is_refused(tmp_path: Path, damage, message: str) -> None:  # type: ignore[no-untyped-def]
    backup = fake_backup(tmp_path / "b", {"PG_VERSION": b"18\n", "base/1/1259": b"x" * 9000})
    damage(backup)
    with pytest.raises(OpsError, match=message):
        verify_backup(backup)


def test_a_missing_wal_segment_is_a_gap(tmp_path: Path) -> None:
    repo = Repository(tmp_path)
    repo.wal.mkdir()
    for n in (2, 3, 5):
        (repo.wal / SEGMENT.format(n)).write_bytes(b"")
    assert archive_gap(repo, SEGMENT.format(2)) == SEGMENT.format(3)
    assert archive_gap(repo, SEGMENT.format(5)) is None
    # 16 MB segments: ...000000FF is followed by the next "log" number, ...0100000000
    (repo.wal / "0000000100000000000000FF").write_bytes(b"")
    (repo.wal / "000000010000000100000000").write_bytes(b"")
    assert archive_gap(repo, "0000000100000000000000FF") is None


def test_retention_keeps_the_newest_and_the_wal_they_need(tmp_path: Path) -> None:
    repo = Repository(tmp_path)
    repo.wal.mkdir()
    repo.base.mkdir()
    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(1, 5):
        start = t0 + timedelta(days=n)
        label = start.strftime("%Y%m%dT%H%M%S%fZ")
        repo.backup_dir(label).mkdir()
        repo.save(BackupInfo(label=label, started=start, finished=start, start_wal=SEGMENT.format(2 * n), bytes=1,
                             server_version="18"))  # fmt: skip
    for n in range(1, 10):
        (repo.wal / SEGMENT.format(n)).write_bytes(b"")
    removed = prune(repo, 2, None)
    assert len(removed) == 2 and [b.start_wal for b in repo.backups()] == [SEGMENT.format(6), SEGMENT.format(8)]
    assert repo.segments() == [SEGMENT.format(n) for n in range(6, 10)], "WAL from the oldest kept backup on"


def _chain_repo(tmp_path: Path, parents: dict[str, str | None]) -> Repository:
    """Backups named by their order (b1 oldest), with the parents given, and WAL from each one's start."""
    repo = Repository(tmp_path)
    repo.wal.mkdir(parents=True)
    repo.base.mkdir()
    for n, (name, parent) in enumerate(parents.items(), start=1):
        start = datetime(2026, 12, 1, tzinfo=UTC) + timedelta(days=n)
        repo.backup_dir(name).mkdir()
        repo.save(BackupInfo(label=name, started=start, finished=start, start_wal=SEGMENT.format(n), bytes=1,
                             server_version="18", kind="full" if parent is None else "incremental", parent=parent))  # fmt: skip
        (repo.wal / SEGMENT.format(n)).write_bytes(b"")
    return repo


def test_retention_keeps_the_backups_a_kept_incremental_is_built_on(tmp_path: Path) -> None:
    repo = _chain_repo(tmp_path, {"b1": None, "b2": None, "b3": "b2", "b4": "b3"})
    assert prune(repo, 1, None) == ["b1"], "b4 needs b3 and b2, however old"
    assert [b.label for b in repo.backups()] == ["b2", "b3", "b4"]
    assert repo.segments() == [SEGMENT.format(n) for n in (2, 3, 4)], "WAL from the kept full backup on"


def test_retention_removes_a_whole_chain_no_kept_backup_needs(tmp_path: Path) -> None:
    repo = _chain_repo(tmp_path, {"b1": None, "b2": "b1", "b3": "b2", "b4": None, "b5": "b4"})
    assert prune(repo, 2, None) == ["b1", "b2", "b3"]
    assert [b.label for b in repo.backups()] == ["b4", "b5"] and not repo.backup_dir("b2").exists()


def test_a_chain_is_read_full_backup_first_and_a_missing_parent_is_named(tmp_path: Path) -> None:
    repo = _chain_repo(tmp_path, {"b1": None, "b2": "b1", "b3": "b2"})
    assert [b.label for b in chain(repo, "b3")] == ["b1", "b2", "b3"]
    (repo.base / "b1.json").unlink()
    with pytest.raises(OpsError, match="b2 is incremental on b1, which is not in .*cannot be restored"):
        chain(repo, "b3")


def _label(backup: Path, start: str, system: int, parent_start: str | None = None) -> None:
    text = f"START WAL LOCATION: {start} (file 000000010000000000000004)\nSTART TIMELINE: 1\n"
    if parent_start:
        text += f"INCREMENTAL FROM LSN: {parent_start}\nINCREMENTAL FROM TLI: 1\n"
    (backup / "backup_label").write_text(text)
    (backup / "backup_manifest").write_text(json.dumps({"System-Identifier": system}))


def test_an_incremental_must_start_where_its_recorded_parent_started(tmp_path: Path) -> None:
    repo = _chain_repo(tmp_path, {"b1": None, "b2": "b1"})
    _label(repo.backup_dir("b1"), "0/4000028", 7)
    _label(repo.backup_dir("b2"), "0/6000028", 7, parent_start="0/4000028")
    check_links(repo, chain(repo, "b2"))
    _label(repo.backup_dir("b2"), "0/6000028", 7, parent_start="0/5000028")
    with pytest.raises(OpsError, match="builds on the backup started at 0/5000028.*b1 started at 0/4000028"):
        check_links(repo, chain(repo, "b2"))
    _label(repo.backup_dir("b2"), "0/6000028", 8, parent_start="0/4000028")
    with pytest.raises(OpsError, match="different servers"):
        check_links(repo, chain(repo, "b2"))


def test_an_incremental_needs_a_backup_to_build_on(tmp_path: Path) -> None:
    with pytest.raises(OpsError, match="no backup in .*take a full backup"):
        newest_parent(Repository(tmp_path))
    assert newest_parent(_chain_repo(tmp_path / "r", {"b1": None, "b2": "b1"})).label == "b2", "the newest"


def test_pg_basebackup_refusals_of_an_incremental_name_the_way_out() -> None:
    refused = OpsError("pg_basebackup failed: WAL summaries are required on timeline 1 from 0/4000028 to 0/9000060, "
                       "but the summaries for that timeline and LSN range are incomplete")  # fmt: skip
    assert "take a full backup" in str(explain_refusal(refused))
    other = OpsError("pg_basebackup failed: could not connect to server")
    assert explain_refusal(other) is other


def test_the_list_shows_type_parent_and_size(tmp_path: Path) -> None:
    repo = _chain_repo(tmp_path, {"20261201T000000000000Z": None, "20261202T000000000000Z": "20261201T000000000000Z"})
    lines = describe(repo.backups()).splitlines()
    assert lines[0].split()[:3] == ["label", "type", "parent"]
    assert lines[1].split()[:3] == ["20261201T000000000000Z", "full", "-"]
    assert lines[2].split()[:3] == ["20261202T000000000000Z", "incremental", "20261201T000000000000Z"]
    assert "MB" in lines[2]
