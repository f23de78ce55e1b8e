"""The differential corpus: requests on this project's own `api` schema, each
sent to the gateway and to the real PostgREST 12.0.2 with the same token.

A request is (role, method, path, headers, body); `{school}`, `{student}`,
`{class_}`, ... are filled from a factory school (tests/factories.py). Writes
ask `Prefer: tx=rollback` (both servers honour it), so the database is the
same for every request and the two answers can be compared; writes select
columns that do not depend on the clock or on a fresh uuid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLLBACK = {"Prefer": "tx=rollback"}


@dataclass(frozen=True)
class Request:
    role: str  # school_admin, teacher, parent, student, anon
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    @property
    def name(self) -> str:
        extra = (f" {self.headers}" if self.headers else "") + (f" {self.body!r}" if self.body else "")
        return f"{self.role} {self.method} {self.path}{extra}"

    def filled(self, values: dict[str, str]) -> Request:
        """The request with `{name}` placeholders replaced (not str.format: bodies hold braces)."""
        path, body = self.path, self.body
        for key, value in values.items():
            path, body = path.replace("{" + key + "}", value), body.replace("{" + key + "}", value)
        return Request(self.role, self.method, path, self.headers, body)


TABLES = (
    "students", "classes", "teachers", "parents", "enrollments", "student_parents", "academic_terms",
    "subjects", "rooms", "assignments", "assessments", "grades", "attendance_records", "invoices",
    "invoice_items", "payments", "fee_types", "announcements", "discipline_incidents", "health_records",
    "communication_logs", "school_settings", "schools", "users",
)  # fmt: skip
ROLES = ("school_admin", "teacher", "parent", "student")


def _reads() -> list[Request]:
    out = []
    for table in TABLES:
        for role in ROLES:
            out.append(Request(role, "GET", f"/{table}?order=id"))
        out.append(Request("school_admin", "GET", f"/{table}?order=id&limit=1", {"Prefer": "count=exact"}))
        out.append(Request("school_admin", "HEAD", f"/{table}?order=id", {"Prefer": "count=exact"}))
        out.append(Request("school_admin", "GET", f"/{table}?select=id&order=id", {"Range": "0-0"}))
        out.append(Request("school_admin", "GET", f"/{table}?select=id&order=id&offset=100"))
        out.append(Request("anon", "GET", f"/{table}"))
    return out


STUDENT_READS = (
    "/students?select=first_name,last_name&order=last_name.desc,first_name",
    "/students?select=id,student_number&student_number=eq.S-1",
    "/students?select=student_number&student_number=neq.S-1",
    "/students?select=student_number&student_number=in.(S-1,S-2)&order=student_number",
    "/students?select=student_number&student_number=not.in.(S-1)",
    "/students?select=student_number&student_number=like.S*&order=student_number",
    "/students?select=student_number&student_number=ilike.s-*&order=student_number",
    "/students?select=student_number&or=(student_number.eq.S-1,student_number.eq.S-2)&order=student_number",
    "/students?select=student_number&and=(student_number.gte.S-1,student_number.lt.S-2)",
    "/students?select=student_number&or=(student_number.eq.S-1, student_number.eq.S-2)&order=student_number",
    "/students?select=student_number&date_of_birth=is.null&order=student_number",
    "/students?select=student_number&date_of_birth=not.is.null",
    "/students?select=student_number&user_id=is.null",
    "/students?select=student_number&student_number=match.^S&order=student_number",
    "/students?select=student_number&student_number=imatch.^s&order=student_number",
    "/students?select=student_number&student_number=isdistinct.S-1",
    "/students?select=student_number&student_number=gt.S-1",
    "/students?select=student_number&student_number=like(any).{S-1,X*}",
    "/students?select=sn:student_number,fn:first_name&order=student_number",
    "/students?select=student_number,enrollment_status::text&order=student_number",
    "/students?select=student_number,classes(name)&order=student_number",
    "/students?select=student_number,classes(name,teacher:teachers(last_name))&order=student_number",
    "/students?select=student_number,enrollments(class_id)&order=student_number",
    "/students?select=student_number,parents(first_name,last_name)&order=student_number",
    "/students?select=student_number,classes!inner(name)&classes.name=eq.Maths 7A",
    "/students?select=student_number,classes(name)&classes.name=eq.Maths 7A&order=student_number",
    "/students?select=student_number,schools(name)&order=student_number",
    "/students?select=*,schools(*)&order=student_number&limit=1",
    "/students?select=student_number,nope(name)",
    "/students?select=nope",
    "/students?nope=eq.1",
    "/students?student_number=xx.1",
    "/students?order=nope",
    "/students?limit=-1",
    "/students?limit=abc",
    "/students?select=student_number&order=student_number.asc.nullslast",
    "/students?select=student_number&order=student_number&limit=1&offset=1",
    "/students?select=student_number,full_name&order=student_number",
    "/students?select=count()",
    "/students?select=enrollment_status,count()&order=enrollment_status",
    "/students?id=eq.not-a-uuid",
    "/students?select=student_number&order=student_number&student_number=fts.S",
    "/nope",
    "/rpc/nope",
)
CLASS_READS = (
    "/classes?select=name,teachers(last_name)&order=name",
    "/classes?select=name,students(student_number)&order=name",
    "/classes?select=name,students(count)&order=name",
    "/classes?select=name,enrollments(count)&order=name",
    "/classes?select=name,teacher:teachers!inner(last_name)&teacher.last_name=eq.Teacher",
    "/classes?select=name,...teachers(last_name)&order=name",
    "/classes?select=name&name=eq.Maths 7A",
    "/classes?select=name&teacher_id=eq.{teacher}",
    "/classes?select=name,schools(name)&order=name",
    "/teachers?select=last_name,classes(name)&order=last_name",
    "/teachers?select=last_name,full_name&order=last_name",
    "/parents?select=last_name,students(student_number)&order=last_name",
    "/enrollments?select=students(student_number),classes(name)&order=class_id",
    "/schools?select=name,students(count)",
    "/schools?select=name,academic_terms(name)",
    "/academic_terms?select=name,start_date,end_date&order=start_date",
)
ACCEPTS = (
    ("/students?select=student_number&order=student_number", "text/csv"),
    ("/students?select=student_number&student_number=eq.S-1", "application/vnd.pgrst.object+json"),
    ("/students?select=student_number&order=student_number", "application/vnd.pgrst.object+json"),
    ("/students?select=student_number&order=student_number", "application/json"),
    ("/students?select=student_number&order=student_number", "application/xml"),
    ("/students?select=student_number&order=student_number", "*/*"),
    ("/students?select=student_number&order=student_number", "text/plain"),
)
RPC = (
    ("GET", "/rpc/search_students?search=Student&select=student_number&order=student_number", ""),
    ("POST", "/rpc/search_students?select=student_number&order=student_number", '{"search": "Student"}'),
    ("GET", "/rpc/search_students?search=zzz", ""),
    ("GET", "/rpc/search_students", ""),
    ("POST", "/rpc/search_students", '{"nope": 1}'),
    ("GET", "/rpc/current_term", ""),
)


def _writes() -> list[Request]:
    admin = "school_admin"
    student_body = '{"school_id": "{school}", "student_number": "D-1", "first_name": "Dee", "last_name": "Diff"}'
    rep = {"Prefer": "tx=rollback,return=representation"}
    out = [
        Request(admin, "POST", "/students?select=student_number,first_name", rep, student_body),
        Request(admin, "POST", "/students", ROLLBACK, student_body),
        Request(admin, "POST", "/students", {"Prefer": "tx=rollback,return=minimal"}, student_body),
        Request(admin, "POST", "/students", {"Prefer": "tx=rollback,return=headers-only"}, student_body),
        Request(admin, "POST", "/students?select=student_number", rep, "[" + student_body + "]"),
        Request(admin, "POST", "/students", ROLLBACK, '{"school_id": "{school}"}'),
        Request(admin, "POST", "/students", ROLLBACK, '{"school_id": "{school}", "nope": 1}'),
        Request(admin, "POST", "/students", ROLLBACK, "not json"),
        Request(admin, "POST", "/students", ROLLBACK, "[]"),
        Request(admin, "POST", "/students?select=student_number", rep,
                '{"school_id": "{school}", "student_number": "S-1", "first_name": "Dup", "last_name": "Dup"}'),
        Request(admin, "POST", "/students?columns=school_id,student_number,first_name,last_name&select=student_number",
                rep, student_body),
        Request(admin, "PATCH", "/students?student_number=eq.S-1&select=student_number,first_name", rep,
                '{"first_name": "Renamed"}'),
        Request(admin, "PATCH", "/students?student_number=eq.S-1", ROLLBACK, '{"first_name": "Renamed"}'),
        Request(admin, "PATCH", "/students?student_number=eq.none", ROLLBACK, '{"first_name": "Renamed"}'),
        Request(admin, "PATCH", "/students?student_number=eq.S-1", ROLLBACK, '{"nope": 1}'),
        Request(admin, "PATCH", "/students?student_number=eq.S-1", ROLLBACK, "{}"),
        Request(admin, "PATCH", "/students?student_number=eq.S-1&select=student_number", rep,
                '{"first_name": null}'),
        Request(admin, "DELETE", "/students?student_number=eq.S-2", ROLLBACK),
        Request(admin, "DELETE", "/students?student_number=eq.S-2&select=student_number", rep),
        Request(admin, "DELETE", "/students?student_number=eq.none", ROLLBACK),
        Request("teacher", "DELETE", "/students?student_number=eq.S-2", ROLLBACK),
        Request("teacher", "POST", "/students", ROLLBACK, student_body),
        Request("student", "PATCH", "/students?student_number=eq.S-1", ROLLBACK, '{"first_name": "X"}'),
        Request("anon", "POST", "/students", ROLLBACK, student_body),
        Request("anon", "DELETE", "/students?student_number=eq.S-1", ROLLBACK),
        Request(admin, "PUT", "/students?id=eq.{student}&select=student_number", rep,
                '{"id": "{student}", "school_id": "{school}", "student_number": "S-1", "first_name": "P", "last_name": "Q"}'),
        Request(admin, "POST", "/students?on_conflict=school_id,student_number&select=student_number,first_name",
                {"Prefer": "tx=rollback,return=representation,resolution=merge-duplicates"},
                '{"school_id": "{school}", "student_number": "S-1", "first_name": "Up", "last_name": "Sert"}'),
        Request(admin, "POST", "/students", {"Prefer": "tx=rollback", "Content-Type": "text/csv"},
                "school_id,student_number,first_name,last_name\n{school},D-2,Cee,Sv"),
        Request(admin, "PATCH", "/classes?id=eq.{class_}&select=name", rep, '{"name": "Maths 7Z"}'),
        Request(admin, "POST", "/rpc/search_students?select=student_number", ROLLBACK, '{"search": "S"}'),
    ]  # fmt: skip
    return out


# Deliberate differences (README "Differences from PostgREST"): what the gateway
# answers (status, code or Content-Type) where PostgREST 12.0.2 answers otherwise.
STUDENT = '{"school_id": "{school}", "student_number": "D-1", "first_name": "Dee", "last_name": "Diff"}'
DELIBERATE: list[tuple[Request, int, str | None, str]] = [
    (Request("parent", "GET", "/students?select=count()"), 400, "PGRST123",
     "aggregates per role (AGGREGATES_ROLES), not one switch for all"),
    (Request("school_admin", "GET", "/students?limit=abc"), 400, "PGRST100",
     "a limit that is not a number is refused; PostgREST 12 ignores it"),
    (Request("school_admin", "GET", "/nope"), 404, "PGRST205", "PostgREST 13's code for an unknown table"),
    (Request("anon", "GET", "/students", {"Authorization": "Bearer not.a.token"}), 401, "PGRST301",
     "constant token messages, never the decoder's text"),
    (Request("school_admin", "POST", "/students", ROLLBACK, '{"school_id": "{school}"}'), 400, "PGRST102",
     "typed bodies: a missing required field is named before any SQL (PostgREST: 23502)"),
    (Request("school_admin", "PATCH", "/students?student_number=eq.S-1", ROLLBACK, '{"nope": 1}'), 400, "PGRST204",
     "PostgREST 13's words for an unknown column, and the field in details"),
    (Request("school_admin", "GET", "/students?select=student_number&order=student_number",
             {"Accept": "application/vnd.pgrst.object+json"}), 406, "PGRST116",
     "one Content-Type on the 406 (PostgREST 12.0.2 sends two joined)"),
    (Request("school_admin", "GET", "/classes?select=name,teachers(last_name)&teachers.order=last_name"), 400,
     "PGRST100", "an order, limit or offset on a to-one embed is refused; PostgREST ignores it"),
    (Request("school_admin", "GET", "/students?order=id", {"Accept": "text/csv"}), 200, None,
     "CSV of the JSON values (RFC 4180); PostgREST prints each row's record text"),
    (Request("school_admin", "POST", "/students?columns=school_id,student_number,first_name,last_name,enrollment_status"
             "&select=student_number,enrollment_status",
             {"Prefer": "tx=rollback,return=representation,missing=default"},
             '{"school_id": "{school}", "student_number": "D-3", "first_name": "Dee", "last_name": "Diff"}'), 201, None,
     "missing=default takes a view column's default from its table; PostgREST 12 inserts null"),
]  # fmt: skip


def corpus() -> list[Request]:
    out = _reads()
    for role in ("school_admin", "teacher", "parent", "student"):
        out += [Request(role, "GET", path) for path in STUDENT_READS]
    out += [Request("school_admin", "GET", path) for path in CLASS_READS]
    out += [Request("teacher", "GET", path) for path in CLASS_READS]
    out += [Request("school_admin", "GET", path, {"Accept": accept}) for path, accept in ACCEPTS]
    out += [Request("school_admin", method, path, {}, body) for method, path, body in RPC]
    out += [Request("anon", "GET", "/students", {"Authorization": "Bearer not.a.token"})]
    out += _writes()
    from tests.conformance.differential.corpus_broad import broad  # it builds on this module's names

    return out + broad()
