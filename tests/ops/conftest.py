"""Fixtures of the HTTP suites (defined in http_support.py), for every module here."""

from tests.gateway.http_support import api, committer_session, gateway_app, schools  # noqa: F401
