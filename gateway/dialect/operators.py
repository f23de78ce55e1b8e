"""The operator table of the PostgREST dialect: what each filter operator
means in SQL and which Postgres types accept it (PostgREST's
Query/SqlFragment.hs `operators`, `ftsOperators`).

Pure data plus two small functions: `check` (plan/action.py: may this operator apply
to this column?) and `sql` (render/statement.py: the SQL of one filter). Values are never
written here; a filter's value is always a `$n` text parameter cast to the
column's catalog type, so Postgres' own input functions parse `{a,b}` (arrays),
`[1,5)` (ranges) and `{"k": 1}` (jsonb) exactly as it would in psql.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

import msgspec

Operator = Literal[
    "eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch", "in", "isdistinct",
    "fts", "plfts", "phfts", "wfts", "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj",
]  # fmt: skip
Quantifier = Literal["any", "all"]
OPERATORS: frozenset[str] = frozenset(get_args(Operator))
Accepts = Literal["any", "ordered", "text", "fts", "contain", "overlap", "range"]


class Spec(msgspec.Struct, frozen=True, kw_only=True):
    symbol: str  # the SQL operator, or the tsquery function of the fts family
    accepts: Accepts  # which column types may take it (see `check`)
    quantifiable: bool = False  # `eq(any).{a,b}`, `like(all).{A*,*B}`


TABLE: dict[str, Spec] = {
    "eq": Spec(symbol="=", accepts="any", quantifiable=True),
    "neq": Spec(symbol="<>", accepts="any", quantifiable=True),
    "gt": Spec(symbol=">", accepts="ordered", quantifiable=True),
    "gte": Spec(symbol=">=", accepts="ordered", quantifiable=True),
    "lt": Spec(symbol="<", accepts="ordered", quantifiable=True),
    "lte": Spec(symbol="<=", accepts="ordered", quantifiable=True),
    "like": Spec(symbol="like", accepts="text", quantifiable=True),
    "ilike": Spec(symbol="ilike", accepts="text", quantifiable=True),
    "match": Spec(symbol="~", accepts="text", quantifiable=True),
    "imatch": Spec(symbol="~*", accepts="text", quantifiable=True),
    "in": Spec(symbol="= any", accepts="any"),
    "isdistinct": Spec(symbol="is distinct from", accepts="any"),
    "fts": Spec(symbol="to_tsquery", accepts="fts"),
    "plfts": Spec(symbol="plainto_tsquery", accepts="fts"),
    "phfts": Spec(symbol="phraseto_tsquery", accepts="fts"),
    "wfts": Spec(symbol="websearch_to_tsquery", accepts="fts"),
    "cs": Spec(symbol="@>", accepts="contain"),
    "cd": Spec(symbol="<@", accepts="contain"),
    "ov": Spec(symbol="&&", accepts="overlap"),
    "sl": Spec(symbol="<<", accepts="range"),
    "sr": Spec(symbol=">>", accepts="range"),
    "nxr": Spec(symbol="&<", accepts="range"),
    "nxl": Spec(symbol="&>", accepts="range"),
    "adj": Spec(symbol="-|-", accepts="range"),
}
FTS = frozenset(name for name, spec in TABLE.items() if spec.accepts == "fts")
# Nested values of these may be `{a,b}`, `[1,5)` or `(1,5]`, commas included.
COMPOSITE_VALUES = frozenset(name for name, spec in TABLE.items() if spec.accepts in ("contain", "overlap", "range"))
_WHAT = {
    "ordered": "columns with an order (not json)",
    "text": "text columns",
    "fts": "tsvector, text, json and jsonb columns",
    "contain": "array, range and jsonb columns",
    "overlap": "array and range columns",
    "range": "range columns",
}


def check(op: str, quantifier: str | None, *, category: str, base: str) -> str | None:
    """None if `op` applies to a column of pg_type `category`/`base`, else a hint."""
    spec = TABLE[op]
    if quantifier is not None and not spec.quantifiable:
        return f"({quantifier}) applies to eq, neq, gt, gte, lt, lte, like, ilike, match and imatch"
    ok = {
        "any": True,
        "ordered": base != "json",
        "text": category == "S",
        # PostgREST 13 (#2255): any other column is searched as to_tsvector(column);
        # Postgres has to_tsvector for text, json and jsonb.
        "fts": base in ("tsvector", "json", "jsonb") or category == "S",
        "contain": category in ("A", "R") or base == "jsonb",
        "overlap": category in ("A", "R"),
        "range": category == "R",
    }[spec.accepts]
    return None if ok else f"{op} applies to {_WHAT[spec.accepts]}"


def param(slot: int, param_type: str, *, array: bool = False) -> str:
    """A text parameter cast to the catalog's type: `$1::text::uuid`, `$1::text::uuid[]`."""
    suffix = "[]" if array else ""
    if param_type == "text" and not array:
        return f"${slot + 1}::text"
    return f"${slot + 1}::text::{param_type}{suffix}"


def sql(
    op: str,
    column: str,
    slot: int,
    param_type: str,
    *,
    quantifier: str | None = None,
    language: int | None = None,
    text_column: bool = False,
) -> str:
    """The SQL of `column op value`; `column` is already quoted (or a JSON path)."""
    spec = TABLE[op]
    if op == "in":
        # `= any($n)` and not `in ($1, $2, ...)`: one parameter whatever the
        # list's length, so one prepared statement (and `in.()` is valid).
        array = "text[]" if param_type == "text" else f"text[]::{param_type}[]"
        return f"{column} = any(${slot + 1}::{array})"
    if op in FTS:
        config = f"${language + 1}::text::regconfig, " if language is not None else ""
        document = f"to_tsvector({config}{column})" if text_column else column
        return f"{document} @@ {spec.symbol}({config}${slot + 1}::text)"
    if quantifier is not None:
        # The value is a Postgres array literal, `{a,b}`: one parameter.
        return f"{column} {spec.symbol} {quantifier}({param(slot, param_type, array=True)})"
    return f"{column} {spec.symbol} {param(slot, param_type)}"


class JsonStep(msgspec.Struct, frozen=True):
    """One `->key` or `->>key` of a JSON path (`audience->roles->>0`)."""

    arrow: Literal["->", "->>"]
    key: str
    # On a path's first step: the column is not json/jsonb (an array, a composite),
    # so the path applies to `to_jsonb(column)`, as PostgREST's pgFmtField does.
    wrap: bool = False


_ARROWS = re.compile(r"(->>?)")
_QUOTED_NAME = re.compile(r'"((?:[^"\\]|\\.)*)"')


def split_path(name: str) -> tuple[str, tuple[JsonStep, ...]]:
    """`audience->roles->>0` -> ("audience", (->roles, ->>0)); a plain name has no steps.
    A double-quoted name is taken whole (`":arr->ow::cast"->k`: PostgREST's pQuotedValue)."""
    quoted = _QUOTED_NAME.match(name.strip())
    if quoted is not None:
        base, rest_text = re.sub(r"\\(.)", r"\1", quoted[1]), name.strip()[quoted.end() :]
        return base, split_path("x" + rest_text)[1] if rest_text else ()
    if "->" not in name:
        return name, ()
    base, *rest = _ARROWS.split(name)
    steps = tuple(JsonStep(rest[i], rest[i + 1]) for i in range(0, len(rest), 2))  # type: ignore[arg-type]
    return base, steps


def path_sql(column: str, steps: tuple[JsonStep, ...]) -> str:
    """Keys are SQL literals (part of the request's shape, like column names):
    an integer indexes an array, anything else is a quoted key."""
    out = f"to_jsonb({column})" if steps and steps[0].wrap else column
    for step in steps:
        key = step.key.replace("\x00", "")
        literal = key if INDEX.fullmatch(key) else "'" + key.replace("'", "''") + "'"
        out = f"{out}{step.arrow}{literal}"
    return out


INDEX = re.compile(r"-?\d{1,9}")
