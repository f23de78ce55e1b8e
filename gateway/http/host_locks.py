"""One heavy statement per school on this host, whichever worker runs it
(issue 13). Each worker's fair gate (fair_gate.py) holds a school to its share,
but `serve --workers N` starts N gates, so a school flooding with heavy reads
would run N of them at once, one per worker, and take every core of a small
host. A request that takes its school's whole share therefore also takes an
exclusive `flock` on a file named after the school (a hash of its id) in a
directory every worker shares: `serve` makes it and passes it on in
SCHOOL_GATEWAY_LOCK_DIR. Without it (the app built in-process, tests) the
limit is per worker, as before.

The kernel drops a lock with the file descriptor, so a worker that dies holds
nothing. Waiting polls every 10 ms: the lock is only ever held for one
statement, and nothing but a school's own heavy requests waits on it.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import time
from pathlib import Path

POLL_SECONDS = 0.01


class HostLocks:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def acquire(self, school: str, timeout: float) -> int | None:
        """A descriptor holding the school's lock (give it to release), or None after `timeout`."""
        name = "heavy-" + hashlib.sha256(school.encode()).hexdigest()[:24]
        fd = os.open(self.directory / name, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        os.close(fd)
                        return None
                    await asyncio.sleep(POLL_SECONDS)
        except asyncio.CancelledError:
            os.close(fd)
            raise

    @staticmethod
    def release(fd: int) -> None:
        os.close(fd)  # closing the descriptor drops the lock
