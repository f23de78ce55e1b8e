"""The OneRoster `filter` query parameter -> a typed filter, pure (no SQL).

Grammar (OneRoster 1.2 REST binding, "Filtering"):

    filter    := predicate [ SP logical SP predicate ]
    predicate := field op "'" value "'"
    logical   := "AND" | "OR"
    op        := "=" | "!=" | ">" | ">=" | "<" | "<=" | "~"

`~` is "contains". The binding allows one logical operator per query, so at
most two predicates; a value is any text between single quotes (a quote
inside it is written twice, as in SQL). Spaces around an operator are
optional. Which fields exist, and what their values mean, is the entity's
business (entities.py): this module only splits the text.
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

Op = Literal["=", "!=", ">", ">=", "<", "<=", "~"]
Logical = Literal["AND", "OR"]

# Field names are dotted identifiers (`class.sourcedId`); anything else is not a
# field of any entity, so it is refused here rather than looked up.
_PREDICATE = re.compile(r"\s*([A-Za-z][A-Za-z0-9_.]*)\s*(!=|>=|<=|=|>|<|~)\s*'((?:[^']|'')*)'\s*")
_LOGICAL = re.compile(r"(AND|OR)(?=\s)")
MAX_FILTER_CHARS = 2000


class FilterError(ValueError):
    """The filter does not follow the grammar; the message says where."""


class Predicate(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    op: Op
    value: str


class Filter(msgspec.Struct, frozen=True, kw_only=True):
    predicates: tuple[Predicate, ...]
    logical: Logical = "AND"

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(p.field for p in self.predicates)


def parse_filter(text: str) -> Filter:
    if len(text) > MAX_FILTER_CHARS:
        raise FilterError("The filter is too long")
    predicates: list[Predicate] = []
    logical: Logical | None = None
    position = 0
    while True:
        match = _PREDICATE.match(text, position)
        if match is None:
            raise FilterError(f"Expected field op 'value' at character {position + 1}")
        field, op, value = match.groups()
        predicates.append(Predicate(field=field, op=op, value=value.replace("''", "'")))  # type: ignore[arg-type]
        position = match.end()
        if position == len(text):
            break
        if logical is not None:
            raise FilterError("A filter may use only one logical operator (AND or OR)")
        connective = _LOGICAL.match(text, position)
        if connective is None:
            raise FilterError(f"Expected AND or OR at character {position + 1}")
        logical = connective.group(1)  # type: ignore[assignment]
        position = connective.end()
    return Filter(predicates=tuple(predicates), logical=logical or "AND")
