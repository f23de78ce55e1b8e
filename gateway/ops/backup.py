"""`school-gateway backup create|list|verify`: base backups with pg_basebackup,
continuous WAL archiving by the server's archive_command, checks against the
backup manifest (gateway/ops/verify.py); PostgreSQL 18's own programs.

Why not pgBackRest: the Debian package here (bookworm, pgBackRest 2.45) refuses
PostgreSQL 18 ("VersionNotSupportedError: unexpected control version = 1800");
support arrived in 2.56. The embedded server's wheel ships pg_basebackup,
pg_waldump and pg_archivecleanup of the server's own version, so a backup
needs nothing beyond `pip install`. README "Operations" shows the pgBackRest
set-up for an operator whose distribution carries >= 2.56 and wants object
storage.

Archiving: the embedded server starts with archive_mode=on (db/database.py);
`backup create` points archive_command at the repository (ALTER SYSTEM and a
reload: no restart), so WAL from the first backup on is kept. It also turns on
summarize_wal (a reload as well), which an incremental backup needs from its
parent's start on: a server that did not summarise WAL before its first full
backup does from then on.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from gateway.ops.incremental import chain, check_links, check_summaries, combine, explain_refusal, needed, newest_parent
from gateway.ops.pgtools import OpsError, make_dir, owner_of, program, run
from gateway.ops.repository import BackupInfo, Repository, new_label, retain_count
from gateway.ops.verify import verify_backup

# Copy a finished segment into the archive: an identical copy already there is
# success (a retry after a crash between copy and acknowledgement), a different
# one is an error (two servers archiving into one repository); the copy is
# synced and renamed into place, so a half-written segment never has a
# segment's name. https://www.postgresql.org/docs/18/continuous-archiving.html
ARCHIVE_COMMAND = (
    "( test -f '{wal}/%f' && cmp -s '%p' '{wal}/%f' ) || "
    "( test ! -f '{wal}/%f' && cp '%p' '{wal}/%f.part' && sync '{wal}/%f.part' && mv '{wal}/%f.part' '{wal}/%f' )"
)


def archive_timeout() -> str:
    """BACKUP_ARCHIVE_TIMEOUT: the longest a committed write waits before its WAL
    segment is archived, i.e. the most a restore from the archive can lose (60s)."""
    return os.environ.get("BACKUP_ARCHIVE_TIMEOUT", "60s")


def psql(url: str, query: str) -> str:
    return run([program("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", query], timeout=60).strip()


def prepare_repository(repo: Repository, url: str) -> str | None:
    """Create the repository as the server's OS user and switch archiving into
    it; the user to run backup programs as."""
    if psql(url, "show archive_mode") == "off":
        raise OpsError(
            "archive_mode is off on this server: set archive_mode = on (the embedded server has it from its next "
            "start: stop `school-gateway serve` and start it again) and retry"
        )
    data_directory = Path(psql(url, "show data_directory"))
    user = owner_of(data_directory) if data_directory.exists() else None
    for path in (repo.root, repo.wal, repo.base):
        make_dir(path, user)
    command = ARCHIVE_COMMAND.format(wal=repo.wal)
    if psql(url, "show archive_command") != command:
        psql(url, "alter system set archive_command = '" + command.replace("'", "''") + "'")
    psql(url, "alter system set archive_timeout = '" + archive_timeout().replace("'", "''") + "'")
    if psql(url, "show summarize_wal") != "on":
        psql(url, "alter system set summarize_wal = on")
    psql(url, "select pg_reload_conf()")
    return user


def create(repo: Repository, url: str, *, verify_after: bool = True, incremental: bool = False) -> BackupInfo:
    """Take a base backup of the server at `url` (an admin URL) into `repo`:
    a full one, or with `incremental` only the blocks changed since the
    repository's newest backup started (incremental.py)."""
    parent = newest_parent(repo) if incremental else None
    if parent is not None:
        check_summaries(url, repo.backup_dir(parent.label))
    user = prepare_repository(repo, url)
    started = datetime.now(UTC)
    label = new_label(started)
    target = repo.backup_dir(label)
    # -X stream: the backup carries the WAL it needs to be consistent, so it
    # restores (and pg_verifybackup checks it) even without the archive.
    # -c fast: checkpoint now rather than spread over checkpoint_timeout.
    args = [program("pg_basebackup"), "-d", url, "-D", str(target), "-F", "p", "-X", "stream", "-c", "fast",
            "--manifest-checksums", "SHA256", "--label", f"school-gateway {label}"]  # fmt: skip
    if parent is not None:
        args.append("--incremental=" + str(repo.backup_dir(parent.label) / "backup_manifest"))
    try:
        run(args, user=user, timeout=None)
    except OpsError as error:
        run(["rm", "-rf", str(target)], user=user)  # a refused backup leaves no half directory behind
        raise explain_refusal(error) from None
    info = BackupInfo(
        label=label,
        started=started,
        finished=datetime.now(UTC),
        start_wal=repo.start_wal(label),
        bytes=_size(target),
        server_version=(target / "PG_VERSION").read_text().strip(),
        kind="full" if parent is None else "incremental",
        parent=None if parent is None else parent.label,
    )
    repo.save(info)
    if verify_after:
        info = verify(repo, label)
    prune(repo, retain_count(), user)
    return info


def verify(repo: Repository, label: str) -> BackupInfo:
    """Every file against the manifest's checksums and the backup's WAL parsed
    from start to end (verify.py). For an incremental also its chain: each
    link's backup_label starts where its recorded parent started, and
    pg_combinebackup --dry-run accepts the chain; the parents' own files are
    checked when they are verified (`backup verify` with no label does all).
    Then the archive's WAL after it has no gap. Records the time it passed."""
    info = repo.find(label)
    verify_backup(repo.backup_dir(label))
    if info.parent is not None:
        links = chain(repo, label)
        check_links(repo, links)
        combine(repo, links, None, owner_of(repo.backup_dir(label)))
    gap = archive_gap(repo, info.start_wal)
    if gap is not None:
        raise OpsError(f"backup {label}: WAL archive has a gap after {gap}: a restore cannot pass it")
    info.verified = datetime.now(UTC)
    repo.save(info)
    return info


def archive_gap(repo: Repository, start_wal: str) -> str | None:
    """The last segment before a missing one, on the backup's timeline, or None."""
    timeline = start_wal[:8]
    numbers = sorted(_number(name) for name in repo.segments() if name[:8] == timeline and name >= start_wal)
    for before, after in zip(numbers, numbers[1:], strict=False):
        if after != before + 1:
            return timeline + _name(before)[8:]
    return None


def _number(name: str) -> int:
    # With 16 MB segments the low part runs 00000000..000000FF (WAL file naming).
    return int(name[8:16], 16) * 0x100 + int(name[16:24], 16)


def _name(number: int) -> str:
    return f"00000000{number // 0x100:08X}{number % 0x100:08X}"


def prune(repo: Repository, keep: int, user: str | None) -> list[str]:
    """Remove base backups beyond the newest `keep`, except those a kept
    incremental is built on, and the WAL only the removed ones needed."""
    backups = repo.backups()
    wanted = needed(backups, {b.label for b in backups[-keep:]})
    old, kept = [b for b in backups if b.label not in wanted], [b for b in backups if b.label in wanted]
    for backup in old:
        run(["rm", "-rf", str(repo.backup_dir(backup.label))], user=user)
        (repo.base / f"{backup.label}.json").unlink()
    if kept:
        run([program("pg_archivecleanup"), str(repo.wal), kept[0].start_wal], user=user)
    return [b.label for b in old]


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def wait_archived(repo: Repository, url: str, timeout: float = 30) -> str:
    """Close the current WAL segment and wait until it is in the repository:
    every commit so far can then be restored. The segment's name."""
    # `- 1`: the last byte written. With nothing written since the last switch,
    # pg_switch_wal returns the start of the current (empty, unfinished) segment.
    switched = psql(url, "select pg_walfile_name(pg_switch_wal() - 1)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (repo.wal / switched).is_file():
            return switched
        time.sleep(0.1)
    raise OpsError(f"WAL segment {switched} not archived within {timeout:.0f} s (see pg_stat_archiver)")
