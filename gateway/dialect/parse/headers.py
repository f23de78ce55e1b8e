"""The request's headers as typed data: `Prefer`, `Range`/`Range-Unit`, the
media types of `Accept` (dialect/media.py); and the non-negative integers that
`limit`/`offset` (and an embed's) take. Pure, no SQL (request.py's other half).
"""

from __future__ import annotations

import re
from typing import Literal, get_args

import msgspec

from gateway.dialect.media import accepted, builtin, vendored
from gateway.errors import ApiError, bad_query

Return = Literal["representation", "minimal", "headers-only"]
Resolution = Literal["merge-duplicates", "ignore-duplicates"]
Count = Literal["exact", "planned", "estimated"]
_RANGE = re.compile(r"\s*(\d+)-(\d*)\s*")


class Preferences(msgspec.Struct, frozen=True, kw_only=True):
    """The `Prefer` header. `unfiltered=allow` is ours (PostgREST has no such
    guard and points to pg-safeupdate): without it a PATCH or DELETE with no
    filter is refused, so a client bug cannot rewrite a whole school."""

    return_: Return | None = None
    count: Count | None = None
    resolution: Resolution | None = None  # POST as upsert: ON CONFLICT DO UPDATE / DO NOTHING
    unfiltered: bool = False
    strict: bool = False
    handling: Literal["strict", "lenient"] | None = None  # as given, for Preference-Applied
    tx: Literal["commit", "rollback"] | None = None  # rollback: run the statement, then undo it
    max_affected: int | None = None  # with handling=strict: more rows changed -> PGRST124, rolled back
    # POST: a key absent from a row takes the column's DEFAULT, not null (plan/action.py, render/statement.py).
    missing: Literal["default", "null"] | None = None
    # `params=single-object`: the whole body (POST) or the query's arguments as one
    # object (GET) is the one json/jsonb argument of the function (PostgREST).
    single_object: bool = False
    # `timezone=America/Los_Angeles`: the transaction's TimeZone, when Postgres
    # knows the name (checked_timezone; PostgREST 12's Prefer: timezone).
    timezone: str | None = None


def non_negative(name: str, value: str) -> int:
    if not value.isdigit():
        if name == "offset" and value.startswith("-") and value[1:].isdigit():
            return 0  # PostgREST 12 intersects `[offset..]` with `[0..]`: a negative offset is none
        if value.startswith("-") and value[1:].isdigit():
            raise ApiError(
                416,
                "PGRST103",
                "Requested range not satisfiable",
                details=f"{name.capitalize()} should be greater than or equal to zero.",  # PostgREST's words
            )
        raise bad_query(f'"failed to parse {name} parameter ({value})"', "expecting a non-negative integer")
    return int(value)


def range_items(header: str | None, unit: str | None) -> tuple[int | None, int]:
    """`Range: 0-19` (items). Malformed ranges are ignored, as PostgREST does;
    `limit`/`offset` in the query string narrow it (within_range, below)."""
    if not header or (unit or "items") != "items":
        return None, 0
    match = _RANGE.fullmatch(header)
    if match is None:
        return None, 0
    lower = int(match[1])
    if not match[2]:
        return None, lower
    upper = int(match[2])
    if lower > upper:
        raise ApiError(
            416,
            "PGRST103",
            "Requested range not satisfiable",
            details="The lower boundary must be lower than or equal to the upper boundary in the Range header.",
        )
    return upper - lower + 1, lower


def within_range(header: tuple[int | None, int], limit: int | None, offset: int | None) -> tuple[int | None, int]:
    """The rows both the Range header and `limit`/`offset` ask for: their
    intersection, as PostgREST's getRanges (ApiRequest.hs), not one overriding
    the other. `limit=0` stands alone (its empty range is allowed); any other
    empty intersection is 416, in PostgREST's words."""
    if limit is None and offset is None:
        return header
    if limit == 0:
        return 0, offset or 0
    h_limit, h_offset = header
    lower = max(h_offset, offset or 0)
    uppers = [u for u in (None if h_limit is None else h_offset + h_limit,
                          None if limit is None else (offset or 0) + limit) if u is not None]  # fmt: skip
    if not uppers:
        return None, lower
    if min(uppers) <= lower:
        raise ApiError(416, "PGRST103", "Requested range not satisfiable",
                       details="Limit should be greater than or equal to zero.")  # fmt: skip
    return min(uppers) - lower, lower


def preferences(header: str) -> Preferences:
    values: dict[str, object] = {}
    invalid = []
    for token in (t.strip() for t in header.split(",")):
        if not token:
            continue
        key, _, value = token.partition("=")
        if key == "return" and value in get_args(Return):
            values["return_"] = value
        elif key == "count" and value in get_args(Count):
            values["count"] = value
        elif key == "resolution" and value in get_args(Resolution):
            values["resolution"] = value
        elif key == "unfiltered" and value == "allow":
            values["unfiltered"] = True
        elif key == "handling" and value in ("strict", "lenient"):
            values["strict"] = value == "strict"
            values["handling"] = value
        elif key == "tx" and value in ("commit", "rollback"):
            values["tx"] = value
        elif key == "missing" and value in ("default", "null"):
            values["missing"] = value
        elif key == "params" and value == "single-object":
            values["single_object"] = True
        elif key == "timezone" and value:
            values["timezone"] = value
        elif key == "max-affected" and value.isdigit() and len(value) < 10:
            values["max_affected"] = int(value)
        else:
            invalid.append(token)
    preferences = Preferences(**values)  # type: ignore[arg-type]
    if invalid and preferences.strict:
        raise ApiError(
            400,
            "PGRST122",
            "Invalid preferences given with handling=strict",
            details="Invalid preferences: " + ", ".join(invalid),
        )
    return preferences


def checked_timezone(prefer: Preferences, timezones: frozenset[str]) -> Preferences:
    """A timezone Postgres does not know (pg_timezone_names, in the schema
    cache) is ignored, or with handling=strict refused, as any invalid preference."""
    if prefer.timezone is None or prefer.timezone in timezones:
        return prefer
    if prefer.strict:
        raise ApiError(400, "PGRST122", "Invalid preferences given with handling=strict",
                       details=f"Invalid preferences: timezone={prefer.timezone}")  # fmt: skip
    return msgspec.structs.replace(prefer, timezone=None)


class Output(msgspec.Struct, frozen=True, kw_only=True):
    """What `Accept` asks of the body, as far as the request alone tells
    (dialect/media.py; the plan checks the schema's media type handlers)."""

    accept: tuple[str, ...]  # in PostgREST's order (media.accepted)
    single: bool = False  # application/vnd.pgrst.object+json
    csv: bool = False  # text/csv
    strip_nulls: bool = False  # `;nulls=stripped` on a vendored JSON type


def output(accept: str) -> Output:
    """The first type of `Accept` the gateway makes itself decides; none: the
    plan looks for a handler, or answers 406 (media.negotiate)."""
    types = accepted(accept)
    for media in types:
        asked = vendored(media)
        if asked is not None:
            return Output(accept=types, single=asked[0], strip_nulls=asked[1])
        made = builtin(media)
        if made is not None:
            return Output(accept=types, csv=made == "csv")
    return Output(accept=types)
