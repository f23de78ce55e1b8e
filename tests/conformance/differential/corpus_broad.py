"""The differential corpus, broadened (issue 16): what low-code frontends and
partner syncs send beyond corpus.py's first set — on every table, per role,
and the writes' Prefer variants. Same rules as corpus.py (placeholders, writes
rolled back)."""

from __future__ import annotations

from tests.conformance.differential.corpus import ROLES, TABLES, Request

# The tables where the factory school has rows (tests/factories.py).
POPULATED = ("students", "classes", "teachers", "parents", "enrollments", "student_parents", "academic_terms",
             "schools", "users")  # fmt: skip


def _broad() -> list[Request]:
    """What low-code frontends and partner syncs send on every table: react-admin's
    list (count + offset/limit), record (singular) and getMany (`id=in.(...)`), CSV
    exports, HEAD counts per role (RLS seen through counts), OPTIONS, a partner's
    counted page."""
    out = []
    for table in TABLES:
        out.append(Request("school_admin", "GET", f"/{table}?order=id", {"Accept": "text/csv"}))
        if table in POPULATED:  # on no row it is the singular 406 (DELIBERATE), the same for every table
            out.append(Request("school_admin", "GET", f"/{table}?order=id&limit=1",
                               {"Accept": "application/vnd.pgrst.object+json"}))  # fmt: skip
        out.append(Request("school_admin", "OPTIONS", f"/{table}"))
        out.append(Request("partner_sync", "GET", f"/{table}?select=id&order=id&limit=5", {"Prefer": "count=exact"}))
        out.append(Request("school_admin", "GET", f"/{table}?id=in.({{student}},{{class_}},{{teacher}})&order=id"))
        for role in ROLES[1:]:
            out.append(Request(role, "HEAD", f"/{table}?order=id", {"Prefer": "count=exact"}))
            out.append(Request(role, "GET", f"/{table}?offset=0&limit=10&order=id.asc", {"Prefer": "count=exact"}))
    return out


BROAD_READS = (
    (("/students?select=student_number,classes(name)&or=(student_number.eq.S-1,classes.not.is.null)"
      "&order=student_number"), {}),
    ("/classes?select=name,teachers(last_name)&teachers=not.is.null&order=name", {}),
    (("/classes?select=name,students!inner(student_number)&students.or=(student_number.eq.S-1,student_number.eq.S-2)"
      "&order=name"), {}),
    ("/students?select=student_number&order=student_number", {"Range-Unit": "items", "Range": "1-"}),
    ("/students?select=student_number&order=student_number&limit=1", {"Range": "1-5"}),
    ("/students?select=student_number&order=student_number", {"Range": "5-9", "Prefer": "count=exact"}),
    ("/students?select=student_number&order=student_number", {"Prefer": "count=exact", "Range": "0-0"}),
    ("/students?id=in.({student})&select=student_number", {}),
    ("/students?select=student_number&order=student_number", {"Accept": "application/json, text/csv;q=0.5"}),
    ("/classes?select=name&order=name", {"Accept": "text/csv"}),
    ("/students?select=student_number,classes(name)&order=student_number", {"Accept": "text/csv"}),
    ("/rpc/search_students?search=Student&select=student_number", {"Prefer": "count=exact"}),
    (("/students?select=student_number,classes(name,teachers(last_name))&classes.order=name.desc"
      "&order=student_number"), {}),
    ("/students?select=student_number,classes(name)&classes.limit=1&order=student_number", {}),
    ("/students?select=student_number&order=student_number", {"Accept-Profile": "api"}),
    ("/students?select=student_number&order=student_number", {"Accept-Profile": "nope"}),
    ("/students?select=student_number&student_number=in.()", {}),
    ("/students?select=student_number&not.or=(student_number.eq.S-1,student_number.eq.S-2)", {}),
    ("/students?select=student_number&student_number=eq.S-1&limit=0", {"Prefer": "count=exact"}),
)  # fmt: skip


def _broad_writes() -> list[Request]:
    admin = "school_admin"
    student = '{"school_id": "{school}", "student_number": "D-3", "first_name": "Dee", "last_name": "Diff"}'
    klass = '{"school_id": "{school}", "name": "Diff 1", "academic_year": "2026-2027", "teacher_id": "{teacher}"}'
    rep = "tx=rollback,return=representation"
    return [
        Request(admin, "POST", "/classes", {"Prefer": "tx=rollback,return=headers-only"}, klass),
        Request(admin, "POST", "/classes?select=name,academic_year", {"Prefer": rep}, klass),
        Request(admin, "POST", "/students?columns=school_id,student_number,first_name,last_name,gender"
                "&select=student_number,gender", {"Prefer": rep + ",missing=default"}, student),
        Request(admin, "POST", "/students?columns=school_id,student_number,first_name,last_name,enrollment_status"
                "&select=student_number,enrollment_status", {"Prefer": rep + ",missing=default"}, student),
        Request(admin, "POST", "/students?select=student_number", {"Prefer": rep + ",missing=default"},
                "[" + student + ", " + student.replace("D-3", "D-4") + "]"),
        Request(admin, "PATCH", "/students?student_number=eq.S-1", {"Prefer": "tx=rollback,return=headers-only"},
                '{"first_name": "Renamed"}'),
        Request(admin, "PATCH", "/students?student_number=eq.S-1&select=student_number",
                {"Prefer": rep, "Accept": "application/vnd.pgrst.object+json"}, '{"first_name": "Renamed"}'),
        Request(admin, "PATCH", "/students?student_number=eq.S-1",
                {"Prefer": "tx=rollback,count=exact"}, '{"first_name": "Renamed"}'),
        Request(admin, "DELETE", "/students?student_number=eq.S-2", {"Prefer": "tx=rollback,count=exact"}),
        Request(admin, "DELETE", "/students?student_number=eq.S-2&select=student_number",
                {"Prefer": rep, "Accept": "text/csv"}),
        Request(admin, "POST", "/students?select=student_number", {"Prefer": rep, "Accept": "text/csv"}, student),
        Request("teacher", "PATCH", "/classes?id=eq.{class_}&select=name", {"Prefer": rep}, '{"name": "Maths 7Y"}'),
        Request("parent", "GET", "/students?select=student_number,parents(last_name)&order=student_number"),
    ]  # fmt: skip


def broad() -> list[Request]:
    reads = [Request("school_admin", "GET", path, headers) for path, headers in BROAD_READS]
    return _broad() + reads + _broad_writes()
