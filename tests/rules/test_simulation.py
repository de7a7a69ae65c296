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
from accord.rules.simulation import PROFILES, assignments, simulate
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
    assert "ROW_NUMBER() OVER" in report.sql_before and "800" in report.sql_after


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
