"""Headers as partners write them: columns found by name, not by position.

The 1.2 CSV binding lists each file's columns in an order, but real exports
leave optional columns out, add extension columns and reorder. A header is
read here into a mapping onto the binding's columns:

- every column the binding names may appear in any order; one it leaves out
  is read as empty, unless the binding requires it (REQUIRED);
- extension columns (`metadata.<name>`, the binding's own convention, and the
  vendor prefixes `ext_` / `ext.` seen in the wild) are accepted and named in
  the run's report; their values are not stored yet;
- any other name is refused, with the binding's closest name when one is near
  (a misspelling such as `prefferedGivenName`), as is a name given twice.

Pure: header in, plan or problems out.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Final

# Columns the 1.2 CSV binding marks required in each file this service imports.
REQUIRED: Final[dict[str, frozenset[str]]] = {
    "orgs": frozenset({"sourcedId", "name", "type"}),
    "academicSessions": frozenset({"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"}),
    "courses": frozenset({"sourcedId", "title", "orgSourcedId"}),
    "classes": frozenset({"sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"}),
    "users": frozenset({"sourcedId", "enabledUser", "givenName", "familyName"}),
    "roles": frozenset({"sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"}),
    "enrollments": frozenset({"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"}),
    "demographics": frozenset({"sourcedId"}),
}
EXTENSION_PREFIXES: Final = ("metadata.", "ext_", "ext.")


@dataclass(frozen=True)
class Layout:
    """Where each of the binding's columns is in the file's rows (None: absent)."""

    positions: tuple[int | None, ...]
    extensions: tuple[str, ...]  # extension columns, in file order

    def canonical(self, row: list[str]) -> tuple[str, ...]:
        return tuple(row[i] if i is not None else "" for i in self.positions)


def layout(binding: tuple[str, ...], header: list[str], required: frozenset[str]) -> tuple[Layout | None, list[str]]:
    """The header's layout, or the reasons it cannot be read (one per column)."""
    problems: list[str] = []
    where: dict[str, int] = {}
    extensions: list[str] = []
    for index, name in enumerate(header):
        if name in where or name in extensions:
            problems.append(f"column {name!r} appears twice")
        elif name in binding:
            where[name] = index
        elif name.startswith(EXTENSION_PREFIXES) and len(name) > 4:
            extensions.append(name)
        else:
            near = difflib.get_close_matches(name, binding, n=1, cutoff=0.8)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            shown = repr(name) if name else "with an empty name"
            problems.append(
                f"unknown column {shown}{hint}: not in the OneRoster 1.2 binding; "
                f"extension columns start with {', '.join(EXTENSION_PREFIXES)}"
            )
    for name in binding:
        if name in required and name not in where:
            problems.append(f"missing required column {name!r}")
    if problems:
        return None, problems
    return Layout(positions=tuple(where.get(name) for name in binding), extensions=tuple(extensions)), []
