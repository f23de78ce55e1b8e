"""PostgREST's own spec cases (v12.0.2, extracted into cases.json) against this
gateway serving PostgREST's fixture schema.

- default run: every case listed in passing.txt (the cases the gateway passed
  when the list was last written) must still pass — a regression test;
- on demand (`pytest -m conformance tests/conformance`): every runnable case
  against the gateway and against the real PostgREST 12.0.2 (which calibrates
  the extraction: a case PostgREST itself fails is the table's fault or needs
  what this server lacks, not the gateway's). Writes the per-file figures to
  tests/artifacts/spec_report.json and, with SPEC_UPDATE_PASSING=1, rewrites
  passing.txt.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conformance.conftest import SpecDatabase
from tests.conformance.spec.runner import failure_kinds, load_cases, per_file, report_table, run_cases

PASSING = Path(__file__).resolve().parent / "passing.txt"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
# What the embedded PostgreSQL 18 lacks: these fixture statements cannot load.
MISSING_EXTENSIONS = ("pgcrypto", "file_fdw", "ltree", "isn", "postgis")


def passing_ids() -> list[str]:
    return [line.strip() for line in PASSING.read_text().splitlines() if line.strip() and not line.startswith("#")]


async def test_fixtures_load_but_for_missing_extensions(spec_database: SpecDatabase) -> None:
    """Every statement that failed to load names (or follows from) an extension the server lacks."""
    missing = [e for e in spec_database.errors if any(ext in e for ext in MISSING_EXTENSIONS)]
    assert missing, "expected the extension statements to fail on this server"
    # The rest cascade from those (a type or function of an extension used later).
    assert len(spec_database.errors) < 80, "\n".join(spec_database.errors)


async def test_spec_cases_that_passed_still_pass(spec_gateway: AsyncTestClient[Litestar]) -> None:
    wanted = set(passing_ids())
    cases = [case for case in load_cases() if case["id"] in wanted]
    assert len(cases) == len(wanted), "passing.txt names cases that cases.json no longer has"
    results = await run_cases(spec_gateway, cases, ask_rollback=True)
    failed = {case_id: found for case_id, found in results.items() if found}
    assert not failed, json.dumps(failed, indent=1)


@pytest.mark.conformance
async def test_spec_report(
    spec_database: SpecDatabase, spec_gateway: AsyncTestClient[Litestar], spec_postgrest: httpx.AsyncClient
) -> None:
    cases = load_cases()
    ours = await run_cases(spec_gateway, cases, ask_rollback=True)
    theirs = await run_cases(spec_postgrest, cases, ask_rollback=False)
    ours_table, theirs_table = per_file(cases, ours), per_file(cases, theirs)
    print("\n" + report_table("gateway", ours_table))
    print(report_table("PostgREST 12.0.2 (calibration)", theirs_table))
    # Cases PostgREST itself passes on this server: the fair denominator.
    fair = {cid: found for cid, found in ours.items() if not theirs.get(cid)}
    print(report_table("gateway, on cases PostgREST 12.0.2 passes here", per_file(cases, fair)))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "spec_report.json").write_text(
        json.dumps(
            {
                "gateway": ours_table,
                "postgrest": theirs_table,
                "gateway_fair": per_file(cases, fair),
                "fixture_errors": spec_database.errors,
                "gateway_failures": {cid: found for cid, found in ours.items() if found},
                "postgrest_failures": {cid: found for cid, found in theirs.items() if found},
                "gateway_failure_kinds": {k: len(v) for k, v in failure_kinds(ours).items()},
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    if os.environ.get("SPEC_UPDATE_PASSING"):
        header = "# Spec cases (cases.json ids) this gateway passes; rewritten by test_spec_report.\n"
        PASSING.write_text(header + "".join(f"{cid}\n" for cid, found in ours.items() if not found))
    assert sum(v[1] for v in ours_table.values()) > 1000, "fewer runnable cases than extracted: see the report"
