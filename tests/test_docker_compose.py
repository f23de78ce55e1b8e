"""docker-compose.yml, checked by parsing: no Docker engine runs on these machines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

COMPOSE = yaml.safe_load((Path(__file__).parents[1] / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_the_database_image_is_a_pinned_postgres_18_minor() -> None:
    assert re.fullmatch(r"postgres:18\.\d+", SERVICES["db"]["image"])


def test_the_database_has_a_health_check_using_pg_isready() -> None:
    check = SERVICES["db"]["healthcheck"]
    assert "pg_isready" in " ".join(check["test"])
    assert check["retries"] >= 3


def test_the_data_lives_in_a_named_volume() -> None:
    mounts = SERVICES["db"]["volumes"]
    assert any(m.split(":")[0] in COMPOSE["volumes"] for m in mounts)


def test_the_gateway_waits_for_a_healthy_database() -> None:
    assert SERVICES["gateway"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_gateway_migrates_and_serves() -> None:
    assert "school-gateway serve" in SERVICES["gateway"]["command"]


@pytest.mark.parametrize("service", ["db", "replica", "pgbouncer", "gateway"])
def test_credentials_come_from_the_environment_never_literals(service: str) -> None:
    for name, value in SERVICES[service]["environment"].items():
        if any(word in name for word in ("PASSWORD", "SECRET", "DATABASE_URL")):
            assert "${" in value, f"{service}.{name} must come from the environment"
            assert ":?" in value, f"{service}.{name} must be required, with no default secret"


def test_the_gateway_goes_through_pgbouncer_in_transaction_mode() -> None:
    bouncer = SERVICES["pgbouncer"]
    script = " ".join(bouncer["command"])
    assert "apt-get install" in script and "pgbouncer" in script, "Debian's package, as CI tests it"
    assert "pool_mode = transaction" in script
    env = SERVICES["gateway"]["environment"]
    assert "@pgbouncer:6432/" in env["AUTHENTICATOR_URL"]
    assert env["DB_STATEMENT_CACHE_SIZE"] == "0", "PgBouncer 1.18 keeps no prepared statements"
    assert "@db:5432/" in env["DB_CHANNEL_URL"], "LISTEN needs a session on PostgreSQL itself"
    assert SERVICES["gateway"]["depends_on"]["pgbouncer"]["condition"] == "service_healthy"


def test_the_replica_streams_from_the_db_and_the_gateway_reads_from_it() -> None:
    replica = SERVICES["replica"]
    assert replica["image"] == SERVICES["db"]["image"], "the same major version as the primary"
    script = " ".join(replica["command"])
    assert "pg_basebackup -h db" in script and " -R " in script, "a standby of `db`, made by its own binaries"
    assert replica["depends_on"]["db"]["condition"] == "service_healthy"
    assert any(m.split(":")[0] in COMPOSE["volumes"] for m in replica["volumes"])
    hba = COMPOSE["configs"]["replication_hba"]["content"]
    assert "host replication" in hba and "scram-sha-256" in hba
    assert "@replica:5432/" in SERVICES["gateway"]["environment"]["READ_REPLICA_URLS"]
