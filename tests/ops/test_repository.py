"""The backup repository without a server: the verifier catches a changed or
missing file and a tampered manifest, the archive check finds a gap, retention
removes old backups and the WAL only they needed."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.ops.backup import archive_gap, prune
from gateway.ops.pgtools import OpsError
from gateway.ops.repository import BackupInfo, Repository
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
