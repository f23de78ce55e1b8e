"""School A's flood for the noisy-neighbour benchmark, run as a program of its
own so that its CPU (httpx reading 1,000-row bodies) is not taken from the
gateway or from school B's measuring client:

    python -m tests.benchmarks.noisy_flood URL SECONDS FLOODERS IMPORTERS ADMIN_TOKEN PARTNER_TOKEN ZIP_FILE

Prints one JSON object: A's answers by status.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import httpx

HEAVY = "/students?select=*,classes(*)&order=last_name.desc&limit=1000"


async def _flood(client: httpx.AsyncClient, token: str, stop: float, statuses: dict[str, int]) -> None:
    headers = {"Authorization": f"Bearer {token}", "Prefer": "count=exact"}
    while time.monotonic() < stop:
        response = await client.get(HEAVY, headers=headers)
        key = str(response.status_code)
        statuses[key] = statuses.get(key, 0) + 1
        if response.status_code == 429:
            await asyncio.sleep(0.01)  # a greedy client: it does not wait the Retry-After


async def _import(client: httpx.AsyncClient, token: str, data: bytes, stop: float, statuses: dict[str, int]) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/zip"}
    while time.monotonic() < stop:
        response = await client.post("/ims/oneroster/import?dry_run=true", content=data, headers=headers)
        key = f"import {response.status_code}"
        statuses[key] = statuses.get(key, 0) + 1
        await asyncio.sleep(0.2)


async def main(url: str, seconds: float, flooders: int, importers: int, admin: str, partner: str, data: bytes) -> None:
    statuses: dict[str, int] = {}
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=64)) as client:
        await asyncio.gather(
            *(_flood(client, admin, stop, statuses) for _ in range(flooders)),
            *(_import(client, partner, data, stop, statuses) for _ in range(importers)),
        )
    print(json.dumps(statuses))


if __name__ == "__main__":
    url, seconds, flooders, importers, admin, partner, zip_file = sys.argv[1:8]
    asyncio.run(main(url, float(seconds), int(flooders), int(importers), admin, partner, Path(zip_file).read_bytes()))
