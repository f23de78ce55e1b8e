"""What each OneRoster endpoint reads: its view (schema `oneroster`, db/roster/),
the JSON keys of its envelope, and its fields, each with the SQL that builds
the field's JSON value and, where it can be filtered and sorted, the SQL of
its scalar value and that value's type.

These SQL fragments are the only identifiers render.py ever writes: a field
name from a request is a key into FIELDS, never text that reaches SQL. Every
fragment reads the row alias `r`; `$1` is the base URL of GUIDRef hrefs.
"""

from __future__ import annotations

from typing import Final, Literal

import msgspec

Kind = Literal["text", "timestamp", "date", "boolean", "number"]
# What the JSON value is, for the OpenAPI document (gateway/openapi/oneroster.py):
# a scalar of `kind`, a GUIDRef or null, a list of GUIDRefs, a list of roles,
# an empty list or null (a OneRoster field this service has no data for), a
# JSON object (metadata).
Shape = Literal["scalar", "ref", "refs", "roles", "empty_list", "null", "object"]

# ISO 8601 in UTC with milliseconds, as OneRoster's dateLastModified examples.
_ISO_UTC = "to_char({} at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"


class Field(msgspec.Struct, frozen=True, kw_only=True):
    json: str  # SQL building the JSON value
    filter: str | None = None  # SQL of the scalar value (filter, sort), if any
    kind: Kind = "text"
    shape: Shape = "scalar"


class Entity(msgspec.Struct, frozen=True, kw_only=True):
    view: str  # a view of the oneroster schema, quoted when rendered
    many: str  # envelope key of a collection
    one: str  # envelope key of a single object
    fields: dict[str, Field]
    condition: str | None = None  # rows of the view this endpoint serves; `{a}` is the row alias
    scope: Literal["core", "demographics", "gradebook", "assessment"] = "core"
    # Fields the 1.2 schema requires: always sent, also when `fields` names others.
    required: frozenset[str] = frozenset({"sourcedId", "status", "dateLastModified"})
    # Views of the collection's live rows by source table, (school_id, sid, id)
    # (db/roster/oneroster_views.sql "Page keys"), for render.py's key walk.
    keys: tuple[str, ...] = ()
    # Sort fields the key views also walk in index order: (field, key column).
    key_sorts: tuple[tuple[str, str], ...] = ()

    @property
    def output_fields(self) -> tuple[str, ...]:
        return tuple(name for name, field in self.fields.items() if field.json)


def _text(column: str) -> Field:
    return Field(json=f"r.{column}", filter=f"r.{column}")


def _date(column: str) -> Field:
    return Field(json=f"to_char(r.{column}, 'YYYY-MM-DD')", filter=f"r.{column}", kind="date")


def _boolean(column: str) -> Field:
    # The 1.2 schemas spell booleans as the strings "true"/"false" (enabledUser,
    # primary), not JSON booleans; filters still compare the boolean column.
    return Field(
        json=f"case r.{column} when true then 'true' when false then 'false' end",
        filter=f"r.{column}",
        kind="boolean",
    )


def guidref(kind: str, path: str, column: str) -> str:
    """OneRoster's GUIDRef {href, sourcedId, type}, null when there is no target."""
    return (
        f"case when r.{column} is null then null else json_build_object("
        f"'href', $1::text || '/{path}/' || r.{column}, 'sourcedId', r.{column}, 'type', '{kind}') end"
    )


def _ref(kind: str, path: str, column: str) -> Field:
    return Field(json=guidref(kind, path, column), filter=f"r.{column}", shape="ref")


def _refs(kind: str, path: str, array_column: str) -> Field:
    return Field(
        json=(
            f"coalesce((select json_agg(json_build_object('href', $1::text || '/{path}/' || x.id, 'sourcedId', x.id, "
            f"'type', '{kind}') order by x.n) from unnest(r.{array_column}) with ordinality as x(id, n)), '[]'::json)"
        ),
        shape="refs",
    )


def _constant(json_sql: str) -> Field:
    return Field(json=json_sql, shape="empty_list" if json_sql == "'[]'::json" else "null")


BASE: Final = {
    "sourcedId": _text("sourced_id"),
    "status": _text("status"),
    "dateLastModified": Field(
        json=_ISO_UTC.format("r.date_last_modified"), filter="r.date_last_modified", kind="timestamp"
    ),
}
ORG_REF: Final = _ref("org", "orgs", "org_sourced_id")
# The imported row's extension columns (`metadata.*`, `ext_*`: m0057), the
# 1.2 binding's `metadata` object; omitted when the row has none.
METADATA: Final = Field(json="r.metadata", shape="object")

ORG_FIELDS: Final = {
    **BASE,
    "name": _text("name"),
    "type": _text("type"),
    # Required by the 1.2 schema; a school has no NCES-like number here, so its
    # stable sourcedId (the partner's, else the row id) stands in.
    "identifier": Field(json="r.sourced_id", filter="r.sourced_id"),
    "parent": _constant("null::json"),
    "children": _constant("'[]'::json"),
    "metadata": METADATA,
}
SESSION_FIELDS: Final = {
    **BASE,
    "title": _text("title"),
    "type": _text("type"),
    "startDate": _date("start_date"),
    "endDate": _date("end_date"),
    "schoolYear": _text("school_year"),
    "parent": _ref("academicSession", "academicSessions", "parent_sourced_id"),
    "children": _refs("academicSession", "academicSessions", "children_sourced_ids"),
    # Not in a 1.2 academicSession (the schema forbids it): a filter only.
    "org": Field(json="", filter="r.org_sourced_id", shape="ref"),
    "metadata": METADATA,
}
COURSE_FIELDS: Final = {
    **BASE,
    "title": _text("title"),
    "courseCode": _text("course_code"),
    "grades": _constant("'[]'::json"),
    "subjects": _constant("'[]'::json"),
    "org": ORG_REF,
    "metadata": METADATA,
}
CLASS_FIELDS: Final = {
    **BASE,
    "title": _text("title"),
    "classCode": _text("class_code"),
    "classType": _text("class_type"),
    "location": _text("location"),
    "grades": _constant("'[]'::json"),
    "subjects": _constant("'[]'::json"),
    "course": _ref("course", "courses", "course_sourced_id"),
    "school": _ref("org", "schools", "school_sourced_id"),
    # The 1.2 schema wants at least one term: a class without one is listed
    # under the school's latest school year (else its latest session).
    "terms": Field(
        json=(
            "case when r.term_sourced_id is not null then json_build_array("
            + guidref("academicSession", "academicSessions", "term_sourced_id")
            + ") else coalesce((select json_build_array(json_build_object('href', $1::text || "
            "'/academicSessions/' || y.sourced_id, 'sourcedId', y.sourced_id, 'type', 'academicSession')) "
            "from oneroster.academic_sessions y where y.school_id = r.school_id and y.status = 'active' "
            "order by y.type = 'schoolYear' desc, y.end_date desc, y.id limit 1), '[]'::json) end"
        ),
        shape="refs",
    ),
    "periods": _constant("'[]'::json"),
    "metadata": METADATA,
}
USER_FIELDS: Final = {
    **BASE,
    "username": _text("username"),
    "userIds": _constant("'[]'::json"),
    "enabledUser": _boolean("enabled_user"),
    "givenName": _text("given_name"),
    "familyName": _text("family_name"),
    "roles": Field(
        json=(
            "json_build_array(json_build_object('roleType', 'primary', 'role', r.role, 'org', "
            + guidref("org", "orgs", "org_sourced_id")
            + "))"
        ),
        shape="roles",
    ),
    "userProfiles": _constant("'[]'::json"),
    "primaryOrg": ORG_REF,
    "identifier": _text("identifier"),
    "email": _text("email"),
    "phone": _text("phone"),
    # A subquery per shown row (oneroster.agents), not a column of the view:
    # see db/roster/oneroster_views_up.sql.
    "agents": Field(
        json=(
            "coalesce((select json_agg(json_build_object('href', $1::text || '/users/' || a.agent_sourced_id, "
            "'sourcedId', a.agent_sourced_id, 'type', 'user') order by a.agent_id) "
            "from oneroster.agents a where a.school_id = r.school_id and a.user_id = r.id), '[]'::json)"
        ),
        shape="refs",
    ),
    "grades": _constant("'[]'::json"),
    # OneRoster 1.1's single role: not in a 1.2 user, but the filter clients use.
    "role": Field(json="", filter="r.role"),
    "metadata": METADATA,
}
ENROLLMENT_FIELDS: Final = {
    **BASE,
    "user": _ref("user", "users", "user_sourced_id"),
    "class": _ref("class", "classes", "class_sourced_id"),
    "school": _ref("org", "schools", "school_sourced_id"),
    "role": _text("role"),
    "primary": _boolean("is_primary"),
    "beginDate": _date("begin_date"),
    "endDate": _date("end_date"),
    "metadata": METADATA,
}
DEMOGRAPHICS_FIELDS: Final = {
    **BASE,
    "birthDate": _date("birth_date"),
    "sex": _text("sex"),
}

# Filters and sorts name a GUIDRef by its sourcedId: `class.sourcedId='...'`.
for _fields in (SESSION_FIELDS, COURSE_FIELDS, CLASS_FIELDS, USER_FIELDS, ENROLLMENT_FIELDS):
    for _name, _field in list(_fields.items()):
        if _field.json.startswith("case when r.") and _field.filter is not None:
            _fields[f"{_name}.sourcedId"] = Field(json="", filter=_field.filter)
SESSION_FIELDS["org.sourcedId"] = Field(json="", filter="r.org_sourced_id")

_REQUIRED: Final = frozenset({"sourcedId", "status", "dateLastModified"})


ORG_REQUIRED: Final = _REQUIRED | {"name", "type", "identifier"}
SESSION_REQUIRED: Final = _REQUIRED | {"title", "startDate", "endDate", "type", "schoolYear"}
USER_REQUIRED: Final = _REQUIRED | {"enabledUser", "givenName", "familyName", "roles"}

# m0059's (school_id, last_name, id) indexes under the person key views.
_PERSON_SORTS: Final = (("familyName", "family_name"),)

ENTITIES: Final[dict[str, Entity]] = {
    "orgs": Entity(view="orgs", many="orgs", one="org", fields=ORG_FIELDS, required=ORG_REQUIRED),
    "schools": Entity(
        view="orgs", many="orgs", one="org", fields=ORG_FIELDS, condition="{a}.type = 'school'", required=ORG_REQUIRED
    ),
    "academicSessions": Entity(
        view="academic_sessions",
        many="academicSessions",
        one="academicSession",
        fields=SESSION_FIELDS,
        required=SESSION_REQUIRED,
    ),
    "terms": Entity(
        view="academic_sessions",
        many="academicSessions",
        one="academicSession",
        fields=SESSION_FIELDS,
        required=SESSION_REQUIRED,
        condition="{a}.type = 'term'",
    ),
    "gradingPeriods": Entity(
        view="academic_sessions",
        many="academicSessions",
        one="academicSession",
        fields=SESSION_FIELDS,
        required=SESSION_REQUIRED,
        condition="{a}.type = 'gradingPeriod'",
    ),
    "courses": Entity(
        view="courses", many="courses", one="course", fields=COURSE_FIELDS, required=_REQUIRED | {"title", "courseCode"}
    ),
    "classes": Entity(
        view="classes",
        many="classes",
        one="class",
        fields=CLASS_FIELDS,
        required=_REQUIRED | {"title", "course", "school", "terms"},
        keys=("class_keys",),
    ),
    "users": Entity(
        view="users",
        many="users",
        one="user",
        fields=USER_FIELDS,
        required=USER_REQUIRED,
        keys=("student_keys", "teacher_keys", "parent_keys"),
        key_sorts=_PERSON_SORTS,
    ),
    "students": Entity(
        view="users",
        many="users",
        one="user",
        fields=USER_FIELDS,
        condition="{a}.role = 'student'",
        required=USER_REQUIRED,
        keys=("student_keys",),
        key_sorts=_PERSON_SORTS,
    ),
    "teachers": Entity(
        view="users",
        many="users",
        one="user",
        fields=USER_FIELDS,
        condition="{a}.role = 'teacher'",
        required=USER_REQUIRED,
        keys=("teacher_keys",),
        key_sorts=_PERSON_SORTS,
    ),
    "enrollments": Entity(
        view="enrollments",
        many="enrollments",
        one="enrollment",
        fields=ENROLLMENT_FIELDS,
        required=_REQUIRED | {"user", "class", "school", "role"},
        keys=("enrollment_keys", "class_teacher_keys"),
    ),
    "demographics": Entity(
        view="demographics",
        many="demographics",
        one="demographics",
        fields=DEMOGRAPHICS_FIELDS,
        scope="demographics",
    ),
}


class Nested(msgspec.Struct, frozen=True, kw_only=True):
    """A collection under a parent object: `<parent>/{id}/<child>`. `link` is
    SQL relating the child row `r` to the parent row `p`."""

    parent: str
    child: str
    link: str
    # The link is the school: a page is then the child's own key walk inside
    # that school (render.py `_keys`), not a sort of the child's whole view.
    school_keys: bool = False


# A parent's children by id (issue 17): the few ids of the parent's rows in
# oneroster.enrollments, read by index (the CTE `p` is the one parent row),
# then those rows of the child's view. As `exists (... e.user_id = r.id)` the
# planner hashed every enrollment of the school to find a class's 50 students.
def _enrolled(role: str) -> str:
    return (
        "r.id = any(array(select e.user_id from oneroster.enrollments e "
        f"where e.class_id = (select p.id from p) and e.role = '{role}'))"
    )


_CLASSES_OF_USER = (
    "r.id = any(array(select e.class_id from oneroster.enrollments e where e.user_id = (select p.id from p)))"
)

NESTED: Final[dict[tuple[str, str], Nested]] = {
    (n.parent, n.child): n
    for n in (
        Nested(parent="schools", child="classes", link="r.school_id = p.id", school_keys=True),
        Nested(parent="schools", child="students", link="r.school_id = p.id", school_keys=True),
        Nested(parent="schools", child="teachers", link="r.school_id = p.id", school_keys=True),
        Nested(parent="schools", child="enrollments", link="r.school_id = p.id", school_keys=True),
        Nested(parent="schools", child="courses", link="r.school_id = p.id"),
        Nested(parent="schools", child="terms", link="r.school_id = p.id"),
        Nested(parent="classes", child="students", link=_enrolled("student")),
        Nested(parent="classes", child="teachers", link=_enrolled("teacher")),
        Nested(parent="terms", child="classes", link="r.term_id = p.id"),
        Nested(parent="terms", child="gradingPeriods", link="r.parent_id = p.id"),
        Nested(parent="courses", child="classes", link="r.course_id = p.id"),
        Nested(parent="users", child="classes", link=_CLASSES_OF_USER),
        Nested(parent="students", child="classes", link=_CLASSES_OF_USER),
        Nested(parent="teachers", child="classes", link=_CLASSES_OF_USER),
    )
}

# schools/{id}/classes/{id}/<child>: a class of that school, then as classes/{id}/<child>.
IN_SCHOOL_CLASS: Final[dict[str, Nested]] = {
    "enrollments": Nested(parent="classes", child="enrollments", link="r.class_id = p.id"),
    "students": NESTED[("classes", "students")],
    "teachers": NESTED[("classes", "teachers")],
}
