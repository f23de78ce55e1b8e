"""Output formats besides JSON: `Accept: text/csv` (PostgREST's CSV output).

The CSV text is built by Postgres, like the JSON: one SQL expression over the
page's rows (render/statement.py puts it where json_agg would be), so no row is decoded
or formatted in Python. Each row goes through row_to_json and json_each_text,
which keep the select list's column order; a field is quoted when it holds a
comma, a quote or a line break (RFC 4180), NULL is an empty field, and the
header is the first row's keys.
"""

from __future__ import annotations

import csv
import io

import msgspec

from gateway.errors import invalid_body

CSV = "text/csv; charset=utf-8"
_JSON_TYPES = ("application/json", "application/*", "*/*", "application/vnd.pgrst.object+json",
               "application/vnd.pgrst.object")  # fmt: skip


def wants_csv(accept: str) -> bool:
    """True when `text/csv` comes before any JSON type in Accept."""
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media == "text/csv":
            return True
        if media in _JSON_TYPES:
            return False
    return False


def _quoted(value: str) -> str:
    return (
        f"case when {value} is null then '' when {value} ~ '[\",\\r\\n]' "
        f"then '\"' || replace({value}, '\"', '\"\"') || '\"' else {value} end"
    )


def csv_body(source: str, row: str | None = None) -> str:
    """An aggregate over the rows of `source` (a FROM alias): the CSV text, a line break for no rows.
    `row`: each row's JSON when the rows carry it already (a keyset page's
    `pgrst_row`, render/keyset.py), not the source's own columns."""
    first = f"(array_agg({row}))[1]" if row else f"row_to_json((array_agg({source}))[1])"
    header = f"(select string_agg({_quoted('pgrst_k.key')}, ',') from json_each_text({first}) pgrst_k)"
    each = row or f"row_to_json({source})"
    line = f"(select string_agg({_quoted('pgrst_v.value')}, ',') from json_each_text({each}) pgrst_v)"
    # No rows: an empty header line, as PostgREST's (its header and body are both '').
    return f"coalesce({header} || chr(10) || string_agg({line}, chr(10)), chr(10))"


# An empty field is NULL here; PostgREST reads the unquoted word NULL as NULL: both are.
_NULLS = ("", "NULL")


def csv_to_json(body: bytes) -> tuple[tuple[str, ...], bytes]:
    """`Content-Type: text/csv` on POST: the header row names the columns, each
    further row is one object; an empty field (or NULL) is NULL. Values stay strings:
    json_populate_recordset hands them to each column type's input function,
    so Postgres parses `5`, `true` and `2024-01-31` as it would in COPY. The
    rows are still inserted by one statement."""
    try:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error) as error:
        raise invalid_body("Invalid CSV body", str(error)) from None
    if not rows or not any(rows[0]):
        raise invalid_body("Invalid CSV body", "the first line must name the columns")
    header = tuple(name.strip() for name in rows[0])
    objects = []
    for row in rows[1:]:
        if not row:
            continue
        if len(row) != len(header):  # PostgREST's words
            raise invalid_body("All lines must have same number of fields")
        objects.append({name: value if value not in _NULLS else None for name, value in zip(header, row, strict=True)})
    return header, msgspec.json.encode(objects)
