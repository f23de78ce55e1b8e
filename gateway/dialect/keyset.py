"""Keyset paging, an extension beyond PostgREST: `Link: <...&cursor=...>; rel="next"`.

A read ordered by columns of a relation with a primary key gets the key
appended to its order as a tiebreaker (plan/action.py), so the order is total. A
nullable column's NULLs sort where Postgres puts them (NULLS LAST for asc,
FIRST for desc, or as `nullsfirst`/`nullslast` say) and a cursor may hold one.
The last row's key values become an opaque cursor: base64url of JSON,
HMAC-SHA256-signed with the JWT secret, bound to the key's column names so a
cursor cannot be replayed on another ordering. `cursor=` continues after that
row with a row comparison (`(a, b) > ($1, $2)`, an index range scan whatever
the depth) or, when the directions are mixed or a key is nullable, its
NULL-aware OR expansion behind a bound an index can start from (`branches`).
Rows inserted between pages are never skipped or repeated, unlike offsets.
Plain PostgREST clients ignore the header.

Pure: no SQL run here; `predicate` and `branches` return SQL text for render/keyset.py.
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


def predicate(
    columns: list[str],
    descending: list[bool],
    params: list[str],
    nullable: list[bool] | None = None,
    nulls_first: list[bool] | None = None,
) -> str:
    """Rows after the cursor. `columns` are SQL expressions, `params` typed `$n`s.
    `nulls_first` defaults to Postgres' own placement: first for desc, last for asc."""
    nullable = nullable or [False] * len(columns)
    nulls_first = descending if nulls_first is None else nulls_first
    if not any(nullable) and len(set(descending)) == 1:
        op = "<" if descending[0] else ">"
        return f"(({', '.join(columns)}) {op} ({', '.join(params)}))"
    # Mixed directions or NULLs: (a > x) or (a = x and b < y) or ..., where a
    # nullable key's "=" is IS NOT DISTINCT FROM and its "after" knows where
    # the NULLs sort (a row comparison is null as soon as one side is).
    terms = []
    for i, column in enumerate(columns):
        same = [_same(columns[j], params[j], nullable[j]) for j in range(i)]
        same.append(_after(column, params[i], descending[i], nullable[i], nulls_first[i]))
        terms.append("(" + " and ".join(same) + ")")
    expanded = "(" + " or ".join(terms) + ")"
    if nullable[0]:
        return expanded
    # Implied by every term: an index on the first key can start at the cursor.
    return f"({columns[0]} {'<=' if descending[0] else '>='} {params[0]} and {expanded})"


def _same(column: str, param: str, nullable: bool) -> str:
    return f"{column} is not distinct from {param}" if nullable else f"{column} = {param}"


def _after(column: str, param: str, descending: bool, nullable: bool, nulls_first: bool) -> str:
    op = "<" if descending else ">"
    if not nullable:
        return f"{column} {op} {param}"
    if nulls_first:  # after a NULL cursor comes every value
        return f"(({param} is null and {column} is not null) or {column} {op} {param})"
    return f"({param} is not null and ({column} {op} {param} or {column} is null))"  # after a value, every NULL


def branches(
    columns: list[str], descending: list[bool], params: list[str], nullable: list[bool], nulls_first: list[bool]
) -> list[str]:
    """The rows after the cursor as disjoint conditions, one per UNION ALL
    branch (render: each branch ordered and limited on its own). A NOT NULL
    first key needs one, which starts an index range at the cursor. A nullable
    one needs three, since no single range holds "the rest of the cursor's group
    and all of the next one" and an OR of them would scan from the start:
    the cursor's values from the cursor on (`a >= $1`: an index range; none
    when the cursor is NULL), the NULLs from the cursor on (`a is null`: an
    index range; none when the cursor is a value), and the whole group after the
    cursor's (a one-time filter on the parameter turns it on or off)."""
    after = predicate(columns, descending, params, nullable, nulls_first)
    if not nullable[0]:
        return [after]
    column, param = columns[0], params[0]
    values = f"({column} {'<=' if descending[0] else '>='} {param} and {after})"
    nulls = f"({column} is null and {param} is null and {after})"
    if nulls_first[0]:
        return [values, nulls, f"({column} is not null and {param} is null)"]
    return [values, nulls, f"({column} is null and {param} is not null)"]


def next_link(path: str, query: str, cursor: str) -> str:
    """`Link` for the page after this one: the same query, the new cursor."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in ("cursor", "offset")]
    pairs.append(("cursor", cursor))
    return f'<{quote(path)}?{urlencode(pairs)}>; rel="next"'
