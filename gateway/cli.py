"""`school-gateway`: migrate, seed and serve; back up, restore, export (gateway/ops/).

With no DATABASE_URL every command uses the embedded PostgreSQL 18 kept in
SCHOOL_PGDATA (db/database.py), so a fresh machine needs only Python and pip.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from db.database import admin_url
from db.migrate import HEAD, migrate
from db.seed.cli import add_seed_command
from gateway.ops.cli import add_ops_commands
from gateway.ops.replica import add_replica_command
from gateway.ops.reporting_login import add_reporting_login_command
from gateway.roster_import.cli import add_oneroster_command


def _migrate(args: argparse.Namespace) -> int:
    asyncio.run(migrate(args.to))
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.reporting_listen:  # refuse a bad address before starting anything
        from gateway.ops.reporting_listener import Listen

        try:
            Listen.parse(args.reporting_listen)
        except ValueError as error:
            raise SystemExit(f"school-gateway: {error}") from None
    url = admin_url()  # starts the embedded server when DATABASE_URL is unset
    asyncio.run(migrate(HEAD))
    from gateway.identity.tokens import ensure_jwt_secret

    ensure_jwt_secret()  # before uvicorn: workers inherit a generated secret
    _metrics_directory()
    _lock_directory()
    if args.demo:
        from db.seed.cli import seed_demo_if_empty

        seed_demo_if_empty(url)
    if args.reporting_listen:
        _start_reporting_listener(url, args.reporting_listen)
    where = "embedded PostgreSQL" if "host=/" in url else "DATABASE_URL"
    print(f"school-gateway: serving on http://{args.host}:{args.port} ({where}); docs at /docs", flush=True)
    uvicorn.run(
        "gateway.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=False,  # gateway/app.py logs every request with its request id
    )
    return 0


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # Linux; elsewhere every core
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def _start_reporting_listener(url: str, where: str) -> None:
    """TLS on TCP for BI tools' reporting logins, in front of the embedded
    server, or of its replica when READ_REPLICA_URLS names one (reporting reads
    then never load the primary; the logins and their settings are replicated)."""
    from db.database import DEFAULT_PGDATA
    from gateway.ops.reporting_listener import Listen, reporting_target, start_in_thread

    target = reporting_target(url, os.environ.get("READ_REPLICA_URLS", ""))
    try:
        listen = Listen.parse(where)
        cert = start_in_thread(target, listen, Path(os.environ.get("SCHOOL_PGDATA", DEFAULT_PGDATA)).parent / "reporting-tls")
    except (ValueError, OSError) as error:  # a server of one's own, a port in use, a certificate not found
        raise SystemExit(f"school-gateway: --reporting-listen: {error}") from None
    served = "the replica" if target != url else "the primary"
    print(f"school-gateway: reporting logins on {listen.host}:{listen.port} (TLS, certificate {cert}; {served})", flush=True)


def _metrics_directory() -> None:
    """PROMETHEUS_MULTIPROC_DIR for the workers' shared metrics (gateway/http/metrics.py),
    emptied: samples of an earlier run must not be added to this one. Set here,
    before any worker imports prometheus_client, which reads it at import."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    path = Path(given) if given else Path(tempfile.mkdtemp(prefix="school-gateway-metrics-"))
    if not given:
        atexit.register(shutil.rmtree, path, True)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)


def _lock_directory() -> None:
    """SCHOOL_GATEWAY_LOCK_DIR: where the workers take a school's one heavy
    statement per host (gateway/http/host_locks.py); private to this run."""
    if not os.environ.get("SCHOOL_GATEWAY_LOCK_DIR"):
        path = Path(tempfile.mkdtemp(prefix="school-gateway-locks-"))
        atexit.register(shutil.rmtree, path, True)
        os.environ["SCHOOL_GATEWAY_LOCK_DIR"] = str(path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="school-gateway", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    m = commands.add_parser("migrate", help="apply migrations (to head), or undo them")
    m.add_argument("--to", default=HEAD, help="'head' (default), 'zero' for an empty database, or a migration ID to go back to")
    m.set_defaults(run=_migrate)

    s = commands.add_parser("serve", help="migrate, then serve the HTTP gateway")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=3000)
    # One worker per core: each runs the request path on one core (issue 18),
    # and Postgres shares the same cores; a container limited to fewer CPUs
    # than the host has is read from the process's affinity.
    s.add_argument("--workers", type=int, default=_cores(), help="uvicorn workers (default: the cores this process may use)")
    s.add_argument("--demo", action="store_true", help="seed the demo schools when the database is empty")
    s.add_argument("--reporting-listen", metavar="HOST:PORT", default=os.environ.get("REPORTING_LISTEN"),
                   help="embedded server: listen there with TLS for BI tools' reporting logins")  # fmt: skip
    s.set_defaults(run=_serve)

    add_seed_command(commands)
    add_oneroster_command(commands)
    add_reporting_login_command(commands)
    add_replica_command(commands)
    add_ops_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
