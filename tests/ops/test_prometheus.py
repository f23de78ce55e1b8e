"""Metrics as an operator's Prometheus sees them: the shipped alert rules and
dashboard check out with promtool, and a real Prometheus (Debian package
`prometheus`, installed by .ci/run) scrapes `school-gateway serve` running two
workers and finds the requests made through both."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gateway.http_support import SECRET, as_role
from tests.http_process import free_port
from tests.tools import require

OPS = Path(__file__).parents[2] / "gateway" / "ops"
SOURCES = [Path(__file__).parents[2] / "gateway" / "http" / name for name in ("metrics.py", "observe.py")]


def binary(name: str) -> str:
    return require(name, "apt-get install -y prometheus")


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_promtool_accepts_the_alert_rules() -> None:
    done = subprocess.run([binary("promtool"), "check", "rules", str(OPS / "prometheus" / "alerts.yml")],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_alerts_fire_on_the_failures_they_name() -> None:
    done = subprocess.run([binary("promtool"), "test", "rules", "alerts_test.yml"], cwd=OPS / "prometheus",
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_rules_and_dashboard_name_only_metrics_the_gateway_exports() -> None:
    declared = {re.sub(r"_total$", "", name)
                for name in re.findall(r'"(school_[a-z_]+)"', "".join(p.read_text() for p in SOURCES))}  # fmt: skip
    used = set(re.findall(r"school_[a-z_]+", (OPS / "prometheus" / "alerts.yml").read_text()))
    used |= set(re.findall(r"school_[a-z_]+", (OPS / "grafana" / "dashboard.json").read_text()))
    used = {re.sub(r"_(bucket|total|count|sum)$", "", name) for name in used} - {"school_data_api", "school_gateway"}
    assert used <= declared, f"not exported: {sorted(used - declared)}"
    dashboard = json.loads((OPS / "grafana" / "dashboard.json").read_text())
    assert all(panel["targets"] for panel in dashboard["panels"]), "every panel queries something"


@pytest.fixture(scope="module")
def served(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`school-gateway serve --workers 2` on the run's database, on a free port."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JWT_SECRET": SECRET,
        "BACKUP_REPO": str(tmp_path_factory.mktemp("repo")),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "gateway", "serve", "--port", str(port), "--workers", "2"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"serve exited: {Path(log.name).read_text()[-2000:]}"
            try:
                urllib.request.urlopen(base + "/health/ready", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not become ready in 90 s"
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_prometheus_scrapes_requests_summed_across_workers(served: str, schools: tuple, tmp_path: Path) -> None:
    school = schools[0]
    headers = as_role("school_admin", school)
    for _ in range(20):  # new connections: uvicorn spreads them over both workers
        request = urllib.request.Request(served + "/students?select=id&limit=1", headers=headers)
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
    prometheus_port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: [{OPS / 'prometheus' / 'alerts.yml'}]\n"
        "scrape_configs:\n"
        f"  - job_name: gateway\n    static_configs: [{{targets: ['{served.removeprefix('http://')}']}}]\n"
    )
    process = subprocess.Popen([binary("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                                f"--web.listen-address=127.0.0.1:{prometheus_port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    api = f"http://127.0.0.1:{prometheus_port}/api/v1"
    query = 'sum(school_gateway_requests_total{route="/{resource}",resource="students",method="GET",status="200",role="school_admin"})'
    try:
        value, deadline = None, time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                result = get_json(f"{api}/query?query={urllib.parse.quote(query)}")["data"]["result"]  # type: ignore[index]
            except OSError:
                result = []
            if result and float(result[0]["value"][1]) >= 20:
                value = float(result[0]["value"][1])
                break
            time.sleep(0.5)
        assert value is not None and value >= 20, "Prometheus saw all 20 reads, whichever worker answered them"
        up = get_json(f"{api}/query?query=school_database_up")["data"]["result"]  # type: ignore[index]
        assert up and up[0]["value"][1] == "1", "the scrape read the database's figures"
        rules = get_json(f"{api}/rules")["data"]["groups"]  # type: ignore[index]
        assert sum(len(g["rules"]) for g in rules) == 9, "Prometheus loaded every shipped alert rule"
    finally:
        process.terminate()
        process.wait(timeout=30)
