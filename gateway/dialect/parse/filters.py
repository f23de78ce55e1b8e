"""The filter grammar of the PostgREST dialect: `column=[not.]op.value` and
the `or=(...)`/`and=(...)` logic trees, as typed data (moved out of request.py).

No SQL and no catalog here. Each value gets a slot (its index in
`ApiRequest.values`) so that values never enter a request's shape.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

import msgspec

from gateway.dialect.operators import COMPOSITE_VALUES, FTS, OPERATORS, Operator, Quantifier
from gateway.errors import ApiError, bad_query

__all__ = [
    "IS_VALUES", "MAX_LOGIC_DEPTH", "OPERATORS", "Condition", "Filter", "FilterParser", "IsFilter", "IsValue",
    "Logic", "Operator",
]  # fmt: skip

IsValue = Literal["null", "not_null", "true", "false", "unknown"]
IS_VALUES: frozenset[str] = frozenset(get_args(IsValue))
MAX_LOGIC_DEPTH = 16
# PostgREST's names for what its parsers expect (QueryParams.hs `<?>` labels).
_OPERATOR = "operator (eq, gt, ...)"
_LOGIC_ITEM = "field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)"


class Filter(msgspec.Struct, frozen=True, kw_only=True):
    """`column=[not.]op.value`; the value is `ApiRequest.values[slot]` (a tuple for `in`)."""

    column: str
    op: Operator
    slot: int
    negated: bool = False
    quantifier: Quantifier | None = None  # `eq(any).{a,b}`: the value is an array literal
    language: int | None = None  # `fts(english).word`: the slot of the text search configuration


class IsFilter(msgspec.Struct, frozen=True, kw_only=True):
    """`column=is.null`: a keyword, not a value (IS cannot take a parameter)."""

    column: str
    value: IsValue
    negated: bool = False


class Logic(msgspec.Struct, frozen=True, kw_only=True):
    """`or=(a.eq.1,and(b.gt.2,c.is.null))`."""

    conjunction: Literal["and", "or"]
    children: tuple[Filter | IsFilter | Logic, ...]
    negated: bool = False


Condition: TypeAlias = Filter | IsFilter | Logic


class FilterParser:
    """Collects the conditions of one request and gives each value a slot."""

    def __init__(self) -> None:
        self.conditions: list[Condition] = []
        self.values: list[str | tuple[str, ...]] = []

    def add(self, column: str, text: str) -> None:
        # PostgREST's words: the value alone in the message, columns counted in it.
        cursor = _Cursor(text, f"failed to parse filter ({text})", 0)
        self.conditions.append(self._expression(cursor, column, nested=False))
        cursor.end()

    def try_add(self, column: str, text: str) -> bool:
        """`add` if `text` parses as a filter, else nothing and False: on
        GET /rpc such a key is a function argument instead (request.py)."""
        conditions, values = len(self.conditions), len(self.values)
        try:
            self.add(column, text)
        except ApiError:
            del self.conditions[conditions:], self.values[values:]
            return False
        return True

    def logic(self, key: str, text: str) -> None:
        # PostgREST parses `or(...)` (the key's operator before the value) and
        # names only the value: columns count from the operator.
        negated, _, conjunction = key.rpartition(".")
        cursor = _Cursor(text, f"failed to parse logic tree ({text})", len(key))
        # What follows the tree's `)` is ignored, as PostgREST's parser (no eof after
        # pLogicTree) does: its own spec passes `and=(id.eq.1,id.neq.2))`.
        self.conditions.append(self._tree(cursor, conjunction, negated == "not"))  # type: ignore[arg-type]

    def _tree(self, cursor: _Cursor, conjunction: Literal["and", "or"], negated: bool, depth: int = 1) -> Logic:
        # Bounded: each level is a Python frame here and an expression level in Postgres.
        if depth > MAX_LOGIC_DEPTH:
            raise cursor.fail(f"at most {MAX_LOGIC_DEPTH} nested and/or levels")
        # Spaces around the tree's parentheses and commas are skipped, as
        # PostgREST's lexeme parsers do: `or=(a.eq.1, b.eq.2)`. Values keep theirs.
        cursor.expect("(")
        children = [self._item(cursor, depth)]
        while cursor.skip_spaces() or cursor.take(","):
            children.append(self._item(cursor, depth))
        cursor.expect(")")
        return Logic(conjunction=conjunction, children=tuple(children), negated=negated)

    def _item(self, cursor: _Cursor, depth: int) -> Condition:
        cursor.skip_spaces()
        negated = cursor.take("not.")
        name = cursor.name()
        if not name.strip() and not negated:
            raise cursor.fail(_LOGIC_ITEM)
        if name.rstrip() in ("and", "or") and cursor.skip_spaces() is False and cursor.peek() == "(":
            name = name.rstrip()
            return self._tree(cursor, name, negated, depth + 1)  # type: ignore[arg-type]
        if negated:  # `not.` belongs to the operator: a.not.eq.1
            raise cursor.fail("'and(' or 'or(' after 'not.'")
        cursor.expect(".")
        return self._expression(cursor, name, nested=True)

    def _expression(self, cursor: _Cursor, column: str, *, nested: bool) -> Condition:
        if not column:
            raise cursor.fail("a column name")
        negated = cursor.take("not.")
        op = cursor.name()
        if op not in OPERATORS and op != "is":  # PostgREST's pOpExpr: `not.` is optional before it
            raise cursor.fail(_OPERATOR if negated else f'"not" or {_OPERATOR}', back=len(op))
        modifier = cursor.modifier() if cursor.peek() == "(" else None
        cursor.expect(".")
        quantifier: Quantifier | None = None
        language: int | None = None
        if modifier is not None and op in FTS:
            self.values.append(modifier)
            language = len(self.values) - 1
        elif modifier in ("any", "all"):
            quantifier = "any" if modifier == "any" else "all"
        elif modifier is not None:
            raise cursor.fail("(any) or (all), or a text search configuration after fts, plfts, phfts, wfts")
        if op == "is":
            word = cursor.value(nested).lower()
            if word not in IS_VALUES:
                raise cursor.fail("null, not_null, true, false or unknown", back=len(word))
            return IsFilter(column=column, value=word, negated=negated)  # type: ignore[arg-type]
        if op == "in":
            value: str | tuple[str, ...] = cursor.in_list()
        elif quantifier is not None or op in COMPOSITE_VALUES or (nested and cursor.peek() == "{"):
            # In a logic tree an array literal is one value for any operator
            # (PostgREST's pLogicSingleVal): `arr.isdistinct.{1,2}`.
            value = cursor.composite(nested)
        else:
            value = cursor.value(nested)
        if op in ("like", "ilike"):  # PostgREST's wildcard: `*` is URL-safe, `%` is not
            value = value.replace("*", "%")  # type: ignore[union-attr]
        self.values.append(value)
        return Filter(column=column, op=op, slot=len(self.values) - 1, negated=negated,  # type: ignore[arg-type]
                      quantifier=quantifier, language=language)  # fmt: skip


class _Cursor:
    """A position in one parameter's text, for errors that point at the bad part."""

    def __init__(self, text: str, context: str, shift: int) -> None:
        self.text, self.pos, self.context, self.shift = text, 0, context, shift

    def fail(self, expecting: str, back: int = 0) -> ApiError:
        """As Parsec words it for PostgREST (QueryParams.hs mapError): the
        position in the parsed text and the character found, in double quotes."""
        at = self.pos - back
        found = f'"{self.text[at]}"' if at < len(self.text) else "end of input"
        return bad_query(
            f'"{self.context}" (line 1, column {at + 1 + self.shift})', f"unexpected {found} expecting {expecting}"
        )

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def skip_spaces(self) -> bool:
        """Move past spaces; always False, so it can sit in a condition."""
        while self.text[self.pos : self.pos + 1] == " ":
            self.pos += 1
        return False

    def take(self, literal: str) -> bool:
        if self.text.startswith(literal, self.pos):
            self.pos += len(literal)
            return True
        return False

    def expect(self, literal: str) -> None:
        if not self.take(literal):
            raise self.fail(f'"{literal}"')

    def end(self) -> None:
        if self.pos != len(self.text):
            raise self.fail("end of input")

    def name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ".,()":
            self.pos += 1
        return self.text[start : self.pos]

    def value(self, nested: bool) -> str:
        """Top level: the rest, verbatim. In a logic tree: up to `,` or `)`,
        or a double-quoted string (backslash escapes) holding either."""
        if not nested:
            rest, self.pos = self.text[self.pos :], len(self.text)
            return rest
        if self.peek() == '"':
            return self._quoted()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",)":
            self.pos += 1
        return self.text[start : self.pos]

    def modifier(self) -> str:
        """`(any)`, `(all)` or `(english)` after an operator name."""
        self.expect("(")
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        word = self.text[start : self.pos]
        if not word:
            raise self.fail("any, all or a text search configuration")
        self.expect(")")
        return word

    def composite(self, nested: bool) -> str:
        """An array `{a,"b,c"}` or range `[1,5)` literal, kept whole for
        Postgres to parse; in a logic tree its commas do not end the value."""
        if not nested or self.peek() not in ("{", "[", "("):
            return self.value(nested)
        start, closers = self.pos, "}" if self.peek() == "{" else "])"
        quoted = False
        self.pos += 1
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                self.pos += 1
            elif char == '"':
                quoted = not quoted
            elif char in closers and not quoted:
                return self.text[start : self.pos]
        raise self.fail(f"a closing {closers!r}")

    def in_list(self) -> tuple[str, ...]:
        self.expect("(")
        self.skip_spaces()  # PostgREST's `lexeme (char '(')`: `in.(   )` is an empty list
        items: list[str] = []
        if self.take(")"):
            return ()
        while True:
            items.append(self._list_item())
            if self.take(")"):
                return tuple(items)
            self.expect(",")

    def _list_item(self) -> str:
        """A double-quoted item, or, when the quotes do not close it (`in.(")`),
        the text up to `,` or `)` verbatim (PostgREST's pListElement)."""
        start = self.pos
        if self.peek() == '"':
            try:
                item = self._quoted()
                if self.peek() in (",", ")"):
                    return item
            except ApiError:
                pass
            self.pos = start
        while self.pos < len(self.text) and self.text[self.pos] not in ",()":
            self.pos += 1
        return self.text[start : self.pos]

    def _quoted(self) -> str:
        self.expect('"')
        out = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\" and self.pos < len(self.text):
                out.append(self.text[self.pos])
                self.pos += 1
            elif char == '"':
                return "".join(out)
            else:
                out.append(char)
        raise self.fail("a closing '\"'")
