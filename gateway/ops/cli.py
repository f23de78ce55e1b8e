"""Operator subcommands of `school-gateway`:

school-gateway backup create [--incremental] [--no-verify]
                                               base backup (full, or the blocks changed since
                                               the newest backup) + WAL archiving into BACKUP_REPO
school-gateway backup list [--json]
school-gateway backup verify [LABEL]           pg_verifybackup (default: every backup)
school-gateway restore (--target-time T | --latest) [--into DIR] [--backup LABEL] [--replace-live]
school-gateway school export --school ID FILE  one school's rows, for the school to take away
school-gateway school import FILE              into an empty, migrated database
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from gateway.ops.pgtools import OpsError
from gateway.ops.repository import Repository, describe, repo_path, to_json


def add_ops_commands(commands: argparse._SubParsersAction) -> None:
    b = commands.add_parser("backup", help="base backups and WAL archiving (BACKUP_REPO)")
    actions = b.add_subparsers(dest="action", required=True)
    c = actions.add_parser("create", help="take a base backup (and switch WAL archiving into the repository)")
    c.add_argument("--incremental", action="store_true",
                   help="only the blocks changed since the repository's newest backup (PostgreSQL 17+ WAL summaries)")  # fmt: skip
    c.add_argument("--no-verify", action="store_true", help="skip pg_verifybackup after the backup")
    c.set_defaults(run=_guarded(_backup_create))
    ls = actions.add_parser("list", help="the backups in the repository")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=_guarded(_backup_list))
    v = actions.add_parser("verify", help="check backups against their manifests and the WAL archive for gaps")
    v.add_argument("label", nargs="?", help="one backup (default: all)")
    v.set_defaults(run=_guarded(_backup_verify))

    r = commands.add_parser("restore", help="point-in-time restore into a new data directory")
    when = r.add_mutually_exclusive_group(required=True)
    when.add_argument("--target-time", help="ISO 8601 time to replay up to (UTC when no offset is given)")
    when.add_argument("--latest", action="store_true", help="replay every archived WAL segment")
    r.add_argument("--into", type=Path, help="new data directory (default: beside the live one, timestamped)")
    r.add_argument("--backup", help="the base backup to start from (default: newest before the target)")
    r.add_argument("--replace-live", action="store_true",
                   help="restore into the live data directory (its server stopped; the old one is kept aside)")  # fmt: skip
    r.set_defaults(run=_guarded(_restore))

    s = commands.add_parser("school", help="one school's data: export for the school, import elsewhere")
    school_actions = s.add_subparsers(dest="action", required=True)
    e = school_actions.add_parser("export", help="write one school's rows to FILE (a .tar.gz of CSV + manifest)")
    e.add_argument("--school", type=UUID, required=True)
    e.add_argument("file", type=Path)
    e.set_defaults(run=_guarded(_school_export))
    i = school_actions.add_parser("import", help="load an export into this (migrated) database")
    i.add_argument("file", type=Path)
    i.set_defaults(run=_guarded(_school_import))


def _guarded(command):  # type: ignore[no-untyped-def]
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except OpsError as error:
            print(f"{args.command}: {error}", file=sys.stderr)
            return 1

    return run


def _live_pgdata() -> Path | None:
    """The embedded server's data directory (None when DATABASE_URL names another server)."""
    if os.environ.get("DATABASE_URL"):
        return None
    from db.database import DEFAULT_PGDATA

    return Path(os.environ.get("SCHOOL_PGDATA", DEFAULT_PGDATA)).resolve()


def _backup_create(args: argparse.Namespace) -> int:
    from db.database import admin_url
    from gateway.ops.backup import create
    from gateway.ops.incremental import newest_parent

    repo = Repository(repo_path())
    if args.incremental:
        newest_parent(repo)  # no backup to build on: refuse before starting a server
    info = create(repo, admin_url(), verify_after=not args.no_verify, incremental=args.incremental)
    seconds = (info.finished - info.started).total_seconds()
    state = "verified" if info.verified else "not verified"
    kind = f"incremental on {info.parent}" if info.parent else "full"
    print(f"backup: {info.label} ({kind}, {info.bytes / 1e6:.1f} MB in {seconds:.1f} s, {state}) in {repo.root}")
    return 0


def _backup_list(args: argparse.Namespace) -> int:
    backups = Repository(repo_path()).backups()
    print(to_json(backups) if args.json else describe(backups))
    return 0


def _backup_verify(args: argparse.Namespace) -> int:
    from gateway.ops.backup import verify

    repo = Repository(repo_path())
    labels = [args.label] if args.label else [b.label for b in repo.backups()]
    if not labels:
        raise OpsError(f"no backup in {repo.root}")
    for label in labels:
        verify(repo, label)
        print(f"backup: {label} verified")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from gateway.ops.restore import parse_time, restore, switch_over_text

    live = _live_pgdata()
    target = None if args.latest else parse_time(args.target_time)
    into = args.into
    if into is None:
        base = live or Path.cwd() / "pgdata"
        into = base.with_name(f"{base.name}.restored-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    result = restore(Repository(repo_path()), into.resolve(), target_time=target, label=args.backup, live=live,
                     replace_live=args.replace_live)  # fmt: skip
    print(switch_over_text(result, None if args.replace_live else live))
    return 0


def _school_export(args: argparse.Namespace) -> int:
    from db.database import admin_url
    from gateway.ops.export import export_school

    counts = asyncio.run(export_school(admin_url(), args.school, args.file))
    print(f"school export: {sum(counts.values())} rows of {len(counts)} tables into {args.file}")
    return 0


def _school_import(args: argparse.Namespace) -> int:
    from db.database import admin_url
    from gateway.ops.export import import_school

    counts = asyncio.run(import_school(admin_url(), args.file))
    print(f"school import: {sum(counts.values())} rows into {len(counts)} tables")
    return 0
