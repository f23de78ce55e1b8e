"""Headers as partners write them: columns found by name, not by position.

The 1.2 CSV binding lists each file's columns in an order, but real exports
leave optional columns out, add extension columns and reorder. A header is
read here into a mapping onto the binding's columns:

- every column the binding names may appear in any order; one it leaves out
  is read as empty, unless the binding requires it (REQUIRED);
- extension columns (`metadata.<name>`, the binding's own convention, and the
  vendor prefixes `ext_` / `ext.` seen in the wild) are accepted, named in the
  run's report, and each row's values kept as one JSON object (Layout.metadata):
  `metadata.district.code` under the key `district.code`, a vendor column under
  its whole name, an empty field left out;
- any other name is refused, with the binding's closest name when one is near
  (a misspelling such as `prefferedGivenName`), as is a name given twice.

Pure: header in, plan or problems out.
"""

from __future__ import annotations

import difflib
import json
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
    "categories": frozenset({"sourcedId", "title"}),
    "scoreScales": frozenset({"sourcedId", "title", "type", "classSourcedId", "scoreScaleValue"}),
    "lineItems": frozenset({"sourcedId", "title", "assignDate", "dueDate", "classSourcedId"}),
    "results": frozenset({"sourcedId", "lineItemSourcedId", "studentSourcedId", "scoreStatus"}),
}
EXTENSION_PREFIXES: Final = ("metadata.", "ext_", "ext.")


@dataclass(frozen=True)
class Layout:
    """Where each of the binding's columns is in the file's rows (None: absent)."""

    positions: tuple[int | None, ...]
    extensions: tuple[str, ...]  # extension columns, in file order
    extension_positions: tuple[int, ...] = ()

    def canonical(self, row: list[str]) -> tuple[str, ...]:
        return tuple(row[i] if i is not None else "" for i in self.positions)

    def metadata(self, row: list[str]) -> str | None:
        """The row's extension values as a JSON object (text), None when it has none."""
        values = {metadata_key(name): row[i] for name, i in zip(self.extensions, self.extension_positions) if row[i] != ""}
        return json.dumps(values, ensure_ascii=False) if values else None


def metadata_key(column: str) -> str:
    """`metadata.district.code` -> `district.code`: the binding's prefix says
    where the value goes, not what it is. Vendor columns keep their whole name."""
    return column.removeprefix("metadata.")


def layout(binding: tuple[str, ...], header: list[str], required: frozenset[str]) -> tuple[Layout | None, list[str]]:
    """The header's layout, or the reasons it cannot be read (one per column)."""
    problems: list[str] = []
    where: dict[str, int] = {}
    extensions: list[str] = []
    extension_positions: list[int] = []
    for index, name in enumerate(header):
        if name in where or name in extensions:
            problems.append(f"column {name!r} appears twice")
        elif name in binding:
            where[name] = index
        elif name.startswith(EXTENSION_PREFIXES) and len(name) > 4:
            extensions.append(name)
            extension_positions.append(index)
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
    positions = tuple(where.get(name) for name in binding)
    return Layout(positions=positions, extensions=tuple(extensions), extension_positions=tuple(extension_positions)), []
