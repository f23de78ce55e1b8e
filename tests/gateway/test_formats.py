"""formats.py: which Accept headers ask for CSV, and where the CSV
expression goes. Pure; test_http_csv.py checks the text Postgres builds."""

from __future__ import annotations

import pytest

from gateway.dialect.formats import wants_csv
from gateway.dialect.parse.request import parse_request
from gateway.dialect.plan.action import plan_request
from gateway.dialect.render.statement import render
from gateway.errors import ApiError
from tests.gateway.catalog import SCHEMA


@pytest.mark.parametrize(
    ("accept", "csv"),
    [
        ("", False),
        ("text/csv", True),
        ("text/csv; charset=utf-8", True),
        ("application/json, text/csv", False),
        ("text/csv, application/json", True),
        ("text/html, text/csv;q=0.5", True),
        ("*/*", False),
    ],
)
def test_wants_csv(accept: str, csv: bool) -> None:
    assert wants_csv(accept) is csv


def test_csv_reads_render_the_csv_aggregate_and_not_json() -> None:
    request = parse_request("GET", "students", rpc=False, query="select=id", headers={"accept": "text/csv"}, body=None)
    assert request.csv and not request.single
    sql = render(plan_request(request, SCHEMA)).sql
    assert "json_each_text(row_to_json(pgrst_t))" in sql
    assert "json_agg" not in sql


def test_csv_reads_share_no_plan_with_json_reads() -> None:
    json = parse_request("GET", "students", rpc=False, query="", headers={}, body=None)
    csv = parse_request("GET", "students", rpc=False, query="", headers={"accept": "text/csv"}, body=None)
    assert json.shape() != csv.shape()


@pytest.mark.parametrize(("method", "query"), [("POST", ""), ("PATCH", "id=eq.x"), ("DELETE", "id=eq.x")])
def test_csv_answers_writes_with_the_returned_rows(method: str, query: str) -> None:
    """As PostgREST: `Accept: text/csv` with return=representation gives the changed rows as CSV."""
    headers = {"accept": "text/csv", "prefer": "return=representation"}
    body = None if method == "DELETE" else b'{"last_name": "A"}'
    request = parse_request(method, "students", rpc=False, query=query, headers=headers, body=body)
    plan = plan_request(request, SCHEMA, columns=("last_name",) if body else ())
    sql = render(plan).sql
    assert "json_each_text(row_to_json(pgrst_t))" in sql
    assert "json_agg" not in sql


@pytest.mark.parametrize(
    ("method", "target", "query", "body", "fragment"),
    [
        # Rows shaped like the relation's: the read's CSV over the page.
        ("GET", "students_of", "p_class_id=x&select=id", None, "json_each_text(row_to_json(pgrst_t))"),
        # One value: PostgREST's `pgrst_scalar` header (Query/QueryBuilder.hs).
        ("POST", "record_payment", "", b'{"p_invoice_id": "x", "p_amount": 1}',
         "json_each_text(json_build_object('pgrst_scalar', pgrst_t.pgrst_call))"),
    ],
)  # fmt: skip
def test_csv_calls_render_the_csv_aggregate(
    method: str, target: str, query: str, body: bytes | None, fragment: str
) -> None:
    request = parse_request(method, target, rpc=True, query=query, headers={"accept": "text/csv"}, body=body)
    sql = render(plan_request(request, SCHEMA)).sql
    assert fragment in sql
    assert "json_agg" not in sql


def test_csv_bodies_become_one_json_array_of_strings() -> None:
    request = parse_request("POST", "students", rpc=False, query="",
                            headers={"content-type": "text/csv; charset=utf-8"},
                            body=b'last_name,balance\n"Smith, Jr",1.50\nDoe,\n')  # fmt: skip
    assert (request.csv_body, request.columns) == (True, ("last_name", "balance"))
    assert request.body == b'[{"last_name":"Smith, Jr","balance":"1.50"},{"last_name":"Doe","balance":null}]'


@pytest.mark.parametrize("body", [b"\n", b"a,b\n1\n", b"\xff\xfe"])
def test_bad_csv_bodies_are_pgrst102(body: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        parse_request("POST", "students", rpc=False, query="", headers={"content-type": "text/csv"}, body=body)
    assert caught.value.code == "PGRST102"
