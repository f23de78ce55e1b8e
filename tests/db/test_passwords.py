"""db.passwords: argon2id hashes the login can trust, and a verify that only
ever answers yes or no."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from db.passwords import HASHER, hash_password, needs_rehash, verify_password


def test_hash_is_an_argon2id_phc_string_with_the_current_parameters() -> None:
    encoded = hash_password("correct horse")
    assert encoded.startswith(f"$argon2id$v=19$m={HASHER.memory_cost},t={HASHER.time_cost},p={HASHER.parallelism}$"), (
        "the stored form names the algorithm and its parameters"
    )


def test_each_hash_gets_its_own_salt() -> None:
    assert hash_password("same") != hash_password("same"), "two hashes of one password differ (random salt)"


def test_the_right_password_verifies_and_a_wrong_one_does_not() -> None:
    encoded = hash_password("correct horse")
    assert verify_password(encoded, "correct horse") is True
    assert verify_password(encoded, "correct horsE") is False, "a mismatch is False, not an exception"
    assert verify_password(encoded, "") is False


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$",  # truncated
        "$argon2id$v=19$m=65536,t=3,p=4$!!!!$????",  # not base64
        "$2b$12$abcdefghijklmnopqrstuuJ0cYg9Jq1cBq1N3Fv5y6ZbWyZ6wQ2O",  # bcrypt
        None,
        b"$argon2id$",
    ],
)
def test_a_malformed_stored_value_is_a_plain_no(stored: object) -> None:
    assert verify_password(stored, "anything") is False  # type: ignore[arg-type]


def test_a_password_with_a_nul_byte_is_a_plain_no() -> None:
    assert verify_password(hash_password("a"), "a\x00b") is False


def test_needs_rehash_only_when_the_parameters_changed() -> None:
    assert needs_rehash(hash_password("x")) is False, "a hash made now is current"
    weaker = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("x")
    assert verify_password(weaker, "x") is True, "an older hash still logs in..."
    assert needs_rehash(weaker) is True, "...and asks to be replaced"
    argon2i = PasswordHasher(type=Type.I).hash("x")
    assert needs_rehash(argon2i) is True, "another argon2 variant is replaced by argon2id"
    assert needs_rehash("not a hash") is True, "a value that is no hash must be replaced too"
