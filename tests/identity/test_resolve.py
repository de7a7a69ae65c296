"""run_identity and explain over a real in-memory DuckDB store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from accord.cli.main import app
from accord.clock import FixedClock
from accord.errors import ConfigError
from accord.identity.explain import UnknownCustomerError, explain, render_text
from accord.identity.resolve import IdentityReport, run_identity
from accord.progress import SilentProgress
from accord.project.config import Entity, Identity, MatchRule, Project
from accord.store import AnalyticalStore, open_store
from accord.testing.hub import create_entity
from accord.testing.identity_data import (
    generate_identity_data,
    identity_project,
    pairwise_scores,
    write_to_store,
)

CLOCK = FixedClock(dt.datetime(2025, 3, 1, 9, 30))
PROJECT = Project(name="t")

CONTACTS = [
    {"_source": "crm", "source_id": "C1", "customer_ref": "C1", "email": " Ann@Example.com",
     "phone": "07812 345678", "first_name": "Ann"},
    {"_source": "crm", "source_id": "C2", "customer_ref": "C2", "email": "bob@example.com",
     "first_name": "Bob"},
]
ORDERS = [
    {"_source": "shop", "source_id": "O1", "email": "ann@example.com"},
    {"_source": "shop", "source_id": "O2", "customer_ref": " C2 ", "phone": "+44 20 7946 0958"},
    # three different people typed test@example.com beside their own shop accounts
    {"_source": "shop", "source_id": "O3", "email": "test@example.com", "customer_ref": "S3"},
    {"_source": "shop", "source_id": "O4", "email": "TEST@example.com ", "customer_ref": "S4"},
    {"_source": "shop", "source_id": "O5", "email": "test@example.com", "phone": "n/a",
     "customer_ref": "S5"},
]
TICKETS = [
    {"_source": "service", "source_id": "T1", "phone": "+44 (0)7812 345678"},
]


@pytest.fixture
def store() -> Iterator[AnalyticalStore]:
    store = open_store("duckdb")
    create_entity(store, Entity.CONTACTS, CONTACTS)
    create_entity(store, Entity.ORDERS, ORDERS)
    create_entity(store, Entity.TICKETS, TICKETS)
    create_entity(store, Entity.EVENTS, [])
    yield store
    store.close()


def _run(store: AnalyticalStore, project: Project = PROJECT) -> IdentityReport:
    return run_identity(project, store, clock=CLOCK, progress=SilentProgress())


def _map(store: AnalyticalStore) -> dict[str, str]:
    rows = store.query("SELECT source_id, customer_id FROM identity_map").to_pylist()
    return {row["source_id"]: row["customer_id"] for row in rows}


def _identity(max_group_size: int = 2, **kwargs: object) -> Project:
    return Project(name="t", identity=Identity(max_group_size=max_group_size, **kwargs))


def test_links_records_across_sources(store: AnalyticalStore) -> None:
    report = _run(store, _identity())
    ids = _map(store)
    assert ids["C1"] == ids["O1"] == ids["T1"]  # e-mail, then phone variants
    assert ids["C2"] == ids["O2"]  # customer_ref with spaces
    assert ids["C1"] != ids["C2"]
    # test@example.com sits beside three other identifiers, over the limit of two: the
    # three people who typed it stay apart.
    assert len({ids["O3"], ids["O4"], ids["O5"]}) == 3
    assert report.records == 8 and report.customers == 5
    assert [(i.kind, i.value, i.records) for i in report.ignored] == [
        ("email", "test@example.com", 3)]
    assert report.invalid == {"phone": 1}
    assert report.links == {"email": 1, "phone": 1, "customer_ref": 1}
    assert store.query("SELECT * FROM identity_ignored").to_pylist() == [
        {"kind": "email", "value": "test@example.com", "records": 3}]
    assert not [t for t in store.tables() if t.startswith("_identity")]


def test_identifiers_table(store: AnalyticalStore) -> None:
    _run(store)
    rows = store.query("SELECT kind, value, raw FROM identifiers WHERE source_id = 'T1'")
    assert rows.to_pylist() == [{"kind": "phone", "value": "+447812345678",
                                 "raw": "+44 (0)7812 345678"}]


def test_guard_limit_is_configured(store: AnalyticalStore) -> None:
    _run(store, _identity(max_group_size=3))
    ids = _map(store)
    assert ids["O3"] == ids["O4"] == ids["O5"]


def test_rules_restricted_to_sources(store: AnalyticalStore) -> None:
    rules = [MatchRule(name="email", identifiers=["email"], sources=["crm", "shop"]),
             MatchRule(name="ref", identifiers=["customer_ref"])]
    report = _run(store, _identity(rules=rules))
    ids = _map(store)
    assert ids["C1"] == ids["O1"]
    assert ids["T1"] != ids["C1"]  # phones do not link under these rules
    assert report.links == {"email": 1, "ref": 1}


def test_unknown_source_in_a_rule_is_refused(store: AnalyticalStore) -> None:
    project = identity_project(identity=Identity(rules=[
        MatchRule(name="email", identifiers=["email"], sources=["nope"])]))
    with pytest.raises(ConfigError, match="unknown source"):
        _run(store, project)


def test_rebuild_is_idempotent(store: AnalyticalStore) -> None:
    _run(store)
    first = _map(store)
    report = _run(store)
    assert _map(store) == first
    assert report.merges == () and report.created == 0 and report.kept == report.customers
    assert store.query("SELECT count(*) AS n FROM identity_merges").to_pylist() == [{"n": 0}]


def test_new_records_keep_ids_and_merges_are_recorded(store: AnalyticalStore) -> None:
    _run(store)
    before = _map(store)
    # A new order joins Ann's customer; a ticket carries Ann's and Bob's phones? No: one
    # ticket with Bob's e-mail and Ann's phone joins the two customers.
    create_entity(store, Entity.TICKETS, [
        *TICKETS,
        {"_source": "service", "source_id": "T2", "email": "ANN@example.com"},
        {"_source": "service", "source_id": "T3", "email": "bob@example.com",
         "phone": "07812345678"},
    ])
    report = _run(store)
    after = _map(store)
    assert len(report.merges) == 1
    merge = report.merges[0]
    # Ann's customer (C1, O1, T1) is larger than Bob's (C2, O2): it survives.
    assert merge.survivor == before["C1"] and merge.merged == before["C2"]
    assert merge.reason in ("email:bob@example.com", "phone:+447812345678")
    assert {after[k] for k in ("C1", "O1", "T1", "T2", "T3", "C2", "O2")} == {before["C1"]}
    assert all(after[k] == v for k, v in before.items() if v not in (before["C2"],))
    rows = store.query('SELECT survivor, merged, "at", reason FROM identity_merges').to_pylist()
    assert rows == [{"survivor": merge.survivor, "merged": merge.merged,
                     "at": dt.datetime(2025, 3, 1, 9, 30), "reason": merge.reason}]

    explanation = explain(store, before["C2"])  # the merged id is followed
    assert explanation.customer_id == before["C1"] and explanation.requested == before["C2"]
    assert [(m.survivor, m.merged) for m in explanation.merges] == [
        (before["C1"], before["C2"])]
    text = render_text(explanation)
    assert "was merged into it" in text and "merges:" in text


def test_explain_shows_records_links_and_ignored(store: AnalyticalStore) -> None:
    _run(store, _identity())
    ids = _map(store)
    explanation = explain(store, ids["C1"])
    assert [(r.source, r.source_id) for r in explanation.records] == [
        ("crm", "C1"), ("service", "T1"), ("shop", "O1")]
    assert explanation.records[0].fields == {"first_name": "Ann"}
    assert [(link.kind, link.value, link.records) for link in explanation.links] == [
        ("email", "ann@example.com", (("crm", "C1"), ("shop", "O1"))),
        ("phone", "+447812345678", (("crm", "C1"), ("service", "T1")))]
    assert explanation.ignored == ()
    junk = explain(store, ids["O3"])
    assert junk.ignored == (("email", "test@example.com", 3),) and junk.links == ()
    text = render_text(explanation)
    assert "crm/C1" in text and "phone +447812345678: crm/C1, service/T1" in text


def test_explain_unknown(store: AnalyticalStore) -> None:
    with pytest.raises(UnknownCustomerError, match="run 'accord identity'"):
        explain(store, "c_000000000000")
    _run(store)
    with pytest.raises(UnknownCustomerError, match="no customer"):
        explain(store, "c_000000000000")


def test_empty_store() -> None:
    store = open_store("duckdb")
    report = _run(store)
    assert report.records == 0 and report.customers == 0
    assert store.query("SELECT count(*) AS n FROM identity_map").to_pylist() == [{"n": 0}]


def test_generated_data_precision_and_recall() -> None:
    data = generate_identity_data(200_000, seed=7)
    store = open_store("duckdb")
    write_to_store(data, store)
    report = _run(store, identity_project())
    scores = pairwise_scores(store)
    assert report.records == 200_000
    assert scores.precision == 1.0
    assert scores.recall >= 0.99
    assert {i.value for i in report.ignored} >= {"test@example.com", "+442079460000"}
    # A rebuild after new records keeps every id: the map restricted to old records is equal.
    old = store.query("SELECT source, source_id, customer_id FROM identity_map").to_pylist()
    more = generate_identity_data(200_000, seed=8)
    extra = {source: table.slice(0, 2_000).set_column(
        0, "source_id", [[f"new-{v}" for v in table.column("source_id").to_pylist()[:2_000]]])
        for source, table in more.tables.items()}
    for source, table in extra.items():
        store.write(f"new_{source}", table, mode="replace")
        store.execute(f"INSERT INTO raw_{source} BY NAME "
                      f"SELECT *, '{source}' AS _source FROM new_{source}")
    report = _run(store, identity_project())
    now = {(r["source"], r["source_id"]): r["customer_id"] for r in
           store.query("SELECT source, source_id, customer_id FROM identity_map").to_pylist()}
    merged = {m.merged for m in report.merges}
    changed = [r for r in old if now[(r["source"], r["source_id"])] != r["customer_id"]]
    assert all(r["customer_id"] in merged for r in changed)
    assert report.records == 206_000 and report.kept > 60_000 and report.created > 0


def test_cli_identity_and_explain(tmp_path: Path) -> None:
    (tmp_path / "accord.yaml").write_text(yaml.safe_dump({"name": "t"}), encoding="utf-8")
    store = open_store("duckdb", tmp_path / ".accord" / "analytics.duckdb")
    create_entity(store, Entity.CONTACTS, CONTACTS)
    create_entity(store, Entity.ORDERS, ORDERS)
    store.close()
    runner = CliRunner()
    result = runner.invoke(app, ["identity", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "customers" in result.output and "links per rule" in result.output
    store = open_store("duckdb", tmp_path / ".accord" / "analytics.duckdb", read_only=True)
    customer = _map(store)["C1"]
    store.close()
    result = runner.invoke(app, ["identity", "explain", customer, "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "crm/C1" in result.output and "email ann@example.com" in result.output
    result = runner.invoke(app, ["identity", "explain", "c_nope", "--project", str(tmp_path)])
    assert result.exit_code == 2 and "no customer" in result.output
