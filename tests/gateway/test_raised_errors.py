"""pg_errors.raised: a function's `raise sqlstate 'PTnnn'` / `'PGRST'` answers
with the status, body and headers it chose (PostgREST docs "Raise errors with
HTTP Status Codes"); a PGRST error whose JSON does not parse is PGRST121.
Pure; the spec cases RpcSpec 841-848 and 1423-1466 run it against Postgres."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gateway.pg_errors import from_postgres

PARSE_ERROR = (500, "PGRST121", "The message and detail field of RAISE 'PGRST' error expects JSON")


def error(sqlstate: str, message: str, detail: str | None = None, hint: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(sqlstate=sqlstate, message=message, detail=detail, hint=hint)


def test_pt_and_three_digits_is_the_status() -> None:
    raised = from_postgres(error("PT402", "Payment Required", "Quota exceeded", "Upgrade your plan"), role="anon")
    assert (raised.status, raised.body()) == (402, {"code": "PT402", "message": "Payment Required",
                                                    "details": "Quota exceeded", "hint": "Upgrade your plan"})  # fmt: skip


def test_pt_and_anything_else_is_500() -> None:
    raised = from_postgres(error("PT40A", "Wrong"), role="anon")
    assert (raised.status, raised.code, raised.message) == (500, "PT40A", "Wrong")


def test_pgrst_chooses_status_body_and_headers() -> None:
    raised = from_postgres(
        error("PGRST", '{"code":"123","message":"ABC","details":"DEF","hint":"XYZ"}',
              '{"status":332,"status_text":"My Custom Status","headers":{"X-Header":"str"}}'),
        role="anon",
    )  # fmt: skip
    assert (raised.status, raised.headers) == (332, {"X-Header": "str"})
    assert raised.body() == {"code": "123", "message": "ABC", "details": "DEF", "hint": "XYZ"}


@pytest.mark.parametrize(
    ("message", "detail"),
    [
        ("INVALID", '{"status":332,"headers":{}}'),
        ('{"code":"123","message":"ABC"}', "INVALID"),
        ('{"code":"123","message":"ABC"}', None),  # no detail at all
        ('{"code":123,"message":"ABC"}', '{"status":332,"headers":{}}'),  # code not a string
        ('{"code":"123","message":"ABC"}', '{"status":"332","headers":{}}'),  # status not a number
        ('{"code":"123","message":"ABC"}', '{"status":332,"headers":{"X-Bad":"a\\r\\nb"}}'),  # no header injection
    ],
)
def test_pgrst_without_its_json_is_pgrst121(message: str, detail: str | None) -> None:
    raised = from_postgres(error("PGRST", message, detail), role="anon")
    assert (raised.status, raised.code, raised.message) == PARSE_ERROR
