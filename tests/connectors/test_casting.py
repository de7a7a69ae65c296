"""Casting source columns to the canonical types, and the row errors of values that do not."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pyarrow as pa

from accord.connectors.casting import Formats, cast_batch
from accord.project import ENTITY_FIELDS, Entity

FIELDS = ENTITY_FIELDS[Entity.CONTACTS]


def batch(**columns: list[object]) -> pa.Table:
    size = len(next(iter(columns.values())))
    return pa.table({**columns, "_line": pa.array(range(10, 10 + size), pa.int64())})


def test_good_values_of_every_kind() -> None:
    data = batch(id=["1", "2"], ok=["yes", "0"], born=["2000-02-29", " "],
                 seen=["2024-01-01 00:30:00-01:00", "2024-01-01"])
    result = cast_batch(data, {"source_id": "id", "consent_email": "ok", "birth_date": "born",
                               "updated_at": "seen"}, FIELDS, file="f.csv")
    assert result.errors == ()
    assert result.table.to_pylist() == [
        {"_line": 10, "source_id": "1", "consent_email": True,
         "birth_date": dt.date(2000, 2, 29), "updated_at": dt.datetime(2024, 1, 1, 1, 30)},
        {"_line": 11, "source_id": "2", "consent_email": False, "birth_date": None,
         "updated_at": dt.datetime(2024, 1, 1)},
    ]


def test_each_bad_row_names_file_line_column_and_value() -> None:
    data = batch(id=["1", "2", "3"], ok=["maybe", "true", "nope"],
                 born=["x", "2000-01-01", "1999-02-30"])
    result = cast_batch(data, {"source_id": "id", "consent_email": "ok", "birth_date": "born"},
                        FIELDS, file="f.csv")
    assert [row["source_id"] for row in result.table.to_pylist()] == ["2"]
    first, third = result.errors
    assert str(first) == ("f.csv, line 10: column 'ok': 'maybe' is not true/false, yes/no, 1/0 "
                          "(column 'ok'); 'x' is not a date like 2024-05-31 (column 'born')")
    assert (third.line, third.column) == (12, "ok")
    assert json.loads(third.raw or "") == {"id": "3", "ok": "nope", "born": "1999-02-30"}


def test_json_text_is_validated_and_typed_values_are_cast() -> None:
    fields = ENTITY_FIELDS[Entity.EVENTS]
    data = batch(id=[1, 2], props=['{"a": [1, 2]}', "{broken"], value=[Decimal("1.005"), None])
    result = cast_batch(data, {"source_id": "id", "properties": "props", "value": "value"},
                        fields, file="e.csv")
    assert result.table.to_pylist() == [
        {"_line": 10, "source_id": "1", "properties": '{"a": [1, 2]}', "value": Decimal("1.01")}]
    assert [(error.line, error.column, error.error) for error in result.errors] == [
        (11, "props", "'{broken' is not JSON text")]


def test_formats() -> None:
    data = batch(born=["03.02.2001", "2001-02-03"])
    result = cast_batch(data, {"birth_date": "born"}, FIELDS, file="f.csv",
                        formats=Formats(date="%d.%m.%Y"))
    assert result.table.column("birth_date").to_pylist() == [dt.date(2001, 2, 3)]
    assert result.errors[0].error == "'2001-02-03' is not a date in the format %d.%m.%Y"
