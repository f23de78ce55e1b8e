"""The media type of a planned request (PostgREST's Plan.negotiateContent):
Accept against the schema's media type handlers (dialect/media.py). Pure."""

from __future__ import annotations

import msgspec

from gateway.dialect.media import negotiate
from gateway.dialect.parse.request import ApiRequest
from gateway.dialect.plan.nodes import CallPlan, MutatePlan, Plan
from gateway.dialect.schema.cache import SchemaCache


def with_media(plan: Plan, request: ApiRequest, schema: SchemaCache) -> Plan:
    """The plan with its handler (then neither JSON nor CSV) and `nulls=stripped`;
    406 PGRST107 when nothing answers the Accept header."""
    if isinstance(plan, MutatePlan):
        # Writes answer JSON (a handler for return=representation is not supported).
        negotiate(request.accept, (), {})
        return msgspec.structs.replace(plan, strip_nulls=request.strip_nulls) if request.strip_nulls else plan
    media = negotiate(request.accept, _targets(plan, schema), schema.media_handlers)
    if isinstance(plan, CallPlan) and media is not None and not media.handler.aggregate and plan.returns != "scalar":
        media = None  # a domain handler answers for one value only (the loader lists no set-returning function)
    if media is None and not request.strip_nulls:
        return plan
    if media is not None:
        return msgspec.structs.replace(plan, media=media, csv=False)
    return msgspec.structs.replace(plan, strip_nulls=True)


def _targets(plan: Plan, schema: SchemaCache) -> tuple[str, ...]:
    """What a handler may be declared for: the relation read; a function and,
    when it returns a relation's rows, that relation (PostgREST's relIdentifier)."""
    if not isinstance(plan, CallPlan):
        return (plan.relation.name,)
    returned = [
        f.returns.removeprefix(f"{schema.schema}.").strip('"') for f in schema.functions.get(plan.function.name, ())
    ]
    return (plan.function.name, *(name for name in returned if name in schema.relations))
