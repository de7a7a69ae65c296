"""CSV sources: delimiter, encoding, gzip, line numbers, malformed rows, missing columns."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal

import pytest

from accord.connectors import IngestError
from accord.connectors.csv import duckdb_encoding, record_lines
from tests.connectors.conftest import Hub

CONTACTS = {"source_id": "id", "email": "email", "first_name": "name",
            "birth_date": "born"}


def contacts(hub: Hub, **settings: object) -> None:
    hub.source("crm", entity="contacts", type="csv", path="data/*.csv*",
               columns=CONTACTS, **settings)


def test_semicolons_latin1_and_gzip(hub: Hub) -> None:
    contacts(hub, csv={"delimiter": ";", "encoding": "latin-1"})
    text = "id;email;name;born\n1;z@x.org;Zoë;2001-02-03\n2;b@x.org;Begoña;1990-12-31\n"
    hub.write("data/a.csv", text, encoding="latin-1")
    hub.write("data/b.csv.gz", gzip.compress("id;email;name;born\n3;c@x.org;Chloé;\n"
                                             .encode("latin-1")))
    report = hub.ingest()
    assert (report.batches, report.rows, report.rejected) == (2, 3, 0)
    rows = hub.rows("raw_crm", order="source_id")
    assert [(row["source_id"], row["first_name"], row["birth_date"], row["_file"], row["_line"])
            for row in rows] == [
        ("1", "Zoë", dt.date(2001, 2, 3), "data/a.csv", 2),
        ("2", "Begoña", dt.date(1990, 12, 31), "data/a.csv", 3),
        ("3", "Chloé", None, "data/b.csv.gz", 2),
    ]
    assert rows[0]["_source"] == "crm" and rows[0]["_loaded_at"] == dt.datetime(2024, 6, 1, 12)


def test_gzip_is_recognised_by_content_whatever_the_name(hub: Hub) -> None:
    contacts(hub)
    hub.write("data/export.csv", gzip.compress(b"id,email,name,born\n1,a@x.org,Ann,\n"))
    assert hub.ingest().rows == 1


def test_lines_count_blank_lines_and_quoted_newlines(hub: Hub) -> None:
    contacts(hub, on_error="reject")
    hub.write("data/a.csv", 'id,email,name,born\r\n1,a@x.org,"Ann\r\nMarie",2000-01-01\r\n'
                            '\r\n2,b@x.org,Bo,2000-13-01\r\n3,c@x.org,Cy\r\n4,d@x.org,Di,\r\n')
    report = hub.ingest()
    assert (report.rows, report.rejected) == (2, 2)
    assert [(row["source_id"], row["_line"]) for row in hub.rows("raw_crm")] == \
        [("1", 2), ("4", 7)]
    rejects = hub.rows("rejects", order="line")
    assert [(row["file"], row["line"], row["column"]) for row in rejects] == \
        [("data/a.csv", 5, "born"), ("data/a.csv", 6, "born")]
    assert "2000-13-01" in rejects[0]["error"] and "date" in rejects[0]["error"]
    assert "Expected Number of Columns" in rejects[1]["error"]
    assert rejects[1]["raw"] == "3,c@x.org,Cy"


def test_unmapped_columns_are_ignored_whatever_they_hold(hub: Hub) -> None:
    contacts(hub)
    hub.write("data/a.csv", "id,notes,email,name,born,score\n1,x,a@x.org,Ann,,abc\n")
    assert hub.ingest().rows == 1


def test_missing_column_is_a_batch_error_naming_file_and_column(hub: Hub) -> None:
    contacts(hub)
    hub.write("data/a.csv", "id,email,name\n1,a@x.org,Ann\n")
    with pytest.raises(IngestError, match=r"data/a\.csv: column 'born'.*missing") as caught:
        hub.ingest()
    assert (caught.value.file, caught.value.column) == ("data/a.csv", "born")
    assert hub.store.tables() == []


def test_refuse_names_the_first_bad_line_and_writes_nothing(hub: Hub) -> None:
    contacts(hub, on_error="refuse")
    hub.write("data/a.csv", "id,email,name,born\n1,a@x.org,Ann,2000-01-01\n")
    hub.ingest()
    before = hub.snapshot()
    hub.write("data/b.csv", "id,email,name,born\n2,b@x.org,Bo,2000-01-02\n"
                            "3,c@x.org,Cy,31/12/2000\n4,d@x.org,Di,never\n")
    with pytest.raises(IngestError) as caught:
        hub.ingest()
    error = caught.value
    assert (error.file, error.line, error.column) == ("data/b.csv", 3, "born")
    assert "refused data/b.csv (2 malformed rows" in str(error)
    assert "'31/12/2000' is not a date" in str(error)
    assert [e.line for e in error.errors] == [3, 4]
    assert hub.snapshot() == before


def test_date_and_timestamp_formats(hub: Hub) -> None:
    hub.source("crm", entity="contacts", type="csv", path="data/*.csv",
               csv={"date_format": "%d/%m/%Y", "timestamp_format": "%d/%m/%Y %H:%M"},
               columns={"source_id": "id", "birth_date": "born", "updated_at": "seen"})
    hub.write("data/a.csv", "id,born,seen\n1,31/12/2000,01/02/2024 13:45\n2,2000-12-31,\n")
    report = hub.ingest()
    assert (report.rows, report.rejected) == (1, 1)
    row = hub.rows("raw_crm")[0]
    assert (row["birth_date"], row["updated_at"]) == \
        (dt.date(2000, 12, 31), dt.datetime(2024, 2, 1, 13, 45))
    assert "in the format %d/%m/%Y" in hub.rows("rejects", order="line")[0]["error"]


def test_typed_values(hub: Hub) -> None:
    hub.source("shop", entity="orders", type="csv", path="data/*.csv",
               columns={"source_id": "id", "total": "total", "ordered_at": "at"})
    hub.write("data/a.csv", "id,total,at\n1, 12.5 ,2024-01-02T10:00:00+02:00\n2,,\n"
                            "3,1e40,2024-01-02\n4,abc,2024-01-02\n")
    report = hub.ingest()
    assert (report.rows, report.rejected) == (2, 2)
    rows = hub.rows("raw_shop")
    assert [(row["total"], row["ordered_at"]) for row in rows] == [
        (Decimal("12.50"), dt.datetime(2024, 1, 2, 8)), (None, None)]
    errors = [row["error"] for row in hub.rows("rejects", order="line")]
    assert errors == ["'1e40' is not a number like 12.50", "'abc' is not a number like 12.50"]


def test_duplicate_header_names_are_an_error(hub: Hub) -> None:
    contacts(hub)
    hub.write("data/a.csv", "id,email,name,born,email\n1,a,b,,c\n")
    with pytest.raises(IngestError, match=r"duplicate column name.*email"):
        hub.ingest()


def test_empty_and_header_only_files_load_nothing(hub: Hub) -> None:
    contacts(hub)
    hub.write("data/a.csv", "")
    hub.write("data/b.csv", "id,email,name,born\n")
    report = hub.ingest()
    assert (report.batches, report.rows) == (2, 0)
    assert hub.rows("contacts", order="source_id") == []


def test_headerless_files_name_columns_by_position(hub: Hub) -> None:
    hub.source("crm", entity="contacts", type="csv", path="data/*.csv",
               csv={"header": False}, columns={"source_id": "column0", "email": "column2"})
    hub.write("data/a.csv", "1,x,a@x.org\n2,y,b@x.org\n")
    hub.ingest()
    assert [(row["email"], row["_line"]) for row in hub.rows("raw_crm")] == \
        [("a@x.org", 1), ("b@x.org", 2)]


def test_encodings() -> None:
    assert duckdb_encoding("ISO-8859-1") == "latin-1"
    assert duckdb_encoding("UTF8") == "utf-8"
    with pytest.raises(IngestError, match="unsupported CSV encoding 'cp1252'"):
        duckdb_encoding("cp1252")


def test_record_lines_without_a_final_newline() -> None:
    lines, blank = record_lines(b'a\n"x\n\ny"\nb')
    assert (lines.tolist(), blank.tolist()) == ([1, 2, 5], [False, False, False])
