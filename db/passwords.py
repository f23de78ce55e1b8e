"""Password hashing for `data.users.password_hash`: argon2id via argon2-cffi.

The embedded PostgreSQL has no pgcrypto, so hashes are made and checked in
Python (the gateway's login, the seed) and the database only stores them.
Parameters are argon2-cffi's defaults (RFC 9106 "low memory" profile: t=3,
m=64 MiB, p=4); when they change, `needs_rehash` tells the login to store a
fresh hash after a successful verification.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# One hasher for the process: it only holds parameters, so sharing is safe.
HASHER = PasswordHasher()


def hash_password(plain: str) -> str:
    """An argon2id PHC string (`$argon2id$v=19$m=...`) with a fresh random salt."""
    return HASHER.hash(plain)


def verify_password(password_hash: str, plain: str) -> bool:
    """True when `plain` matches `password_hash`.

    Never raises for a wrong password or a stored value that is not an argon2
    hash (a placeholder, an empty string, NULL): a login must answer "no", not
    500, and must not tell the two apart.
    """
    if not isinstance(password_hash, str) or not isinstance(plain, str):
        return False
    try:
        return HASHER.verify(password_hash, plain)
    # VerifyMismatchError is a VerificationError; InvalidHashError covers
    # malformed strings; ValueError/TypeError cover anything libargon2's
    # decoder refuses before those are raised (e.g. NUL bytes).
    except (VerificationError, InvalidHashError, ValueError, TypeError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters (or is not a hash at all)."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError, TypeError):
        return True
