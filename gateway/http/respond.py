"""Outcome -> HTTP status, headers and body (PostgREST's Response.hs, RangeQuery.hs).

The body is the JSON text Postgres built, encoded once to bytes: no row is
ever decoded in Python on the read path. No framework here either: routes.py
turns a `Reply` into a Litestar response.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

import msgspec

from gateway.dialect.formats import CSV
from gateway.dialect.media import ARRAY_STRIPPED, OBJECT_STRIPPED
from gateway.dialect.parse.request import ApiRequest
from gateway.dialect.plan.action import CallPlan, MutatePlan, Plan, ReadPlan
from gateway.errors import ApiError, valid_header
from gateway.http.execute import Outcome

JSON = "application/json; charset=utf-8"
OBJECT = "application/vnd.pgrst.object+json; charset=utf-8"


class Reply(msgspec.Struct, frozen=True, kw_only=True):
    status: int
    headers: dict[str, str]
    body: bytes = b""


def respond(request: ApiRequest, plan: Plan, outcome: Outcome) -> Reply:
    if isinstance(plan, ReadPlan):
        return _read(request, plan, outcome)
    if isinstance(plan, MutatePlan):
        return _mutate(request, plan, outcome)
    return _call(request, plan, outcome)


def content_location(target: str, query: str) -> str:
    """A read's Content-Location as PostgREST's (Response.hs, QueryParams
    `qsCanonical`): the query's parameters sorted by name, a repeated name's
    values joined by `,`, each part percent-encoded but for `-_.~`."""
    merged: dict[str, list[str]] = {}
    for name, value in sorted(parse_qsl(query, keep_blank_values=True), key=lambda pair: pair[0]):
        merged.setdefault(name, []).append(value)
    canonical = "&".join(
        quote(name, safe="-_.~") + "=" + ",".join(quote(v, safe="-_.~") for v in values)
        for name, values in merged.items()
    )
    return f"/{target}?{canonical}" if canonical else f"/{target}"


def content_range(offset: int, rows: int, total: int | None) -> str:
    """`0-19/123`, `*/123` for no rows, `/*` when the total was not counted."""
    known = "*" if total is None else str(total)
    if rows == 0:
        return f"*/{known}"
    return f"{offset}-{offset + rows - 1}/{known}"


def _json_type(plan: ReadPlan | CallPlan | MutatePlan) -> str:
    """The Content-Type of a JSON or CSV body (PostgREST's MediaType.toContentType)."""
    if not plan.strip_nulls:
        return CSV if getattr(plan, "csv", False) else OBJECT if plan.single else JSON
    return (OBJECT_STRIPPED if plan.single else ARRAY_STRIPPED) + "; charset=utf-8"


def _body(outcome: Outcome, empty: str) -> bytes:
    """The body as Postgres made it: text, or the bytes a media type handler made."""
    body = outcome.body
    if isinstance(body, bytes):
        return body
    return (body or empty).encode()


def _read(request: ApiRequest, plan: ReadPlan, outcome: Outcome) -> Reply:
    status = _range_status(request, outcome, single=plan.single)
    headers = {"Content-Type": plan.media.content_type if plan.media else _json_type(plan),
               "Content-Range": content_range(request.offset, outcome.page_total, outcome.total)}  # fmt: skip
    _applied(request, headers)
    return Reply(status=status, headers=headers, body=_body(outcome, "" if plan.csv or plan.media else "[]"))


def _range_status(request: ApiRequest, outcome: Outcome, *, single: bool) -> int:
    """416 past the counted rows, 206 when the client can know there is more
    (a counted total), else 200 (PostgREST's RangeQuery.rangeStatusHeader)."""
    total = outcome.total
    if total is not None and request.offset > total:
        headers = {"Content-Range": f"*/{total}"}
        _applied(request, headers)  # PostgREST names the honoured count on its 416 too
        raise ApiError(
            416,
            "PGRST103",
            "Requested range not satisfiable",
            details=f"An offset of {request.offset} was requested, but there are only {total} rows.",
            headers=headers,
        )
    return 206 if total is not None and outcome.page_total < total and not single else 200


def _mutate(request: ApiRequest, plan: MutatePlan, outcome: Outcome) -> Reply:
    status = _write_status(request, plan, outcome)
    headers: dict[str, str] = {}
    counted = outcome.total if request.preferences.count else None
    # PostgREST's Response.hs: POST and DELETE answer `*/*` (`*/n` when
    # counted) whatever the rows, PATCH the range of the rows it changed, PUT none.
    if request.method in ("POST", "DELETE"):
        headers["Content-Range"] = content_range(0, 0, counted)
    elif request.method == "PATCH":
        headers["Content-Range"] = content_range(0, outcome.page_total, counted)
    # Location only with return=headers-only, as PostgREST 12 and 13.
    if outcome.location and plan.location and request.preferences.return_ == "headers-only":
        # A null key column (a view's) is `is.null`, as PostgREST writes it.
        pairs = (f"{quote(k)}=is.null" if v is None else f"{quote(k)}=eq.{quote(v, safe='')}"
                 for k, v in zip(plan.location, outcome.location, strict=False))  # fmt: skip
        headers["Location"] = f"/{quote(plan.relation.name)}?{'&'.join(pairs)}"
    _applied(request, headers, resolution=plan.resolution is not None)
    if plan.representation:
        headers["Content-Type"] = _json_type(plan)
        return Reply(status=status, headers=headers, body=_body(outcome, ""))
    return Reply(status=204 if plan.action != "create" or request.method == "PUT" else status, headers=headers)


def _write_status(request: ApiRequest, plan: MutatePlan, outcome: Outcome) -> int:
    """PostgREST's Response.hs: POST 201, but 200 for a merge-duplicates
    upsert that inserted nothing; PUT 201 when it inserted its row, else 200
    (204 without a body, either way); PATCH and DELETE 200 (204 without a body)."""
    if plan.action != "create":
        return 200
    if request.method == "PUT" or plan.resolution == "merge-duplicates":
        return 201 if (outcome.inserted or 0) > 0 else 200
    return 201


def empty_update(request: ApiRequest) -> Reply:
    """A PATCH whose body sets no column (`{}`, `[]`): nothing runs, nothing
    changes; 204, or `[]` with return=representation (PostgREST's UpdateSpec)."""
    headers = {"Content-Range": "*/*"}
    _applied(request, headers)
    if request.preferences.return_ == "representation":
        return Reply(status=200, headers={**headers, "Content-Type": JSON}, body=b"[]")
    return Reply(status=204, headers=headers)


def _call(request: ApiRequest, plan: CallPlan, outcome: Outcome) -> Reply:
    """A set is paged like a read: Content-Range, 206, 416. One value (or one
    row type) is the range 0-0, its count 1 (PostgREST's Response.hs for calls).
    Void is one value too: 204 with no body nor Content-Type, but Content-Range
    and Preference-Applied, as PostgREST (its pageCountSelectF counts 1 for any
    function returning no set)."""
    if plan.returns == "void":
        headers = {"Content-Range": content_range(0, outcome.page_total, outcome.total)}
        _applied(request, headers)
        return Reply(status=204, headers=headers)
    status, offset = 200, 0
    if plan.returns == "set":
        status, offset = _range_status(request, outcome, single=plan.single), request.offset
    headers = {"Content-Type": plan.media.content_type if plan.media else _json_type(plan),
               "Content-Range": content_range(offset, outcome.page_total, outcome.total)}  # fmt: skip
    _applied(request, headers)
    return Reply(status=status, headers=headers, body=_body(outcome, "" if plan.csv or plan.media else "null"))


def with_settings(reply: Reply, outcome: Outcome) -> Reply:
    """What a function or trigger asked of the answer (PostgREST's
    response.headers and response.status GUCs): its headers replace ours of the
    same name, its status ours. Malformed: 500 PGRST111 / PGRST112, as PostgREST."""
    if outcome.response_headers is None and outcome.response_status is None:
        return reply
    headers, status = reply.headers, reply.status
    if outcome.response_headers is not None:
        headers = dict(headers)
        for name, value in _guc_headers(outcome.response_headers):
            for existing in [k for k in headers if k.lower() == name.lower()]:
                del headers[existing]
            headers[name] = value
    if outcome.response_status is not None:
        text = outcome.response_status.strip()
        if not text.isdigit() or not 100 <= int(text) <= 599:
            raise ApiError(500, "PGRST112", "response.status guc must be a valid status code")
        status = int(text)
    return Reply(status=status, headers=headers, body=reply.body)


def _guc_headers(text: str) -> list[tuple[str, str]]:
    """`[{"Name": "value"}, ...]`: an array of one-key objects with string values."""
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError:
        value = None
    pairs = []
    if isinstance(value, list):
        for item in value:
            if not (isinstance(item, dict) and len(item) == 1):
                break
            ((name, header),) = item.items()
            if not valid_header(name, header):  # a CR/LF would split the answer
                break
            pairs.append((name, header))
        else:
            return pairs
    raise ApiError(
        500,
        "PGRST111",
        "response.headers guc must be a JSON array composed of objects with a single key and a string value",
    )


def _applied(request: ApiRequest, headers: dict[str, str], *, resolution: bool = True) -> None:
    """Preference-Applied: the preferences this response honoured, in
    PostgREST's order (Preferences.prefAppliedHeader); ours last."""
    prefer = request.preferences
    parts = [
        f"resolution={prefer.resolution}" if prefer.resolution and request.action == "create" and resolution else "",
        "missing=default"
        if prefer.missing == "default" and request.action in ("create", "update") and request.method != "PUT"
        else "",
        f"return={prefer.return_}" if prefer.return_ and request.action != "call" else "",
        f"count={prefer.count}" if prefer.count else "",
        f"tx={prefer.tx}" if prefer.tx else "",
        f"handling={prefer.handling}" if prefer.handling else "",
        f"timezone={prefer.timezone}" if prefer.timezone else "",
        "unfiltered=allow" if prefer.unfiltered and request.action != "call" else "",
        f"max-affected={prefer.max_affected}"
        if prefer.max_affected is not None and prefer.strict and request.action != "read"
        else "",
    ]
    if any(parts):
        headers["Preference-Applied"] = ", ".join(p for p in parts if p)
