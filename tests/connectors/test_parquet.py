"""Parquet sources: typed columns cast to the canonical types, row numbers as lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from accord.connectors import IngestError
from tests.connectors.conftest import Hub

ORDERS = {"source_id": "id", "customer_ref": "customer", "ordered_at": "at", "total": "total"}


def write(hub: Hub, name: str, table: pa.Table) -> None:
    path = hub.root / "data" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


def test_typed_columns_are_cast(hub: Hub) -> None:
    hub.source("shop", entity="orders", type="parquet", path="data/*.parquet", columns=ORDERS)
    write(hub, "a.parquet", pa.table({
        "id": pa.array([10, 11], pa.int64()),
        "customer": ["C1", None],
        "at": pa.array([dt.datetime(2024, 1, 2, 10, tzinfo=dt.UTC), None],
                       pa.timestamp("us", tz="Europe/Paris")),
        "total": [12.5, 3.0],
        "ignored": ["x", "y"],
    }))
    report = hub.ingest()
    assert (report.rows, report.rejected) == (2, 0)
    rows = hub.rows("raw_shop")
    assert [(row["source_id"], row["customer_ref"], row["ordered_at"], row["total"],
             row["_line"]) for row in rows] == [
        ("10", "C1", dt.datetime(2024, 1, 2, 10), Decimal("12.50"), 1),
        ("11", None, None, Decimal("3.00"), 2),
    ]


def test_text_that_does_not_cast_is_rejected_with_its_row_number(hub: Hub) -> None:
    hub.source("shop", entity="orders", type="parquet", path="data/*.parquet", columns=ORDERS)
    write(hub, "a.parquet", pa.table({"id": ["1", "2", "3"], "customer": ["a", "b", "c"],
                                      "at": ["2024-01-01", "2024-02-30", "2024-03-01"],
                                      "total": ["1", "2", "x"]}))
    report = hub.ingest()
    assert (report.rows, report.rejected) == (1, 2)
    assert [(row["line"], row["column"]) for row in hub.rows("rejects", order="line")] == \
        [(2, "at"), (3, "total")]


def test_missing_column(hub: Hub) -> None:
    hub.source("shop", entity="orders", type="parquet", path="data/*.parquet", columns=ORDERS)
    write(hub, "a.parquet", pa.table({"id": [1], "customer": ["a"], "at": ["2024-01-01"]}))
    with pytest.raises(IngestError, match="column 'total'") as caught:
        hub.ingest()
    assert caught.value.file == "data/a.parquet"
