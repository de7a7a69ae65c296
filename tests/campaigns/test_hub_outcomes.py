"""Outcomes built from the hub's decision log and events, against hand-computed answers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from typer.testing import CliRunner

from accord.campaigns.hub_outcomes import build_hub_outcomes, hub_outcome_rows
from accord.campaigns.metrics import lifts
from accord.campaigns.model import Campaign
from accord.campaigns.outcomes import TABLE, arm_summaries
from accord.campaigns.service import event_types
from accord.cli.main import app
from accord.clock import FixedClock
from accord.decisioning.active import ActiveRules
from accord.decisioning.catalogue_file import build_ruleset, read_folder
from accord.decisioning.service import DecisionService, EventIn
from accord.demo.rules import RULES_DIR
from accord.errors import ConfigError
from accord.logs import DurableLog, load_logs
from accord.online.contacts import ContactStore
from accord.online.memory import MemoryOnlineStore
from accord.project.template import store_path
from accord.store import open_store
from accord.store.base import AnalyticalStore

SPEC = {"name": "spring", "owner": "ana", "channels": ["email", "web"],
        "treatments": ["offer-a", "offer-b"],
        "schedule": {"start": "2026-03-01", "end": "2026-03-10"},
        "measurement_window": "7d"}

#: decision id, customer, channel, at, given, holdouts
DECISIONS: list[tuple[str, str | None, str, str, list[str], list[str]]] = [
    ("d01", "c1", "email", "2026-03-02T10:00:00+00:00", ["offer-a"], []),
    ("d02", "c2", "email", "2026-03-02T10:00:00+00:00", ["offer-b"], []),
    # held out: the placement default is given instead; 11:00+01:00 is 10:00 UTC
    ("d03", "c3", "email", "2026-03-02T11:00:00+01:00", ["default"], ["offer-a"]),
    ("d04", "c4", "web", "2026-03-03T09:00:00+00:00", [], ["offer-b"]),
    # c5 is held out first, then treated: the first decision counts, c5 stays control
    ("d05", "c5", "web", "2026-03-03T09:00:00+00:00", [], ["offer-a"]),
    ("d06", "c5", "web", "2026-03-04T09:00:00+00:00", ["offer-a"], []),
    # c6 treated by e-mail then on the web (a send and an impression), then held out
    ("d07", "c6", "email", "2026-03-04T08:00:00+00:00", ["offer-a"], []),
    ("d08", "c6", "web", "2026-03-05T08:00:00+00:00", ["offer-a"], []),
    ("d09", "c6", "email", "2026-03-06T08:00:00+00:00", ["default"], ["offer-a"]),
    # outside the schedule (the end day counts whole)
    ("d10", "c7", "email", "2026-02-28T23:59:59+00:00", ["offer-a"], []),
    ("d11", "c8", "email", "2026-03-11T00:00:00+00:00", ["offer-a"], []),
    ("d12", "c9", "email", "2026-03-10T23:59:59+00:00", ["offer-a"], []),
    # another treatment, a channel the campaign does not use, an anonymous decision
    ("d13", "c10", "email", "2026-03-02T10:00:00+00:00", ["other"], []),
    ("d14", "c11", "sms", "2026-03-02T10:00:00+00:00", ["offer-a"], []),
    ("d15", None, "web", "2026-03-02T10:00:00+00:00", ["offer-a"], []),
]

#: event id, customer, type, occurred at, value
API_EVENTS: list[tuple[str, str, str, str, str | None]] = [
    ("1", "c1", "page_view", "2026-03-02T12:00:00+00:00", None),
    ("2", "c1", "purchase", "2026-03-03T10:00:00+00:00", "50"),
    ("3", "c1", "purchase", "2026-03-09T10:00:00+00:00", "20"),  # the window's last instant
    ("4", "c1", "purchase", "2026-03-09T10:00:01+00:00", "1000"),  # after the window
    ("5", "c1", "purchase", "2026-03-01T10:00:00+00:00", "500"),  # before the decision
    ("6", "c1", "email_opened", "2026-03-02T11:00:00+00:00", None),
    ("7", "c1", "email_clicked", "2026-03-02T11:05:00+00:00", None),
    ("8", "c2", "purchase", "2026-03-02T10:00:00+00:00", "40"),  # the decision's instant
    ("9", "c2", "add_to_cart", "2026-03-04T10:00:00+00:00", None),
    ("10", "c3", "purchase", "2026-03-05T10:00:00+00:00", "30"),
    ("10", "c3", "purchase", "2026-03-05T10:00:00+00:00", "30"),  # delivered twice
    ("11", "c5", "page_view", "2026-03-03T10:00:00+00:00", None),
    ("12", "c6", "purchase", "2026-03-05T09:00:00+00:00", None),  # no value: revenue 0
    ("13", "c7", "purchase", "2026-03-01T10:00:00+00:00", "99"),  # not in the campaign
]

#: (customer, variant, control, sends, impressions, opens, clicks, visited, converted,
#: revenue), ordered by customer
EXPECTED = [
    ("c1", "offer-a", False, 1, 0, 1, 1, True, True, 70.0),
    ("c2", "offer-b", False, 1, 0, 1, 0, True, False, 0.0),
    ("c3", "control", True, 0, 0, 0, 0, True, True, 30.0),
    ("c4", "control", True, 0, 0, 0, 0, False, False, 0.0),
    ("c5", "control", True, 0, 0, 0, 0, True, False, 0.0),
    ("c6", "offer-a", False, 1, 1, 0, 0, True, True, 0.0),
    ("c9", "offer-a", False, 1, 0, 0, 0, False, False, 0.0),
]


def _decision_log(rows: Sequence[tuple[str, str | None, str, str, list[str], list[str]]]
                  ) -> pa.Table:
    """Decisions as ``accord logs load`` stores them: nested parts as JSON text."""
    return pa.Table.from_pylist([
        {"decision_id": d, "at": at, "customer_id": customer, "channel": channel,
         "rule_version": "v1", "input_digest": "x",
         "placements": json.dumps({"hero": given}), "given": json.dumps(given),
         "holdouts": json.dumps(held), "candidates": json.dumps([])}
        for d, customer, channel, at, given, held in rows])


def _api_events() -> pa.Table:
    ids, customers, types, times, values = zip(*API_EVENTS, strict=True)
    size = len(ids)
    return pa.table({
        "event_id": list(ids), "type": list(types), "occurred_at": list(times),
        "customer_id": list(customers), "email": pa.nulls(size, pa.string()),
        "anonymous_id": pa.nulls(size, pa.string()), "channel": ["web"] * size,
        "value": pa.array(values, pa.string()), "properties": ["{}"] * size})


def _ingested() -> tuple[pa.Table, pa.Table]:
    """E-mail platform opens: one of this campaign's (counted), one of a newsletter's."""
    events = pa.table({
        "_source": ["esp", "esp"], "source_id": ["u1", "u2"],
        "type": ["email_opened", "email_opened"],
        "occurred_at": pa.array([dt.datetime(2026, 3, 2, 12), dt.datetime(2026, 3, 2, 12)],
                                pa.timestamp("us")),
        "channel": ["email", "email"], "campaign": ["newsletter", "spring"],
        "value": pa.nulls(2, pa.float64()), "properties": ["{}", "{}"]})
    identity = pa.table({"source": ["esp", "esp"], "source_id": ["u1", "u2"],
                         "customer_id": ["c1", "c2"]})
    return events, identity


def _fill(store: AnalyticalStore) -> None:
    store.write("decision_log", _decision_log(DECISIONS))
    store.write("raw_api_events", _api_events())
    events, identity = _ingested()
    store.write("events", events)
    store.write("identity_map", identity)


@pytest.fixture
def store() -> Iterator[AnalyticalStore]:
    opened = open_store("duckdb")
    _fill(opened)
    yield opened
    opened.close()


def _campaign(**changes: object) -> Campaign:
    return Campaign.model_validate({**SPEC, **changes})


def _rows(store: AnalyticalStore) -> list[tuple[object, ...]]:
    """Campaign ``spring``'s rows without the campaign column, by customer."""
    table = store.query(f"SELECT * FROM {TABLE} WHERE campaign = 'spring' ORDER BY 2")
    return [tuple(row[c] for c in table.column_names[1:]) for row in table.to_pylist()]


def test_outcome_rows_from_decisions_and_events(store: AnalyticalStore) -> None:
    written = build_hub_outcomes(store, _campaign(), event_types(store))
    assert written == len(EXPECTED)
    assert _rows(store) == EXPECTED


def test_arm_summaries_and_lift(store: AnalyticalStore) -> None:
    build_hub_outcomes(store, _campaign(), event_types(store))
    arms = {arm.variant: arm for arm in arm_summaries(store, "spring")}
    assert [a.variant for a in arm_summaries(store, "spring")] == ["offer-a", "offer-b",
                                                                    "control"]
    a, b, control = arms["offer-a"], arms["offer-b"], arms["control"]
    assert (a.customers, a.sends, a.impressions, a.opens, a.clicks, a.visits,
            a.conversions, a.revenue, a.revenue_sumsq) == (3, 3, 1, 1, 1, 2, 2, 70.0, 4900.0)
    assert (b.customers, b.sends, b.opens, b.clicks, b.visits, b.conversions,
            b.revenue) == (1, 1, 1, 0, 1, 0, 0.0)
    assert control.control and (control.customers, control.sends, control.visits,
                                control.conversions, control.revenue) == (3, 0, 2, 1, 30.0)
    lift = lifts(a, control)
    assert lift["conversion_rate"].difference == pytest.approx(2 / 3 - 1 / 3)
    assert lift["visit_rate"].difference == pytest.approx(0.0)
    assert lift["revenue_per_customer"].difference == pytest.approx(70 / 3 - 10)


def test_opens_not_measured_without_open_events(store: AnalyticalStore) -> None:
    known = event_types(store) - {"email_opened", "email_clicked"}
    build_hub_outcomes(store, _campaign(), known)
    assert {(row[5], row[6]) for row in _rows(store)} == {(None, None)}
    build_hub_outcomes(store, _campaign(channels=["web"]), event_types(store))
    web = _rows(store)  # no e-mail channel: opens are not this campaign's to count
    assert {(row[5], row[6]) for row in web} == {(None, None)}
    # e-mail decisions are not the campaign's now: only c4, c5 and c6 (on the web) remain
    assert [(row[0], row[1], row[3], row[4]) for row in web] == [
        ("c4", "control", 0, 0), ("c5", "control", 0, 0), ("c6", "offer-a", 0, 1)]


def test_rebuilding_replaces_the_rows(store: AnalyticalStore) -> None:
    build_hub_outcomes(store, _campaign(), event_types(store))
    build_hub_outcomes(store, _campaign(schedule={"start": "2026-03-04",
                                                  "end": "2026-03-10"}), event_types(store))
    # from the 4th: c5 is now treated (its holdout was before), c6 and c9 as before
    assert [(row[0], row[1]) for row in _rows(store)] == [("c5", "offer-a"),
                                                          ("c6", "offer-a"),
                                                          ("c9", "offer-a")]


def test_no_decisions_of_the_campaign_replace_nothing(store: AnalyticalStore) -> None:
    build_hub_outcomes(store, _campaign(), event_types(store))
    with pytest.raises(ConfigError, match="no decision gave or held out a treatment of "
                                          "campaign 'spring'"):
        build_hub_outcomes(store, _campaign(schedule={"start": "2026-04-01"}),
                           event_types(store))
    assert _rows(store) == EXPECTED


def test_a_log_that_is_not_json_replaces_nothing(store: AnalyticalStore) -> None:
    build_hub_outcomes(store, _campaign(), event_types(store))
    broken = _decision_log([("d99", "c1", "email", "2026-03-02T10:00:00+00:00", [], [])])
    broken = broken.set_column(broken.schema.get_field_index("given"), "given",
                               pa.array(["offer-a, not JSON"]))
    store.write("decision_log", broken)
    with pytest.raises(ConfigError, match="cannot measure campaign 'spring' from the hub"):
        build_hub_outcomes(store, _campaign(), event_types(store))
    assert _rows(store) == EXPECTED


@pytest.mark.parametrize(("changes", "tables", "message"), [
    ({"treatments": []}, {"decision_log"}, "names no treatments"),
    ({}, {"events", "identity_map"}, "no decision log"),
])
def test_what_cannot_be_measured(changes: dict[str, object], tables: set[str],
                                 message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        hub_outcome_rows(_campaign(**changes), tables, set())


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_measure_command(tmp_path: Path) -> None:
    spec = tmp_path / "spring.yaml"
    spec.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    code, out = _run("campaign", "create", str(spec), "-p", str(tmp_path))
    assert code == 0, out
    code, out = _run("campaign", "measure", "spring", "-p", str(tmp_path))
    assert code == 2 and "no analytical store" in out
    opened = open_store("duckdb", store_path(tmp_path))
    try:
        _fill(opened)
    finally:
        opened.close()
    code, out = _run("campaign", "measure", "spring", "-p", str(tmp_path))
    assert code == 0, out
    said = " ".join(out.split())  # the console wraps long lines
    assert "measured 7 customers" in said and "offer-a 3, offer-b 1, control 3" in said
    code, out = _run("campaign", "report", "spring", "--format", "json", "-p", str(tmp_path))
    assert code == 0, out
    assert [arm["customers"] for arm in json.loads(out)["arms"]] == [3, 1, 3]


def test_through_the_decision_service_and_the_logs(tmp_path: Path) -> None:
    """Decide with the retail rules, log purchases, ``load_logs``, then measure."""
    now = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
    customers = [f"c{n:03d}" for n in range(40)]
    profiles = MemoryOnlineStore()
    profiles.replace_all(  # lapsed customers: the win-back voucher's audience
        [(c, {"customer_id": c, "monetary": Decimal(80), "recency_days": Decimal(200),
              "orders": Decimal(2), "segments": [], "consent_email": True})
         for c in customers], [])
    catalogue, dmn = read_folder(RULES_DIR)
    logs = tmp_path / "logs"
    service = DecisionService(
        ActiveRules(lambda: "v1", lambda version: build_ruleset(version, catalogue, dmn)),
        profiles, ContactStore(tmp_path / "contacts.sqlite"), FixedClock(now),
        decision_log=DurableLog(logs, "decisions"), event_log=DurableLog(logs, "events"))
    arms: dict[str, tuple[str, bool]] = {}
    for customer in customers:
        decision = service.decide("email", {"email-body": 1}, customer=customer,
                                  explore=False)
        arms[customer] = ("control", True) if "win-back-15" in decision.holdouts else (
            "win-back-15", False)
        assert "win-back-15" in decision.given() or "win-back-15" in decision.holdouts
    buyers = customers[::3]
    service.ingest_events([
        EventIn(event_id=f"p{n}", type="purchase", occurred_at=now + dt.timedelta(hours=1),
                customer_id=c, channel="web", value=Decimal("12.5"))
        for n, c in enumerate(buyers)])
    assert service.decision_log is not None and service.event_log is not None
    service.decision_log.flush()
    service.event_log.flush()
    store = open_store("duckdb")
    try:
        load_logs(logs, store)
        campaign = Campaign.model_validate({
            "name": "win-back", "owner": "ana", "channels": ["email"],
            "treatments": ["win-back-15"], "schedule": {"start": "2026-11-01"}})
        assert build_hub_outcomes(store, campaign, event_types(store)) == len(customers)
        table = store.query(f"SELECT * FROM {TABLE} ORDER BY customer_id").to_pylist()
    finally:
        store.close()
    assert {r["customer_id"]: (r["variant"], r["control"]) for r in table} == arms
    assert sorted({v for v, _ in arms.values()}) == ["control", "win-back-15"]  # both arms
    assert {r["customer_id"] for r in table if r["converted"]} == set(buyers)
    assert {r["customer_id"]: r["revenue"] for r in table} == {
        c: 12.5 if c in buyers else 0.0 for c in customers}
    assert {r["customer_id"]: r["sends"] for r in table} == {
        c: 0 if arms[c][1] else 1 for c in customers}
