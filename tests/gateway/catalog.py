"""A small SchemaCache built by hand, for the pure plan/render/models tests.

Test data only: the gateway itself never declares a column (schema_cache.py
reads them from pg_catalog).
"""

from __future__ import annotations

from gateway.dialect.schema.cache import Argument, Column, Function, Relation, SchemaCache


def column(name: str, kind: str = "text", **overrides: object) -> Column:
    types = {
        # kind: (type, cast, base, category)
        "uuid": ("uuid", "uuid", "uuid", "U"),
        "text": ("text", "text", "text", "S"),
        "varchar50": ("character varying(50)", "character varying", "varchar", "S"),
        "int": ("integer", "integer", "int4", "N"),
        "numeric": ("numeric(10,2)", "numeric", "numeric", "N"),
        "date": ("date", "date", "date", "D"),
        "timestamptz": ("timestamp with time zone", "timestamp with time zone", "timestamptz", "D"),
        "bool": ("boolean", "boolean", "bool", "B"),
        "json": ("json", "json", "json", "U"),
        "jsonb": ("jsonb", "jsonb", "jsonb", "U"),
    }
    type_, cast, base, category = types[kind]
    fields: dict = {"name": name, "type": type_, "cast": cast, "base": base, "category": category}
    if kind == "varchar50":
        fields["max_length"] = 50
    fields.update(overrides)
    return Column(**fields)  # type: ignore[arg-type]


def relation(name: str, *columns: Column, primary_key: tuple[str, ...] = ("id",), **flags: bool) -> Relation:
    writable = {"insertable": True, "updatable": True, "deletable": True} | flags
    return Relation(
        schema="api", name=name, kind="view", columns={c.name: c for c in columns}, primary_key=primary_key, **writable
    )


STUDENTS = relation(
    "students",
    column("id", "uuid", nullable=False, has_default=True),
    column("school_id", "uuid", nullable=False, has_default=True),
    column("student_number", "varchar50", nullable=False),
    column("last_name", "text", nullable=False),
    column("date_of_birth", "date"),
    column("gender", "varchar50", closed_set=("FEMALE", "MALE")),
    column("active", "bool", nullable=False, has_default=True),
    column("balance", "numeric"),
    column("meta", "json"),
    column("extra", "jsonb"),
    column("created_at", "timestamptz", nullable=False, has_default=True),
    column("line_total", "numeric", generated=True, has_default=True),
    column('we"ird', "text"),
)
LOG = relation("audit_log", column("id", "uuid"), insertable=False, updatable=False, deletable=False)


def function(name: str, *arguments: Argument, **fields: object) -> Function:
    defaults: dict = {"returns": "uuid", "volatility": "volatile"} | fields
    return Function(schema="api", name=name, arguments=arguments, **defaults)


SCHEMA = SchemaCache(
    schema="api",
    relations={"students": STUDENTS, "audit_log": LOG},
    functions={
        "record_payment": (
            function(
                "record_payment",
                Argument(name="p_invoice_id", type="uuid"),
                Argument(name="p_amount", type="numeric"),
                Argument(name="p_method", type="text", has_default=True),
            ),
        ),
        "students_of": (
            function(
                "students_of",
                Argument(name="p_class_id", type="uuid"),
                returns="api.students",
                returns_set=True,
                volatility="stable",
            ),
        ),
        "ping": (function("ping", returns="void", returns_void=True, volatility="immutable"),),
    },
)
