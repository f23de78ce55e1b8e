"""Keyset paging, an extension beyond PostgREST: `Link: <...&cursor=...>; rel="next"`.

A read ordered by NOT NULL columns gets the primary key appended to its order
as a tiebreaker (plan.py), so the order is total. The last row's key values
become an opaque cursor: base64url of JSON, HMAC-SHA256-signed with the JWT
secret, bound to the key's column names so a cursor cannot be replayed on
another ordering. `cursor=` continues after that row with a row comparison
(`(a, b) > ($1, $2)`, an index range scan whatever the depth) or, when the
directions are mixed, its OR expansion. Rows inserted between pages are never
skipped or repeated, unlike offsets. Plain PostgREST clients ignore the header.

Pure: no SQL run here; `predicate` returns SQL text for render.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import msgspec

from gateway.errors import bad_query


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), b"keyset:" + payload, hashlib.sha256).digest()


def encode(secret: str, columns: tuple[str, ...], values: list[Any]) -> str:
    payload = msgspec.json.encode({"k": columns, "v": values})
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


def decode(secret: str, columns: tuple[str, ...], cursor: str) -> tuple[str | None, ...]:
    """The key values as text (cast to the columns' types in SQL), or 400."""
    try:
        body, _, signature = cursor.partition(".")
        payload = _unb64(body)
        if not hmac.compare_digest(_unb64(signature), _sign(secret, payload)):
            raise ValueError("signature")
        data = msgspec.json.decode(payload)
        if tuple(data["k"]) != columns or len(data["v"]) != len(columns):
            raise ValueError("another ordering")
    except (ValueError, KeyError, TypeError, msgspec.DecodeError):
        raise bad_query(
            "invalid cursor", "the cursor was not issued for this ordering, or was altered",
            "Start again without cursor= and follow the Link header",
        ) from None  # fmt: skip
    return tuple(None if v is None else v if isinstance(v, str) else msgspec.json.encode(v).decode() for v in data["v"])


def predicate(columns: list[str], descending: list[bool], params: list[str]) -> str:
    """Rows after the cursor. `columns` are SQL expressions, `params` typed `$n`s."""
    if len(set(descending)) == 1:
        op = "<" if descending[0] else ">"
        return f"(({', '.join(columns)}) {op} ({', '.join(params)}))"
    # Mixed directions: (a > x) or (a = x and b < y) or ...
    terms = []
    for i, column in enumerate(columns):
        equal = [f"{columns[j]} = {params[j]}" for j in range(i)]
        equal.append(f"{column} {'<' if descending[i] else '>'} {params[i]}")
        terms.append("(" + " and ".join(equal) + ")")
    return "(" + " or ".join(terms) + ")"


def next_link(path: str, query: str, cursor: str) -> str:
    """`Link` for the page after this one: the same query, the new cursor."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in ("cursor", "offset")]
    pairs.append(("cursor", cursor))
    return f'<{quote(path)}?{urlencode(pairs)}>; rel="next"'
