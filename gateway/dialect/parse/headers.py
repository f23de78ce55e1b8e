"""The request's headers as typed data: `Prefer`, `Range`/`Range-Unit`, the
singular object media type in `Accept`; and the non-negative integers that
`limit`/`offset` (and an embed's) take. Pure, no SQL (request.py's other half).
"""

from __future__ import annotations

import re
from typing import Literal, get_args

import msgspec

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
    `limit`/`offset` in the query string narrow it (intersect, below)."""
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


def intersect(header: tuple[int | None, int], limit: int | None, offset: int | None) -> tuple[int | None, int]:
    """The Range header's items intersected with `limit`/`offset`'s, as PostgREST's
    rangeIntersection: `Range: 0-1` with `limit=3` is two rows; `Range: 0-9` with
    `offset=5` rows 5 to 9. (limit or None for no end, offset)."""
    header_limit, header_offset = header
    lower = max(header_offset, offset or 0)
    ends = [start + count for start, count in ((header_offset, header_limit), (offset or 0, limit)) if count is not None]
    return (max(min(ends) - lower, 0) if ends else None), lower


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


def single(accept: str) -> bool:
    """True for `application/vnd.pgrst.object(+json)`; 406 for types we cannot produce."""
    if not accept.strip():
        return False
    json_ok = False
    offered = []
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        offered.append(media)
        if media in ("application/vnd.pgrst.object+json", "application/vnd.pgrst.object"):
            return True
        if media in ("application/json", "application/*", "*/*"):
            json_ok = True
    if not json_ok:
        raise ApiError(406, "PGRST107", "None of these media types are available: " + ", ".join(offered))
    return False
