"""Run the `.sql` files a migration names, inside the migration's transaction.

Versioned SQL (db/migrations/sql/) is table state and data moves, frozen like
the migrations that run it. Functions, views, triggers, policies and grants are
not here: they live in the current code files (db/code.py, db/README.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from piccolo.engine import engine_finder

DB_DIR = Path(__file__).parent


def run_sql(*relative_paths: str) -> Callable[[], Awaitable[None]]:
    """A coroutine function for `MigrationManager.add_raw`, running the files in order."""
    paths = [DB_DIR / p for p in relative_paths]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(path)

    async def run() -> None:
        engine = engine_finder()
        transaction = engine.current_transaction.get() if engine else None
        if transaction is None:
            raise RuntimeError("SQL files run only inside a migration's transaction")
        for path in paths:
            # execute() without arguments uses the simple query protocol, which
            # accepts a whole file of statements (fetch() would prepare it).
            await transaction.connection.execute(path.read_text())

    return run
