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


@pytest.mark.parametrize("service", ["db", "replica", "pgbouncer", "gateway", "backup"])
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
    assert "@replica:5432/" in SERVICES["gateway"]["environment"]["READ_REPLICA_URLS"]


# --- operations (issue 14) -------------------------------------------------------------------

ROOT = Path(__file__).parents[1]


def _mount(service: str, target: str) -> str:
    return next(m.split(":")[0] for m in SERVICES[service]["volumes"] if m.split(":")[1] == target)


def test_the_database_archives_its_wal_into_the_backup_volume() -> None:
    command = " ".join(SERVICES["db"]["command"])
    assert "archive_mode=on" in command, "archive_mode needs a restart: it is on from the start"
    assert "summarize_wal=on" in command, "incremental backups need WAL summaries from their parent's start"
    assert _mount("db", "/backups") == _mount("backup", "/backups") == "backups"
    assert "backups" in COMPOSE["volumes"]


def test_the_backup_service_runs_the_backup_command_on_the_same_database() -> None:
    backup = SERVICES["backup"]
    assert "school-gateway backup create" in backup["command"]
    assert backup["environment"]["BACKUP_REPO"] == "/backups"
    assert backup["environment"]["DATABASE_URL"] == SERVICES["gateway"]["environment"]["DATABASE_URL"]
    assert backup["depends_on"]["db"]["condition"] == "service_healthy"


def test_pg_basebackup_may_connect_for_replication() -> None:
    script = _mount("db", "/docker-entrypoint-initdb.d/10-replication.sh")
    assert "host replication all all scram-sha-256" in (ROOT / script).read_text()


def test_the_gateway_reads_the_backup_volume_read_only_for_its_metrics() -> None:
    assert any(m == "backups:/backups:ro" for m in SERVICES["gateway"]["volumes"])
    assert SERVICES["gateway"]["environment"]["BACKUP_REPO"] == "/backups"


def test_prometheus_is_pinned_scrapes_the_gateway_and_loads_the_rules() -> None:
    prometheus = SERVICES["prometheus"]
    assert re.fullmatch(r"prom/prometheus:v\d+\.\d+\.\d+", prometheus["image"])
    config = yaml.safe_load((ROOT / _mount("prometheus", "/etc/prometheus/prometheus.yml")).read_text())
    assert config["scrape_configs"][0]["static_configs"][0]["targets"] == ["gateway:3000"]
    rules_dir = ROOT / _mount("prometheus", "/etc/prometheus/rules")
    for rule_file in config["rule_files"]:
        assert (rules_dir / Path(rule_file).name).is_file(), f"{rule_file} is mounted from the repository"
