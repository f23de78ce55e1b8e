"""Deterministic, time-ordered ids for seeded rows.

COPY needs the ids up front (children point at parents), and the same seed
must give the same ids. They are laid out like UUIDv7 (RFC 9562 §5.7, with the
"fixed-length dedicated counter" of §6.2 method 1) so that, like the
database's own `uuidv7()` default, each table's primary key index grows at its
right edge: random UUIDv4 keys would scatter inserts over an 18-million-row
b-tree and make the benchmark I/O bound.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from uuid import UUID

# 2026-08-01T00:00:00Z: the summer before the seeded school year.
BASE_MS = int(datetime(2026, 8, 1, tzinfo=UTC).timestamp() * 1000)
# Each school gets its own millisecond range (~2.8 hours), so a table's ids
# grow with the school index as well: tables are loaded school after school.
SCHOOL_SPAN_MS = 10_000_000
_VERSION_7 = 0x7 << 76
_VARIANT = 0b10 << 62


class Ids:
    """Ids for one table of one school: 12 counter bits per millisecond and
    62 random bits from a generator seeded by (seed, school, table)."""

    __slots__ = ("_next", "_random")

    def __init__(self, seed: int, school_index: int, table: str) -> None:
        self._random = random.Random(f"ids:{seed}:{school_index}:{table}")
        self._next = (BASE_MS + school_index * SCHOOL_SPAN_MS) << 12

    def __call__(self) -> UUID:
        counter = self._next
        self._next = counter + 1
        millis, sequence = counter >> 12, counter & 0xFFF
        return UUID(int=(millis << 80) | _VERSION_7 | (sequence << 64) | _VARIANT | self._random.getrandbits(62))
