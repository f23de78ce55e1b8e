"""Read and check a OneRoster 1.2 CSV zip before anything reaches the database.

Refused with a report and no database work: a zip that is not one (or is
truncated), a zip bomb (too many files, too much uncompressed data, a
suspicious compression ratio), a missing manifest, files OneRoster does not
define or the manifest does not declare, a package of another OneRoster
version (one message, not a reject per header), non-UTF-8 text, and headers
that name columns the 1.2 CSV binding does not have or leave out ones it
requires (columns.py: any order, optional ones may be missing, extension
columns accepted).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Final

from gateway.roster_import.columns import REQUIRED, layout

MAX_TOTAL_BYTES: Final = 200 * 1024 * 1024
MAX_FILES: Final = 32
MAX_RATIO: Final = 200  # uncompressed / compressed, for members over 1 MiB

# The OneRoster 1.2 CSV binding's headers, in order.
HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "manifest": ("propertyName", "value"),
    "orgs": ("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"),
    "academicSessions": (
        "sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId",
        "schoolYear",
    ),
    "courses": (
        "sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades",
        "orgSourcedId", "subjects", "subjectCodes",
    ),
    "classes": (
        "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType",
        "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
    ),
    "users": (
        "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName", "familyName",
        "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
        "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
        "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
    ),
    "roles": (
        "sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate",
        "orgSourcedId", "userProfileSourcedId",
    ),
    "enrollments": (
        "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role",
        "primary", "beginDate", "endDate",
    ),
    "demographics": (
        "sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative", "asian",
        "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
        "publicSchoolResidenceStatus",
    ),
    # The Gradebook files (issue 17), mapped onto the tables the gradebook REST
    # service reads and writes (db/roster/import_gradebook.sql).
    "categories": ("sourcedId", "status", "dateLastModified", "title", "weight"),
    "scoreScales": (
        "sourcedId", "status", "dateLastModified", "title", "type", "orgSourcedId", "courseSourcedId",
        "classSourcedId", "scoreScaleValue",
    ),
    "lineItems": (
        "sourcedId", "status", "dateLastModified", "title", "description", "assignDate", "dueDate", "classSourcedId",
        "categorySourcedId", "academicSessionSourcedId", "resultValueMin", "resultValueMax", "schoolSourcedId",
    ),
    "results": (
        "sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId", "scoreStatus", "score",
        "scoreDate", "comment", "textScore", "classSourcedId", "inProgress", "incomplete", "late", "missing",
    ),
}  # fmt: skip
IMPORTED: Final = tuple(name for name in HEADERS if name != "manifest")
# Files of the 1.2 binding this service does not import (resources, profiles,
# the gradebook's learning objectives and score scale links): allowed in the
# zip, reported as skipped.
NOT_IMPORTED: Final = frozenset(
    {
        "classResources", "courseResources", "lineItemLearningObjectiveIds", "lineItemScoreScales", "resources",
        "resultLearningObjectiveIds", "resultScoreScales", "userProfiles", "userResources",
    }
)  # fmt: skip
MODES: Final = ("bulk", "delta", "absent")
# File names as partners spell them (`userprofiles.csv`): matched without case.
_STEMS: Final = {name.lower(): name for name in (*HEADERS, *NOT_IMPORTED)}
VERSION_MESSAGE: Final = (
    "this is a OneRoster {version} package (manifest.csv oneroster.version); this service imports OneRoster 1.2 "
    "CSV only. 1.1 and 1.2 files differ (1.2 moves users' roles and orgs to roles.csv and renames columns): "
    "export the roster as OneRoster 1.2 and send it again"
)


def column_name(header: str) -> str:
    """The staging column for a CSV header: snake_case; `primary` is reserved in SQL."""
    name = re.sub(r"(?<!^)([A-Z])", r"_\1", header).lower()
    return "is_primary" if name == "primary" else name


@dataclass
class Problem:
    file: str
    row: int | None
    column: str | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


class ArchiveRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.reason for p in problems))
        self.problems = problems


@dataclass
class Package:
    modes: dict[str, str]  # file (without .csv) -> bulk | delta, for the files present and imported
    rows: dict[str, list[tuple[str | None, ...]]] = field(default_factory=dict)  # without header; '' -> None
    # Files left to Postgres' CSV parser (see quote_free): the UTF-8 text with its header.
    csv: dict[str, bytes] = field(default_factory=dict)
    skipped_files: list[str] = field(default_factory=list)
    # Extension columns per file; their values are each row's last staged field
    # (`metadata`, a JSON object or None: columns.Layout.metadata).
    extension_columns: dict[str, list[str]] = field(default_factory=dict)


def quote_free(text: str) -> bool:
    """Whether Postgres' COPY (FORMAT csv) reads this text exactly as csv.reader does.

    Python's csv module costs ~2 s on a 100,000-user roster, COPY a fraction of
    that. Without a quote character the two agree: fields are what lies between
    commas, records what lies between line ends, an empty field is '' for one and
    NULL for the other ('' -> None either way). The differences are all about
    quotes (COPY also starts a quoted part in the middle of a field, csv does not)
    and about a field over csv's size limit, which csv refuses. Text with neither
    is sent as it is; a short or long row, a NUL or mixed line ends make COPY fail
    instead, and the run then parses the file here (`read_package(copy_csv=False)`),
    which reports those rows exactly as before.
    """
    if '"' in text:
        return False
    # Segments between \n hold whole lines, so none longer than the limit means
    # no field longer than it either.
    return len(text) <= csv.field_size_limit() or max(map(len, text.split("\n"))) <= csv.field_size_limit()


def read_package(data: bytes, *, copy_csv: bool = True) -> Package:
    """Check and parse the zip; with `copy_csv`, quote-free files are only checked
    up to their header and left for COPY to parse (quote_free)."""
    problems: list[Problem] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise ArchiveRejected([Problem("(zip)", None, None, f"not a readable zip file (truncated or corrupt): {error}")]) from None
    if len(members) > MAX_FILES:
        raise ArchiveRejected([Problem("(zip)", None, None, f"too many files: {len(members)} (at most {MAX_FILES})")])
    total = sum(m.file_size for m in members)
    if total > MAX_TOTAL_BYTES:
        raise ArchiveRejected([Problem("(zip)", None, None, f"too large uncompressed: {total} bytes (at most {MAX_TOTAL_BYTES})")])
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise ArchiveRejected([Problem(m.filename, None, None,
                                           f"compression ratio {m.file_size // max(m.compress_size, 1)}:1 looks like a zip bomb")])  # fmt: skip

    texts: dict[str, str] = {}
    for m in members:
        if m.is_dir():
            problems.append(Problem(m.filename, None, None, "folders are not allowed: put the CSV files at the top of the zip"))
            continue
        stem = _STEMS.get(m.filename[:-4].lower()) if m.filename.lower().endswith(".csv") else None
        if stem is None:
            problems.append(Problem(m.filename, None, None, "unknown file: not a OneRoster 1.2 CSV file name"))
            continue
        try:
            with archive.open(m) as handle:
                raw = handle.read(m.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:  # CRC errors, truncation
            problems.append(Problem(m.filename, None, None, f"cannot be read (truncated or corrupt zip): {error}"))
            continue
        if len(raw) > m.file_size:
            problems.append(Problem(m.filename, None, None, "larger than the zip declares"))
            continue
        if stem in NOT_IMPORTED:
            texts[stem] = ""
            continue
        try:
            texts[stem] = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            problems.append(Problem(m.filename, None, None, f"not UTF-8 text (byte {error.start}): save the file as UTF-8"))
    if problems:
        raise ArchiveRejected(problems)
    if "manifest" not in texts:
        raise ArchiveRejected([Problem("manifest.csv", None, None, "missing manifest.csv: a OneRoster 1.2 zip needs one")])
    _check_version(texts["manifest"])

    tables: dict[str, list[list[str | None]]] = {}
    copied: dict[str, str] = {}
    package_extensions: dict[str, list[str]] = {}
    for stem, text in texts.items():
        if stem in NOT_IMPORTED:
            continue
        first = text.partition("\n")[0].partition("\r")[0]
        # COPY reads the file as it is only when it is in the binding's own
        # columns and order, and has no 1.1-style `inactive` status to map.
        if copy_csv and stem != "manifest" and quote_free(text) and tuple(first.split(",")) == HEADERS[stem] \
                and "inactive" not in text:
            copied[stem] = text
            continue
        try:
            parsed = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        except csv.Error as error:
            problems.append(Problem(f"{stem}.csv", None, None, f"not valid CSV: {error}"))
            continue
        rows = _canonical(stem, parsed, problems, package_extensions)
        if rows is not None:
            tables[stem] = rows
    if problems:
        raise ArchiveRejected(problems)

    manifest = {str(row[0]): str(row[1]) for row in tables.pop("manifest")}
    for key in ("manifest.version", "oneroster.version"):
        if key not in manifest:
            problems.append(Problem("manifest.csv", None, key, f"missing required property {key}"))
    if manifest.get("oneroster.version", "1.2") != "1.2":
        problems.append(Problem("manifest.csv", None, "oneroster.version", "this service imports OneRoster 1.2 only"))
    for stem in [*IMPORTED, *sorted(NOT_IMPORTED)]:
        mode = manifest.get(f"file.{stem}", "absent")
        present = stem in texts  # parsed (tables), sent to COPY as is (copied), or not imported
        if mode not in MODES:
            problems.append(Problem("manifest.csv", None, f"file.{stem}", f"bad enum value {mode!r}: bulk, delta or absent"))
        elif mode == "absent" and present:
            problems.append(Problem(f"{stem}.csv", None, None, f"in the zip but file.{stem} is absent in manifest.csv"))
        elif mode != "absent" and not present:
            problems.append(Problem(f"{stem}.csv", None, None, f"missing: manifest.csv says file.{stem}={mode}"))
    for key in manifest:
        if key.startswith("file.") and key[5:] not in HEADERS and key[5:] not in NOT_IMPORTED:
            problems.append(Problem("manifest.csv", None, key, "unknown file property"))
    if problems:
        raise ArchiveRejected(problems)

    package = Package(modes={}, extension_columns=package_extensions)
    for stem in IMPORTED:
        if stem in tables:
            package.modes[stem] = manifest[f"file.{stem}"]
            package.rows[stem] = [tuple(v if v != "" else None for v in row) for row in tables[stem]]
        elif stem in copied:
            package.modes[stem] = manifest[f"file.{stem}"]
            package.csv[stem] = copied[stem].encode()
    package.skipped_files = sorted(s for s in texts if s in NOT_IMPORTED)
    return package


def _check_version(text: str) -> None:
    """A package of another OneRoster version is refused with one message,
    before its headers are compared with the 1.2 binding's (issue 17)."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return  # reported with the other files' CSV errors
    version = next((row[1].strip() for row in rows[1:] if len(row) >= 2 and row[0] == "oneroster.version"), "1.2")
    if version != "1.2":
        raise ArchiveRejected([Problem("manifest.csv", None, "oneroster.version", VERSION_MESSAGE.format(version=version))])


def _canonical(
    stem: str, parsed: list[list[str]], problems: list[Problem], extensions: dict[str, list[str]]
) -> list[list[str | None]] | None:
    """A parsed file's rows in the binding's columns and order, or None (problems added)."""
    if stem == "manifest":
        if not parsed or tuple(parsed[0]) != HEADERS["manifest"]:
            problems.append(Problem("manifest.csv", 1, None, "wrong header: expected propertyName,value"))
            return None
        return [list(row) for row in parsed[1:]]
    plan, reasons = layout(HEADERS[stem], parsed[0] if parsed else [], REQUIRED[stem])
    problems.extend(Problem(f"{stem}.csv", 1, None, reason) for reason in reasons)
    if plan is None:
        return None
    if plan.extensions:
        extensions[stem] = list(plan.extensions)
    width = len(parsed[0])
    rows = []
    for number, row in enumerate(parsed[1:], start=2):
        if len(row) != width:
            problems.append(Problem(f"{stem}.csv", number, None, f"{len(row)} fields where the header has {width}"))
            continue
        values: list[str | None] = list(plan.canonical(row))
        if values[1] == "inactive":  # status: 1.2 says read 1.1's `inactive` as `tobedeleted`
            values[1] = "tobedeleted"
        values.append(plan.metadata(row))
        rows.append(values)
    return rows
