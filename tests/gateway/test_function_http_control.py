"""What a function may ask of the HTTP answer, as in PostgREST: its own status
and error body (RAISE SQLSTATE 'PTxyz' / 'PGRST'), headers and status through
response.headers / response.status; and what it reads of the request
(request.method, path, headers, cookies). The whole path against Postgres is
pinned by PostgREST's own RpcSpec cases (tests/conformance/spec/passing.txt);
these are the mapping rules, one per test."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from gateway.errors import ApiError
from gateway.http.config import Settings, load_settings
from gateway.http.execute import Outcome
from gateway.http.respond import Reply, with_settings
from gateway.http.routes import request_context
from gateway.pg_errors import from_postgres

DB = Path(__file__).resolve().parents[2] / "db"


class _PgError(Exception):
    """The attributes asyncpg's PostgresError carries (pg_errors reads them duck-typed)."""

    def __init__(self, sqlstate: str, message: str, detail: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate, self.message, self.detail, self.hint = sqlstate, message, detail, hint


def test_pt_sqlstate_answers_its_status_with_postgres_fields() -> None:
    error = from_postgres(_PgError("PT402", "Payment Required", "Quota exceeded", "Upgrade your plan"), role="anon")
    assert (error.status, error.body()) == (
        402,
        {"code": "PT402", "message": "Payment Required", "details": "Quota exceeded", "hint": "Upgrade your plan"},
    )


def test_pt_sqlstate_that_is_no_status_is_a_500_keeping_the_body() -> None:
    error = from_postgres(_PgError("PT40A", "Wrong"), role="anon")
    assert (error.status, error.code, error.message) == (500, "PT40A", "Wrong")


def test_pgrst_sqlstate_takes_body_from_message_and_status_headers_from_detail() -> None:
    raised = _PgError(
        "PGRST", '{"code":"123","message":"ABC","hint":"XYZ"}', '{"status":332,"headers":{"X-Header":"str"}}'
    )
    error = from_postgres(raised, role="anon")
    assert (error.status, error.body(), error.headers) == (
        332,
        {"code": "123", "message": "ABC", "details": None, "hint": "XYZ"},
        {"X-Header": "str"},
    )


@pytest.mark.parametrize(
    ("message", "detail"),
    [("INVALID", '{"status":332,"headers":{}}'), ('{"code":"1","message":"m"}', "INVALID"),
     ('{"code":"1","message":"m"}', None), ('{"code":"1","message":"m"}', '{"status":999,"headers":{}}')],
)  # fmt: skip
def test_pgrst_sqlstate_without_its_json_is_pgrst121(message: str, detail: str | None) -> None:
    error = from_postgres(_PgError("PGRST", message, detail), role="anon")
    assert (error.status, error.code) == (500, "PGRST121")


def test_our_own_functions_raise_no_sqlstate_that_now_answers_differently() -> None:
    """db/ raises its own refusals with SQLSTATEs whose statuses README documents;
    none is PT... or PGRST, whose meaning PostgREST fixed."""
    raised = set()
    for path in DB.rglob("*.sql"):
        raised |= set(re.findall(r"(?:errcode\s*=\s*|sqlstate\s+)'([0-9A-Z]{5})'", path.read_text(), re.IGNORECASE))
    assert raised and not {code for code in raised if code.startswith(("PT", "PGRST"))}


def _outcome(**fields: Any) -> Outcome:
    return Outcome(body=None, page_total=1, total=None, location=None, **fields)


def test_response_headers_replace_ours_and_status_overrides() -> None:
    reply = Reply(status=201, headers={"Location": "/stuff?id=eq.2", "Content-Range": "*/*"})
    answer = with_settings(
        reply, _outcome(response_headers='[{"location": "/x"}, {"X-Test": "a"}]', response_status="205")
    )
    assert (answer.status, answer.headers) == (205, {"Content-Range": "*/*", "location": "/x", "X-Test": "a"})


def test_no_response_settings_leave_the_reply_alone() -> None:
    reply = Reply(status=200, headers={"Content-Type": "application/json"}, body=b"1")
    assert with_settings(reply, _outcome()) is reply


@pytest.mark.parametrize(
    "value",
    ['{"X-Test": "a"}', '["a"]', '[{"a": "1", "b": "2"}]', '[{"a": 1}]', "not json",
     # A CR/LF would split the answer (header injection); a space is no field name.
     '[{"X-Test": "a\\r\\nSet-Cookie: s=1"}]', '[{"X Test": "a"}]'],
)  # fmt: skip
def test_malformed_response_headers_are_pgrst111(value: str) -> None:
    with pytest.raises(ApiError) as raised:
        with_settings(Reply(status=204, headers={}), _outcome(response_headers=value))
    assert (raised.value.status, raised.value.code) == (500, "PGRST111")


@pytest.mark.parametrize("value", ["bad", "99", "600", "-1"])
def test_malformed_response_status_is_pgrst112(value: str) -> None:
    with pytest.raises(ApiError) as raised:
        with_settings(Reply(status=200, headers={}), _outcome(response_status=value))
    assert (raised.value.status, raised.value.code) == (500, "PGRST112")


class _Request:
    method = "POST"
    path = "/rpc/get_guc_value"

    def __init__(self, headers: list[tuple[bytes, bytes]]) -> None:
        self.scope = {"headers": headers}


def test_request_context_is_what_postgrest_sets() -> None:
    settings = Settings(database_url="postgresql://x", db_schema="api", app_settings=(("app_host", "localhost"),),
                        db_set_search_path=True)  # fmt: skip
    request = _Request([(b"custom-header", b"test"), (b"cookie", b"acookie=v1;second=v2"), (b"x-twice", b"a"),
                        (b"x-twice", b"b")])  # fmt: skip
    context = request_context(request, settings)  # type: ignore[arg-type]
    assert (context.method, context.path) == ("POST", "/rpc/get_guc_value")
    # The Cookie header only as cookies; a repeated header: the last, as PostgREST's Map.
    assert msgspec.json.decode(context.headers) == {"custom-header": "test", "x-twice": "b"}
    assert msgspec.json.decode(context.cookies) == {"acookie": "v1", "second": "v2"}
    assert context.search_path == '"api", "public"'
    assert context.app_settings == (("app_host", "localhost"),)


def test_app_settings_and_search_path_come_from_the_environment() -> None:
    settings = load_settings({"APP_SETTINGS_APP_HOST": "localhost", "DB_SET_SEARCH_PATH": "true",
                              "DB_EXTRA_SEARCH_PATH": "public, extensions"})  # fmt: skip
    assert settings.app_settings == (("app_host", "localhost"),)
    assert settings.search_path == '"api", "public", "extensions"'
    assert (load_settings({}).app_settings, load_settings({}).search_path) == ((), None)
