"""The declared columns of each log table: what ``accord logs load`` creates and appends.

A table's column types must not depend on the first batch's values: a first batch of
anonymous decisions (``customer_id`` always null) or of events without a ``value`` would
otherwise create a column of DuckDB's type ``NULL``, and every later batch that has a value
there would fail to load (``Unimplemented type for cast (VARCHAR -> "NULL")``) and stop the
read positions for good. So each stream declares its columns here; fields a line has beyond
them are kept, as text when the batch gives no type.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["NESTED", "SCHEMAS", "TABLES", "typed"]

#: Stream -> analytical table.
TABLES = {"events": "raw_api_events", "decisions": "decision_log",
          "feedback": "feedback_log", "outcomes": "outcome_log"}
#: Stream -> fields kept as JSON text (nested parts: one schema for every line).
NESTED = {"events": ("properties",),
          "decisions": ("placements", "candidates", "holdouts", "given"),
          "feedback": (), "outcomes": ()}

_TEXT = pa.string()

#: Stream -> its declared columns (times are ISO text with an offset; exact amounts are text).
SCHEMAS: dict[str, pa.Schema] = {
    "events": pa.schema([
        ("event_id", _TEXT), ("type", _TEXT), ("occurred_at", _TEXT), ("customer_id", _TEXT),
        ("email", _TEXT), ("anonymous_id", _TEXT), ("channel", _TEXT), ("value", _TEXT),
        ("properties", _TEXT)]),
    "decisions": pa.schema([
        ("decision_id", _TEXT), ("at", _TEXT), ("customer_id", _TEXT), ("channel", _TEXT),
        ("rule_version", _TEXT), ("input_digest", _TEXT), ("placements", _TEXT),
        ("given", _TEXT), ("holdouts", _TEXT), ("candidates", _TEXT)]),
    "feedback": pa.schema([
        ("customer_id", _TEXT), ("at", _TEXT), ("text", _TEXT), ("topic", _TEXT),
        ("topic_confidence", pa.float64()), ("sentiment", _TEXT), ("polarity", pa.float64()),
        ("urgency", _TEXT), ("priority", _TEXT), ("queue", _TEXT), ("alert", pa.bool_()),
        ("decision", _TEXT), ("channel", _TEXT), ("source", _TEXT), ("app", _TEXT)]),
    "outcomes": pa.schema([
        ("decision_id", _TEXT), ("treatment_id", _TEXT), ("kind", _TEXT), ("at", _TEXT),
        ("value", _TEXT), ("customer_id", _TEXT)]),
}


def typed(stream: str, table: pa.Table) -> pa.Table:
    """``table`` (as inferred from a batch of lines) with the stream's declared columns first,
    each of its declared type (null where the batch lacks it), then any other fields, as
    text when the batch gave them no type."""
    schema = SCHEMAS[stream]
    columns: list[pa.Array | pa.ChunkedArray] = []
    fields: list[pa.Field] = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
        fields.append(field)
    for name in table.column_names:
        if name in schema.names:
            continue
        column = table.column(name)
        if pa.types.is_null(column.type):
            column = column.cast(_TEXT)
        columns.append(column)
        fields.append(pa.field(name, column.type))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))
