"""Shared helpers of the import tests: run an import over HTTP and wait for it."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

ZIP = {"Content-Type": "application/zip"}


async def import_zip(
    api: AsyncTestClient[Litestar], headers: dict[str, str], data: bytes, *, dry_run: bool = False
) -> dict[str, Any]:
    """POST the zip, expect 202 and a run id, poll until the run is done; the run's row."""
    started = await api.post(f"/ims/oneroster/import?dry_run={'true' if dry_run else 'false'}",
                             content=data, headers={**headers, **ZIP})  # fmt: skip
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    for _ in range(600):
        response = await api.get(f"/ims/oneroster/import/{run_id}", headers=headers)
        assert response.status_code == 200, response.text
        if response.json()["status"] != "RUNNING":
            return response.json()
        await asyncio.sleep(0.05)
    raise AssertionError("the import did not finish in 30 s")
