"""Reads what the exposed schema holds from pg_catalog, once at start-up (and
on a schema reload): the I/O half of the schema cache, whose model and pure
builder are gateway/dialect/schema/ (PostgREST's SchemaCache.hs).

One query for relations, columns and functions, one for the foreign keys;
Postgres builds the JSON and msgspec decodes it straight into the raw Structs.

Read as `authenticator`, which holds no privilege on the api objects (it is
NOINHERIT): so pg_catalog, which every role may read, and never
information_schema, which hides what the current role cannot use.

Views are mapped to the one table they read (pg_depend of the view's rewrite
rule) to learn what a view does not carry itself: NOT NULL, defaults, generated
columns, CHECK closed sets, the primary key, and comments a view column lacks.
A view over several tables keeps only what it declares itself. Keys (a
view's primary key, foreign keys between views and tables) are traced column
by column, as PostgREST does: keys_loader.py, dialect/schema/views.py.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

import msgspec

from gateway.dialect.casts import normalized
from gateway.dialect.schema.cache import SchemaCache, _RawFunction, _RawRelation, build_schema_cache
from gateway.dialect.schema.views import exposed_foreign_keys, related_through_hidden_junctions, view_primary_keys
from gateway.http.keys_loader import load_keys
from gateway.http.media_loader import load_media_handlers
from gateway.identity.auth import DATABASE_ROLES


class Connection(Protocol):
    """What the loader needs of an asyncpg connection."""

    async def fetchrow(self, query: str, *args: Any) -> Any: ...

    async def fetchval(self, query: str, *args: Any) -> Any: ...


# The exposed relations, and for each the one table a view reads (when it reads
# exactly one) or the table itself: how a view's columns are traced to a base
# table's keys. CATALOG_QUERY below starts with the same CTEs.
RELATIONS_AND_BASES = """
rel as (
    select c.oid, c.relname, c.relkind
    from pg_class c
    where c.relnamespace = $1::regnamespace and c.relkind in ('r', 'v', 'm', 'f', 'p')
),
base as (
    select r.ev_class as oid, min(d.refobjid::bigint)::oid as base_oid
    from pg_rewrite r
    join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid
        and d.refclassid = 'pg_class'::regclass and d.refobjid <> r.ev_class
    join pg_class b on b.oid = d.refobjid and b.relkind in ('r', 'p')
    where r.ev_class in (select oid from rel)
    group by r.ev_class
    having count(distinct d.refobjid) = 1
    union all
    select oid, oid from rel where relkind in ('r', 'p')
)"""

CATALOG_QUERY = (
    "with"
    + RELATIONS_AND_BASES
    + """,
col as (
    select a.attrelid, a.attnum, a.attname,
           format_type(a.atttypid, a.atttypmod) as type,
           -- `character` and `bit` without a length mean char(1) and bit(1): a value
           -- cast to them is cut (`bit=eq.00000` would find '0'), so the unbounded kinds.
           case when a.atttypid = 'bpchar'::regtype then 'bpchar' when a.atttypid = 'bit'::regtype then 'varbit'
                else format_type(a.atttypid, null) end as cast_type,
           t.typname as base, t.typcategory::text as category,
           e.typname as element,
           not coalesce(ba.attnotnull, a.attnotnull) as nullable,
           -- Piccolo writes `DEFAULT NULL` for columns declared without a default: a
           -- null default is no default, or required columns would look optional.
           (exists (select from pg_attrdef d where d.adrelid = a.attrelid and d.adnum = a.attnum
                      and pg_get_expr(d.adbin, d.adrelid) !~* '^null($|::)')
            or (dt.typtype = 'd' and dt.typdefaultbin is not null)
            or coalesce(ba.attidentity <> '' or ba.attgenerated <> '' or exists (
                   select from pg_attrdef d where d.adrelid = ba.attrelid and d.adnum = ba.attnum
                     and pg_get_expr(d.adbin, d.adrelid) !~* '^null($|::)'), false)) as has_default,
           coalesce(
               (select nullif(e, '') from (select pg_get_expr(d.adbin, d.adrelid) as e from pg_attrdef d
                 where d.adrelid = a.attrelid and d.adnum = a.attnum) x where e !~* '^null($|::)'),
               (select nullif(e, '') from (select pg_get_expr(d.adbin, d.adrelid) as e from pg_attrdef d
                 where d.adrelid = ba.attrelid and d.adnum = ba.attnum) x where e !~* '^null($|::)'),
               -- what else fills a column an INSERT leaves out: an identity's
               -- sequence (`by default` only: `always` refuses a value), a domain's DEFAULT
               (select format('nextval(%L::regclass)', format('%I.%I', sn.nspname, sc.relname))
                  from pg_depend sd join pg_class sc on sc.oid = sd.objid join pg_namespace sn on sn.oid = sc.relnamespace
                 where ba.attidentity = 'd' and sd.refobjid = ba.attrelid and sd.refobjsubid = ba.attnum
                   and sd.classid = 'pg_class'::regclass and sd.deptype = 'i' and sc.relkind = 'S'),
               case when dt.typtype = 'd' then pg_get_expr(dt.typdefaultbin, 0) end) as "default",
           coalesce(ba.attgenerated <> '', false) as generated,
           pg_column_is_updatable(a.attrelid, a.attnum, true) as updatable,
           case when t.typname in ('varchar', 'bpchar') and a.atttypmod > 4 then a.atttypmod - 4 end as max_length,
           (select array_agg(en.enumlabel order by en.enumsortorder) from pg_enum en where en.enumtypid = t.oid) as enum,
           (select array_agg(pg_get_constraintdef(k.oid)) from pg_constraint k
             where k.conrelid = ba.attrelid and k.contype = 'c' and k.conkey = array[ba.attnum]) as checks,
           coalesce(col_description(a.attrelid, a.attnum), col_description(ba.attrelid, ba.attnum)) as description,
           (select format('%I.%I', fn.nspname, fp.proname) from pg_cast c
              join pg_proc fp on fp.oid = c.castfunc join pg_namespace fn on fn.oid = fp.pronamespace
             where c.castsource = 'json'::regtype and c.casttarget = a.atttypid and c.castmethod = 'f'
               and dt.typtype = 'd') as from_json
    from pg_attribute a
    join pg_type dt on dt.oid = a.atttypid
    join pg_type t on t.oid = case when dt.typtype = 'd' then dt.typbasetype else dt.oid end
    left join pg_type e on e.oid = t.typelem and t.typcategory = 'A'
    left join base b on b.oid = a.attrelid
    left join pg_attribute ba on ba.attrelid = b.base_oid and ba.attname = a.attname
        and ba.attnum > 0 and not ba.attisdropped
    where a.attrelid in (select oid from rel) and a.attnum > 0 and not a.attisdropped
)
select
    (select coalesce(json_agg(json_strip_nulls(json_build_object(
        'name', r.relname,
        'kind', r.relkind,
        'events', pg_relation_is_updatable(r.oid, true),
        'description', obj_description(r.oid, 'pg_class'),
        'primary_key', (
            select array_agg(ka.attname order by u.ord)
            from base b
            join pg_constraint k on k.conrelid = b.base_oid and k.contype = 'p'
            cross join unnest(k.conkey) with ordinality u(attnum, ord)
            join pg_attribute ka on ka.attrelid = b.base_oid and ka.attnum = u.attnum
            where b.oid = r.oid),
        'columns', (
            select json_agg(json_strip_nulls(json_build_object(
                'name', attname, 'type', type, 'cast', cast_type, 'base', base, 'category', category,
                'element', element, 'nullable', nullable, 'has_default', has_default, 'default', "default",
                'generated', generated,
                'updatable', updatable, 'max_length', max_length, 'enum', enum, 'checks', checks,
                'description', description, 'from_json', from_json)) order by attnum)
            from col where col.attrelid = r.oid)
    )) order by r.relname), '[]')::text from rel r) as relations,
    (select coalesce(json_agg(json_strip_nulls(json_build_object(
        'name', p.proname,
        -- A domain over a row type returns that type's rows (PostgREST's RpcSpec getproject_domain).
        'returns', format_type(case when rd.typtype = 'd' and rt.typtype = 'c' then rt.oid else p.prorettype end, null),
        'returns_set', p.proretset,
        'returns_void', p.prorettype = 'void'::regtype,
        'volatility', p.provolatile,
        'defaults', p.pronargdefaults,
        'description', obj_description(p.oid, 'pg_proc'),
        'row_of', case when p.pronargs = 1 then (
            select r.relname from rel r join pg_class c on c.oid = r.oid where c.reltype = p.proargtypes[0]) end,
        'returns_rows_of', (select r.relname from rel r join pg_class c on c.oid = r.oid where c.reltype = rt.oid),
        'rows', p.prorows,
        'base', rt.typname, 'category', rt.typcategory::text, 'element', re.typname,
        'arguments', (
            -- typmod -1, not null: `bpchar`, `"bit"` (no length), not `character`, `bit`,
            -- which as a cast mean char(1) and bit(1) and cut the value (PostgREST's RpcSpec).
            select json_agg(json_build_object('name', a.name, 'type', format_type(a.type, -1), 'mode', a.mode)
                            order by a.ord)
            from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]), p.proargnames,
                        coalesce(p.proargmodes::text[], array_fill('i'::text, array[p.pronargs])))
                 with ordinality a(type, name, mode, ord))
    )) order by p.proname, p.oid), '[]')::text
     from pg_proc p
     join pg_type rd on rd.oid = p.prorettype
     join pg_type rt on rt.oid = case when rd.typtype = 'd' then rd.typbasetype else rd.oid end
     left join pg_type re on re.oid = rt.typelem and rt.typcategory = 'A'
     where p.pronamespace = $1::regnamespace and p.prokind = 'f') as functions
"""
)


# Per database role and exposed relation, the columns the role may not select
# where it may select others (column privileges, issue 13 F2). has_*_privilege
# read pg_class/pg_attribute ACLs for any role, so `authenticator` can ask.
DENIED_COLUMNS_QUERY = """
select coalesce(json_object_agg(role, relations), '{}')::text from (
    select r.rolname as role, json_object_agg(c.relname, x.columns) as relations
    from pg_class c
    cross join pg_roles r
    cross join lateral (
        select array_agg(a.attname order by a.attnum) as columns
        from pg_attribute a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
          and not has_column_privilege(r.oid, c.oid, a.attnum, 'SELECT')
    ) x
    where c.relnamespace = $1::regnamespace and c.relkind in ('r', 'v', 'm', 'f', 'p')
      and r.rolname = any($2::text[])
      and x.columns is not null
      and has_any_column_privilege(r.oid, c.oid, 'SELECT')
    group by r.rolname
) per_role
"""


async def load_denied_columns(
    connection: Connection, schema: str, roles: Collection[str]
) -> dict[str, dict[str, frozenset[str]]]:
    text = await connection.fetchval(DENIED_COLUMNS_QUERY, schema, sorted(roles))
    return msgspec.json.decode(text, type=dict[str, dict[str, frozenset[str]]])


# The types a `select` cast may name (dialect/casts.py): pg_catalog's and the
# exposed schema's; pg_catalog's win, as Postgres searches it first for an
# unqualified name. Not: a catalog table's row type, pseudo-types, and the
# object identifier types (regclass, regproc, ...), whose input function looks
# the text up in the catalog: a cast would let a client probe catalog names.
TYPES_QUERY = """
select n.nspname, t.typname
from pg_type t join pg_namespace n on n.oid = t.typnamespace
left join pg_type e on e.oid = t.typelem and t.typlen = -1
where ((n.nspname = 'pg_catalog' and t.typrelid = 0) or t.typnamespace = $1::regnamespace)
  and t.typtype <> 'p'
  and coalesce(e.typname, t.typname) not in (
      'regclass', 'regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper',
      'regoperator', 'regproc', 'regprocedure', 'regrole', 'regtype')
order by n.nspname = 'pg_catalog', t.typname
"""


async def load_types(connection: Connection, schema: str) -> dict[str, tuple[str, str]]:
    rows = await connection.fetch(TYPES_QUERY, schema)
    return {normalized(typname): (nspname, typname) for nspname, typname in rows}


async def load_schema_cache(
    connection: Connection, schema: str = "api", roles: Collection[str] = DATABASE_ROLES
) -> SchemaCache:
    """`roles`: the database roles whose column privileges the cache carries (`for_role`)."""
    row = await connection.fetchrow(CATALOG_QUERY, schema)
    relations = msgspec.json.decode(row[0], type=list[_RawRelation])
    functions = msgspec.json.decode(row[1], type=list[_RawFunction])
    keys, deps = await load_keys(connection, schema)
    # A view's primary key as PostgREST traces it (views.py), over the one its
    # single table gave by column name.
    view_keys = view_primary_keys(deps)
    for raw in relations:
        if raw.kind in ("v", "m"):
            raw.primary_key = list(view_keys.get(raw.name, ()))
    cache = build_schema_cache(schema, relations, functions)
    return msgspec.structs.replace(
        cache,
        foreign_keys=exposed_foreign_keys(schema, keys, deps),
        hidden_related=related_through_hidden_junctions(schema, keys, deps),
        denied=await load_denied_columns(connection, schema, roles),
        media_handlers=await load_media_handlers(connection, schema),
        timezones=frozenset(await connection.fetchval("select array_agg(name) from pg_timezone_names") or ()),
        types=await load_types(connection, schema),
    )
