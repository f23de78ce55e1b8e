"""Approximate string matching for "Perhaps you meant ..." hints, as PostgREST
12 finds them: the Haskell `fuzzyset` 0.2 library (Data.FuzzySet, BSD3, (c)
2017 Heikki Johannes Hildén; a port of the Python/JS `fuzzyset`), defaults
gram sizes 2-3, Levenshtein rescoring on, minimum score 0.33. Pure.

A lookup compares the lower-cased query with each entry: an exact entry scores
1 and is the only result; otherwise entries sharing trigrams (bigrams when none
do) with it are ranked by the cosine of their gram counts, and the best 50 of
them re-scored by normalised Levenshtein similarity (1 - distance / longer length).
Grams are taken from the text lower-cased, with all but letters, digits, spaces
and commas removed, between hyphens: `end_1` -> `-end1-`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

MIN_SCORE = 0.33
_GRAM_SIZES = (3, 2)  # the library tries the largest first
_RESCORED = 50


def _grams(text: str, size: int) -> Counter[str]:
    kept = "".join(c for c in text.lower() if c.isalnum() or c.isspace() or c == ",")
    padded = f"-{kept}-"
    return Counter(padded[i : i + size] for i in range(len(padded) - size + 1))


def _norm(vector: Counter[str]) -> float:
    return math.sqrt(sum(count * count for count in vector.values()))


def similarity(a: str, b: str) -> float:
    """Normalised Levenshtein similarity (text-metrics' levenshteinNorm)."""
    longest = max(len(a), len(b))
    if longest == 0:
        return 1.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1 - previous[-1] / longest


def matches(entries: Iterable[str], query: str) -> list[tuple[float, str]]:
    """Fuzzy.get: (score, entry), best first, each at least MIN_SCORE."""
    exact: dict[str, str] = {}
    for entry in entries:
        exact.setdefault(entry.lower(), entry)
    key = query.lower()
    if key in exact:
        return [(1.0, exact[key])]
    for size in _GRAM_SIZES:
        wanted = _grams(key, size)
        magnitude = _norm(wanted)
        scored = []
        for lowered in exact:
            grams = _grams(lowered, size)
            dot = sum(count * grams[gram] for gram, count in wanted.items() if gram in grams)
            if dot:
                scored.append((dot / (magnitude * _norm(grams)), lowered))
        scored.sort(key=lambda pair: -pair[0])
        rescored = sorted(((similarity(key, lowered), lowered) for _, lowered in scored[:_RESCORED]),
                          key=lambda pair: -pair[0])  # fmt: skip
        found = [(score, exact[lowered]) for score, lowered in rescored if score >= MIN_SCORE]
        if found:
            return found
    return []


def closest(entries: Iterable[str], query: str) -> str | None:
    """Fuzzy.getOne: the best match, the query's own entry when there is one."""
    found = matches(entries, query)
    return found[0][1] if found else None
