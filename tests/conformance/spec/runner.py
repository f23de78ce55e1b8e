"""Send the extracted spec cases (cases.json) and judge answers as hspec-wai does.

A case passes when the status is the expected one, the body (when the spec
names one) is equal — as JSON values for `[json|...|]`, byte for byte for a
string literal — and every header the spec lists is present with exactly that
value (names case-insensitive), every `matchHeaderAbsent` header absent.

PostgREST's spec suite runs with `db-tx-end = rollback-allow-override`: every
request is rolled back unless it asks `Prefer: tx=commit`, so the cases do not
see each other's writes. The gateway has no such setting; the runner asks it
per request (`Prefer: tx=rollback`) and removes `tx=rollback` from its
Preference-Applied when the case did not ask for it (PostgREST does not
report a rollback it was configured to do).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx

CASES = Path(__file__).resolve().parent / "cases.json"


def load_cases() -> list[dict[str, Any]]:
    return list(json.loads(CASES.read_text())["cases"])


def _prefer_with_rollback(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    prefers = [value for name, value in headers if name.lower() == "prefer"]
    if any("tx=" in value for value in prefers):
        return headers
    others = [(name, value) for name, value in headers if name.lower() != "prefer"]
    return [*others, ("Prefer", ", ".join([*prefers, "tx=rollback"]))]


async def send(client: httpx.AsyncClient, case: dict[str, Any], *, ask_rollback: bool) -> httpx.Response:
    request = case["request"]
    headers = [tuple(pair) for pair in request["headers"]]
    if ask_rollback:
        headers = _prefer_with_rollback(headers)  # type: ignore[arg-type]
    return await client.request(
        request["method"], request["path"], headers=headers, content=request["body"].encode(), timeout=30
    )


def _applied_without_rollback(response: httpx.Response, case: dict[str, Any]) -> str | None:
    value = response.headers.get("preference-applied")
    asked = any(n.lower() == "prefer" and "tx=" in v for n, v in case["request"]["headers"])
    if value is None or asked:
        return value
    kept = [part.strip() for part in value.split(",") if part.strip() and part.strip() != "tx=rollback"]
    return ", ".join(kept) if kept else None


def mismatches(case: dict[str, Any], response: httpx.Response, *, asked_rollback: bool) -> list[str]:
    """What differs from the spec's expectation (empty: the case passes)."""
    expect = case["expect"]
    found = []
    if response.status_code != expect["status"]:
        found.append(f"status {response.status_code} != {expect['status']}")
    if expect["body"] is not None:
        if expect.get("json"):
            try:
                equal = response.json() == json.loads(expect["body"])
            except ValueError:
                equal = False
        else:
            equal = response.content == expect["body"].encode()
        if not equal:
            found.append(f"body {response.text[:300]!r} != {expect['body'][:300]!r}")
    for name, value in expect["headers"]:
        got = response.headers.get(name)
        if name.lower() == "preference-applied" and asked_rollback:
            got = _applied_without_rollback(response, case)
        if got != value:
            found.append(f"header {name}: {got!r} != {value!r}")
    for name in expect["absent"]:
        if name.lower() in response.headers:
            found.append(f"header {name} present: {response.headers[name]!r}")
    return found


async def run_cases(
    client: httpx.AsyncClient, cases: list[dict[str, Any]], *, ask_rollback: bool
) -> dict[str, list[str]]:
    """Every runnable case's mismatches, by case id (a transport error counts as one)."""
    results: dict[str, list[str]] = {}
    for case in cases:
        if "skip" in case:
            continue
        try:
            response = await send(client, case, ask_rollback=ask_rollback)
        except httpx.HTTPError as error:
            results[case["id"]] = [f"transport: {error!r}"]
            continue
        results[case["id"]] = mismatches(case, response, asked_rollback=ask_rollback)
    return results


def per_file(cases: list[dict[str, Any]], results: dict[str, list[str]]) -> dict[str, tuple[int, int, int]]:
    """file -> (passed, runnable, total)."""
    total: Counter[str] = Counter(case["file"] for case in cases)
    runnable: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for case in cases:
        if case["id"] in results:
            runnable[case["file"]] += 1
            passed[case["file"]] += not results[case["id"]]
    return {name: (passed[name], runnable[name], total[name]) for name in total}


def report_table(label: str, table: dict[str, tuple[int, int, int]]) -> str:
    lines = [f"{label}: file passed/runnable (cases in file)"]
    for name, (ok, run, all_) in sorted(table.items()):
        lines.append(f"  {name:28} {ok:4}/{run:<4} ({all_})")
    ok = sum(v[0] for v in table.values())
    run = sum(v[1] for v in table.values())
    lines.append(f"  {'total':28} {ok:4}/{run:<4} = {100 * ok / max(run, 1):.1f}%")
    return "\n".join(lines)


def failure_kinds(results: dict[str, list[str]]) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = defaultdict(list)
    for case_id, found in results.items():
        for item in found:
            kinds[item.split(" ")[0]].append(case_id)
    return dict(kinds)
