"""The same requests to this gateway and to the real PostgREST 12.0.2, on the
same database, with the same tokens: are the answers identical?

Compared: the status, the body (JSON bodies as JSON values, others as text)
and the headers PostgREST clients read: Content-Type, Content-Range,
Location, Preference-Applied. The request's name (corpus.Request.name) keys
the results.

- default run: every request listed in identical.txt must still be answered
  identically — a regression test;
- on demand (`pytest -m conformance tests/conformance/differential -s`): the
  whole corpus; prints identical/total and the differences, writes them to
  tests/artifacts/differential_report.json, and with DIFF_UPDATE_IDENTICAL=1
  rewrites identical.txt; DIFF_ONLY=<text> runs only the requests whose name
  holds that text (to iterate on a few; identical.txt is then left alone).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conformance.differential.corpus import DELIBERATE, Request, corpus
from tests.factories import School
from tests.gateway.http_support import as_role

HERE = Path(__file__).resolve().parent
IDENTICAL = HERE / "identical.txt"
ARTIFACTS = HERE.parents[1] / "artifacts"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
COMPARED_HEADERS = ("content-type", "content-range", "location", "preference-applied")


def placeholders(school: School) -> dict[str, str]:
    return {name: str(getattr(school, name)) for name in ("id", "student", "class_", "teacher", "parent", "term")} | {
        "school": str(school.id)
    }


def answer(response: httpx.Response) -> dict[str, Any]:
    """What is compared of one response."""
    try:
        body: Any = response.json() if response.content else None
    except ValueError:
        body = response.text
    headers = {name: response.headers.get(name) for name in COMPARED_HEADERS}
    if headers["location"]:  # each server inserted its own row (rolled back): its fresh uuid is not compared
        headers["location"] = UUID.sub("<uuid>", headers["location"])
    return {"status": response.status_code, "body": body, "headers": headers}


async def both(
    request: Request, school: School, gateway: AsyncTestClient[Litestar], reference: httpx.AsyncClient
) -> tuple[dict[str, Any], dict[str, Any]]:
    filled = request.filled(placeholders(school))
    headers = dict(filled.headers)
    if request.role != "anon" and "Authorization" not in headers:
        headers["Authorization"] = as_role(request.role, school)["Authorization"]
    if filled.body and "Content-Type" not in headers:
        headers["Content-Type"] = "application/json"
    sent = []
    for client in (gateway, reference):
        response = await client.request(
            filled.method, filled.path, headers=headers, content=filled.body.encode(), timeout=30
        )
        sent.append(answer(response))
    return sent[0], sent[1]


def identical_names() -> set[str]:
    return {line for line in IDENTICAL.read_text().splitlines() if line and not line.startswith("#")}


async def run(
    requests: list[Request], school: School, api: AsyncTestClient[Litestar], reference: httpx.AsyncClient
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    return {request.name: await both(request, school, api, reference) for request in requests}


def test_corpus_names_are_unique() -> None:
    names = Counter(request.name for request in corpus())
    assert [name for name, n in names.items() if n > 1] == []


async def test_identical_answers_stay_identical(
    api: AsyncTestClient[Litestar], reference: httpx.AsyncClient, schools: tuple[School, School]
) -> None:
    wanted = identical_names()
    requests = [request for request in corpus() if request.name in wanted]
    assert len(requests) == len(wanted), "identical.txt names requests the corpus no longer has"
    results = await run(requests, schools[0], api, reference)
    differ = {name: pair for name, pair in results.items() if pair[0] != pair[1]}
    assert not differ, json.dumps(differ, indent=1, default=str)[:20000]


@pytest.mark.parametrize(("request_", "status", "code", "reason"), DELIBERATE, ids=[d[3][:40] for d in DELIBERATE])
async def test_deliberate_differences_stay_as_documented(
    api: AsyncTestClient[Litestar], reference: httpx.AsyncClient, schools: tuple[School, School],
    request_: Request, status: int, code: str | None, reason: str,
) -> None:  # fmt: skip
    ours, theirs = await both(request_, schools[0], api, reference)
    assert ours != theirs, f"no longer a difference, take it off README's list: {reason}"
    body = ours["body"]
    assert (ours["status"], body.get("code") if isinstance(body, dict) else None) == (status, code), ours


@pytest.mark.conformance
async def test_differential_report(
    api: AsyncTestClient[Litestar], reference: httpx.AsyncClient, schools: tuple[School, School]
) -> None:
    only = os.environ.get("DIFF_ONLY")
    requests = [request for request in corpus() if not only or only in request.name]
    results = await run(requests, schools[0], api, reference)
    differ = {
        name: {"gateway": ours, "postgrest": theirs} for name, (ours, theirs) in results.items() if ours != theirs
    }
    same = len(results) - len(differ)
    print(f"\ndifferential: {same}/{len(results)} identical ({100 * same / len(results):.1f}%)")
    kinds: Counter[str] = Counter()
    for pair in differ.values():
        for part in ("status", "body", "headers"):
            if pair["gateway"][part] != pair["postgrest"][part]:
                kinds[part] += 1
    print(f"differing in: {dict(kinds)}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "differential_report.json").write_text(json.dumps(differ, indent=1, default=str))
    if os.environ.get("DIFF_UPDATE_IDENTICAL") and not only:
        header = (
            "# Corpus requests answered identically by the gateway and PostgREST 12.0.2 (test_differential_report).\n"
        )
        IDENTICAL.write_text(header + "".join(f"{name}\n" for name in results if name not in differ))
    assert same > 0
