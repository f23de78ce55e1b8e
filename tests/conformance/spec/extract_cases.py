"""Extract PostgREST's request/response spec cases into a JSON table.

Re-run after changing the PostgREST version (needs a clone of PostgREST/postgrest):

    python -m tests.conformance.spec.extract_cases /path/to/postgrest.git v12.0.2

It reads `test/spec/Feature/Query/<File>Spec.hs` at the tag (`git show`, so a
bare clone will do) and writes `cases.json` beside this script: one row per
`shouldRespondWith`, with the request (method, path, headers, body) and what
the spec expects (status, body, headers) exactly as the .hs file states it.
Nothing is hand-written: a case whose request or expectation uses Haskell this
small reader does not understand (string concatenation, let-bound values,
custom matchers, interpolation) is written with `skip` saying why, so it is
counted as "not runnable" instead of being guessed.

hspec-wai's rules, reproduced by the runner (test_spec.py):
- a bare number expects that status and nothing else;
- a `[json|...|]` body is compared as JSON values; a string literal body as
  bytes (the runner compares JSON when both sides parse, text otherwise);
- a body matcher without `matchStatus` expects 200;
- `matchHeaders` lists headers that must be present with exactly that value
  (or absent, `matchHeaderAbsent`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# The spec files of test/spec/Main.hs run with the default test configuration
# (plus AggregateFunctionsSpec.allowed, which only turns aggregates on).
SPEC_FILES = (
    "AggregateFunctionsSpec", "AndOrParamsSpec", "ComputedRelsSpec", "CustomMediaSpec", "DeleteSpec",
    "EmbedDisambiguationSpec", "EmbedInnerJoinSpec", "InsertSpec", "JsonOperatorSpec", "NullsStripSpec",
    "PreferencesSpec", "QuerySpec", "RangeSpec", "RawOutputTypesSpec", "RelatedQueriesSpec", "RpcSpec",
    "SingularSpec", "SpreadQueriesSpec", "UpdateSpec", "UpsertSpec",
)  # fmt: skip
SECTION_MARK = "shouldRespondWith"
HASKELL_HEADERS = {
    "hContentType": "Content-Type", "hAccept": "Accept", "hLocation": "Location", "hRange": "Range",
    "hAuthorization": "Authorization", "hPrefer": "Prefer", "hContentLength": "Content-Length",
    "hContentRange": "Content-Range",
}  # fmt: skip
MATCHERS = {
    "matchContentTypeJson": ("Content-Type", "application/json; charset=utf-8"),
    "matchContentTypeSingular": ("Content-Type", "application/vnd.pgrst.object+json; charset=utf-8"),
    "matchCTArrayStrip": ("Content-Type", "application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8"),
    "matchCTSingularStrip": ("Content-Type", "application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8"),
}
METHODS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE", "options": "OPTIONS"}


class Unreadable(Exception):
    """Haskell this reader does not translate; the case is kept, marked skip."""


# Header values a spec file binds once with `let` (e.g. SingularSpec's `singular`).
LOCAL_HEADERS: dict[str, list[tuple[str, str]]] = {}
LOCAL_BINDING = re.compile(
    r'^\s*(?:let\s+)?(\w+)\s*=\s*(\("[^"\n]*"\s*,\s*"[^"\n]*"\)|acceptHdrs\s+"[^"\n]*")\s*$', re.MULTILINE
)


def local_headers(text: str) -> dict[str, list[tuple[str, str]]]:
    found = {}
    for match in LOCAL_BINDING.finditer(text):
        reader = Reader(match.group(2))
        found[match.group(1)] = read_headers(reader) if reader.peek("acceptHdrs") else read_header_items(reader)
    return found


class Reader:
    """A cursor over Haskell source that reads literals, lists and tuples."""

    def __init__(self, text: str, pos: int = 0) -> None:
        self.text, self.pos = text, pos

    def ws(self) -> None:
        while True:
            match = re.compile(r"(\s+|--[^\n]*)").match(self.text, self.pos)
            if not match or not match.group(0):
                return
            self.pos = match.end()

    def peek(self, token: str) -> bool:
        self.ws()
        return self.text.startswith(token, self.pos)

    def take(self, token: str) -> None:
        if not self.peek(token):
            raise Unreadable(f"expected {token!r} at {self.text[self.pos : self.pos + 40]!r}")
        self.pos += len(token)

    def ident(self) -> str:
        self.ws()
        match = re.compile(r"[A-Za-z_][A-Za-z0-9_']*").match(self.text, self.pos)
        if not match:
            raise Unreadable(f"expected a name at {self.text[self.pos : self.pos + 40]!r}")
        self.pos = match.end()
        return match.group(0)

    def string(self) -> str:
        self.take('"')
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(out)
            if char == "\\":
                nxt = self.text[self.pos + 1]
                escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
                if nxt in escapes:
                    out.append(escapes[nxt])
                    self.pos += 2
                    continue
                if nxt == "&":  # Haskell's empty escape
                    self.pos += 2
                    continue
                if self.text.startswith("SOH", self.pos + 1):  # the one ASCII name the specs use
                    out.append("\x01")
                    self.pos += 4
                    continue
                code = re.compile(r"\d+").match(self.text, self.pos + 1)
                if code:
                    out.append(chr(int(code.group(0))))
                    self.pos = code.end()
                    continue
                raise Unreadable(f"string escape \\{nxt}")
            out.append(char)
            self.pos += 1
        raise Unreadable("unterminated string")

    def quasi(self) -> tuple[str, str]:
        self.ws()
        match = re.compile(r"\[(\w+)\|").match(self.text, self.pos)
        if not match:
            raise Unreadable("expected a quasi-quote")
        end = self.text.index("|]", match.end())
        self.pos = end + 2
        return match.group(1), self.text[match.end() : end]

    def is_quasi(self) -> bool:
        self.ws()
        return bool(re.compile(r"\[\w+\|").match(self.text, self.pos))

    def integer(self) -> int:
        self.ws()
        match = re.compile(r"\d+").match(self.text, self.pos)
        if not match:
            raise Unreadable("expected a number")
        self.pos = match.end()
        return int(match.group(0))


def json_text(kind: str, raw: str) -> str:
    """A [json|...|] quasi-quote as JSON text (aeson-qq also allows bare keys)."""
    if kind not in ("json", "str"):
        raise Unreadable(f"quasi-quote [{kind}|")
    if kind == "str":
        return raw
    if "#{" in raw:
        raise Unreadable("interpolated JSON")
    try:
        return json.dumps(json.loads(raw))
    except ValueError:
        fixed = re.sub(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:", r'\1"\2":', raw)
        try:
            return json.dumps(json.loads(fixed))
        except ValueError as error:
            raise Unreadable(f"JSON the reader cannot parse: {error}") from None


def read_body(reader: Reader) -> str:
    if reader.is_quasi():
        return json_text(*reader.quasi())
    if reader.peek('"'):
        return reader.string()
    for empty in ("mempty", "BL.empty"):
        if reader.peek(empty):
            reader.take(empty)
            return ""
    raise Unreadable(f"body at {reader.text[reader.pos : reader.pos + 40]!r}")


def read_header_value(reader: Reader) -> str:
    if reader.peek('"'):
        return reader.string()
    raise Unreadable(f"header value at {reader.text[reader.pos : reader.pos + 40]!r}")


def read_header_name(reader: Reader) -> str:
    if reader.peek('"'):
        return reader.string()
    name = reader.ident()
    if name not in HASKELL_HEADERS:
        raise Unreadable(f"header name {name}")
    return HASKELL_HEADERS[name]


def read_range(reader: Reader) -> str:
    if reader.peek("$"):
        reader.take("$")
        return read_range_value(reader)
    reader.take("(")
    value = read_range_value(reader)
    reader.take(")")
    return value


def read_range_value(reader: Reader) -> str:
    kind = reader.ident()
    numbers = []
    while re.compile(r"\s*\d").match(reader.text, reader.pos):
        numbers.append(reader.integer())
    if kind == "ByteRangeFromTo" and len(numbers) == 2:
        return f"{numbers[0]}-{numbers[1]}"
    if kind == "ByteRangeFrom" and len(numbers) == 1:
        return f"{numbers[0]}-"
    raise Unreadable(f"range {kind}")


def read_header_items(reader: Reader) -> list[tuple[str, str]]:
    """One element of a request header list (some helpers give several)."""
    if reader.peek("("):
        reader.take("(")
        name = read_header_name(reader)
        reader.take(",")
        value = read_header_value(reader)
        reader.take(")")
        return [(name, value)]
    name = reader.ident()
    if name == "authHeaderJWT":
        return [("Authorization", "Bearer " + reader.string())]
    if name == "authHeaderBasic":
        import base64

        user, password = reader.string(), reader.string()
        return [("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())]
    if name in LOCAL_HEADERS:
        return LOCAL_HEADERS[name]
    if name == "planHdr":
        return [("Accept", "application/vnd.pgrst.plan+json")]
    if name == "rangeUnit":
        return [("Range-Unit", "items")]
    raise Unreadable(f"header helper {name}")


def read_headers(reader: Reader) -> list[tuple[str, str]]:
    """A request header list: `[...]`, `acceptHdrs "x"`, `rangeHdrs (..)`, or `x : [...]`/`++`."""
    headers: list[tuple[str, str]] = []
    if reader.peek("["):
        reader.take("[")
        while not reader.peek("]"):
            headers += read_header_items(reader)
            if reader.peek(","):
                reader.take(",")
        reader.take("]")
    elif reader.peek("("):
        reader.take("(")
        headers = read_headers(reader)
        reader.take(")")
    else:
        name = reader.ident()
        if name == "acceptHdrs":
            headers = [("Accept", reader.string())]
        elif name in ("rangeHdrs", "rangeHdrsWithCount"):
            extra = [("Prefer", "count=exact")] if name == "rangeHdrsWithCount" else []
            headers = extra + [("Range-Unit", "items"), ("Range", read_range(reader))]
        elif name == "mempty":
            headers = []
        elif name in LOCAL_HEADERS:
            headers = list(LOCAL_HEADERS[name])
        else:
            raise Unreadable(f"headers {name}")
    if reader.peek("++") or (reader.peek(":") and not reader.peek("::")):
        raise Unreadable("headers built with ++ or :")
    return headers


def read_request(reader: Reader) -> dict[str, Any]:
    verb = reader.ident()
    if verb == "request":
        method_name = reader.ident()
        match = re.fullmatch(r"method([A-Z][a-z]+)", method_name)
        if not match:
            raise Unreadable(f"method {method_name}")
        method = match.group(1).upper()
        path = reader.string()
        headers = read_headers(reader)
        body = read_body(reader)
    elif verb in METHODS:
        method, path, headers = METHODS[verb], reader.string(), []
        body = "" if verb in ("get", "delete", "options") else read_body(reader)
    else:
        raise Unreadable(f"request built by {verb}")
    return {"method": method, "path": path, "headers": headers, "body": body}


def read_expect_headers(reader: Reader) -> tuple[list[tuple[str, str]], list[str]]:
    present: list[tuple[str, str]] = []
    absent: list[str] = []
    reader.take("[")
    while not reader.peek("]"):
        if reader.peek('"') or re.compile(r"\s*h[A-Z]\w*\s*<:>").match(reader.text, reader.pos):
            name = read_header_name(reader)
            reader.take("<:>")
            present.append((name, reader.string()))
        else:
            name = reader.ident()
            if name in MATCHERS:
                present.append(MATCHERS[name])
            elif name == "matchHeaderAbsent":
                absent.append(read_header_name(reader))
            else:
                raise Unreadable(f"header matcher {name}")
        if reader.peek(","):
            reader.take(",")
    reader.take("]")
    return present, absent


def read_expectation(reader: Reader) -> dict[str, Any]:
    expect: dict[str, Any] = {"status": 200, "body": None, "headers": [], "absent": []}
    reader.ws()
    if re.compile(r"\d").match(reader.text, reader.pos):
        expect["status"] = reader.integer()
        return expect
    if reader.is_quasi():
        kind, raw = reader.quasi()
        expect["body"], expect["json"] = json_text(kind, raw), kind == "json"
    elif reader.peek('"'):
        expect["body"], expect["json"] = reader.string(), False
    else:
        raise Unreadable(f"expectation at {reader.text[reader.pos : reader.pos + 40]!r}")
    if reader.peek("{"):
        reader.take("{")
        while not reader.peek("}"):
            field = reader.ident()
            reader.take("=")
            if field == "matchStatus":
                expect["status"] = reader.integer()
            elif field == "matchHeaders":
                expect["headers"], expect["absent"] = read_expect_headers(reader)
            else:
                raise Unreadable(f"matcher field {field}")
            if reader.peek(","):
                reader.take(",")
        reader.take("}")
    return expect


REQUEST_START = re.compile(r"(?<![\w'])(request|get|post|put|patch|delete)\s+(?=[\"m])")


def cases_of(name: str, text: str) -> list[dict[str, Any]]:
    LOCAL_HEADERS.clear()
    LOCAL_HEADERS.update(local_headers(text))
    cases = []
    for mark in re.finditer(r"`shouldRespondWith`", text):
        line = text.count("\n", 0, mark.start()) + 1
        # The request is the last request expression before the mark on the
        # same statement (a few lines back at most).
        window_start = text.rfind("\n\n", 0, mark.start())
        starts = [m for m in REQUEST_START.finditer(text, max(window_start, 0), mark.start())]
        case: dict[str, Any] = {"id": f"{name}:{line}", "file": name, "line": line}
        try:
            if not starts:
                raise Unreadable("no request expression before the matcher")
            reader = Reader(text, starts[-1].start())
            case["request"] = read_request(reader)
            reader.ws()
            if reader.pos != mark.start():
                raise Unreadable("request expression has more than the reader understood")
            reader.pos = mark.end()
            case["expect"] = read_expectation(reader)
        except (Unreadable, ValueError, IndexError) as error:
            case.pop("request", None)
            case["skip"] = f"not extracted: {error}"
        cases.append(case)
    return cases


def main(argv: list[str]) -> None:
    repo, tag = argv[1], argv[2]
    table: list[dict[str, Any]] = []
    for name in SPEC_FILES:
        path = f"test/spec/Feature/Query/{name}.hs"
        text = subprocess.run(["git", "-C", repo, "show", f"{tag}:{path}"], check=True, capture_output=True, text=True)
        table += cases_of(name, text.stdout)
    out = {"source": f"PostgREST/postgrest {tag} test/spec/Feature/Query", "cases": table}
    (HERE / "cases.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    done = sum("skip" not in c for c in table)
    print(f"{len(table)} cases, {done} extracted, {len(table) - done} not extracted")


if __name__ == "__main__":
    main(sys.argv)
