"""The backup repository: a directory with base backups and the WAL archive.

    BACKUP_REPO/
      wal/                      WAL segments, copied by the server's archive_command
      base/<label>/             one plain-format pg_basebackup (with backup_manifest), full
                                or incremental (INCREMENTAL.* files: blocks changed since its parent)
      base/<label>.json         what we know of it: kind, parent, times, start segment, size, verification

A label is the UTC start time (20261207T200102Z), so labels sort by age.

BACKUP_REPO      the repository (default ~/.local/share/school-data-api/backups)
BACKUP_RETAIN    base backups kept, counting full and incremental ones, plus every
                 backup a kept incremental is built on; WAL older than the oldest kept one is removed (7)
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import msgspec

from gateway.ops.pgtools import OpsError

DEFAULT_REPO = Path.home() / ".local" / "share" / "school-data-api" / "backups"
_START_WAL = re.compile(r"START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)")
_SEGMENT = re.compile(r"[0-9A-F]{24}")


class BackupInfo(msgspec.Struct, kw_only=True):
    label: str
    started: datetime
    finished: datetime
    start_wal: str  # the first WAL segment a restore of it needs
    bytes: int
    server_version: str
    verified: datetime | None = None
    # A backup made before incremental backups existed decodes as a full one.
    kind: Literal["full", "incremental"] = "full"
    parent: str | None = None  # an incremental's base: the label of the backup it was taken against


def repo_path(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    path = Path(env.get("BACKUP_REPO", str(DEFAULT_REPO))).expanduser().resolve()
    if "'" in str(path):
        raise OpsError(f"BACKUP_REPO may not contain a quote: {path}")  # it is written into archive_command
    return path


def retain_count(environ: dict[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    count = int(env.get("BACKUP_RETAIN", "7"))
    if count < 1:
        raise OpsError("BACKUP_RETAIN must be at least 1")
    return count


def new_label(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


class Repository:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.wal = root / "wal"
        self.base = root / "base"

    def backup_dir(self, label: str) -> Path:
        return self.base / label

    def backups(self) -> list[BackupInfo]:
        """Finished backups, oldest first (a directory without its .json is unfinished)."""
        if not self.base.is_dir():
            return []
        found = [msgspec.json.decode(p.read_bytes(), type=BackupInfo) for p in self.base.glob("*.json")]
        return sorted(found, key=lambda b: b.label)

    def find(self, label: str) -> BackupInfo:
        for backup in self.backups():
            if backup.label == label:
                return backup
        raise OpsError(f"no backup {label!r} in {self.root}")

    def save(self, info: BackupInfo) -> None:
        path = self.base / f"{info.label}.json"
        part = path.with_suffix(".part")
        part.write_bytes(msgspec.json.format(msgspec.json.encode(info)))
        part.replace(path)

    def start_wal(self, label: str) -> str:
        text = (self.backup_dir(label) / "backup_label").read_text()
        match = _START_WAL.search(text)
        if match is None:
            raise OpsError(f"backup {label}: no START WAL LOCATION in backup_label")
        return match.group(1)

    def segments(self) -> list[str]:
        if not self.wal.is_dir():
            return []
        return sorted(p.name for p in self.wal.iterdir() if _SEGMENT.fullmatch(p.name))

    def last_archived(self) -> datetime | None:
        """When the newest WAL segment reached the archive (its file's mtime)."""
        names = self.segments()
        if not names:
            return None
        return datetime.fromtimestamp((self.wal / names[-1]).stat().st_mtime, UTC)

    def last_good(self) -> BackupInfo | None:
        """The newest backup that verified (the age an alert watches)."""
        good = [b for b in self.backups() if b.verified is not None]
        return good[-1] if good else None


def describe(backups: list[BackupInfo]) -> str:
    rows = [f"{'label':<24} {'type':<11} {'parent':<24} {'finished (UTC)':<20} {'size':>10}  verified"]
    for b in backups:
        verified = b.verified.strftime("%Y-%m-%d %H:%M:%S") if b.verified else "no"
        rows.append(f"{b.label:<24} {b.kind:<11} {b.parent or '-':<24} {b.finished:%Y-%m-%d %H:%M:%S}  "
                    f"{b.bytes / 1e6:>8.1f}MB  {verified}")  # fmt: skip
    return "\n".join(rows)


def to_json(backups: list[BackupInfo]) -> str:
    return json.dumps(msgspec.to_builtins(backups), indent=2)
