"""The demo generator: deterministic, realistic variants, and duplicates that stay linkable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from accord.demo import DemoSpec, generate_demo
from accord.demo.generate import MARKER
from accord.demo.people import PLACEHOLDER_EMAIL
from accord.demo.truth import read_truth
from accord.errors import ConfigError
from accord.identity.normalise import normalise_email, normalise_phone
from accord.project import load_project

AS_OF = dt.date(2025, 6, 30)


def _contacts(directory: Path) -> pa.Table:
    files = sorted((directory / "data" / "crm").glob("contacts-*.csv"))
    convert = pa_csv.ConvertOptions(column_types={"phone": pa.string(), "email": pa.string()},
                                    strings_can_be_null=True)
    return pa.concat_tables([pa_csv.read_csv(f, convert_options=convert) for f in files])


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo") / "retailer"
    # three blocks: ids must stay unique across them
    generate_demo(directory, DemoSpec(customers=1_200, as_of=AS_OF, block=500))
    return directory


def test_same_seed_writes_the_same_files_and_another_seed_does_not(tmp_path: Path) -> None:
    spec = DemoSpec(customers=300, as_of=AS_OF)
    generate_demo(tmp_path / "a", spec)
    generate_demo(tmp_path / "b", spec)
    generate_demo(tmp_path / "c", DemoSpec(customers=300, as_of=AS_OF, seed=8))
    for name in ("data/crm/contacts-000.csv", "data/events/events-000.ndjson"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()
    assert pq.read_table(tmp_path / "a" / "data/shop/orders-000.parquet").equals(
        pq.read_table(tmp_path / "b" / "data/shop/orders-000.parquet"))


def test_counts_are_those_of_a_retailer(small: Path) -> None:
    report = generate_demo(small, DemoSpec(customers=1_200, as_of=AS_OF, block=500))
    assert report.people == 1_200
    # most people are in the CRM (guests are not), some twice
    assert 1_050 < report.contacts < 1_250
    assert 2.0 < report.orders / report.people < 4.0
    assert 1.5 < report.order_lines / report.orders < 3.0
    assert 6 < report.events / report.people < 16
    assert 0 < report.tickets < report.people
    truth = read_truth(small)
    assert truth.num_rows == report.records
    assert pc.count_distinct(truth["person"]).as_py() == 1_200


def test_ids_are_unique_across_blocks(small: Path) -> None:
    truth = read_truth(small)
    for source in ("crm", "shop_orders", "shop_order_lines", "events", "service_desk"):
        ids = truth.filter(pc.equal(truth["source"], source))["source_id"]
        assert len(ids) > 0
        assert pc.count_distinct(ids).as_py() == len(ids), source
    assert len(list((small / "data" / "crm").glob("contacts-*.csv"))) == 3


def test_every_phone_is_valid_and_written_many_ways(small: Path) -> None:
    phones = [p for p in _contacts(small)["phone"].to_pylist() if p is not None]
    assert [p for p in phones if normalise_phone(p, "GB") is None] == []
    shapes = {"+44 7", "+44 (0)7", "+447", "0044 7", "(07", "07", "+353"}
    seen = {shape for shape in shapes for phone in phones if phone.startswith(shape)}
    assert seen == shapes
    assert any(" " not in phone and phone.startswith("07") for phone in phones)


def test_emails_vary_in_case_and_spacing_but_one_person_has_one_address(small: Path) -> None:
    contacts = _contacts(small)
    emails = [e for e in contacts["email"].to_pylist() if e is not None]
    assert any(e != e.strip() for e in emails)
    assert any(e != e.lower() for e in emails)
    truth = read_truth(small)
    people = dict(zip(truth["source_id"].to_pylist(), truth["person"].to_pylist(),
                      strict=True))
    owners: dict[str, set[int]] = {}
    for contact, email in zip(contacts["contact_id"].to_pylist(),
                              contacts["email"].to_pylist(), strict=True):
        owners.setdefault(str(normalise_email(email)), set()).add(people[contact])
    assert all(len(persons) == 1 for persons in owners.values())


def test_every_duplicate_shares_an_email_or_a_phone_with_its_person(small: Path) -> None:
    contacts = _contacts(small)
    truth = read_truth(small)
    people = dict(zip(truth["source_id"].to_pylist(), truth["person"].to_pylist(),
                      strict=True))
    records: dict[int, list[set[str]]] = {}
    for row in contacts.select(["contact_id", "email", "phone"]).to_pylist():
        keys = {f"e:{normalise_email(row['email'])}" if row["email"] else "",
                f"p:{normalise_phone(row['phone'], 'GB')}" if row["phone"] else ""} - {""}
        records.setdefault(people[row["contact_id"]], []).append(keys)
    duplicated = [keys for keys in records.values() if len(keys) > 1]
    assert len(duplicated) > 20
    assert all(keys[0] & keys[1] for keys in duplicated)


def test_project_file_is_valid_and_its_sources_exist(small: Path) -> None:
    project = load_project(small)
    assert set(project.sources) == {"crm", "shop_orders", "shop_order_lines", "events",
                                    "service_desk"}
    for source in project.sources.values():
        target = source.path or source.url
        assert target is not None
        assert list(small.glob(target)), target
    assert len(project.segments) >= 8


def test_placeholder_emails_are_written_when_asked(tmp_path: Path) -> None:
    generate_demo(tmp_path, DemoSpec(customers=500, as_of=AS_OF, placeholder_records=30))
    emails = _contacts(tmp_path)["email"].to_pylist()
    assert emails.count(PLACEHOLDER_EMAIL) == 30


def test_refuses_to_overwrite_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not made by 'accord demo'"):
        generate_demo(tmp_path, DemoSpec(customers=10, as_of=AS_OF))
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_replaces_an_earlier_demo(tmp_path: Path) -> None:
    generate_demo(tmp_path, DemoSpec(customers=50, as_of=AS_OF, block=20))
    assert (tmp_path / MARKER).is_file()
    generate_demo(tmp_path, DemoSpec(customers=50, as_of=AS_OF))
    assert [p.name for p in (tmp_path / "data" / "crm").iterdir()] == ["contacts-000.csv"]


def test_spec_bounds() -> None:
    with pytest.raises(ValueError, match="customers"):
        DemoSpec(customers=0)
