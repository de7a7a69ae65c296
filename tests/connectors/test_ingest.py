"""``run_ingest``: idempotence, new files only, changed files, progress, views, selection."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from accord.connectors import IngestError
from accord.errors import ConfigError
from accord.project import ENTITY_FIELDS
from tests.connectors.conftest import Hub, RecordingProgress

HEADER = "id,email,total,at\n"


def orders(hub: Hub, **settings: object) -> None:
    hub.source("shop", entity="orders", type="csv", path="data/orders-*.csv",
               columns={"source_id": "id", "email": "email", "total": "total",
                        "ordered_at": "at"}, **settings)


def order_file(hub: Hub, name: str, *ids: int) -> None:
    hub.write(f"data/{name}", HEADER + "".join(f"{i},c{i}@x.org,{i}.50,2024-01-0{i % 9 + 1}\n"
                                               for i in ids))


def test_rerun_with_no_new_data_changes_nothing(hub: Hub) -> None:
    orders(hub)
    order_file(hub, "orders-1.csv", 1, 2, 3)
    assert hub.ingest().rows == 3
    before = hub.snapshot()
    hub.clock.advance(dt.timedelta(days=1))
    again = hub.ingest()
    assert (again.batches, again.rows, again.rejected) == (0, 0, 0)
    assert hub.snapshot() == before


def test_adding_one_file_loads_only_it(hub: Hub) -> None:
    orders(hub)
    order_file(hub, "orders-1.csv", 1, 2)
    hub.ingest()
    order_file(hub, "orders-2.csv", 3)
    hub.clock.advance(dt.timedelta(hours=1))
    report = hub.ingest()
    assert (report.batches, report.rows) == (1, 1)
    assert report.sources[0].files == ("data/orders-2.csv",)
    rows = hub.rows("raw_shop", order="source_id")
    assert [(row["source_id"], row["_file"]) for row in rows] == [
        ("1", "data/orders-1.csv"), ("2", "data/orders-1.csv"), ("3", "data/orders-2.csv")]
    batches = hub.rows("ingest_batches", order="loaded_at")
    assert [(b["file"], b["rows"], b["kind"]) for b in batches] == [
        ("data/orders-1.csv", 2, "file"), ("data/orders-2.csv", 1, "file")]
    assert "sha256=" in batches[0]["key"] and "size=" in batches[0]["key"]


def test_a_copy_or_a_touched_file_adds_nothing(hub: Hub) -> None:
    orders(hub)
    order_file(hub, "orders-1.csv", 1, 2)
    hub.ingest()
    before = hub.snapshot()
    shutil.copy(hub.root / "data/orders-1.csv", hub.root / "data/orders-copy.csv")
    (hub.root / "data/orders-1.csv").touch()
    assert hub.ingest().rows == 0
    assert hub.snapshot() == before


def test_a_changed_file_is_an_error_and_nothing_is_loaded(hub: Hub) -> None:
    orders(hub)
    order_file(hub, "orders-1.csv", 1, 2)
    hub.ingest()
    before = hub.snapshot()
    order_file(hub, "orders-1.csv", 1, 2, 3)
    order_file(hub, "orders-2.csv", 4)
    with pytest.raises(IngestError, match=r"data/orders-1\.csv changed since it was loaded"):
        hub.ingest()
    assert hub.snapshot() == before


def test_a_refused_batch_keeps_earlier_batches_of_the_run(hub: Hub) -> None:
    orders(hub, on_error="refuse")
    order_file(hub, "orders-1.csv", 1)
    hub.write("data/orders-2.csv", HEADER + "2,a@x.org,lots,2024-01-01\n")
    with pytest.raises(IngestError, match=r"orders-2\.csv, line 2: column 'total': 'lots' is"):
        hub.ingest()
    assert [row["source_id"] for row in hub.rows("orders", order="source_id")] == ["1"]
    assert [row["file"] for row in hub.rows("ingest_batches", order="file")] == \
        ["data/orders-1.csv"]
    # fixed, it loads on the next run
    hub.write("data/orders-2.csv", HEADER + "2,a@x.org,3,2024-01-01\n")
    assert hub.ingest().rows == 1


def test_a_refused_first_batch_leaves_a_fresh_store_empty(hub: Hub) -> None:
    orders(hub, on_error="refuse")
    hub.write("data/orders-1.csv", HEADER + "1,a@x.org,1,someday\n")
    with pytest.raises(IngestError):
        hub.ingest()
    assert hub.store.tables() == []


def test_progress_receives_row_counts(hub: Hub, progress: RecordingProgress) -> None:
    orders(hub)
    order_file(hub, "orders-1.csv", 1, 2, 3)
    hub.write("data/orders-2.csv", HEADER + "4,a@x.org,x,2024-01-01\n5,b@x.org,1,2024-01-01\n")
    hub.ingest(progress=progress)
    [task] = progress.tasks
    assert (task.description, task.advances, task.finished) == ("shop", [3, 2], True)


def test_views_union_sources_with_every_canonical_field(hub: Hub) -> None:
    orders(hub)
    hub.source("pos", entity="orders", type="csv", path="data/pos.csv",
               columns={"source_id": "ticket", "channel": "shop"})
    order_file(hub, "orders-1.csv", 1)
    hub.write("data/pos.csv", "ticket,shop\nT9,store\n")
    hub.ingest()
    rows = hub.rows("orders", order="source_id")
    assert [(row["source_id"], row["channel"], row["_source"]) for row in rows] == [
        ("1", None, "shop"), ("T9", "store", "pos")]
    assert list(rows[0]) == [*ENTITY_FIELDS["orders"], "_source"]  # type: ignore[index]
    for entity in ("contacts", "order_lines", "events", "tickets"):
        assert hub.rows(entity, order="source_id") == []


def test_only_the_named_sources(hub: Hub) -> None:
    orders(hub)
    hub.source("pos", entity="orders", type="csv", path="data/pos.csv",
               columns={"source_id": "ticket"})
    order_file(hub, "orders-1.csv", 1)
    hub.write("data/pos.csv", "ticket\nT9\n")
    report = hub.ingest(sources=["pos"])
    assert [source.source for source in report.sources] == ["pos"]
    assert [row["_source"] for row in hub.rows("orders", order="source_id")] == ["pos"]
    with pytest.raises(ConfigError, match=r"unknown source.*nope; known: shop, pos"):
        hub.ingest(sources=["nope"])


def test_a_large_csv_loads_whole_with_progress(hub: Hub) -> None:
    # Speed is measured in bench/, not asserted here: this checks a quarter of a million
    # rows arrive complete and exact through the vectorised path.
    orders(hub)
    body = "".join(f"{i},c{i}@x.org,{i % 1000}.25,2024-01-0{i % 9 + 1} 10:00:00\n"
                   for i in range(250_000))
    hub.write("data/orders-big.csv", HEADER + body)
    report = hub.ingest()
    assert report.rows == 250_000 and report.rejected == 0
    [totals] = hub.store.query("SELECT count(*) AS n, sum(CAST(source_id AS BIGINT)) AS ids "
                               "FROM orders").to_pylist()
    assert totals == {"n": 250_000, "ids": 250_000 * 249_999 // 2}
