"""Reads the keys resource embedding follows: every foreign key constraint, and
which key columns each view of the exposed schema shows (the I/O half of
gateway/dialect/schema/views.py, which builds the relationships from them).

Both queries are PostgREST 12's (src/PostgREST/SchemaCache.hs,
`allM2OandO2ORels` and `allViewsKeyDependencies`; MIT licence, (c) 2014 Joe
Nelson, 2019 Steve Chavez), with their output as JSON for msgspec. A view's
columns are traced through its rewrite rule's query tree (pg_rewrite.ev_action):
each target entry names the table and column it shows (`resorigtbl`,
`resorigcol`), recursively through views over views. Read from pg_catalog as
`authenticator`, like schema_loader.py.
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from gateway.dialect.schema.views import KeyDependency, TableKey


class Connection(Protocol):
    async def fetchval(self, query: str, *args: Any) -> Any: ...


# Foreign keys of partitions repeat their parent's (conparentid <> 0): left out.
# one_to_one: the key's columns, in its order, are those of a primary key or
# unique constraint (in attnum order) of its table, as PostgREST compares them.
# in_primary_key: its columns are in its table's primary key (a junction's key).
FOREIGN_KEYS_QUERY = """
with pks_uniques_cols as (
    select conrelid, jsonb_agg(column_info.cols) as cols
    from pg_constraint
    join lateral (
        select array_agg(cols.attname order by cols.attnum) as cols
        from (select unnest(conkey) as col) _
        join pg_attribute cols on cols.attrelid = conrelid and cols.attnum = col
    ) column_info on true
    where contype in ('p', 'u') and connamespace <> 'pg_catalog'::regnamespace
    group by conrelid
)
select coalesce(json_agg(json_build_object(
        'name', traint.conname, 'schema', ns1.nspname, 'table', tab.relname,
        'columns', column_info.cols, 'foreign_schema', ns2.nspname, 'foreign_table', other.relname,
        'foreign_columns', column_info.fcols,
        'one_to_one', coalesce(to_jsonb(column_info.cols) in (select jsonb_array_elements(pks_uqs.cols)), false),
        'in_primary_key', coalesce(traint.conkey <@ (select p.conkey from pg_constraint p
                                                     where p.conrelid = traint.conrelid and p.contype = 'p'), false))
        order by traint.conrelid, traint.conname), '[]')::text
from pg_constraint traint
join lateral (
    select array_agg(cols.attname order by ord) as cols, array_agg(refs.attname order by ord) as fcols
    from unnest(traint.conkey, traint.confkey) with ordinality as _(col, ref, ord)
    join pg_attribute cols on cols.attrelid = traint.conrelid and cols.attnum = col
    join pg_attribute refs on refs.attrelid = traint.confrelid and refs.attnum = ref
) as column_info on true
join pg_namespace ns1 on ns1.oid = traint.connamespace
join pg_class tab on tab.oid = traint.conrelid
join pg_class other on other.oid = traint.confrelid
join pg_namespace ns2 on ns2.oid = other.relnamespace
left join pks_uniques_cols pks_uqs on pks_uqs.conrelid = traint.conrelid
where traint.contype = 'f' and traint.conparentid = 0
"""

# PostgREST's query, unchanged but for its output and for the views it reads:
# those of the exposed schema ($1) only (PostgREST adds db-extra-search-path,
# which this gateway does not have). Its comments are PostgREST's; rationale:
# https://gist.github.com/wolfgangwalther/5425d64e7b0d20aad71f6f68474d9f19
VIEW_KEY_DEPENDENCIES_QUERY = r"""
with recursive
pks_fks as (
  -- pk + fk referencing col
  select contype::text as contype, conname, array_length(conkey, 1) as ncol, conrelid as resorigtbl,
         col as resorigcol, ord
  from pg_constraint
  left join lateral unnest(conkey) with ordinality as _(col, ord) on true
  where contype in ('p', 'f')
  union
  -- fk referenced col
  select concat(contype, '_ref') as contype, conname, array_length(confkey, 1) as ncol, confrelid, col, ord
  from pg_constraint
  left join lateral unnest(confkey) with ordinality as _(col, ord) on true
  where contype = 'f'
),
views as (
  select c.oid as view_id, n.nspname as view_schema, c.relname as view_name, r.ev_action as view_definition
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_rewrite r on r.ev_class = c.oid
  where c.relkind in ('v', 'm') and n.nspname = $1
),
transform_json as (
  select
    view_id, view_schema, view_name,
    -- pg_node_tree to JSON with as few regexp_replace() calls as possible (PostgREST's
    -- comments, in order): `<>` is null, made an empty list; `,` `\{` `\}` inside
    -- names dropped; the fields used protected as JSON keys; node types matched by
    -- the regex; node lists protected; every other field removed; the empty keys
    -- the regex left removed; list protection reversed; first keys without `,`;
    -- lists as JSON arrays with `,` between items.
    replace(replace(replace(replace(replace(replace(replace(regexp_replace(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
      view_definition::text,
      '<>', '()'),
      ',', ''),
      E'\\{', ''),
      E'\\}', ''),
      ' :targetList ', ',"targetList":'),
      ' :resno ', ',"resno":'),
      ' :resorigtbl ', ',"resorigtbl":'),
      ' :resorigcol ', ',"resorigcol":'),
      '{', '{ :'),
      '((', '{(('),
      '({', '{({'),
      ' :[^}{,]+', ',"":', 'g'),
      ',"":}', '}'),
      ',"":,', ','),
      '{(', '('),
      '{,', '{'),
      '(', '['),
      ')', ']'),
      ' ', ','
    )::json as view_definition
  from views
),
target_entries as (
  select view_id, view_schema, view_name, json_array_elements(view_definition->0->'targetList') as entry
  from transform_json
),
results as (
  select view_id, view_schema, view_name, (entry->>'resno')::int as view_column,
         (entry->>'resorigtbl')::oid as resorigtbl, (entry->>'resorigcol')::int as resorigcol
  from target_entries
),
recursion(view_id, view_schema, view_name, view_column, resorigtbl, resorigcol, is_cycle, path) as (
  select r.*, false, array[resorigtbl]
  from results r
  where view_schema = $1
  union all
  select view.view_id, view.view_schema, view.view_name, view.view_column, tab.resorigtbl, tab.resorigcol,
         tab.resorigtbl = any(path), path || tab.resorigtbl
  from recursion view
  join results tab on view.resorigtbl = tab.view_id and view.resorigcol = tab.view_column
  where not is_cycle
),
repeated_references as (
  select view_id, view_schema, view_name, resorigtbl, resorigcol, array_agg(attname order by attnum) as view_columns
  from recursion
  join pg_attribute vcol on vcol.attrelid = view_id and vcol.attnum = view_column
  group by view_id, view_schema, view_name, resorigtbl, resorigcol
),
deps as (
  select sch.nspname as table_schema, tbl.relname as table_name, rep.view_name, pks_fks.conname as constraint_name,
         pks_fks.contype as constraint_type,
         json_agg(json_build_array(col.attname, view_columns) order by pks_fks.ord) as column_dependencies
  from repeated_references rep
  join pks_fks using (resorigtbl, resorigcol)
  join pg_class tbl on tbl.oid = rep.resorigtbl
  join pg_attribute col on col.attrelid = tbl.oid and col.attnum = rep.resorigcol
  join pg_namespace sch on sch.oid = tbl.relnamespace
  group by sch.nspname, tbl.relname, rep.view_schema, rep.view_name, pks_fks.conname, pks_fks.contype, pks_fks.ncol
  -- only keys all of whose columns the view shows: no partial PKs or FKs
  having ncol = count(*)
)
select coalesce(json_agg(json_build_object(
    'table_schema', table_schema, 'table', table_name, 'view', view_name, 'constraint', constraint_name,
    'kind', constraint_type, 'columns', column_dependencies)
    order by view_name, table_schema, table_name, constraint_name, constraint_type), '[]')::text
from deps
"""


async def load_keys(connection: Connection, schema: str) -> tuple[tuple[TableKey, ...], tuple[KeyDependency, ...]]:
    keys = msgspec.json.decode(await connection.fetchval(FOREIGN_KEYS_QUERY), type=tuple[TableKey, ...])
    deps = await connection.fetchval(VIEW_KEY_DEPENDENCIES_QUERY, schema)
    return keys, msgspec.json.decode(deps, type=tuple[KeyDependency, ...])
