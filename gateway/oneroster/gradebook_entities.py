"""What each OneRoster 1.2 Gradebook endpoint reads (views in db/roster/gradebook.sql),
in the same terms as the rostering entities (entities.py), and the nested
collections under classes, schools and line items.

`$1` here is the base of every OneRoster service (`.../ims/oneroster`), so
that a reference to a class or a student points at the rostering service
and one to a line item at the gradebook service.
"""

from __future__ import annotations

from typing import Final

from gateway.oneroster.entities import BASE, ENTITIES, METADATA, NESTED, Entity, Field, Nested

_ISO_UTC = "to_char({} at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
ROSTERING: Final = "rostering/v1p2"
GRADEBOOK: Final = "gradebook/v1p2"


def _text(column: str) -> Field:
    return Field(json=f"r.{column}", filter=f"r.{column}")


def _number(column: str) -> Field:
    return Field(json=f"r.{column}", filter=f"r.{column}", kind="number")


def _timestamp(column: str) -> Field:
    return Field(json=_ISO_UTC.format(f"r.{column}"), filter=f"r.{column}", kind="timestamp")


def _ref(kind: str, path: str, column: str) -> Field:
    """A GUIDRef {href, sourcedId, type}, omitted when there is no target."""
    return Field(
        json=(
            f"case when r.{column} is null then null else json_build_object("
            f"'href', $1::text || '/{path}/' || r.{column}, 'sourcedId', r.{column}, 'type', '{kind}') end"
        ),
        filter=f"r.{column}",
        shape="ref",
    )


def _with_ref_filters(fields: dict[str, Field]) -> dict[str, Field]:
    """Filters and sorts name a GUIDRef by its sourcedId: `class.sourcedId='...'`."""
    extra = {f"{name}.sourcedId": Field(json="", filter=f.filter) for name, f in fields.items() if f.shape == "ref"}
    return {**fields, **extra}


CATEGORY_FIELDS: Final = {**BASE, "title": _text("title"), "weight": _number("weight"), "metadata": METADATA}
SCORE_SCALE_FIELDS: Final = _with_ref_filters({
    **BASE,
    "title": _text("title"),
    "type": _text("type"),
    "class": _ref("class", f"{ROSTERING}/classes", "class_sourced_id"),
    "scoreScaleValue": Field(json="r.scale_values", shape="refs"),
    "metadata": METADATA,
})  # fmt: skip
LINE_ITEM_FIELDS: Final = _with_ref_filters({
    **BASE,
    "title": _text("title"),
    "description": _text("description"),
    "assignDate": _timestamp("assign_date"),
    "dueDate": _timestamp("due_date"),
    "class": _ref("class", f"{ROSTERING}/classes", "class_sourced_id"),
    "school": _ref("org", f"{ROSTERING}/schools", "school_sourced_id"),
    "category": _ref("category", f"{GRADEBOOK}/categories", "category_sourced_id"),
    "gradingPeriod": _ref("academicSession", f"{ROSTERING}/academicSessions", "grading_period_sourced_id"),
    "academicSession": _ref("academicSession", f"{ROSTERING}/academicSessions", "academic_session_sourced_id"),
    "scoreScale": _ref("scoreScale", f"{GRADEBOOK}/scoreScales", "score_scale_sourced_id"),
    "resultValueMin": _number("result_value_min"),
    "resultValueMax": _number("result_value_max"),
    "metadata": METADATA,
})  # fmt: skip
RESULT_FIELDS: Final = _with_ref_filters({
    **BASE,
    "lineItem": _ref("lineItem", f"{GRADEBOOK}/lineItems", "line_item_sourced_id"),
    "student": _ref("user", f"{ROSTERING}/students", "student_sourced_id"),
    "class": _ref("class", f"{ROSTERING}/classes", "class_sourced_id"),
    "scoreScale": _ref("scoreScale", f"{GRADEBOOK}/scoreScales", "score_scale_sourced_id"),
    "scoreStatus": _text("score_status"),
    "score": _number("score"),
    "textScore": _text("text_score"),
    "scoreDate": Field(json="to_char(r.score_date, 'YYYY-MM-DD')", filter="r.score_date", kind="date"),
    "comment": _text("comment"),
    "metadata": METADATA,
})  # fmt: skip
ASSESSMENT_LINE_ITEM_FIELDS: Final = _with_ref_filters({
    **BASE,
    "title": _text("title"),
    "class": _ref("class", f"{ROSTERING}/classes", "class_sourced_id"),
    "resultValueMax": _number("result_value_max"),
})  # fmt: skip
ASSESSMENT_RESULT_FIELDS: Final = _with_ref_filters({
    **BASE,
    "assessmentLineItem": _ref(
        "assessmentLineItem", f"{GRADEBOOK}/assessmentLineItems", "assessment_line_item_sourced_id"
    ),
    "student": _ref("user", f"{ROSTERING}/students", "student_sourced_id"),
    "scoreStatus": _text("score_status"),
    "score": _number("score"),
    "textScore": _text("text_score"),
    "scoreDate": Field(json="to_char(r.score_date, 'YYYY-MM-DD')", filter="r.score_date", kind="date"),
    "comment": _text("comment"),
})  # fmt: skip

_REQUIRED: Final = frozenset({"sourcedId", "status", "dateLastModified"})

GRADEBOOK_ENTITIES: Final[dict[str, Entity]] = {
    "categories": Entity(
        view="categories",
        many="categories",
        one="category",
        fields=CATEGORY_FIELDS,
        required=_REQUIRED | {"title"},
        scope="gradebook",
    ),
    "scoreScales": Entity(
        view="score_scales",
        many="scoreScales",
        one="scoreScale",
        fields=SCORE_SCALE_FIELDS,
        required=_REQUIRED | {"title", "type", "class", "scoreScaleValue"},
        scope="gradebook",
    ),
    "lineItems": Entity(
        view="line_items",
        many="lineItems",
        one="lineItem",
        fields=LINE_ITEM_FIELDS,
        required=_REQUIRED | {"title", "assignDate", "dueDate", "class", "school", "category"},
        scope="gradebook",
    ),
    "results": Entity(
        view="results",
        many="results",
        one="result",
        fields=RESULT_FIELDS,
        required=_REQUIRED | {"lineItem", "student", "scoreStatus", "scoreDate"},
        scope="gradebook",
    ),
    "assessmentLineItems": Entity(
        view="assessment_line_items",
        many="assessmentLineItems",
        one="assessmentLineItem",
        fields=ASSESSMENT_LINE_ITEM_FIELDS,
        required=_REQUIRED | {"title"},
        scope="assessment",
    ),
    "assessmentResults": Entity(
        view="assessment_results",
        many="assessmentResults",
        one="assessmentResult",
        fields=ASSESSMENT_RESULT_FIELDS,
        required=_REQUIRED | {"assessmentLineItem", "student", "scoreDate", "scoreStatus"},
        scope="assessment",
    ),
}

# Rostering and gradebook entities together: what render.py resolves (a
# gradebook collection may sit under a rostering parent, classes/{id}/lineItems).
ALL_ENTITIES: Final[dict[str, Entity]] = {**ENTITIES, **GRADEBOOK_ENTITIES}

# <parent>/{id}/<child> of the Gradebook binding. Categories are the school's
# (a category is not tied to a class in 1.2): a class lists its school's.
GRADEBOOK_NESTED: Final[dict[tuple[str, str], Nested]] = {
    (n.parent, n.child): n
    for n in (
        Nested(parent="classes", child="categories", link="r.school_id = p.school_id"),
        Nested(parent="classes", child="lineItems", link="r.class_id = p.id"),
        Nested(parent="classes", child="results", link="r.class_id = p.id"),
        Nested(parent="classes", child="scoreScales", link="r.class_id = p.id"),
        Nested(parent="schools", child="lineItems", link="r.school_id = p.id"),
        Nested(parent="schools", child="scoreScales", link="r.school_id = p.id"),
        Nested(parent="lineItems", child="results", link="r.line_item_id = p.id"),
    )
}
assert not set(GRADEBOOK_NESTED) & set(NESTED)
