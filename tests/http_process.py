"""An HTTP server the tests run as a separate program (the gateway as README
starts it, the real PostgREST): start it, wait until it answers, stop it.

One copy of the wait-until-ready loop for every suite that runs a server:
clients, PgBouncer, the conformance reference and the benchmarks. A server
that exits or never gets ready fails the test with the tail of its log,
which is what one needs to read to see why.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import httpx

START_TIMEOUT = 60.0
LOG_TAIL = 3000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ok(status: int) -> bool:
    return status == 200


@contextlib.contextmanager
def http_process(
    command: list[str],
    *,
    ready_url: str,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    ready: Callable[[int], bool] = _ok,
    log_ready: Callable[[str], bool] | None = None,
    timeout: float = START_TIMEOUT,
    stop_timeout: float = 15.0,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` (output to `log_path`) until the block ends; enter the
    block once GET `ready_url` answers a status `ready` accepts (and, with
    `log_ready`, once the log shows what it waits for: e.g. every worker up)."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(process, ready_url, log_path, ready, log_ready, timeout)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(
    process: subprocess.Popen[bytes],
    url: str,
    log_path: Path,
    ready: Callable[[int], bool],
    log_ready: Callable[[str], bool] | None,
    timeout: float,
) -> None:
    name = Path(str(process.args[0] if isinstance(process.args, list) else process.args)).name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{name} exited with {process.returncode}:\n{_tail(log_path)}")
        if log_ready is None or log_ready(log_path.read_text(errors="replace")):
            try:
                if ready(httpx.get(url, timeout=2).status_code):
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"{name} not ready after {timeout:.0f}s:\n{_tail(log_path)}")


def _tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-LOG_TAIL:]
