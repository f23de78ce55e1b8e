"""The request path's start-up choices (issue 18): the heap start-up built is
frozen out of the garbage collector's walks, and `serve` runs one worker per core."""

from __future__ import annotations

import gc
import os

from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.cli import build_parser
from tests.factories import School
from tests.gateway.http_support import as_role, assert_canonical_error


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


async def test_any_method_on_a_data_route_is_answered_in_our_shape(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    for path in ("/students", "/rpc/search_students"):
        response = await api.request("BREW", path, headers=as_role("school_admin", schools[0]))
        assert_canonical_error(response, 405, "PGRST117")


async def test_options_without_cors_lists_the_routes_methods(api: AsyncTestClient[Litestar]) -> None:
    rows, rpc = await api.options("/students"), await api.options("/rpc/search_students")
    assert (rows.status_code, rows.headers["allow"]) == (200, "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
    assert (rpc.status_code, rpc.headers["allow"]) == (200, "GET, HEAD, OPTIONS, POST")


async def test_a_body_over_the_limit_is_413_in_our_shape(
    api: AsyncTestClient[Litestar], schools: tuple[School, School]
) -> None:
    response = await api.post(
        "/subjects", content=b"[" + b" " * 10_000_001 + b"]",
        headers=as_role("school_admin", schools[0], **{"Content-Type": "application/json"}),
    )  # fmt: skip
    assert_canonical_error(response, 413, "SDA100")
