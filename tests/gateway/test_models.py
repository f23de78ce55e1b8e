"""models.py: Structs generated from the catalog validate bodies before SQL. Pure."""

from __future__ import annotations

import msgspec
import pytest

from gateway.dialect.models import resource_models, validate_create, validate_update
from gateway.errors import ApiError
from tests.gateway.catalog import STUDENTS

MODELS = resource_models(STUDENTS)


def create(body: bytes) -> tuple[tuple[str, ...], bool]:
    return validate_create(STUDENTS, MODELS, body)


def create_error(body: bytes) -> ApiError:
    with pytest.raises(ApiError) as caught:
        create(body)
    return caught.value


def test_structs_are_named_after_the_resource() -> None:
    assert (MODELS.read.__name__, MODELS.create.__name__, MODELS.update.__name__) == (
        "Students", "StudentsCreate", "StudentsUpdate"
    )  # fmt: skip


def test_only_what_postgres_would_refuse_without_is_required_on_create() -> None:
    schema = msgspec.json.schema(MODELS.create)["$defs"]["StudentsCreate"]
    # id, school_id, active and created_at have defaults; line_total is generated.
    assert sorted(schema["required"]) == ["last_name", "student_number"]
    assert "line_total" not in schema["properties"]
    assert schema["properties"]["student_number"]["maxLength"] == 50
    assert schema["properties"]["gender"] == {"anyOf": [{"enum": ["FEMALE", "MALE"]}, {"type": "null"}]}


def test_a_column_msgspec_cannot_name_is_left_out_of_the_models() -> None:
    assert 'we"ird' not in MODELS.create.__struct_encode_fields__
    assert 'we"ird' not in MODELS.writable


@pytest.mark.parametrize(
    ("body", "columns", "is_array"),
    [
        (b'{"student_number": "1", "last_name": "A"}', ("student_number", "last_name"), False),
        (b'[{"student_number": "1", "last_name": "A", "gender": null}, {"student_number": "2", "last_name": "B", "gender": "MALE"}]',
         ("student_number", "last_name", "gender"), True),
        (b'{"last_name": "A", "student_number": "1", "balance": 12.5, "meta": {"any": ["json"]}}',
         ("student_number", "last_name", "balance", "meta"), False),
        (b'{"student_number": "1", "last_name": "A", "date_of_birth": "2010-02-03"}',
         ("student_number", "last_name", "date_of_birth"), False),
    ],
)  # fmt: skip
def test_valid_bodies_yield_their_columns_in_relation_order(body: bytes, columns: tuple, is_array: bool) -> None:
    assert create(body) == (columns, is_array)


@pytest.mark.parametrize(
    ("body", "code", "details"),
    [
        (b'{"student_number": "' + b"x" * 51 + b'", "last_name": "A"}', "PGRST102",
         "Expected `str` of length <= 50 - at `$.student_number`"),
        (b'{"student_number": "1"}', "PGRST102", "Object missing required field `last_name`"),
        (b'{"student_number": "1", "last_name": "A", "gender": "X"}', "PGRST102", "Invalid enum value 'X' - at `$.gender`"),
        (b'{"student_number": "1", "last_name": "A", "id": "nope"}', "PGRST102", "Invalid UUID - at `$.id`"),
        (b'{"student_number": "1", "last_name": "A", "active": "yes"}', "PGRST102",
         "Expected `bool`, got `str` - at `$.active`"),
        (b'{"student_number": "1", "last_name": "A", "nope": 1}', "PGRST204", "Object contains unknown field `nope`"),
        (b'{"student_number": "1", "last_name": "A", "line_total": 1}', "SDA102",
         "Object contains unknown field `line_total`"),
        # PostgREST's check comes first: a bulk body's elements are objects with the same keys.
        (b"[1]", "PGRST102", None),
        (b'[{"student_number": "1", "last_name": "A"}, {"student_number": "2"}]', "PGRST102", None),
        (b"{", "PGRST102", None),
    ],
)  # fmt: skip
def test_invalid_bodies_name_the_field(body: bytes, code: str, details: str) -> None:
    error = create_error(body)
    assert (error.status, error.code, error.details) == (400, code, details)


def test_update_tells_absent_from_null() -> None:
    assert validate_update(STUDENTS, MODELS, b'{"gender": null}') == ("gender",)
    assert validate_update(STUDENTS, MODELS, b'{"last_name": "B", "balance": "1.50"}') == ("last_name", "balance")
    with pytest.raises(ApiError) as caught:
        validate_update(STUDENTS, MODELS, b'{"last_name": null}')  # NOT NULL
    assert caught.value.details == "Expected `str`, got `null` - at `$.last_name`"
    with pytest.raises(ApiError):
        validate_update(STUDENTS, MODELS, b"{}")
