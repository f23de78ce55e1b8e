"""POST/GET /rpc/{function} over HTTP.

The real api functions (db/terms, db/finance) for what clients call, and a
throw-away schema `gw_rpc_test`, served by a second app (DB_SCHEMA), for the
mechanics no real function exercises: set-returning and void functions, GET
running READ ONLY, the claims reaching Postgres, statement timeouts, and the
SQLSTATE table.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.app import create_app
from tests.factories import School, make_school
from tests.gateway.http_support import as_role, assert_canonical_error, settings_for
from tests.gateway.test_http_socket import running

TEST_SCHEMA = """
create schema gw_rpc_test;
grant usage on schema gw_rpc_test to anon, school_admin, teacher, parent, student, partner_sync;
create table gw_rpc_test.log (note text);
grant insert on gw_rpc_test.log to anon, school_admin, teacher;
create function gw_rpc_test.echo(p_text text, p_times integer default 1) returns text
    language sql stable as $$ select repeat(p_text, p_times) $$;
create function gw_rpc_test.numbers(p_upto integer) returns setof integer
    language sql immutable as $$ select generate_series(1, p_upto) $$;
create function gw_rpc_test.pairs(p_upto integer) returns table (n integer, label text)
    language sql stable as $$ select i, 'n' || i from generate_series(1, p_upto) i $$;
create function gw_rpc_test.anonymous_rows(p_upto integer) returns setof record
    language sql stable as $$ select i as n, 'n' || i as label from generate_series(1, p_upto) i $$;
create function gw_rpc_test.remember(p_note text) returns void
    language sql as $$ insert into gw_rpc_test.log values (p_note) $$;
create function gw_rpc_test.whoami() returns jsonb language sql stable as $$
    select jsonb_build_object('role', current_user, 'claims', auth.claims(), 'request_id', auth.request_id(),
                              'read_only', current_setting('transaction_read_only'),
                              'timeout', current_setting('statement_timeout')) $$;
create function gw_rpc_test.nap(p_seconds float) returns void language sql as $$ select pg_sleep(p_seconds) $$;
create function gw_rpc_test.fail(p_state text) returns void language plpgsql as $$
    begin raise exception 'refused by rule' using errcode = p_state, detail = 'why', hint = 'what to do'; end $$;
create function gw_rpc_test.typed(p_day date, p_amount numeric, p_tags text[], p_doc jsonb, p_flag boolean)
    returns jsonb language sql immutable as $$
    select jsonb_build_object('day', p_day + 1, 'amount', p_amount * 2, 'tags', p_tags, 'doc', p_doc, 'flag', not p_flag) $$;
-- A view whose read writes: GET must refuse it (READ ONLY), not perform it.
create function gw_rpc_test.sneaky_write() returns integer
    language sql as $$ insert into gw_rpc_test.log values ('sneaky') returning 1 $$;
create view gw_rpc_test.sneaky as select gw_rpc_test.sneaky_write() as n;
grant select on gw_rpc_test.sneaky to anon, school_admin;
"""


@pytest.fixture(scope="module")
async def rpc_test(
    database_url: str, committer_session: asyncpg.Connection
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    await committer_session.execute(TEST_SCHEMA)
    settings = settings_for(database_url, db_schema="gw_rpc_test", statement_timeouts={"anon": "300ms"})
    try:
        async with AsyncTestClient(create_app(settings)) as client:
            yield client
    finally:
        await committer_session.execute("drop schema gw_rpc_test cascade")


@pytest.fixture
async def school(committer_session: asyncpg.Connection) -> School:
    return await make_school(committer_session)


async def test_stable_functions_answer_get_and_post(rpc_test: AsyncTestClient[Litestar]) -> None:
    get = await rpc_test.get("/rpc/echo?p_text=ab&p_times=3")
    post = await rpc_test.post("/rpc/echo", json={"p_text": "ab", "p_times": 3})
    assert (get.status_code, get.json()) == (200, "ababab")
    assert (post.status_code, post.json()) == (200, "ababab")
    defaulted = await rpc_test.get("/rpc/echo?p_text=ab")
    assert defaulted.json() == "ab"


async def test_an_argument_given_twice_on_get_takes_the_last_value(rpc_test: AsyncTestClient[Litestar]) -> None:
    """PostgREST's rule (RpcSpec 822): not refused, the last value wins (a VARIADIC one takes all)."""
    response = await rpc_test.get("/rpc/echo?p_text=a&p_text=b&p_times=2&p_times=3")
    assert (response.status_code, response.json()) == (200, "bbb")


async def test_set_returning_functions_return_arrays(rpc_test: AsyncTestClient[Litestar]) -> None:
    assert (await rpc_test.get("/rpc/numbers?p_upto=3")).json() == [1, 2, 3]
    assert (await rpc_test.post("/rpc/pairs", json={"p_upto": 2})).json() == [
        {"n": 1, "label": "n1"}, {"n": 2, "label": "n2"}
    ]  # fmt: skip
    assert (await rpc_test.get("/rpc/numbers?p_upto=0")).json() == []
    single = await rpc_test.get("/rpc/pairs?p_upto=1", headers={"Accept": "application/vnd.pgrst.object+json"})
    assert single.json() == {"n": 1, "label": "n1"}
    many = await rpc_test.get("/rpc/pairs?p_upto=2", headers={"Accept": "application/vnd.pgrst.object+json"})
    assert_canonical_error(many, 406, "PGRST116")


async def test_arguments_take_the_catalog_types(rpc_test: AsyncTestClient[Litestar]) -> None:
    body = {"p_day": "2026-02-28", "p_amount": "1.25", "p_tags": ["a", "b,c"], "p_doc": {"k": [1]}, "p_flag": False}
    response = await rpc_test.post("/rpc/typed", json=body)
    assert response.json() == {"day": "2026-03-01", "amount": 2.50, "tags": ["a", "b,c"], "doc": {"k": [1]},
                               "flag": True}  # fmt: skip
    bad = await rpc_test.post("/rpc/typed", json=body | {"p_day": "not a day"})
    assert_canonical_error(bad, 400, "22007")


async def test_void_functions_answer_204_and_a_write_in_a_get_is_refused(
    rpc_test: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    response = await rpc_test.post("/rpc/remember", json={"p_note": "hello"})
    assert (response.status_code, response.content) == (204, b"")
    assert await committer_session.fetchval("select count(*) from gw_rpc_test.log where note = 'hello'") == 1
    # PostgREST's rule: GET calls any function, read-only; the INSERT fails (25006).
    refused = assert_canonical_error(await rpc_test.get("/rpc/remember?p_note=x"), 405, "25006")
    assert refused["message"] == "cannot execute INSERT in a read-only transaction"
    assert await committer_session.fetchval("select count(*) from gw_rpc_test.log where note = 'x'") == 0


async def test_gets_run_read_only_with_the_callers_claims(rpc_test: AsyncTestClient[Litestar], school: School) -> None:
    response = await rpc_test.get("/rpc/whoami", headers=as_role("teacher", school, **{"X-Request-Id": "req-42"}))
    facts = response.json()
    assert facts["role"] == "teacher"
    assert facts["claims"]["school_id"] == str(school.id)
    assert (facts["request_id"], facts["read_only"], facts["timeout"]) == ("req-42", "on", "10s")
    assert response.headers["x-request-id"] == "req-42"
    posted = (await rpc_test.post("/rpc/whoami", json={})).json()
    assert (posted["role"], posted["read_only"], posted["timeout"]) == ("anon", "on", "300ms")  # stable: read-only


async def test_a_write_hidden_in_a_read_is_refused(
    rpc_test: AsyncTestClient[Litestar], committer_session: asyncpg.Connection
) -> None:
    response = await rpc_test.get("/sneaky")
    assert_canonical_error(response, 405, "25006")
    assert await committer_session.fetchval("select count(*) from gw_rpc_test.log where note = 'sneaky'") == 0


async def test_the_roles_statement_timeout_stops_long_statements(rpc_test: AsyncTestClient[Litestar]) -> None:
    response = await rpc_test.post("/rpc/nap", json={"p_seconds": 5})
    body = assert_canonical_error(response, 504, "57014")
    assert "statement timeout" in body["message"]


@pytest.mark.parametrize(
    ("state", "role", "status"),
    [
        ("P0001", "school_admin", 400),
        ("P0002", "school_admin", 404),
        ("23505", "school_admin", 409),
        ("23503", "school_admin", 409),
        ("23514", "school_admin", 400),
        ("22023", "school_admin", 400),
        ("42501", "school_admin", 403),
        ("42501", "anon", 401),
        ("40001", "school_admin", 503),
    ],
)
async def test_sqlstates_map_to_statuses_and_keep_postgres_words(
    rpc_test: AsyncTestClient[Litestar], school: School, state: str, role: str, status: int
) -> None:
    headers = {} if role == "anon" else as_role(role, school)
    body = assert_canonical_error(await rpc_test.post("/rpc/fail", json={"p_state": state}, headers=headers), status,
                                  state)  # fmt: skip
    assert (body["message"], body["details"], body["hint"]) == ("refused by rule", "why", "what to do")


@pytest.mark.parametrize("state", ["XX000", "58000", "P0003", "F0000"])
async def test_unmapped_errors_are_a_generic_500(rpc_test: AsyncTestClient[Litestar], state: str) -> None:
    body = assert_canonical_error(await rpc_test.post("/rpc/fail", json={"p_state": state}), 500, "SDA500")
    assert "refused" not in body["message"] and body["details"] is None


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/rpc/nope", {}, 404, "PGRST202"),
        ("POST", "/rpc/echo", {"p_text": "a", "p_extra": 1}, 404, "PGRST202"),
        ("POST", "/rpc/echo", {}, 404, "PGRST202"),
        ("POST", "/rpc/echo", [1], 400, "PGRST102"),
    ],
)
async def test_bad_calls(rpc_test: AsyncTestClient[Litestar], method: str, path: str, body: object, status: int,
                         code: str) -> None:  # fmt: skip
    assert_canonical_error(await rpc_test.request(method, path, json=body), status, code)


async def test_a_function_returning_setof_record_answers_its_rows(rpc_test: AsyncTestClient[Litestar]) -> None:
    """No column definition list can be written for it (42601 before): called in a
    select list, each row keeps the names its query gave it, as in PostgREST."""
    response = await rpc_test.get("/rpc/anonymous_rows?p_upto=2")
    assert (response.status_code, response.json()) == (200, [{"n": 1, "label": "n1"}, {"n": 2, "label": "n2"}])
    posted = await rpc_test.post("/rpc/anonymous_rows", json={"p_upto": 1})
    assert (posted.status_code, posted.json()) == (200, [{"n": 1, "label": "n1"}])


async def test_a_repeated_argument_takes_its_last_value(rpc_test: AsyncTestClient[Litestar]) -> None:
    """PostgREST's rule (RpcSpec "repeated params"): only a variadic argument takes them all."""
    response = await rpc_test.get("/rpc/echo?p_text=a&p_text=b")
    assert (response.status_code, response.json()) == (200, "b")


# --- the real api functions -------------------------------------------------


def needs(gateway_app: Litestar, name: str) -> None:
    # A missing function is a failure, not a skip: the migrations always create them.
    assert name in gateway_app.state.schema_cache.functions, f"api.{name} is exposed"


async def test_set_current_term(api: AsyncTestClient[Litestar], gateway_app: Litestar, school: School) -> None:
    needs(gateway_app, "set_current_term")
    response = await api.post("/rpc/set_current_term", json={"p_term_id": str(school.term)},
                              headers=as_role("school_admin", school))  # fmt: skip
    assert response.status_code == 200, response.text
    assert (response.json()["id"], response.json()["is_current"]) == (str(school.term), True)
    assert_canonical_error(await api.get(f"/rpc/set_current_term?p_term_id={school.term}",
                                         headers=as_role("school_admin", school)), 405, "25006")  # fmt: skip
    teacher = await api.post("/rpc/set_current_term", json={"p_term_id": str(school.term)},
                             headers=as_role("teacher", school))  # fmt: skip
    assert teacher.status_code in (401, 403), teacher.text


async def test_mark_class_attendance(api: AsyncTestClient[Litestar], gateway_app: Litestar, school: School) -> None:
    needs(gateway_app, "mark_class_attendance")
    body = {"p_class_id": str(school.class_), "p_date": date.today().isoformat(),
            "p_records": [{"student_id": str(school.student), "status": "PRESENT"}]}  # fmt: skip
    response = await api.post("/rpc/mark_class_attendance", json=body, headers=as_role("teacher", school))
    assert (response.status_code, response.json()) == (200, 1)
    marks = await api.get(f"/attendance_records?select=status&student_id=eq.{school.student}",
                          headers=as_role("teacher", school))  # fmt: skip
    assert marks.json() == [{"status": "PRESENT"}]


async def test_record_payment_refuses_overpayment_with_the_rules_words(
    api: AsyncTestClient[Litestar], gateway_app: Litestar, school: School
) -> None:
    needs(gateway_app, "record_payment")
    admin = as_role("school_admin", school, Prefer="return=representation")
    invoice = await api.post("/invoices", json={"school_id": str(school.id), "student_id": str(school.student),
                                                "invoice_number": "INV-1", "issue_date": "2026-09-01",
                                                "due_date": "2026-10-01"}, headers=admin)  # fmt: skip
    assert invoice.status_code == 201, invoice.text
    invoice_id = invoice.json()[0]["id"]
    item = await api.post("/invoice_items", json={"school_id": str(school.id), "invoice_id": invoice_id,
                                                  "description": "Fees", "quantity": 2, "unit_price": "50.00"},
                          headers=admin)  # fmt: skip
    assert item.status_code == 201, item.text
    assert item.json()[0]["line_total"] == 100.0  # computed by the database
    sent = await api.patch(f"/invoices?id=eq.{invoice_id}", json={"status": "SENT"}, headers=admin)
    assert sent.status_code == 200, sent.text
    paid = await api.post("/rpc/record_payment", json={"p_invoice_id": invoice_id, "p_amount": "30.00"},
                          headers=as_role("school_admin", school))  # fmt: skip
    assert paid.status_code == 200, paid.text
    assert Decimal(str(paid.json()["invoice"]["balance_due"])) == Decimal("70.00")
    over = await api.post("/rpc/record_payment", json={"p_invoice_id": invoice_id, "p_amount": "500.00"},
                          headers=as_role("school_admin", school))  # fmt: skip
    body = assert_canonical_error(over, 400, "23514")
    assert body["details"] == 'constraint "payments_within_balance_check"'


async def test_a_busy_pool_answers_504_instead_of_queueing_forever(database_url: str, rpc_test: object) -> None:
    settings = settings_for(
        database_url, db_schema="gw_rpc_test", pool_min_size=1, pool_max_size=1, acquire_timeout=0.3
    )
    with running(create_app(settings)) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            nap = asyncio.ensure_future(client.post("/rpc/nap", json={"p_seconds": 1.5}))
            await asyncio.sleep(0.4)  # the nap holds the only connection
            assert_canonical_error(await client.get("/rpc/echo?p_text=x"), 504, "PGRST003")
            assert (await nap).status_code == 204
            assert (await client.get("/rpc/echo?p_text=x")).json() == "x"
