"""Map source columns to canonical fields and cast them to the canonical types.

One vectorised DuckDB query per batch: every mapped column is cast with ``TRY_CAST`` (or
``TRY_STRPTIME`` with the source's date format), and a value that is present but does not
cast (``"abc"`` for a number, ``2024-13-01`` for a date) is a row error naming the file, the
line, the column and the value. Only the bad rows are visited in Python, to word the errors.

Canonical values are normalised on the way in: blank text is missing (NULL) for every type but
text; timestamps with an offset are converted to UTC and stored without a zone; JSON is
validated and kept as text (the raw table's column is typed ``JSON``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from accord.connectors.base import LINE, RowError

_INPUT = "__accord_batch"
#: What a value of each canonical type should look like, for error messages.
_EXPECTED = {
    "DATE": "a date like 2024-05-31",
    "TIMESTAMP": "a date and time like 2024-05-31 14:30:00 (an offset like +02:00 is allowed)",
    "BOOLEAN": "true/false, yes/no, 1/0",
    "DECIMAL": "a number like 12.50",
    "JSON": "JSON text",
}


@dataclass(frozen=True, slots=True)
class CastResult:
    """A cast batch.

    Attributes:
        table: the canonical fields the source maps (typed) plus ``_line``, good rows only.
        errors: one error per row that did not cast (the first bad column, every one named).
    """

    table: pa.Table
    errors: tuple[RowError, ...]


@dataclass(frozen=True, slots=True)
class Formats:
    """Formats (``strptime`` codes) for dates and timestamps written as text."""

    date: str | None = None
    timestamp: str | None = None


def _base(type_name: str) -> str:
    return type_name.split("(", 1)[0].strip().upper()


def _type(type_name: str) -> exp.DataType:
    return exp.DataType.build(type_name, dialect="duckdb")


def _cast_date(value: exp.Expr, text: bool, formats: Formats,
               type_name: str) -> exp.Expr:
    if text and formats.date:
        value = exp.func("TRY_STRPTIME", value, exp.Literal.string(formats.date))
    return exp.TryCast(this=value, to=_type("DATE"))


def _cast_timestamp(value: exp.Expr, text: bool, formats: Formats,
                    type_name: str) -> exp.Expr:
    if text and formats.timestamp:
        value = exp.func("TRY_STRPTIME", value, exp.Literal.string(formats.timestamp))
    # via TIMESTAMPTZ so that an offset is honoured (the session's zone is UTC)
    zoned = exp.TryCast(this=value, to=_type("TIMESTAMPTZ"))
    return exp.Cast(this=zoned, to=_type("TIMESTAMP"))


def _cast_json(value: exp.Expr, text: bool, formats: Formats,
               type_name: str) -> exp.Expr:
    if not text:
        return exp.Cast(this=exp.func("to_json", value), to=_type("VARCHAR"))
    return exp.If(this=exp.func("json_valid", value), true=value)


def _cast_text(value: exp.Expr, text: bool, formats: Formats,
               type_name: str) -> exp.Expr:
    return value if text else exp.Cast(this=value, to=_type("VARCHAR"))


def _cast_other(value: exp.Expr, text: bool, formats: Formats,
                type_name: str) -> exp.Expr:
    return exp.TryCast(this=value, to=_type(type_name))


_Caster = Callable[[exp.Expr, bool, Formats, str], exp.Expr]

#: Canonical base type -> how a source value becomes one (anything else: ``TRY_CAST``).
CASTS: dict[str, _Caster] = {
    "DATE": _cast_date,
    "TIMESTAMP": _cast_timestamp,
    "JSON": _cast_json,
    "VARCHAR": _cast_text,
}


def cast_expression(column: str, type_name: str, *, text: bool,
                    formats: Formats = Formats()) -> tuple[exp.Expr, exp.Expr]:
    """The cast of source ``column`` to ``type_name``, and the value that must be present
    for a NULL cast to be an error.

    >>> cast, present = cast_expression("Total", "DECIMAL(18,2)", text=True)
    >>> cast.sql("duckdb")
    'TRY_CAST(NULLIF(TRIM("Total"), \\'\\') AS DECIMAL(18, 2))'
    """
    value: exp.Expr = exp.column(column, quoted=True)
    base = _base(type_name)
    if text and base != "VARCHAR":  # blank is missing, not malformed
        value = exp.func("NULLIF", exp.func("TRIM", value), exp.Literal.string(""))
    caster = CASTS.get(base, _cast_other)
    return caster(value, text, formats, type_name), value


def cast_batch(data: pa.Table, columns: Mapping[str, str], fields: Mapping[str, str], *,
               file: str, formats: Formats = Formats()) -> CastResult:
    """Cast a raw batch to canonical fields.

    Args:
        data: the source columns as read, plus ``_line``.
        columns: canonical field -> source column (the source's ``columns:``).
        fields: canonical field -> DuckDB type (the entity's :data:`ENTITY_FIELDS`).
        file: the file the rows came from, for errors.
        formats: date and timestamp formats for text values.

    Returns:
        The good rows with the mapped canonical fields and ``_line``, and the bad rows' errors.
    """
    selects: list[exp.Expr] = [exp.column(LINE, quoted=True)]
    for field, column in columns.items():
        text = pa.types.is_string(data.schema.field(column).type) or \
            pa.types.is_large_string(data.schema.field(column).type)
        cast, present = cast_expression(column, fields[field], text=text, formats=formats)
        selects.append(exp.alias_(cast, field, quoted=True))
        selects.append(exp.alias_(exp.Not(this=exp.Is(this=present, expression=exp.Null())),
                                  f"__present_{field}", quoted=True))
    query = exp.select(*selects).from_(exp.table_(_INPUT, quoted=True))
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        connection.register(_INPUT, data)
        result = connection.sql(query.sql("duckdb")).to_arrow_table()
    finally:
        connection.close()
    bad_by_field = {field: pc.and_(result[f"__present_{field}"], pc.is_null(result[field]))
                    for field in columns}
    cast = result.select([LINE, *columns])
    if not bad_by_field:
        return CastResult(cast, ())
    any_bad = _any_true(list(bad_by_field.values()), result.num_rows)
    if not any_bad.any():
        return CastResult(cast, ())
    errors = _errors(data, columns, fields, bad_by_field, np.flatnonzero(any_bad), file,
                     formats)
    return CastResult(cast.filter(pa.array(~any_bad)), errors)


def _any_true(masks: list[pa.ChunkedArray], rows: int) -> np.ndarray:
    """Rows where any mask is true, as a NumPy bool array."""
    combined = np.zeros(rows, dtype=bool)
    for mask in masks:
        combined |= mask.to_numpy(zero_copy_only=False).astype(bool)
    return combined


def _errors(data: pa.Table, columns: Mapping[str, str], fields: Mapping[str, str],
            bad_by_field: Mapping[str, pa.ChunkedArray],
            rows: np.ndarray, file: str, formats: Formats,
            ) -> tuple[RowError, ...]:
    """Word the errors of the bad rows (the only per-row Python on the way in)."""
    indices = pa.array(rows)
    flags = {field: mask.take(indices).to_pylist() for field, mask in bad_by_field.items()}
    source_rows = data.take(indices).to_pylist()
    errors = []
    for position, row in enumerate(source_rows):
        bad = [field for field in columns if flags[field][position]]
        problems = [f"{row[columns[field]]!r} is not {_expected(fields[field], formats)}"
                    + (f" (column {columns[field]!r})" if len(bad) > 1 else "")
                    for field in bad]
        first = bad[0]
        raw = {key: value for key, value in row.items() if key != LINE}
        errors.append(RowError(file=file, line=row[LINE], column=columns[first],
                               error="; ".join(problems),
                               raw=json.dumps(raw, default=str, ensure_ascii=False)))
    return tuple(errors)


def _expected(type_name: str, formats: Formats) -> str:
    base = _base(type_name)
    if base == "DATE" and formats.date:
        return f"a date in the format {formats.date}"
    if base == "TIMESTAMP" and formats.timestamp:
        return f"a timestamp in the format {formats.timestamp}"
    return _EXPECTED.get(base, f"a valid {type_name.lower()}")
