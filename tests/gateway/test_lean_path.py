"""The request path's start-up choices (issue 18): the heap start-up built is
frozen out of the garbage collector's walks, and `serve` runs one worker per core."""

from __future__ import annotations

import gc
import os

from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.cli import build_parser
from tests.factories import School
from tests.gateway.http_support import as_role


async def test_start_up_freezes_its_heap_so_collections_skip_it(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    # The app's lifespan has run (the client started it): the schema cache and
    # everything before it sit in the permanent generation.
    assert gc.get_freeze_count() > 10_000
    response = await api.get("/students?select=id", headers=as_role("school_admin", schools[0]))
    assert response.status_code == 200, response.text


def test_serve_runs_one_worker_per_core_unless_told() -> None:
    assert build_parser().parse_args(["serve"]).workers == len(os.sched_getaffinity(0))
    assert build_parser().parse_args(["serve", "--workers", "3"]).workers == 3
