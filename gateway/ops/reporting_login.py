"""`school-gateway reporting-login create|rotate|drop --school ID`: a school's
read-only login for BI tools, managed as that school's admin would through
`/rpc/create_reporting_login` (the same database functions), printed as the
connection string a BI tool takes (README "Reporting tools").

The address printed is the server's own (listen_addresses, port), or --host /
--port when BI tools reach it another way (a proxy, a published port);
sslmode=require because over TCP the server accepts reporting logins with TLS
only (db/server_tcp.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from urllib.parse import quote, urlsplit
from uuid import UUID

import asyncpg

PASSWORD_BYTES = 24  # 32 URL-safe characters; the function wants at least 16
# The operator's guards for the login (api.create_reporting_login reads them
# from these settings; unset: the database's own, else 30s, 32MB, 1GB, 5).
GUARDS = {
    "REPORTING_STATEMENT_TIMEOUT": "school_data.reporting_statement_timeout",
    "REPORTING_WORK_MEM": "school_data.reporting_work_mem",
    "REPORTING_TEMP_FILE_LIMIT": "school_data.reporting_temp_file_limit",
    "REPORTING_CONNECTION_LIMIT": "school_data.reporting_connection_limit",
}


def add_reporting_login_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("reporting-login", help="a school's read-only login for BI tools")
    parser.add_argument("action", choices=("create", "rotate", "drop"))
    parser.add_argument("--school", required=True, type=UUID, help="the school's id")
    parser.add_argument("--host", help="host BI tools connect to (default: the server's listen address)")
    parser.add_argument("--port", type=int, help="port BI tools connect to (default: the server's port)")
    parser.set_defaults(run=lambda args: asyncio.run(_run(args)))


class Refused(Exception):
    pass


async def _run(args: argparse.Namespace) -> int:
    from db.database import admin_url

    connection = await asyncpg.connect(admin_url())
    try:
        if args.action == "drop":
            dropped = await manage(connection, args.school, "drop")
            print("dropped" if dropped else "there was no reporting login for this school")
            return 0
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        name = await manage(connection, args.school, args.action, password)
        host, port, listening = await _address(connection)
    except Refused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 2
    finally:
        await connection.close()
    if not listening:
        print(
            "note: the server does not listen on TCP: set REPORTING_LISTEN as for `serve --reporting-listen`",
            file=sys.stderr,
        )
    print(connection_string(name, password, args.host or host, args.port or port, admin_database()))
    return 0


async def manage(connection: asyncpg.Connection, school: UUID, action: str, password: str | None = None) -> object:
    """Run the database function as the school's admin (role and claims set as
    the gateway sets them), committed. create refuses an existing login and
    rotate a missing one; the function itself would do either."""
    exists = await connection.fetchval("select exists (select from auth.reporting_logins where school_id = $1)", school)
    if not await connection.fetchval("select exists (select from data.schools where id = $1)", school):
        raise Refused(f"no school {school}")
    if action == "create" and exists:
        raise Refused("the school has a reporting login already: use rotate for a new password, or drop")
    if action == "rotate" and not exists:
        raise Refused("the school has no reporting login: use create")
    claims = json.dumps({"role": "school_admin", "school_id": str(school), "sub": "cli"})
    async with connection.transaction():
        await connection.execute(
            "select set_config('role', 'school_admin', true), set_config('request.jwt.claims', $1, true)", claims
        )
        for variable, setting in GUARDS.items():
            if os.environ.get(variable):
                await connection.execute("select set_config($1, $2, true)", setting, os.environ[variable])
        if action == "drop":
            return await connection.fetchval("select api.drop_reporting_login()")
        return await connection.fetchval("select api.create_reporting_login($1)", password)


async def _address(connection: asyncpg.Connection) -> tuple[str, int, bool]:
    """REPORTING_LISTEN (what `serve --reporting-listen` fronts the embedded
    server with), else the server's own TCP address."""
    from gateway.ops.reporting_listener import Listen

    if os.environ.get("REPORTING_LISTEN"):
        listen_at = Listen.parse(os.environ["REPORTING_LISTEN"])
        return listen_at.host, listen_at.port, True
    listen = await connection.fetchval("select current_setting('listen_addresses')")
    port = int(await connection.fetchval("select current_setting('port')"))
    first = next((a.strip() for a in listen.split(",") if a.strip()), "")
    host = "127.0.0.1" if first in ("", "*", "0.0.0.0", "localhost") else first
    return host, port, bool(first)


def admin_database() -> str:
    from db.database import admin_url

    return urlsplit(admin_url()).path.lstrip("/") or "school"


def connection_string(name: str, password: str, host: str, port: int, database: str) -> str:
    host_part = f"[{host}]" if ":" in host else host
    return f"postgresql://{quote(name)}:{quote(password, safe='')}@{host_part}:{port}/{quote(database)}?sslmode=require"
