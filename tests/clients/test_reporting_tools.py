"""Reporting tools' view (README "Reporting tools"): a school's admin makes a
login with `school-gateway reporting-login create`, and a BI tool connects with
the printed string over TCP and TLS, through `serve --reporting-listen`'s
listener in front of the embedded server, the way each kind of tool does:

- psql (libpq, as Metabase's and Power BI's drivers negotiate TLS);
- SQLAlchemy's inspector (Superset lists schemas, views, columns and their
  comments this way) over psycopg;
- pandas reading every reporting view.

Each login sees its own school's rows only; without TLS, with another login
name or with an old password the connection is refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from gateway.ops.reporting_listener import Listen, socket_path, start_in_thread
from tests.factories import School, make_school, make_school_records
from tests.http_process import free_port
from tests.tools import require

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def listener(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Listen, Path]:
    """What `serve --reporting-listen` starts: (address, the certificate it generated)."""
    try:
        socket_path(database_url)
    except ValueError:
        pytest.skip("DATABASE_URL names a server of your own: its TLS is its own configuration, not the listener's")
    listen = Listen("127.0.0.1", free_port())
    cert = start_in_thread(database_url, listen, tmp_path_factory.mktemp("reporting-tls"))
    return listen, cert


def cli(database_url: str, listen: Listen, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"DATABASE_URL": database_url, "REPORTING_LISTEN": f"{listen.host}:{listen.port}"}
    return subprocess.run(
        [sys.executable, "-m", "gateway", "reporting-login", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )  # fmt: skip


@pytest.fixture(scope="module")
async def two_schools(database_url: str) -> tuple[School, School]:
    connection = await asyncpg.connect(database_url)
    try:
        schools = await make_school(connection), await make_school(connection)
        for school in schools:
            await make_school_records(connection, school)
        return schools
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def logins(
    database_url: str, listener: tuple[Listen, Path], two_schools: tuple[School, School]
) -> Iterator[dict[str, str]]:
    """school id -> the connection string `reporting-login create` printed."""
    listen, _ = listener
    strings = {}
    for school in two_schools:
        done = cli(database_url, listen, "create", "--school", str(school.id))
        assert done.returncode == 0, done.stderr
        strings[str(school.id)] = done.stdout.strip().splitlines()[-1]
    yield strings
    for school in two_schools:
        cli(database_url, listen, "drop", "--school", str(school.id))


def psql(url: str, *sql: str) -> subprocess.CompletedProcess[str]:
    binary = require("psql", "apt-get install -y postgresql-client")
    commands = [arg for statement in sql for arg in ("-c", statement)]
    return subprocess.run([binary, url, "-X", "-A", "-t", *commands], capture_output=True, text=True, timeout=60)


def test_the_cli_prints_a_tls_connection_string_to_the_listener(
    logins: dict[str, str], listener: tuple[Listen, Path]
) -> None:
    listen, _ = listener
    for url in logins.values():
        parts = urlsplit(url)
        assert (parts.hostname, parts.port, parts.query) == (listen.host, listen.port, "sslmode=require")
        assert parts.password and len(parts.password) >= 16


def test_psql_sees_its_schools_rows_only(logins: dict[str, str], database_url: str) -> None:
    for school_id, url in logins.items():
        done = psql(url, "select distinct school_id from reporting.students", "select count(*) from api.students")
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == [school_id, "3"], "the school's three students (tests.factories), nobody else's"


def test_psql_lists_the_reporting_views(logins: dict[str, str]) -> None:
    done = psql(next(iter(logins.values())), r"\dv reporting.*")
    assert done.returncode == 0, done.stderr
    for view in ("students", "attendance_daily", "invoice_balances", "enrollment_counts"):
        assert f"reporting|{view}|view|" in done.stdout


def test_without_tls_or_as_another_login_the_listener_refuses(
    logins: dict[str, str], listener: tuple[Listen, Path]
) -> None:
    listen, _ = listener
    url = next(iter(logins.values()))
    plain = psql(url.replace("sslmode=require", "sslmode=disable"), "select 1")
    assert plain.returncode != 0 and "TLS only" in plain.stderr
    owner = psql(f"postgresql://postgres@{listen.host}:{listen.port}/postgres?sslmode=require", "select 1")
    assert owner.returncode != 0 and "only reporting logins" in owner.stderr
    password = urlsplit(url).password or ""
    wrong = psql(url.replace(password, "not-the-password-0123456789"), "select 1")
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr


def test_the_certificate_verifies_as_the_listen_address(logins: dict[str, str], listener: tuple[Listen, Path]) -> None:
    """verify-full: TLS is real, and the generated certificate names 127.0.0.1."""
    _, cert = listener
    url = next(iter(logins.values())).replace("sslmode=require", f"sslmode=verify-full&sslrootcert={cert}")
    done = psql(url, "select 1")
    assert done.returncode == 0, done.stderr


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def test_sqlalchemys_inspector_lists_views_columns_and_comments(logins: dict[str, str]) -> None:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(sqlalchemy_url(next(iter(logins.values()))))
    try:
        inspector = inspect(engine)
        views = set(inspector.get_view_names(schema="reporting"))
        assert {"students", "attendance_daily", "invoice_balances", "enrollment_counts"} <= views
        for view in views:
            assert inspector.get_table_comment(view, schema="reporting")["text"], f"{view}: a comment BI tools show"
            uncommented = [c["name"] for c in inspector.get_columns(view, schema="reporting") if not c.get("comment")]
            assert uncommented == [], f"{view}: every column says what it holds"
    finally:
        engine.dispose()


def test_pandas_reads_every_view_and_only_its_school(logins: dict[str, str]) -> None:
    import pandas as pd
    from sqlalchemy import create_engine, inspect, text

    for school_id, url in logins.items():
        engine = create_engine(sqlalchemy_url(url))
        try:
            views = inspect(engine).get_view_names(schema="reporting")
            with engine.connect() as connection:
                for view in views:
                    frame = pd.read_sql(text(f'select * from reporting."{view}"'), connection)
                    assert not frame.empty, f"{view}: the school's records give it rows"
                    assert {str(s) for s in frame["school_id"].unique()} == {school_id}, view
        finally:
            engine.dispose()


def test_rotate_gives_a_new_password_and_drop_ends_the_login(
    database_url: str, listener: tuple[Listen, Path], two_schools: tuple[School, School]
) -> None:
    listen, _ = listener
    school = two_schools[0]
    assert cli(database_url, listen, "create", "--school", str(school.id)).returncode == 2, "one login per school"
    before = psql(logins_of(database_url, listen, school, "rotate"), "select 1")
    assert before.returncode == 0, before.stderr
    done = cli(database_url, listen, "drop", "--school", str(school.id))
    assert done.returncode == 0 and "dropped" in done.stdout
    again = cli(database_url, listen, "rotate", "--school", str(school.id))
    assert again.returncode == 2 and "no reporting login" in again.stderr
    recreated = cli(database_url, listen, "create", "--school", str(school.id))
    assert recreated.returncode == 0, recreated.stderr


def logins_of(database_url: str, listen: Listen, school: School, action: str) -> str:
    done = cli(database_url, listen, action, "--school", str(school.id))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]
