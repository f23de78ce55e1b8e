"""Reads the exposed schema's media type handlers from pg_catalog (PostgREST
12's SchemaCache.mediaHandlers; the model is dialect/media.py).

A media type is a domain named like one (`create domain "text/plain" as
text`, or `"*/*"`, which answers any Accept as application/octet-stream). Its
handlers, in the exposed schema:
- an aggregate of one argument returning the domain, over a relation's row type
  (that relation's handler) or anyelement (every relation's);
- a function returning the domain, not a set: its value is the body.
"""

from __future__ import annotations

from typing import Any

import msgspec

from gateway.dialect.media import MediaHandler, handlers

MEDIA_HANDLERS_QUERY = r"""
select coalesce(json_agg(json_build_array(h.s, h.n, h.target, h.media, h.resolved, h.base, h.agg)), '[]')::text from (
with media_types as (
    select t.oid, t.typname, lower(t.typname) as media_type, b.typname as base, t.typnamespace,
           case t.typname when '*/*' then 'application/octet-stream' else t.typname end as resolved
    from pg_type t
    join pg_type b on b.oid = t.typbasetype
    where t.typtype = 'd' and (t.typname ~* '^[A-Za-z0-9.-]+/[A-Za-z0-9.\+-]+$' or t.typname = '*/*')
)
select proc_schema.nspname::text as s, proc.proname::text as n,
       case when arg.typname = 'anyelement' then '' else arg.typname::text end as target,
       m.media_type::text as media, m.resolved::text as resolved, m.base::text as base, true as agg
from media_types m
join pg_proc proc on proc.prorettype = m.oid and proc.prokind = 'a' and proc.pronargs = 1
join pg_namespace proc_schema on proc_schema.oid = proc.pronamespace
join pg_type arg on arg.oid = proc.proargtypes[0]
where proc_schema.nspname = $1
  and (arg.typname = 'anyelement' and arg.typnamespace = 'pg_catalog'::regnamespace
       or arg.typrelid <> 0 and arg.typnamespace = $1::regnamespace
          and (select relkind from pg_class where oid = arg.typrelid) in ('v', 'r', 'm', 'f', 'p'))
union all
select type_schema.nspname::text, m.typname::text, proc.proname::text,
       m.media_type::text, m.resolved::text, m.base::text, false
from pg_proc proc
join media_types m on m.oid = proc.prorettype
join pg_namespace type_schema on type_schema.oid = m.typnamespace
where proc.pronamespace = $1::regnamespace and proc.prokind = 'f' and not proc.proretset
) h
"""


async def load_media_handlers(connection: Any, schema: str) -> dict[str, dict[str, MediaHandler]]:
    rows = msgspec.json.decode(await connection.fetchval(MEDIA_HANDLERS_QUERY, schema))
    return handlers([tuple(row) for row in rows])
