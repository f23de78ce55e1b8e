"""The spec reader (extract_cases.py) on small pieces of hspec source: what it
translates, and what it refuses to guess."""

from __future__ import annotations

import json

import pytest

from tests.conformance.spec.extract_cases import cases_of

SPEC = """
  describe "x" $ do
    it "plain get with a status" $
      get "/items" `shouldRespondWith` 200

    it "request with headers and a matcher record" $
      request methodPost "/items" [("Prefer", "return=representation"), authHeaderJWT "tok"]
        [json| {"id": 1} |]
        `shouldRespondWith` [json| [{"id":1}] |]
        { matchStatus = 201, matchHeaders = [matchContentTypeJson, "Content-Range" <:> "*/*", matchHeaderAbsent hLocation] }

    it "ranges and local bindings" $ do
      let singular = ("Accept", "application/vnd.pgrst.object+json")
      request methodGet "/items" (rangeHdrs $ ByteRangeFromTo 0 1) ""
        `shouldRespondWith` "[]"
      request methodGet "/items" [singular] ""
        `shouldRespondWith` 406

    it "something the reader does not translate" $
      get ("/items?id=eq." <> show n) `shouldRespondWith` 200
"""


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return cases_of("XSpec", SPEC)


def test_a_bare_status(cases: list[dict]) -> None:
    assert cases[0]["request"] == {"method": "GET", "path": "/items", "headers": [], "body": ""}
    assert cases[0]["expect"] == {"status": 200, "body": None, "headers": [], "absent": []}


def test_headers_body_and_matcher_record(cases: list[dict]) -> None:
    request, expect = cases[1]["request"], cases[1]["expect"]
    assert request["headers"] == [("Prefer", "return=representation"), ("Authorization", "Bearer tok")]
    assert json.loads(request["body"]) == {"id": 1}
    assert expect["status"] == 201 and json.loads(expect["body"]) == [{"id": 1}] and expect["json"]
    assert expect["headers"] == [("Content-Type", "application/json; charset=utf-8"), ("Content-Range", "*/*")]
    assert expect["absent"] == ["Location"]


def test_range_helpers_and_let_bound_headers(cases: list[dict]) -> None:
    assert cases[2]["request"]["headers"] == [("Range-Unit", "items"), ("Range", "0-1")]
    assert cases[2]["expect"]["body"] == "[]" and not cases[2]["expect"]["json"]
    assert cases[3]["request"]["headers"] == [("Accept", "application/vnd.pgrst.object+json")]


def test_untranslatable_haskell_is_kept_and_marked(cases: list[dict]) -> None:
    assert len(cases) == 5
    assert "request" not in cases[4] and cases[4]["skip"].startswith("not extracted")
    assert cases[4]["id"] == "XSpec:20"  # the line of the `shouldRespondWith`
