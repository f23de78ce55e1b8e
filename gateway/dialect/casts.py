"""Casts in `select` (`id::text`, `data->>0::int`, `col::_int4`, `count()::text`)
resolved against pg_type, never spliced from the request.

PostgREST writes the cast's text into the SQL as it comes (its parser lets
only letters, digits, `_`, `$` and spaces through). Here the name is a key
into the catalog's types (schema/cache.py `SchemaCache.types`, loaded by
http/schema_loader.py from pg_catalog and the exposed schema): the SQL gets
the quoted `"schema"."typname"` of the catalog's row, so a request can only
ever name a type that exists. An unknown name is Postgres' own 42704.

SQL's spellings that are not pg_type names (`int`, `double precision`,
`timestamp with time zone`) map to the type Postgres gives them. `name[]`
(an array of a known type) is accepted beside pg_type's own `_name`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gateway.errors import ApiError

# PostgREST's pIdentifier (letters, digits, `_`, `$`, spaces), plus `[]`.
CAST_SYNTAX = re.compile(r"[\w $]+(?:\[\])?")

# SQL's names for built-in types, as Postgres' grammar maps them (gram.y).
ALIASES: Mapping[str, str] = {
    "int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8",
    "real": "float4", "float": "float8", "double precision": "float8",
    "boolean": "bool", "decimal": "numeric", "dec": "numeric",
    "char": "bpchar", "character": "bpchar", "character varying": "varchar", "char varying": "varchar",
    "timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
    "time without time zone": "time", "time with time zone": "timetz", "bit varying": "varbit",
}  # fmt: skip

# The types every PostgreSQL has, for a cache built without the catalog's list
# (unit tests): the closed list this gateway accepted before casts were resolved.
BUILTIN: Mapping[str, tuple[str, str]] = {
    name: ("pg_catalog", name)
    for name in (
        "text", "varchar", "int2", "int4", "int8", "numeric", "float4", "float8", "bool",
        "date", "time", "timestamp", "timestamptz", "uuid", "json", "jsonb",
    )
}  # fmt: skip


def normalized(name: str) -> str:
    """As Postgres folds an unquoted type name: lower case, single spaces."""
    return " ".join(name.lower().split())


def type_sql(name: str, types: Mapping[str, tuple[str, str]]) -> str:
    """`int` -> `"pg_catalog"."int4"`; `text[]` -> `"pg_catalog"."text"[]`.
    `types`: normalized pg_type name -> (schema, typname), from the catalog."""
    wanted = normalized(name)
    array = wanted.endswith("[]")
    base = wanted.removesuffix("[]").strip()
    found = types.get(ALIASES.get(base, base))
    if found is None:
        raise ApiError(400, "42704", f'type "{name.removesuffix("[]").strip()}" does not exist')
    schema, typname = found
    quoted = ".".join('"' + part.replace('"', '""') + '"' for part in (schema, typname))
    return quoted + "[]" if array else quoted
