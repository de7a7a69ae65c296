"""NDJSON sources: nested properties, dotted paths, lines that are not JSON objects."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from decimal import Decimal

import pytest

from accord.connectors import IngestError
from tests.connectors.conftest import Hub

EVENTS = {"source_id": "id", "email": "user.email", "type": "type", "channel": "channel",
          "occurred_at": "at", "value": "value", "properties": "properties"}


def events(hub: Hub, **settings: object) -> None:
    hub.source("web", entity="events", type="ndjson", path="events/*.ndjson*",
               columns=EVENTS, **settings)


def line(**values: object) -> str:
    return json.dumps(values)


def test_nested_properties_and_dotted_paths(hub: Hub) -> None:
    events(hub)
    hub.write("events/a.ndjson", "\n".join([
        line(id=1, user={"email": "a@x.org"}, type="page_view", channel="web",
             at="2024-05-01T10:00:00Z", properties={"url": "/shoes", "utm": {"source": "mail"}}),
        "",
        line(id=2, user={}, type="purchase", channel="app", at="2024-05-01 11:00:00",
             value=19.99, properties=None),
    ]) + "\n")
    report = hub.ingest()
    assert (report.rows, report.rejected) == (2, 0)
    rows = hub.rows("raw_web")
    assert [(row["source_id"], row["email"], row["occurred_at"], row["value"], row["_line"])
            for row in rows] == [
        ("1", "a@x.org", dt.datetime(2024, 5, 1, 10), None, 1),
        ("2", None, dt.datetime(2024, 5, 1, 11), Decimal("19.99"), 3),
    ]
    assert json.loads(rows[0]["properties"]) == {"url": "/shoes", "utm": {"source": "mail"}}
    assert rows[1]["properties"] is None
    utm = hub.store.query("SELECT properties->>'$.utm.source' AS s FROM events "
                          "WHERE source_id = '1'").to_pylist()
    assert utm == [{"s": "mail"}]


def test_lines_that_are_not_json_objects_are_rejected_with_their_line(hub: Hub) -> None:
    events(hub)
    hub.write("events/a.ndjson.gz", gzip.compress("\n".join([
        line(id=1, type="open", at="2024-05-01"), "{not json", "[1, 2]",
        line(id=4, type="open", at="yesterday")]).encode()))
    report = hub.ingest()
    assert (report.rows, report.rejected) == (1, 3)
    rejects = hub.rows("rejects", order="line")
    assert [(row["line"], row["column"], row["error"]) for row in rejects] == [
        (2, None, "not a JSON object"), (3, None, "not a JSON object"),
        (4, "at", "'yesterday' is not a date and time like 2024-05-31 14:30:00 "
                  "(an offset like +02:00 is allowed)")]
    assert rejects[0]["raw"] == "{not json"


def test_keys_are_optional_but_the_id_is_not(hub: Hub) -> None:
    events(hub)
    hub.write("events/a.ndjson", line(id=1, type="open", at="2024-05-01") + "\n")
    assert hub.ingest().rows == 1
    hub.write("events/b.ndjson", line(ident=2, type="open", at="2024-05-01") + "\n")
    with pytest.raises(IngestError, match=r"events/b\.ndjson: column 'id' .*in no line"):
        hub.ingest()


def test_refuse_on_a_bad_line(hub: Hub) -> None:
    events(hub, on_error="refuse")
    hub.write("events/a.ndjson", "\n".join([
        line(id=1, user={"email": "a"}, type="t", channel="c", at="2024-05-01", value=1,
             properties={}), "oops"]))
    with pytest.raises(IngestError, match=r"events/a\.ndjson, line 2: not a JSON object"):
        hub.ingest()
    assert hub.store.tables() == []


def test_empty_and_blank_files_load_nothing(hub: Hub) -> None:
    events(hub)
    hub.write("events/a.ndjson", "")
    hub.write("events/b.ndjson", "\n  \n")
    report = hub.ingest()
    assert (report.batches, report.rows, report.rejected) == (2, 0, 0)
