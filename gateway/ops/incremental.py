"""Incremental backups with PostgreSQL 17+'s own machinery.

The server summarises its WAL (`summarize_wal = on`: which blocks each stretch
of WAL changed, kept in pg_wal/summaries for `wal_summary_keep_time`, 10 days).
`pg_basebackup --incremental=<parent's backup_manifest>` asks the server for
the blocks changed since the parent backup started: relation files become
`INCREMENTAL.<file>` (a header and the changed blocks), everything else is
copied whole. `pg_combinebackup full incr1 incr2 ... -o DIR` rebuilds a plain
data directory from such a chain at restore time; WAL replay then proceeds as
from a full backup. https://www.postgresql.org/docs/18/continuous-archiving.html#BACKUP-INCREMENTAL-BACKUP

The repository records each backup's parent (repository.py), so the chain of a
backup is known without reading backup labels; the labels are checked against
it all the same (`check_links`): the chain is what a restore depends on.
"""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import msgspec

from gateway.ops.pgtools import OpsError, program, run
from gateway.ops.repository import BackupInfo, Repository

_START = re.compile(r"^START WAL LOCATION: ([0-9A-F]+/[0-9A-F]+) ", re.MULTILINE)
_TIMELINE = re.compile(r"^START TIMELINE: ([0-9]+)$", re.MULTILINE)
_FROM_LSN = re.compile(r"^INCREMENTAL FROM LSN: ([0-9A-F]+/[0-9A-F]+)$", re.MULTILINE)
_FROM_TLI = re.compile(r"^INCREMENTAL FROM TLI: ([0-9]+)$", re.MULTILINE)

# A backup taken against a parent whose summaries are gone: the operator's way out.
TAKE_A_FULL = "take a full backup (`school-gateway backup create`); later incrementals can build on it"


class Label(msgspec.Struct, frozen=True, kw_only=True):
    """What a backup's backup_label says about where it starts and what it builds on."""

    start_lsn: str
    timeline: int
    from_lsn: str | None = None  # an incremental: its parent's start
    from_tli: int | None = None


def read_label(backup: Path) -> Label:
    text = (backup / "backup_label").read_text()
    start, timeline = _START.search(text), _TIMELINE.search(text)
    if start is None or timeline is None:
        raise OpsError(f"{backup}: backup_label has no START WAL LOCATION / START TIMELINE")
    from_lsn, from_tli = _FROM_LSN.search(text), _FROM_TLI.search(text)
    return Label(
        start_lsn=start.group(1),
        timeline=int(timeline.group(1)),
        from_lsn=from_lsn.group(1) if from_lsn else None,
        from_tli=int(from_tli.group(1)) if from_tli else None,
    )


def chain(repo: Repository, label: str) -> list[BackupInfo]:
    """The backups a restore of `label` needs, its full backup first."""
    found = {b.label: b for b in repo.backups()}
    if label not in found:
        raise OpsError(f"no backup {label!r} in {repo.root}")
    links = [found[label]]
    while links[-1].parent is not None:
        parent = links[-1].parent
        if parent not in found:
            raise OpsError(f"backup {links[-1].label} is incremental on {parent}, which is not in {repo.root}: "
                           "it cannot be restored")  # fmt: skip
        if any(b.label == parent for b in links):
            raise OpsError(f"backup {label}: its chain of parents loops at {parent}")
        links.append(found[parent])
    return links[::-1]


def needed(backups: list[BackupInfo], labels: set[str]) -> set[str]:
    """`labels` and every backup they are built on (retention keeps these)."""
    parents = {b.label: b.parent for b in backups}
    kept: set[str] = set()
    for label in labels:
        current: str | None = label
        while current is not None and current not in kept:
            kept.add(current)
            current = parents.get(current)
    return kept


def newest_parent(repo: Repository) -> BackupInfo:
    """The backup an incremental is taken against: the newest in the repository."""
    backups = repo.backups()
    if not backups:
        raise OpsError(f"no backup in {repo.root} to take an incremental against: {TAKE_A_FULL}")
    return backups[-1]


def check_summaries(url: str, parent: Path) -> None:
    """Refuse before pg_basebackup does, in the operator's terms: the server
    must summarise WAL, and its summaries must reach back to the parent's start
    (they do not after `wal_summary_keep_time`, after summarize_wal was off, or
    on a server restored since). The summariser may still be behind the
    parent's start: the server then waits for it, so that passes."""
    if _psql(url, "show summarize_wal") != "on":
        raise OpsError("summarize_wal is off on this server, so it cannot tell which blocks changed: turn it on "
                       f"(ALTER SYSTEM SET summarize_wal = on; SELECT pg_reload_conf()), then {TAKE_A_FULL}")  # fmt: skip
    start = read_label(parent)
    covered = _psql(
        url,
        """select exists (select from pg_available_wal_summaries()
                          where tli = $2 and start_lsn <= $1::pg_lsn and end_lsn > $1::pg_lsn)
               or (select summarized_tli = $2 and summarized_lsn <= $1::pg_lsn from pg_get_wal_summarizer_state())""",
        start.start_lsn,
        str(start.timeline),
    )
    if covered != "t":
        raise OpsError(f"this server's WAL summaries do not reach back to {parent.name} (started at "
                       f"{start.start_lsn} on timeline {start.timeline}): {TAKE_A_FULL}")  # fmt: skip


def explain_refusal(error: OpsError) -> OpsError:
    """pg_basebackup's refusals of an incremental, with the way out."""
    text = str(error)
    if "WAL summaries are required" in text or ("summaries" in text and "incomplete" in text):
        return OpsError(f"{text}: {TAKE_A_FULL}")
    if "system identifier" in text:
        return OpsError(f"{text}: the repository's newest backup is of another server; {TAKE_A_FULL}")
    return error


def check_links(repo: Repository, links: list[BackupInfo]) -> None:
    """Each incremental of the chain was taken against the backup recorded as
    its parent: its label starts where the parent started, on the same server."""
    for parent, child in pairwise(links):
        p_dir, c_dir = repo.backup_dir(parent.label), repo.backup_dir(child.label)
        want, got = read_label(p_dir), read_label(c_dir)
        if (got.from_lsn, got.from_tli) != (want.start_lsn, want.timeline):
            raise OpsError(f"backup {child.label} builds on the backup started at {got.from_lsn} (timeline "
                           f"{got.from_tli}), but its recorded parent {parent.label} started at {want.start_lsn}")  # fmt: skip
        if _system_id(p_dir) != _system_id(c_dir):
            raise OpsError(f"backups {parent.label} and {child.label} are of different servers")


def _system_id(backup: Path) -> int | None:
    return json.loads((backup / "backup_manifest").read_bytes()).get("System-Identifier")


def combine(repo: Repository, links: list[BackupInfo], into: Path | None, user: str | None) -> None:
    """pg_combinebackup the chain into `into`; with `into` None, a dry run that
    only checks the chain can be combined (what `backup verify` does).
    --no-sync: the restored server syncs its data directory itself when it
    starts recovery from a backup (as after `cp` of a full backup);
    --no-manifest: the output is a data directory, not a backup to verify."""
    args = [program("pg_combinebackup"), *(str(repo.backup_dir(b.label)) for b in links)]
    if into is None:
        target = repo.root / ".combine-dry-run"  # named, never written
        args += ["--dry-run", "-o", str(target)]
    else:
        args += ["--no-sync", "--no-manifest", "-o", str(into)]
    run(args, user=user, timeout=None)


def _psql(url: str, query: str, *values: str) -> str:
    """One query, `values` as bind parameters ($1, $2 ...; psql's \\bind)."""
    bind = " ".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values)
    script = f"{query} \\bind {bind} \\g\n" if values else f"{query};\n"
    return run([program("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"],
               stdin=script, timeout=60).strip()  # fmt: skip
