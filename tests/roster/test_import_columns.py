"""columns.layout: a header -> where each of the binding's columns is, or the
reasons it cannot be read. Pure, no database."""

from __future__ import annotations

import pytest

from gateway.roster_import.columns import layout

BINDING = ("sourcedId", "status", "title", "courseCode")
REQUIRED = frozenset({"sourcedId", "title"})


@pytest.mark.parametrize(
    ("header", "positions", "extensions"),
    [
        (["sourcedId", "status", "title", "courseCode"], (0, 1, 2, 3), ()),
        (["title", "sourcedId"], (1, None, 0, None), ()),  # reordered, optional ones left out
        (["sourcedId", "metadata.sis.room", "title", "ext_vendor_id"], (0, None, 2, None),
         ("metadata.sis.room", "ext_vendor_id")),  # fmt: skip
    ],
)
def test_readable_headers(header: list[str], positions: tuple[int | None, ...], extensions: tuple[str, ...]) -> None:
    plan, problems = layout(BINDING, header, REQUIRED)
    assert problems == [] and plan is not None
    assert plan.positions == positions and plan.extensions == extensions


def test_absent_columns_read_as_empty_in_binding_order() -> None:
    plan, _ = layout(BINDING, ["title", "sourcedId"], REQUIRED)
    assert plan is not None and plan.canonical(["Maths", "c-1"]) == ("c-1", "", "Maths", "")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (["sourcedId", "titel"], "unknown column 'titel' (did you mean 'title'?)"),
        (["sourcedId", "title", ""], "unknown column with an empty name"),
        (["sourcedId", "title", "title"], "column 'title' appears twice"),
        (["sourcedId", "courseCode"], "missing required column 'title'"),
        (["sourcedId", "title", "colour"], "unknown column 'colour': not in the OneRoster 1.2 binding"),
    ],
)
def test_unreadable_headers_say_which_column(header: list[str], reason: str) -> None:
    plan, problems = layout(BINDING, header, REQUIRED)
    assert plan is None and any(p.startswith(reason) for p in problems), problems
