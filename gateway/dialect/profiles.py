"""Schema negotiation by profile headers (PostgREST's "Schemas" page;
ApiRequest.hs `getSchema`, Response.hs `profileHeader`).

GET and HEAD name the schema in `Accept-Profile`; POST, PATCH, PUT and DELETE
in `Content-Profile` (the request body is "in" the profile, per
https://www.w3.org/TR/dx-prof-conneg/). The gateway exposes one schema
(DB_SCHEMA), so the only answer is whether the named one is it: if so the
response says `Content-Profile: <schema>`, as PostgREST does when the schema was
negotiated; if not, 406 PGRST106 listing the exposed schemas. Without the
header nothing was negotiated and nothing is added.

Pure: headers in, the negotiated schema (or None) out.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.errors import ApiError

# Methods whose profile is the body's (Content-Profile); the rest ask for one (Accept-Profile).
_CONTENT_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def requested(method: str, accept_profile: str | None, content_profile: str | None) -> str | None:
    """The profile header that applies to `method`, as given (None when absent)."""
    return content_profile if method.upper() in _CONTENT_METHODS else accept_profile


def negotiate(profile: str | None, exposed: Sequence[str]) -> str | None:
    """The schema a profile header named, or None when none was named.
    An empty header names no exposed schema: PostgREST refuses it too."""
    if profile is None:
        return None
    if profile not in exposed:
        raise ApiError(406, "PGRST106", "The schema must be one of the following: " + ", ".join(exposed))
    return profile


def add_header(schema: str | None, headers: dict[str, str]) -> None:
    """`Content-Profile` beside a body's Content-Type (PostgREST sends it with
    the content type only, so not on 204s)."""
    if schema is not None and "Content-Type" in headers:
        headers["Content-Profile"] = schema
