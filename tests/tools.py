"""Programs some tests drive that pip does not install (PgBouncer, psql,
Prometheus, npm for PostgREST and the JS clients).

On a developer's machine with only Python and pip the README's test command
must still run: a missing program skips the tests that need it, saying how to
install it. In CI (`CI` set, as `.ci/run` runs) a missing program fails the
test instead, so an install step lost from `.ci/run` cannot hide behind a skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def require(name: str, install: str, *, also: tuple[str, ...] = ()) -> str:
    """The path of program `name` (on PATH, or one of `also`), or skip/fail."""
    found = shutil.which(name) or next((p for p in also if Path(p).exists()), None)
    if found:
        return found
    message = f"{name} is missing: {install} (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
