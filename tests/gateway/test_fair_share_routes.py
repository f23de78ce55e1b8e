"""Issue 13: the fair share beyond the data routes (gateway/http/limits.py):
login and token requests per client IP, roster import uploads per school and
imports running at once per worker. Same 429, Retry-After and RateLimit
headers as the data routes; tight settings of their own."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from gateway.http.config import load_settings
from gateway.http.limits import FairShareConfig
from tests.factories import School, make_school
from tests.gateway.http_support import SECRET, as_role, assert_canonical_error, committer_session, settings_for  # noqa: F401
from tests.roster.import_support import ZIP
from tests.roster.oneroster_zip import build_zip, sample_roster
from tests.roster.test_import import partner
from tests.roster.test_partners import get_token, new_client

TIGHT = FairShareConfig(
    school_concurrency=100, rate=1_000, partner_rate=1_000,  # data routes out of the way
    # One login or token per 10 s: an argon2 check takes seconds on a loaded test machine.
    login_rate=0.1, token_rate=0.1, import_rate=0.5, import_concurrency=1,
)  # fmt: skip


@pytest.fixture
async def tight(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A fresh app per test: the buckets start full. A lock timeout long enough
    for a test to hold an import on a lock."""
    settings = settings_for(database_url, fair_share=TIGHT, lock_timeouts={"partner_sync": "30s"})
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def finished(client: AsyncTestClient[Litestar], started: object, headers: dict[str, str]) -> dict[str, object]:
    """Poll a started run (the app runs on the test client's own loop) until it ends."""
    href = started.json()["href"]  # type: ignore[attr-defined]
    for _ in range(600):
        run = (await client.get(href, headers=headers)).json()
        if run["status"] != "RUNNING":
            return run  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError("the run did not end in 30 s")


async def import_when_a_slot_is_free(client: AsyncTestClient[Litestar], headers: dict[str, str], data: bytes) -> object:
    """The slot is given back when the run's task ends, just after its row says so."""
    for _ in range(50):
        response = await client.post("/ims/oneroster/import?dry_run=false", content=data, headers={**headers, **ZIP})
        if response.status_code != 429:
            return response
        await asyncio.sleep(0.1)
    raise AssertionError("no import slot came free in 5 s")


@pytest.fixture
async def three_schools(committer_session: asyncpg.Connection) -> tuple[School, School, School]:
    return (await make_school(committer_session), await make_school(committer_session),
            await make_school(committer_session))  # fmt: skip


def assert_rate_refusal(response: object, policy: str, quota: int, window: int, setting: str) -> None:
    body = assert_canonical_error(response, 429, "SDA602")
    assert setting in body["hint"]
    headers = response.headers  # type: ignore[attr-defined]
    assert int(headers["retry-after"]) >= 1
    assert headers["ratelimit-policy"] == f'"{policy}";q={quota};w={window}'
    assert headers["ratelimit"].startswith(f'"{policy}";r=0;t=')


async def test_logins_from_one_address_past_the_rate_get_429_before_any_hash(
    tight: AsyncTestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JWT_SECRET", SECRET)  # the login service is made from the environment on first use
    body = {"email": f"nobody.{secrets.token_hex(4)}@example.test", "password": "x"}
    assert (await tight.post("/auth/login", json=body)).status_code == 401
    assert_rate_refusal(await tight.post("/auth/login", json=body), "login", 1, 10, "LOGIN_RATE_LIMIT")
    refresh = await tight.post("/auth/refresh", json={"refresh_token": "x"})
    assert_rate_refusal(refresh, "login", 1, 10, "LOGIN_RATE_LIMIT")  # the same address's bucket


async def test_token_requests_from_one_address_past_the_rate_get_429(
    tight: AsyncTestClient[Litestar], three_schools: tuple[School, School, School]
) -> None:
    client = await new_client(tight, three_schools[0])
    assert (await get_token(tight, client)).status_code == 200
    assert_rate_refusal(await get_token(tight, client), "token", 1, 10, "OAUTH_RATE_LIMIT")


async def test_a_schools_uploads_past_its_rate_get_429_and_another_school_imports(
    tight: AsyncTestClient[Litestar], three_schools: tuple[School, School, School]
) -> None:
    a, b, _ = three_schools
    ha, hb = partner(a), partner(b)  # a run is read back by the client that started it
    zip_a = build_zip(sample_roster(secrets.token_hex(4)))
    started = await tight.post("/ims/oneroster/import?dry_run=true", content=zip_a, headers={**ha, **ZIP})
    assert started.status_code == 202, started.text
    again = await tight.post("/ims/oneroster/import?dry_run=true", content=b"not read", headers={**ha, **ZIP})
    assert_rate_refusal(again, "import", 1, 2, "IMPORT_RATE_LIMIT")
    assert (await finished(tight, started, ha))["status"] == "DRY_RUN"
    other = await import_when_a_slot_is_free(tight, hb, build_zip(sample_roster(secrets.token_hex(4))))
    assert other.status_code == 202, "another school's bucket is its own"  # type: ignore[attr-defined]
    assert (await finished(tight, other, hb))["status"] == "APPLIED"


async def test_imports_running_at_once_are_capped_per_worker(
    tight: AsyncTestClient[Litestar],
    three_schools: tuple[School, School, School],
    committer_session: asyncpg.Connection,
) -> None:
    """A's run waits on a lock another login holds; meanwhile B's upload is
    refused (one slot); once A's run is done B imports."""
    a, b, _ = three_schools
    ha, hb = partner(a), partner(b)
    lock = committer_session.transaction()
    await lock.start()
    try:
        await committer_session.execute("lock table data.academic_terms in access exclusive mode")
        started = await tight.post(
            "/ims/oneroster/import?dry_run=false", content=build_zip(sample_roster(secrets.token_hex(4))),
            headers={**ha, **ZIP},
        )  # fmt: skip
        assert started.status_code == 202, started.text
        refused = await tight.post("/ims/oneroster/import?dry_run=false", content=b"x", headers={**hb, **ZIP})
        body = assert_canonical_error(refused, 429, "SDA601")
        assert "IMPORT_CONCURRENCY" in body["hint"]
        assert refused.headers["ratelimit-policy"] == '"imports";q=1;w=1'
        assert int(refused.headers["retry-after"]) >= 1
    finally:
        await lock.rollback()
    assert (await finished(tight, started, ha))["status"] == "APPLIED"
    later = await import_when_a_slot_is_free(tight, hb, build_zip(sample_roster(secrets.token_hex(4))))
    assert later.status_code == 202, "the slot is given back when a run ends"  # type: ignore[attr-defined]
    assert (await finished(tight, later, hb))["status"] == "APPLIED"


async def test_polling_a_run_counts_as_a_read_of_the_school(
    database_url: str, three_schools: tuple[School, School, School]
) -> None:
    settings = settings_for(database_url, fair_share=FairShareConfig(rate=1_000, partner_rate=0.1))
    headers = partner(three_schools[2])
    async with AsyncTestClient(create_app(settings)) as client:
        unknown = "/ims/oneroster/import/00000000-0000-7000-8000-000000000000"
        assert (await client.get(unknown, headers=headers)).status_code == 404
        assert_rate_refusal(await client.get(unknown, headers=headers), "school", 1, 10, "RATE_LIMIT")


async def test_the_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTHENTICATOR_URL", "postgresql://authenticator@127.0.0.1:1/school")  # never connected to
    fair = load_settings({}).fair_share
    assert (fair.login_rate, fair.token_rate, fair.import_rate, fair.import_concurrency) == (10, 5, 0.5, 4)
    assert load_settings({"DB_POOL_MAX": "40"}).fair_share.import_concurrency == 10, "a quarter of the pool"
