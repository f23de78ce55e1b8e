"""The Litestar application: the pool opened in the lifespan, routes registered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.response import Response

from gateway.config import Settings, load_settings


@get("/health/live", operation_id="healthLive", tags=["health"], sync_to_thread=False)
def health_live() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@get("/health/ready", operation_id="healthReady", tags=["health"])
async def health_ready(state: State) -> Response[dict[str, str]]:
    """The database answers to the gateway's own login."""
    try:
        async with state.pool.acquire(timeout=2) as connection:
            await connection.fetchval("select 1")
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return Response({"status": "unavailable"}, status_code=503)
    return Response({"status": "ok"})


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(
            settings.database_url, min_size=settings.pool_min_size, max_size=settings.pool_max_size
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    return Litestar(route_handlers=[health_live, health_ready], lifespan=[lifespan])
