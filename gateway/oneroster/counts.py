"""X-Total-Count without counting the school on every page (issue 17).

A OneRoster page is an ordered index walk cut by its LIMIT (render.py), but
its total is a count of every row the query matches: 100,000 students counted
on each of a crawl's 1,000 pages cost more than the pages. The count is exact
when made and then reused, for the same caller kind, school, scopes and query
(collection, parent, filter; not limit, offset, sort or fields), for
ONEROSTER_COUNT_CACHE_SECONDS (default 10; 0 counts every page). An import
applied through this gateway forgets its school's counts at once; a write
made elsewhere (another gateway, psql, the PostgREST routes) shows in the
total after at most that many seconds. The rows of a page are never cached.

Bounded: at most MAX_ENTRIES counts, the oldest dropped first.
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from typing import Any, Final

import msgspec

MAX_ENTRIES: Final = 10_000
Key = tuple[str, str, bytes]


def count_key(role: str, claims: dict[str, Any], query: Any) -> Key:
    """The caller kind, its school and scopes, and the query's count-relevant part."""
    scope = claims.get("scope", "")
    return (role, str(claims.get("school_id", "")), msgspec.json.encode([scope, query]))


class CountCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: OrderedDict[Key, tuple[float, int]] = OrderedDict()
        _CACHES.add(self)

    def get(self, key: Key) -> int | None:
        if self.seconds <= 0:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        made, total = entry
        if time.monotonic() - made > self.seconds:
            del self._entries[key]
            return None
        return total

    def put(self, key: Key, total: int) -> None:
        if self.seconds <= 0:
            return
        self._entries[key] = (time.monotonic(), total)
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    def forget_school(self, school: str) -> None:
        for key in [k for k in self._entries if k[1] == school]:
            del self._entries[key]


_CACHES: Final[weakref.WeakSet[CountCache]] = weakref.WeakSet()


def school_changed(school: str) -> None:
    """An import of `school` ended in this process: its counts are stale."""
    for cache in list(_CACHES):
        cache.forget_school(school)
