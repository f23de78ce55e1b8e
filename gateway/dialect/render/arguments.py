"""A call's GET arguments as SQL (render/statement.py `_call`). Pure: values
only as `$n` parameters, cast to the catalog's argument types."""

from __future__ import annotations

from gateway.dialect.plan.nodes import CallArgument
from gateway.dialect.render.fragments import param


def variadic(argument: CallArgument) -> str:
    return "variadic " if argument.variadic else ""


def get_argument(slot: int, argument: CallArgument) -> str:
    """A GET argument: one text value cast to its type; given more than once, a
    text[] (parse.rpc_repeated) that a variadic argument takes whole and any
    other takes the last of (PostgREST). One value of a variadic argument is
    an array of one."""
    if argument.repeated:
        values = f"${slot + 1}::text[]"
        if argument.variadic:
            return f"{values}::{argument.type}"
        return f"({values})[cardinality({values})]::{argument.type}"
    if argument.variadic:
        return f"array[${slot + 1}::text]::{argument.type}"
    return param(slot, argument.type)
