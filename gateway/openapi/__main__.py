"""python -m gateway.openapi --write | --check"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from gateway.openapi import DOCUMENT_PATH
from gateway.openapi.document import load_document, render


async def generate() -> bytes:
    """The document of a freshly migrated throw-away database."""
    import os
    import tempfile

    import asyncpg

    from db.database import scratch_database, start_embedded, with_user

    server = os.environ.get("DATABASE_URL") or start_embedded(
        Path(tempfile.mkdtemp(prefix="school-openapi-")) / "pgdata", delete_on_exit=True
    )
    async with scratch_database(server, "school_openapi") as url:
        try:
            os.environ["DATABASE_URL"] = url  # migrate() and Piccolo read it
            from db.migrate import migrate

            await migrate()
            connection = await asyncpg.connect(with_user(url, "authenticator"))
            try:
                return render(await load_document(connection))
            finally:
                await connection.close()
        finally:
            os.environ["DATABASE_URL"] = server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.openapi", description="The committed OpenAPI document.")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help=f"regenerate {DOCUMENT_PATH.name}")
    action.add_argument("--check", action="store_true", help="exit 1 when the committed document is stale")
    parser.add_argument("--path", type=Path, default=DOCUMENT_PATH)
    args = parser.parse_args(argv)
    fresh = asyncio.run(generate())
    if args.write:
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_bytes(fresh)
        print(f"wrote {args.path}")
        return 0
    if args.path.exists() and args.path.read_bytes() == fresh:
        print(f"{args.path} is up to date")
        return 0
    print(f"{args.path} is stale: run `python -m gateway.openapi --write`", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
