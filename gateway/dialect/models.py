"""A msgspec Struct per resource, generated from the schema cache (never typed
by hand): `Read` (every column), `Create` (what an INSERT may set) and
`Update` (every writable column optional, `msgspec.UNSET` telling "absent" from
null).

POST and PATCH bodies are decoded with these before any SQL runs, so a client
gets the field that is wrong (`Expected `str` of length <= 50 - at
`$[0].student_number``) instead of a bare 22001 from Postgres. They are a
first line, not the rule: Postgres still checks everything (CHECKs, FKs, RLS).
The OpenAPI document can derive its schemas from the same Structs
(msgspec.json.schema_components).
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from typing import Annotated, Any, Literal

import msgspec

from gateway.dialect.schema.cache import Column, Relation, SchemaCache
from gateway.errors import ApiError, invalid_body

_INT_BOUNDS = {"int2": 2**15, "int4": 2**31, "int8": 2**63}
_SCALARS: dict[str, Any] = {
    "uuid": uuid.UUID, "text": str, "varchar": str, "bpchar": str, "citext": str, "name": str,
    "numeric": decimal.Decimal, "float4": float, "float8": float, "bool": bool,
    "date": datetime.date, "timestamptz": datetime.datetime, "timestamp": datetime.datetime,
    "time": datetime.time, "json": Any, "jsonb": Any,
}  # fmt: skip
_UNKNOWN_FIELD = re.compile(r"Object contains unknown field `(?P<name>.*)`")
_UNNAMEABLE = re.compile(r'["\\\x00-\x1f]')


class ResourceModels(msgspec.Struct, frozen=True, kw_only=True):
    read: type[msgspec.Struct]
    create: type[msgspec.Struct]
    update: type[msgspec.Struct]
    writable: frozenset[str]  # columns a body may carry
    # `columns=` names what a body is read for: one Struct per list, built on first use.
    listed: dict[tuple[str, ...], type[msgspec.Struct]] = msgspec.field(default_factory=dict)


def build_models(schema: SchemaCache) -> dict[str, ResourceModels]:
    return {name: resource_models(relation) for name, relation in schema.relations.items()}


def resource_models(relation: Relation) -> ResourceModels:
    title = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", relation.name)) or "Resource"
    # msgspec cannot name a field with `"`, `\\` or a control character: such a
    # column (legal in Postgres) is left out of the models, so a body cannot set it.
    columns = [c for c in relation.columns.values() if not _UNNAMEABLE.search(c.name)]
    writable = [c for c in columns if c.updatable and not c.generated]
    # A view Postgres cannot update itself but an INSTEAD OF trigger or rule
    # inserts into: its trigger decides what each column means.
    insertable = [c for c in columns if not c.generated] if inserts_by_trigger(relation) else writable
    return ResourceModels(
        read=_struct(title, [(c, _type(c), msgspec.NODEFAULT if not c.nullable else None) for c in columns]),
        create=_struct(f"{title}Create", [(c, _type(c), _create_default(c)) for c in insertable]),
        update=_struct(f"{title}Update", [(c, _type(c), msgspec.UNSET) for c in writable]),
        writable=frozenset(c.name for c in insertable),
    )


def inserts_by_trigger(relation: Relation) -> bool:
    """Insertable, yet no column maps to a base column: a trigger or rule does the insert."""
    return relation.insertable and not any(c.updatable for c in relation.columns.values())


def _create_default(column: Column) -> Any:
    """Required only when Postgres would refuse the row without it."""
    return msgspec.NODEFAULT if not column.nullable and not column.has_default else msgspec.UNSET


def _struct(name: str, fields: list[tuple[Column, Any, Any]], *, forbid_unknown: bool = True) -> type[msgspec.Struct]:
    # Columns are renamed from positional Python names: a column may be called
    # `class` or `from`, which cannot be Python identifiers.
    specs = []
    for i, (column, type_, default) in enumerate(fields):
        if default is msgspec.UNSET:
            type_ = type_ | msgspec.UnsetType
        spec = (f"f{i}", type_) if default is msgspec.NODEFAULT else (f"f{i}", type_, default)
        specs.append(spec)
    # Required fields first: Python forbids a default before a non-default.
    order = sorted(range(len(specs)), key=lambda i: len(specs[i]) == 3)
    return msgspec.defstruct(
        name,
        [specs[i] for i in order],
        rename={f"f{i}": fields[i][0].name for i in range(len(fields))},
        kw_only=True,
        frozen=True,
        forbid_unknown_fields=forbid_unknown,
    )


def _type(column: Column) -> Any:
    base: Any
    if column.from_json:  # a data representation: its cast function decides what it takes
        return Any
    if column.closed_set and column.category in ("S", "E"):
        base = Literal[column.closed_set]
    elif column.category == "A":
        element = _SCALARS.get(column.element or "", Any)
        base = list[element]  # type: ignore[valid-type]
    elif column.base in _INT_BOUNDS:
        bound = _INT_BOUNDS[column.base]
        base = Annotated[int, msgspec.Meta(ge=-bound, le=bound - 1)]
    elif column.max_length is not None:
        base = Annotated[str, msgspec.Meta(max_length=column.max_length)]
    else:
        base = _SCALARS.get(column.base, Any)
    if column.description:
        base = Annotated[base, msgspec.Meta(description=column.description)]
    return base | None if column.nullable and base is not Any else base


def validate_create(
    relation: Relation, models: ResourceModels, body: bytes, *, same_keys: bool = True
) -> tuple[tuple[str, ...], bool]:
    """The columns the body sets (union over rows, in column order), and
    whether the body was an array; or a 400 naming the bad field.
    `same_keys`: the rows of an array must have the same keys (PostgREST);
    with `Prefer: missing=default` they need not, a lacking key takes the DEFAULT."""
    if same_keys and body.lstrip()[:1] == b"[":
        _same_keys(body)
    rows = _decode(relation, models, body, list[models.create] | models.create)  # type: ignore[name-defined]
    is_array = isinstance(rows, list)
    return _present(relation, models.create, rows if is_array else [rows]), is_array


def _same_keys(body: bytes) -> None:
    """PostgREST 12 (ApiRequest.hs): the objects of a bulk body share one set of
    keys, so each names every column it inserts (`columns=` lifts this)."""
    try:
        rows = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return  # _decode words it
    keys = {frozenset(row) if isinstance(row, dict) else None for row in rows}
    if len(keys) > 1 or None in keys:
        raise invalid_body("All object keys must match")


def validate_listed(
    relation: Relation, models: ResourceModels, body: bytes, names: tuple[str, ...]
) -> tuple[tuple[str, ...], bool]:
    """`columns=`: the body is read for these columns only (PostgREST's
    json_to_recordset): other keys are ignored, a row lacking one sets it null
    (or its DEFAULT with `Prefer: missing=default`). Each named column must be
    writable; the values are typed as without `columns`."""
    for name in names:
        if name not in relation.columns:
            raise ApiError(
                400, "PGRST204", f"Could not find the '{name}' column of '{relation.name}' in the schema cache"
            )
        if name not in models.writable:
            raise ApiError(400, "SDA102", f"The '{name}' column of '{relation.name}' is read-only")
    struct = models.listed.get(names)
    if struct is None:
        fields = [(relation.columns[name], _type(relation.columns[name]), msgspec.UNSET) for name in names]
        struct = models.listed.setdefault(names, _struct("Listed", fields, forbid_unknown=False))
    rows = _decode(relation, models, body, list[struct] | struct)  # type: ignore[valid-type]
    return tuple(dict.fromkeys(names)), isinstance(rows, list)


def validate_update(relation: Relation, models: ResourceModels, body: bytes) -> tuple[str, ...]:
    row = _decode(relation, models, body, models.update)
    columns = _present(relation, models.update, [row])
    if not columns:
        raise invalid_body("Empty or invalid json", "a PATCH body must set at least one column")
    return columns


def _decode(relation: Relation, models: ResourceModels, body: bytes, type_: Any) -> Any:
    try:
        return msgspec.json.decode(body, type=type_)
    except msgspec.ValidationError as error:
        raise _field_error(relation, models, str(error)) from None
    except msgspec.DecodeError:
        raise invalid_body("Empty or invalid json") from None  # PostgREST's words, no details
    except RecursionError:  # msgspec's answer to absurdly deep nesting (jsonb columns take any JSON)
        raise invalid_body("Empty or invalid json", "the JSON is nested too deeply") from None


def _field_error(relation: Relation, models: ResourceModels, message: str) -> ApiError:
    unknown = _UNKNOWN_FIELD.match(message)
    if unknown is None:
        return invalid_body(f"Invalid body for '{relation.name}'", message)
    name = unknown["name"]
    if name in relation.columns and name not in models.writable:
        return ApiError(400, "SDA102", f"The '{name}' column of '{relation.name}' is read-only", details=message)
    return ApiError(
        400, "PGRST204", f"Could not find the '{name}' column of '{relation.name}' in the schema cache", details=message
    )


def _present(relation: Relation, struct: type[msgspec.Struct], rows: list[Any]) -> tuple[str, ...]:
    names = dict(zip(struct.__struct_fields__, struct.__struct_encode_fields__))
    seen: set[str] = set()
    for row in rows:
        for field, column in names.items():
            if column not in seen and getattr(row, field) is not msgspec.UNSET:
                seen.add(column)
    return tuple(name for name in relation.columns if name in seen)
