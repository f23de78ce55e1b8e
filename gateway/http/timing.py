"""Server-Timing (SERVER_TIMING=true), as PostgREST 12 writes it:

    Server-Timing: jwt;dur=0.1, parse;dur=0.2, plan;dur=0.0, transaction;dur=1.9, response;dur=0.1

jwt: verify the token (or find it in the cache); parse: read the query string,
headers and body; plan: plan and render (a dict lookup for a known request
shape); transaction: the pooled connection, the settings and the statement;
response: the status, headers and body. Milliseconds.
"""

from __future__ import annotations

from time import perf_counter


class Stopwatch:
    __slots__ = ("_last", "laps")

    def __init__(self) -> None:
        self._last = perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = perf_counter()
        self.laps.append((name, (now - self._last) * 1000))
        self._last = now

    def header(self) -> str:
        return ", ".join(f"{name};dur={ms:.1f}" for name, ms in self.laps)
