"""A OneRoster 1.2 CSV zip made by the tests themselves: small rosters for the
import tests and a synthetic one of any size for the benchmark."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from gateway.roster_import.archive import HEADERS, IMPORTED

Rows = list[dict[str, Any]]


def csv_text(stem: str, rows: Iterable[Mapping[str, Any]], header: tuple[str, ...] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = header or HEADERS[stem]
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else str(row.get(h)) for h in header])
    return out.getvalue()


def build_zip(
    files: Mapping[str, Rows],
    modes: Mapping[str, str] | None = None,
    *,
    manifest: bool = True,
    extra: Mapping[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
    headers: Mapping[str, tuple[str, ...]] | None = None,
    properties: Mapping[str, str] | None = None,
) -> bytes:
    """`files`: stem -> rows (dicts by header). Every file present is `bulk`
    unless `modes` says otherwise; the others are `absent`. `headers`: a file's
    own header (extension columns, another order) instead of the binding's."""
    modes = dict(modes or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        if manifest:
            props = [("manifest.version", "1.0"), ("oneroster.version", "1.2")]
            for stem in IMPORTED:
                props.append((f"file.{stem}", modes.get(stem, "bulk") if stem in files else "absent"))
            props += [("source.systemName", "tests"), ("source.systemCode", "T"), *(properties or {}).items()]
            archive.writestr("manifest.csv", csv_text("manifest", [{"propertyName": k, "value": v} for k, v in props]))
        for stem, rows in files.items():
            archive.writestr(f"{stem}.csv", csv_text(stem, rows, (headers or {}).get(stem)))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def sample_roster(tag: str, org: str | None = None) -> dict[str, Rows]:
    """One school: a year and a semester, two courses, two classes, two students,
    a teacher, a guardian and an administrator, their roles, enrollments and a
    student's demographics. Emails and the org's sourcedId carry `tag` (both are
    unique service-wide)."""
    org = org or f"org-{tag}"

    def user(sid: str, given: str, family: str, ident: str, agents: str = "") -> dict[str, Any]:
        return {"sourcedId": sid, "enabledUser": "true", "username": f"{sid}.{tag}@school.test", "givenName": given,
                "familyName": family, "identifier": ident, "email": f"{sid}.{tag}@school.test", "agentSourcedIds": agents}  # fmt: skip

    def role(sid: str, value: str) -> dict[str, Any]:
        return {"sourcedId": f"r-{sid}", "userSourcedId": sid, "roleType": "primary", "role": value, "orgSourcedId": org}

    return {
        "orgs": [{"sourcedId": "org-district", "name": "Test District", "type": "district"},
                 {"sourcedId": org, "name": "Test School", "type": "school", "identifier": "TS", "parentSourcedId": "org-district"}],
        "academicSessions": [
            {"sourcedId": "y2026", "title": "2026-2027", "type": "schoolYear", "startDate": "2026-09-01",
             "endDate": "2027-07-15", "schoolYear": "2027"},
            {"sourcedId": "t1", "title": "Autumn 2026", "type": "semester", "startDate": "2026-09-01",
             "endDate": "2027-01-31", "parentSourcedId": "y2026", "schoolYear": "2027"},
        ],
        "courses": [
            {"sourcedId": "c-math", "title": "Mathematics", "courseCode": "MATH", "orgSourcedId": org},
            {"sourcedId": "c-sci", "title": "Science", "courseCode": "SCI", "orgSourcedId": org},
        ],
        "classes": [
            {"sourcedId": "cl-math", "title": "Math 7A", "courseSourcedId": "c-math", "classType": "scheduled",
             "schoolSourcedId": org, "termSourcedIds": "t1"},
            {"sourcedId": "cl-sci", "title": "Science 7A", "courseSourcedId": "c-sci", "classType": "scheduled",
             "schoolSourcedId": org, "termSourcedIds": "t1"},
        ],
        "users": [
            user("u-stu-1", "Ada", "Lovelace", "S-100", agents="u-par-1"),
            user("u-stu-2", "Alan", "Turing", "S-101"),
            user("u-tea-1", "Grace", "Hopper", "T-1"),
            user("u-par-1", "Ann", "Lovelace", "P-1"),
            user("u-adm-1", "Edsger", "Dijkstra", "A-1"),
        ],
        "roles": [role("u-stu-1", "student"), role("u-stu-2", "student"), role("u-tea-1", "teacher"),
                  role("u-par-1", "guardian"), role("u-adm-1", "administrator")],
        "enrollments": [
            {"sourcedId": "e-1", "classSourcedId": "cl-math", "schoolSourcedId": org, "userSourcedId": "u-stu-1",
             "role": "student", "primary": "false", "beginDate": "2026-09-01"},
            {"sourcedId": "e-2", "classSourcedId": "cl-math", "schoolSourcedId": org, "userSourcedId": "u-stu-2",
             "role": "student", "primary": "false", "beginDate": "2026-09-01"},
            {"sourcedId": "e-3", "classSourcedId": "cl-sci", "schoolSourcedId": org, "userSourcedId": "u-stu-1",
             "role": "student", "primary": "false"},
            {"sourcedId": "e-4", "classSourcedId": "cl-math", "schoolSourcedId": org, "userSourcedId": "u-tea-1",
             "role": "teacher", "primary": "true"},
        ],
        "demographics": [{"sourcedId": "u-stu-1", "birthDate": "2013-03-04", "sex": "female"}],
    }  # fmt: skip


def synthetic_roster(users: int, classes: int, enrollments: int, tag: str, org: str | None = None) -> dict[str, Rows]:
    """A large school for the benchmark: `users` students and teachers (1 in 25
    a teacher), `classes` classes over 40 courses, `enrollments` student enrollments."""
    org = org or f"org-bench-{tag}"
    teachers = max(1, users // 25)
    students = users - teachers
    rows: dict[str, Rows] = {
        "orgs": [{"sourcedId": org, "name": "Bench School", "type": "school"}],
        "academicSessions": [{"sourcedId": "y", "title": "2026-2027", "type": "schoolYear", "startDate": "2026-09-01",
                              "endDate": "2027-07-15", "schoolYear": "2027"}],  # fmt: skip
        "courses": [{"sourcedId": f"c{i}", "title": f"Course {i}", "courseCode": f"C{i}", "orgSourcedId": org} for i in range(40)],
        "classes": [{"sourcedId": f"k{i}", "title": f"Class {i}", "courseSourcedId": f"c{i % 40}", "schoolSourcedId": org,
                     "termSourcedIds": "y"} for i in range(classes)],  # fmt: skip
        "users": [], "roles": [], "enrollments": [],
    }  # fmt: skip
    for i in range(users):
        sid = f"s{i}" if i < students else f"t{i}"
        rows["users"].append({"sourcedId": sid, "enabledUser": "true", "username": f"{sid}.{tag}@bench.test",
                              "givenName": f"Given{i}", "familyName": f"Family{i}", "identifier": f"N{i}",
                              "email": f"{sid}.{tag}@bench.test"})  # fmt: skip
        rows["roles"].append({"sourcedId": f"r{i}", "userSourcedId": sid, "roleType": "primary",
                              "role": "student" if i < students else "teacher", "orgSourcedId": org})  # fmt: skip
    per_class = max(1, enrollments // classes)
    n = 0
    for k in range(classes):
        for j in range(per_class):
            if n >= enrollments:
                break
            student = (k * 7 + j * 13) % students
            rows["enrollments"].append({"sourcedId": f"e{n}", "classSourcedId": f"k{k}", "schoolSourcedId": org,
                                        "userSourcedId": f"s{student}", "role": "student", "primary": "false"})  # fmt: skip
            n += 1
        rows["enrollments"].append({"sourcedId": f"te{k}", "classSourcedId": f"k{k}", "schoolSourcedId": org,
                                    "userSourcedId": f"t{students + k % teachers}", "role": "teacher", "primary": "true"})  # fmt: skip
    return rows


if __name__ == "__main__":
    # python -m tests.roster.oneroster_zip FILE.zip ORG_SOURCED_ID [USERS]: a synthetic
    # roster (USERS users, default 200) for trying an import by hand.
    import sys

    target, org = sys.argv[1], sys.argv[2]
    users = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    with open(target, "wb") as out:
        out.write(build_zip(synthetic_roster(users, max(users // 25, 1), users * 3, tag=org, org=org)))
    print(f"wrote {target}: a OneRoster 1.2 CSV zip of {users} users for org {org}")
