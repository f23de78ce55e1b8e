"""Settings from the environment, read once at start-up."""

from __future__ import annotations

import os

import msgspec

from db.database import admin_url, with_user


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    # The gateway's own login: `authenticator`, never the owner or a superuser.
    database_url: str
    pool_min_size: int = 2
    pool_max_size: int = 16


def authenticator_url() -> str:
    """AUTHENTICATOR_URL, or the admin URL's server and database with the
    `authenticator` login (password from AUTHENTICATOR_PASSWORD)."""
    explicit = os.environ.get("AUTHENTICATOR_URL")
    if explicit:
        return explicit
    return with_user(admin_url(), "authenticator", os.environ.get("AUTHENTICATOR_PASSWORD"))


def load_settings() -> Settings:
    return Settings(
        database_url=authenticator_url(),
        pool_min_size=int(os.environ.get("DB_POOL_MIN", "2")),
        pool_max_size=int(os.environ.get("DB_POOL_MAX", "16")),
    )
