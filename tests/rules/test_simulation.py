"""Whole-base simulation: the SQL path must give every customer what ``decide`` gives."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import accord.demo
from accord.decisioning.catalogue_file import build_ruleset, read_folder
from accord.decisioning.decide import DecisionRequest, decide
from accord.decisioning.history import CustomerHistory
from accord.decisioning.propensity import BetaEstimate, Propensities
from accord.decisioning.ruleset import RuleSet
from accord.errors import ConfigError
from accord.rules.simulation import (
    PROFILES,
    assignment_query,
    assignments,
    daily_rate,
    simulate,
)
from accord.store import open_store
from accord.store.base import AnalyticalStore

RETAIL = Path(accord.demo.__file__).parent / "rules" / "retail"
AT = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
CUSTOMERS = 10_000
PROPENSITIES = Propensities({
    ("vip-lounge", ""): BetaEstimate(5, 95), ("vip-lounge", "vip"): BetaEstimate(30, 70),
    ("win-back-15", ""): BetaEstimate(20, 80), ("cart-reminder", ""): BetaEstimate(10, 90),
    ("cart-reminder", "vip"): BetaEstimate(40, 60),
})


def _rules(version: str, vip_threshold: int = 1000) -> RuleSet:
    """The retail rule set without holdouts (a simulation reports the rules' choice), with
    the VIP threshold given."""
    catalogue, dmn = read_folder(RETAIL)
    catalogue = catalogue.replace("holdout_share: 0.1", "holdout_share: 0.0")
    dmn["eligibility-value.dmn"] = dmn["eligibility-value.dmn"].replace(
        "&gt;= 1000", f"&gt;= {vip_threshold}")
    return build_ruleset(version, catalogue, dmn, base_path=RETAIL)


def _profiles(seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(CUSTOMERS):
        rows.append({
            "customer_id": f"c{i:05d}",
            "monetary": rng.choice([0, rng.randint(0, 2000)]),
            "recency_days": rng.randint(0, 200),
            "orders": rng.choice([0, 0, rng.randint(1, 12)]),
            "cart value": rng.choice([0, rng.randint(0, 150)]),
            "consent_email": rng.choice([True, True, True, False, None]),
            "segments": sorted(rng.sample(["vip", "new", "lapsed"], rng.randint(0, 2))),
        })
    return rows


@pytest.fixture(scope="module")
def profiles() -> list[dict[str, Any]]:
    return _profiles()


@pytest.fixture(scope="module")
def store(profiles: list[dict[str, Any]]) -> Iterator[AnalyticalStore]:
    opened = open_store("duckdb")
    schema = pa.schema([("customer_id", pa.string()), ("monetary", pa.int64()),
                        ("recency_days", pa.int64()), ("orders", pa.int64()),
                        ("cart value", pa.int64()), ("consent_email", pa.bool_()),
                        ("segments", pa.list_(pa.string()))])
    opened.write(PROFILES, pa.Table.from_pylist(profiles, schema=schema), mode="replace")
    yield opened
    opened.close()


def _python(profiles: list[dict[str, Any]], rules: RuleSet, channel: str, placement: str,
            context: Mapping[str, Any]) -> dict[str, str | None]:
    """The Python engine's first treatment in ``placement`` for every profile."""
    result: dict[str, str | None] = {}
    for profile in profiles:
        request = DecisionRequest(channel, {placement: 1}, context, profile["customer_id"],
                                  explore=False)
        decision = decide(request, profile, CustomerHistory(), {}, PROPENSITIES, rules, AT)
        given = decision.placements[placement]
        result[profile["customer_id"]] = given[0] if given else None
    return result


@pytest.mark.parametrize(("channel", "placement"), [("email", "email-body"), ("web", "hero")])
def test_sql_equals_python_for_every_customer(store: AnalyticalStore,
                                              profiles: list[dict[str, Any]], channel: str,
                                              placement: str) -> None:
    old, new = _rules("v1"), _rules("v2", vip_threshold=800)
    context = {"page": "home"}
    expected_old = _python(profiles, old, channel, placement, context)
    expected_new = _python(profiles, new, channel, placement, context)
    kwargs: dict[str, Any] = {"channel": channel, "placement": placement, "at": AT,
                              "context": context, "propensities": PROPENSITIES}
    assert assignments(store, old, **kwargs) == expected_old
    assert assignments(store, new, **kwargs) == expected_new

    report = simulate(store, old, new, **kwargs)
    transitions = Counter((expected_old[c], expected_new[c]) for c in expected_old)
    assert report.transitions == dict(transitions)
    assert report.customers == CUSTOMERS
    assert report.before == dict(Counter(expected_old.values()))
    assert report.after == dict(Counter(expected_new.values()))
    # Lowering the VIP threshold moves customers to the lounge and never away from it.
    assert report.after.get("vip-lounge", 0) > report.before.get("vip-lounge", 0)
    assert all(new_id == "vip-lounge" for (old_id, new_id), n in transitions.items()
               if old_id != new_id)
    for segment in ("vip", "new", "lapsed"):
        members = [p["customer_id"] for p in profiles if segment in p["segments"]]
        assert report.segments[segment] == (
            dict(Counter(expected_old[c] for c in members)),
            dict(Counter(expected_new[c] for c in members)))
    assert report.expected_before == _expected(profiles, old, expected_old)
    assert report.expected_after == _expected(profiles, new, expected_new)
    assert report.expected_change > 0
    assert report.changed() == sum(n for (a, b), n in transitions.items() if a != b)
    # one CASE per propensity-segment order (the vip segment ranks cart-reminder higher)
    assert "= 'vip' THEN CASE WHEN" in report.sql_before and "800" in report.sql_after


def _expected(profiles: list[dict[str, Any]], rules: RuleSet,
              given: Mapping[str, str | None]) -> Decimal:
    estimates = rules.propensities_for(PROPENSITIES)
    by_id = rules.catalogue.by_id()
    total = Decimal(0)
    for profile in profiles:
        treatment_id = given[profile["customer_id"]]
        if treatment_id is not None:
            mean = estimates.estimate(treatment_id, profile["segments"]).mean
            total += Decimal(repr(mean)) * by_id[treatment_id].value
    return total


def test_a_table_sql_cannot_express_is_named(store: AnalyticalStore) -> None:
    catalogue, dmn = read_folder(RETAIL)
    dmn["eligibility-welcome.dmn"] = dmn["eligibility-welcome.dmn"].replace(
        "<text>orders</text>", "<text>sum([orders])</text>")
    rules = build_ruleset("v3", catalogue, dmn, base_path=RETAIL)
    with pytest.raises(ConfigError, match="'Welcome eligible' cannot be compiled to SQL"):
        assignments(store, rules, channel="web", placement="hero", at=AT)


def test_expired_treatments_and_a_blocked_default_give_nothing(store: AnalyticalStore) -> None:
    catalogue, dmn = read_folder(RETAIL)
    # Only the default is left, and without consent email cannot carry it.
    rules = build_ruleset("v4", catalogue.replace(
        "eligibility: [Cart eligible]", "eligibility: [Cart eligible]\n    valid_to: 2020-01-01"
    ), dmn, base_path=RETAIL)
    given = assignments(store, rules, channel="email", placement="email-body", at=AT)
    assert "cart-reminder" not in given.values()
    assert None in given.values()


def test_consent_and_quiet_hours_follow_each_time_zone() -> None:
    rules = _rules("v1")
    rows: list[dict[str, Any]] = [
        {"customer_id": f"q{i}", "consent_sms": consent, "timezone": zone, "segments": []}
        for i, (consent, zone) in enumerate([
                (True, "Pacific/Auckland"), (True, "Europe/Amsterdam"), (True, None),
                (True, "Mars/Base"), (True, ""), (False, "Europe/Amsterdam"),
                (None, None)])]
    opened = open_store("duckdb")
    try:
        schema = pa.schema([("customer_id", pa.string()), ("consent_sms", pa.bool_()),
                            ("timezone", pa.string()), ("segments", pa.list_(pa.string()))])
        opened.write(PROFILES, pa.Table.from_pylist(rows, schema=schema), mode="replace")
        given = assignments(opened, rules, channel="sms", placement="banner", at=AT)
    finally:
        opened.close()
    assert given == _python(rows, rules, "sms", "banner", {})
    # Auckland is at midnight (quiet); the others are at midday or fall back to UTC.
    assert given == {"q0": None, "q1": "newsletter", "q2": "newsletter", "q3": "newsletter",
                     "q4": "newsletter", "q5": None, "q6": None}


_CHAINED = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="nbo" name="NBO"
             namespace="https://accord.test/nbo">
  <inputData id="i_monetary" name="monetary"><variable name="monetary" typeRef="number"/>
  </inputData>
  <inputData id="i_orders" name="orders"><variable name="orders" typeRef="number"/>
  </inputData>
  <decision id="d_tier" name="Tier">
    <variable name="Tier" typeRef="string"/>
    <informationRequirement id="r1"><requiredInput href="#i_monetary"/></informationRequirement>
    <literalExpression id="le_tier"><text>if monetary &gt;= 1500 then "top" else "base"</text>
    </literalExpression>
  </decision>
  <decision id="d_offer" name="Offer">
    <variable name="Offer" typeRef="string"/>
    <informationRequirement id="r2"><requiredDecision href="#d_tier"/></informationRequirement>
    <informationRequirement id="r3"><requiredInput href="#i_orders"/></informationRequirement>
    <decisionTable id="t_offer" hitPolicy="FIRST">
      <input id="c1"><inputExpression id="e1" typeRef="string"><text>Tier</text>
      </inputExpression></input>
      <input id="c2"><inputExpression id="e2" typeRef="number"><text>orders</text>
      </inputExpression></input>
      <output id="o1" name="offer" typeRef="string"/>
      <rule id="x1"><inputEntry id="x1a"><text>"top"</text></inputEntry>
        <inputEntry id="x1b"><text>&gt;= 3</text></inputEntry>
        <outputEntry id="x1c"><text>"vip"</text></outputEntry></rule>
      <rule id="x2"><inputEntry id="x2a"><text>-</text></inputEntry>
        <inputEntry id="x2b"><text>0</text></inputEntry>
        <outputEntry id="x2c"><text>"welcome"</text></outputEntry></rule>
      <rule id="x3"><inputEntry id="x3a"><text>not("top")</text></inputEntry>
        <inputEntry id="x3b"><text>[1..5]</text></inputEntry>
        <outputEntry id="x3c"><text>"loyal"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="d_vip" name="Offer is vip">
    <variable name="Offer is vip" typeRef="boolean"/>
    <informationRequirement id="r4"><requiredDecision href="#d_offer"/></informationRequirement>
    <decisionTable id="t_vip" hitPolicy="FIRST">
      <input id="v1"><inputExpression id="ve1" typeRef="string"><text>Offer</text>
      </inputExpression></input>
      <output id="vo" name="eligible" typeRef="boolean"/>
      <rule id="v_r"><inputEntry id="v_a"><text>"vip"</text></inputEntry>
        <outputEntry id="v_b"><text>true</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="d_loyal" name="Offer is loyal">
    <variable name="Offer is loyal" typeRef="boolean"/>
    <informationRequirement id="r5"><requiredDecision href="#d_offer"/></informationRequirement>
    <decisionTable id="t_loyal" hitPolicy="FIRST">
      <input id="l1"><inputExpression id="le1" typeRef="string"><text>Offer</text>
      </inputExpression></input>
      <output id="lo" name="eligible" typeRef="boolean"/>
      <rule id="l_r"><inputEntry id="l_a"><text>"loyal", "welcome"</text></inputEntry>
        <outputEntry id="l_b"><text>true</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""

_CHAINED_CATALOGUE = """
treatments:
  - {id: vip, name: VIP, value: 50, eligibility: [Offer is vip],
     limits: [{max_count: 2, period_days: 14}]}
  - {id: loyal, name: Loyal, value: 10, eligibility: [Offer is loyal]}
  - {id: plain, name: Plain, kind: content, value: 1}
"""


def test_decisions_the_eligibility_tables_require_are_computed_once_per_row(
        store: AnalyticalStore, profiles: list[dict[str, Any]]) -> None:
    rules = build_ruleset("chained", _CHAINED_CATALOGUE, {"nbo.dmn": _CHAINED})
    # decide evaluates both tables in one run of the model: Offer once per request
    assert rules.tables["Offer is vip"].shared and rules.tables["Offer is loyal"].shared
    expected = _python(profiles, rules, "web", "hero", {})
    for profile in profiles[:300]:  # a traced decision evaluates each table on its own
        request = DecisionRequest("web", {"hero": 1}, {}, profile["customer_id"],
                                  explore=False, trace=True)
        given = decide(request, profile, CustomerHistory(), {}, PROPENSITIES, rules,
                       AT).placements["hero"]
        assert (given[0] if given else None) == expected[profile["customer_id"]]
    assert assignments(store, rules, channel="web", placement="hero", at=AT) == expected
    assert set(expected.values()) == {"vip", "loyal", "plain"}
    sql = assignment_query(store, rules, channel="web", placement="hero", at=AT).sql("duckdb")
    # Tier, and Offer (a table over Tier), are columns: computed once, read by both tables
    assert sql.count('AS "__d') == 2 and sql.count(">= 1500") == 1


def test_daily_volume_is_capped_by_the_tightest_contact_limit(
        store: AnalyticalStore, profiles: list[dict[str, Any]]) -> None:
    rules = build_ruleset("chained", _CHAINED_CATALOGUE, {"nbo.dmn": _CHAINED})
    report = simulate(store, rules, rules, channel="web", placement="hero", at=AT,
                      contacts_per_day=0.5)
    assert report.changed() == 0
    assert report.daily_after["vip"] == pytest.approx(report.after["vip"] / 7)
    assert report.daily_after["loyal"] == pytest.approx(report.after["loyal"] * 0.5)
    assert report.to_json()["daily_volume"]["total_after"] == pytest.approx(
        sum(report.daily_after.values()), abs=0.01)
    assert daily_rate(rules.catalogue.by_id()["vip"], rules, "web", 0.05) == 0.05
