"""Which API roles may do what: the document lists an operation only when some role may perform it."""

from __future__ import annotations

from typing import Any, Final, Protocol

import msgspec

from gateway.identity.auth import API_ROLES

GATEWAY_ROLES: Final = tuple(sorted(API_ROLES))


class Connection(Protocol):
    async def fetchrow(self, query: str, *args: Any) -> Any: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...


class Grants(msgspec.Struct, frozen=True, kw_only=True):
    """Which gateway roles hold each privilege (membership and PUBLIC included)."""

    relations: dict[str, dict[str, list[str]]] = {}  # name -> select/insert/update/delete -> roles
    functions: dict[str, list[str]] = {}  # name (any overload) -> roles with EXECUTE


# has_any_column_privilege: a role granted only some columns (data.users) still has the operation.
GRANTS_QUERY: Final = """
select json_build_object(
    'relations', coalesce((
        select json_object_agg(c.relname, json_build_object(
            'select', array(select r from unnest($2::text[]) r where has_any_column_privilege(r, c.oid, 'SELECT')),
            'insert', array(select r from unnest($2::text[]) r where has_any_column_privilege(r, c.oid, 'INSERT')),
            'update', array(select r from unnest($2::text[]) r where has_any_column_privilege(r, c.oid, 'UPDATE')),
            'delete', array(select r from unnest($2::text[]) r where has_table_privilege(r, c.oid, 'DELETE'))))
        from pg_class c
        where c.relnamespace = $1::regnamespace and c.relkind in ('r', 'v', 'm', 'f', 'p')), '{}'),
    'functions', coalesce((
        select json_object_agg(f.proname, f.roles)
        from (select p.proname,
                     coalesce(array_agg(distinct r order by r)
                              filter (where has_function_privilege(r, p.oid, 'EXECUTE')), '{}') as roles
              from pg_proc p cross join unnest($2::text[]) r
              where p.pronamespace = $1::regnamespace and p.prokind = 'f'
              group by p.proname) f), '{}')
)::text
"""


async def load_grants(connection: Connection, schema: str = "api") -> Grants:
    raw = await connection.fetchval(GRANTS_QUERY, schema, list(GATEWAY_ROLES))
    return msgspec.json.decode(raw, type=Grants)
