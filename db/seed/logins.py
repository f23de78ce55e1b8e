"""Password hashes for seeded logins, all of the one documented demo password.

Salts are derived from the seed and the email instead of drawn at random, so
that the same seed gives byte-identical rows; the hashes are still ordinary
argon2id PHC strings with the parameters of db.passwords, which verify and do
not need a rehash. (A predictable salt is acceptable only because the password
itself is published.)

argon2id costs ~0.1 s per hash by design. Small data sets hash every login;
large ones (the benchmark's ~20,000 logins would take half an hour) hash the
password once and give every user that hash.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from argon2 import Type
from argon2.low_level import hash_secret

from db.passwords import HASHER

DEMO_PASSWORD = "demo-password"
MAX_INDIVIDUAL_HASHES = 64


@dataclass(frozen=True)
class Login:
    email: str
    role: str
    school: str


class PasswordBook:
    def __init__(self, seed: int, *, individual: bool, plain: str = DEMO_PASSWORD) -> None:
        self.seed = seed
        self.individual = individual
        self.plain = plain
        self._shared: str | None = None

    def hashes(self, emails: list[str]) -> list[str]:
        if not self.individual:
            if self._shared is None:
                self._shared = self._hash("*")
            return [self._shared] * len(emails)
        # libargon2 releases the GIL: two threads use both cores of a small machine.
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(self._hash, emails))

    def _hash(self, email: str) -> str:
        salt = hashlib.sha256(f"salt:{self.seed}:{email}".encode()).digest()[: HASHER.salt_len]
        encoded = hash_secret(
            self.plain.encode(),
            salt,
            time_cost=HASHER.time_cost,
            memory_cost=HASHER.memory_cost,
            parallelism=HASHER.parallelism,
            hash_len=HASHER.hash_len,
            type=Type.ID,
        )
        return encoded.decode("ascii")
