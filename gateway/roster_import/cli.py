"""`school-gateway oneroster import FILE.zip --school ID [--dry-run]`: the same
run as over HTTP, as a school_admin of that school (the operator's tool), with
progress lines on stderr and the report as JSON on stdout."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from uuid import UUID

import asyncpg


def add_oneroster_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    oneroster = commands.add_parser("oneroster", help="OneRoster 1.2 roster sync")
    sub = oneroster.add_subparsers(dest="oneroster_command", required=True)
    imp = sub.add_parser("import", help="import a OneRoster 1.2 CSV zip into one school")
    imp.add_argument("file", type=Path)
    imp.add_argument("--school", required=True, type=UUID, help="the school's id")
    imp.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")
    imp.set_defaults(run=_import)


def _import(args: argparse.Namespace) -> int:
    return asyncio.run(run_cli_import(args.file, args.school, dry_run=args.dry_run))


async def run_cli_import(file: Path, school: UUID, *, dry_run: bool) -> int:
    from db.database import admin_url
    from gateway.roster_import.run import Caller, RunInProgress, execute_run, pinned, start_run

    data = file.read_bytes()
    url = admin_url()
    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    claims = json.dumps({"role": "school_admin", "school_id": str(school), "sub": "cli"})
    caller = Caller(role="school_admin", claims=claims, request_id=f"cli-{int(time.time())}")
    progress(f"run for school {school}{' (dry run)' if dry_run else ''}: {file} ({len(data)} bytes)")
    # One session for the whole run: it holds the run's lock, so a CLI run is
    # alive exactly as long as this process's connection (run.py `pinned`).
    connection = await asyncpg.connect(url)
    try:
        connect = pinned(connection)
        try:
            run_id = await start_run(connect, caller, data, dry_run=dry_run, source="CLI")
        except RunInProgress as busy:
            print(f"refused: {busy.message} ({busy.detail}); {busy.hint}", file=sys.stderr)
            return 2
        report = await execute_run(connect, caller, run_id, data, dry_run=dry_run, progress=progress)
    finally:
        await connection.close()  # ends the session: its lock goes with it
    print(json.dumps({"id": run_id, **report}, indent=2))
    return 0 if report["status"] in ("APPLIED", "DRY_RUN") else 1
