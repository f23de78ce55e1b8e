"""routes.VerifiedTokens: verified JWTs remembered until exp, errors never. Pure."""

from __future__ import annotations

import time
from typing import Any

import pytest

from gateway.errors import ApiError
from gateway.http.routes import VerifiedTokens
from gateway.identity.auth import Caller


class CountingAuthenticator:
    def __init__(self, claims: dict[str, Any] | None = None, fail: bool = False) -> None:
        self.calls = 0
        self.claims = claims if claims is not None else {"role": "teacher", "exp": time.time() + 600}
        self.fail = fail

    async def authenticate(self, authorization: str | None) -> Caller:
        self.calls += 1
        if self.fail:
            raise ApiError(401, "PGRST301", "JWT couldn't be decoded")
        return Caller(role="teacher", claims=self.claims)


async def test_a_verified_token_is_verified_once() -> None:
    inner = CountingAuthenticator()
    tokens = VerifiedTokens(inner, seconds=60)
    first = await tokens.caller("Bearer a")
    second = await tokens.caller("Bearer a")
    assert first == second
    assert first[1] == f'{{"role":"teacher","exp":{inner.claims["exp"]}}}'
    assert inner.calls == 1
    await tokens.caller("Bearer b")
    assert inner.calls == 2


@pytest.mark.parametrize(
    ("claims", "seconds"),
    [
        ({"role": "teacher", "exp": time.time() - 1}, 60),  # expired: entry already stale
        ({"role": "teacher"}, 60),  # no exp: never cached
        ({"role": "teacher", "exp": time.time() + 600}, 0),  # cache off
    ],
)
async def test_not_remembered(claims: dict[str, Any], seconds: float) -> None:
    inner = CountingAuthenticator(claims)
    tokens = VerifiedTokens(inner, seconds=seconds)
    await tokens.caller("Bearer a")
    await tokens.caller("Bearer a")
    assert inner.calls == 2


async def test_refusals_are_never_remembered_and_anonymous_is_not_cached() -> None:
    inner = CountingAuthenticator(fail=True)
    tokens = VerifiedTokens(inner, seconds=60)
    for _ in range(2):
        with pytest.raises(ApiError):
            await tokens.caller("Bearer bad")
    assert inner.calls == 2
    anon = CountingAuthenticator({"role": "anon"})
    cache = VerifiedTokens(anon, seconds=60)
    await cache.caller(None)
    await cache.caller(None)
    assert anon.calls == 2


async def test_the_cache_is_bounded() -> None:
    tokens = VerifiedTokens(CountingAuthenticator(), seconds=60, size=3)
    for i in range(10):
        await tokens.caller(f"Bearer {i}")
    assert list(tokens._entries) == ["Bearer 7", "Bearer 8", "Bearer 9"]
