"""``decide``: reasons for every candidate, the contact policy, holdouts, determinism."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.decisioning import (
    CustomerHistory,
    Decision,
    DecisionRequest,
    Outcome,
    OutcomeKind,
    Propensities,
    Reason,
    RuleSet,
    Treatment,
    TreatmentTotals,
    decide,
)
from accord.decisioning.holdout import in_holdout
from accord.decisioning.treatments import Catalogue

from .conftest import NOW

NO_HISTORY = CustomerHistory()
GOLD = {"customer_id": "c_1", "monetary": Decimal(900), "segments": ["gold"],
        "consent_email": True}


def _decide(rules: RuleSet, profile: dict[str, Any] | None = None, *,
            history: CustomerHistory = NO_HISTORY, channel: str = "web",
            placements: dict[str, int] | None = None, context: dict[str, Any] | None = None,
            now: dt.datetime = NOW, totals: dict[str, TreatmentTotals] | None = None,
            explore: bool = False, trace: bool = False) -> Decision:
    profile = GOLD if profile is None else profile
    request = DecisionRequest(channel, placements or {"hero": 1},
                              context or {"cart value": Decimal(0)},
                              customer_id=profile.get("customer_id"), explore=explore,
                              trace=trace)
    return decide(request, profile, history, totals or {}, Propensities(), rules, now)


def _reasons(decision: Decision) -> dict[str, Reason]:
    return {c.treatment_id: c.reason for c in decision.candidates}


def test_every_candidate_gets_a_reason(rules: RuleSet) -> None:
    decision = _decide(rules)
    assert decision.placements == {"hero": ("vip",)}
    assert _reasons(decision) == {"vip": Reason.SELECTED, "cart": Reason.RULE_MISS,
                                  "spring": Reason.OUTRANKED, "newsletter": Reason.OUTRANKED}
    cart = next(c for c in decision.candidates if c.treatment_id == "cart")
    assert "Has cart gave False" in cart.detail


def test_decide_convert_decide_again_suppresses_the_converted_offer(rules: RuleSet) -> None:
    first = _decide(rules)
    assert first.given() == ["vip"]
    history = CustomerHistory((
        Outcome("vip", "web", OutcomeKind.IMPRESSION, NOW, decision_id=first.decision_id),
        Outcome("vip", "web", OutcomeKind.CONVERT, NOW + dt.timedelta(minutes=5),
                Decimal(120), first.decision_id),
    ))
    second = _decide(rules, history=history, now=NOW + dt.timedelta(minutes=10))
    assert "vip" not in second.given()
    vip = next(c for c in second.candidates if c.treatment_id == "vip")
    assert vip.reason is Reason.SUPPRESSED_CONVERSION
    assert "converted on 2026-11-22, suppressed for 30 days" in vip.detail


def test_contact_limit_caps_a_treatment(rules: RuleSet) -> None:
    shown = tuple(Outcome("vip", "web", OutcomeKind.IMPRESSION, NOW - dt.timedelta(days=d))
                  for d in (1, 2))
    decision = _decide(rules, history=CustomerHistory(shown))
    assert _reasons(decision)["vip"] is Reason.CAPPED
    # older contacts fall out of the 7-day window
    old = tuple(Outcome("vip", "web", OutcomeKind.IMPRESSION, NOW - dt.timedelta(days=d))
                for d in (8, 9))
    assert _decide(rules, history=CustomerHistory(old)).given() == ["vip"]


def test_channel_limit_counts_every_treatment(rules: RuleSet) -> None:
    sent = tuple(Outcome(f"t{i}", "email", OutcomeKind.IMPRESSION, NOW - dt.timedelta(hours=i))
                 for i in range(5))
    decision = _decide(rules, history=CustomerHistory(sent), channel="email")
    assert _reasons(decision)["vip"] is Reason.CAPPED
    assert decision.given() == []  # the default is capped too


def test_consent_quiet_hours_and_complaints(rules: RuleSet) -> None:
    no_consent = {**GOLD, "consent_email": False}
    assert _reasons(_decide(rules, no_consent, channel="email"))["vip"] is Reason.NO_CONSENT
    night = dt.datetime(2026, 11, 22, 22, 30, tzinfo=dt.UTC)
    sms = _decide(rules, {**GOLD, "consent_sms": True}, channel="sms",
                  context={"cart value": Decimal(10)}, now=night, placements={"banner": 1})
    assert _reasons(sms)["cart"] is Reason.QUIET_HOURS
    complaint = CustomerHistory((Outcome("x", "web", OutcomeKind.COMPLAINT,
                                         NOW - dt.timedelta(days=3)),))
    assert _reasons(_decide(rules, history=complaint))["vip"] is Reason.SUPPRESSED_COMPLAINT


def test_validity_budget_inventory_channel_placement(rules: RuleSet) -> None:
    later = _decide(rules, now=NOW + dt.timedelta(days=20))
    assert _reasons(later)["spring"] is Reason.EXPIRED
    totals = {"vip": TreatmentTotals(accepted=0, spent=Decimal(0))}
    assert _decide(rules, totals=totals).given() == ["vip"]
    capped = RuleSet.build("v2", Catalogue.of([
        Treatment("a", "A", budget=Decimal(10), cost=Decimal(4)),
        Treatment("b", "B", inventory=3)]), [])
    totals = {"a": TreatmentTotals(spent=Decimal(8)), "b": TreatmentTotals(accepted=3)}
    reasons = _reasons(_decide(capped, totals=totals))
    assert reasons == {"a": Reason.BUDGET_EXHAUSTED, "b": Reason.INVENTORY_EXHAUSTED}
    sms = _reasons(_decide(rules, channel="sms", placements={"footer": 1}))
    assert sms["vip"] is Reason.WRONG_CHANNEL and sms["cart"] is Reason.WRONG_PLACEMENT


def test_top_n_per_placement_by_score(rules: RuleSet) -> None:
    decision = _decide(rules, context={"cart value": Decimal(30)},
                       placements={"hero": 1, "banner": 2})
    # hero takes the best (vip, 50); banner the best left that fits it: cart, then spring
    assert decision.placements == {"hero": ("vip",), "banner": ("cart", "spring")}


def test_anonymous_visitor_decides_from_context(rules: RuleSet) -> None:
    decision = _decide(rules, {}, context={"cart value": Decimal(15)})
    assert decision.customer_id is None
    assert decision.given() == ["cart"]


def test_holdout_gives_the_default_and_records_it() -> None:
    rules = RuleSet.build("v", Catalogue.of(
        [Treatment("x", "X", value=Decimal(9), holdout_share=0.5),
         Treatment("n", "N")], defaults={"hero": "n"}), [])
    held = next(f"c_{i}" for i in range(100) if in_holdout("x", f"c_{i}", 0.5))
    decision = _decide(rules, {"customer_id": held})
    assert decision.holdouts == ("x",) and decision.given() == ["n"]
    assert _reasons(decision) == {"x": Reason.HOLDOUT, "n": Reason.DEFAULT}


def test_holdout_share_is_accurate_and_stable() -> None:
    customers = [f"c_{i:06d}" for i in range(100_000)]
    held = [c for c in customers if in_holdout("spring-sale", c, 0.1)]
    assert abs(len(held) / len(customers) - 0.1) < 0.005
    assert held == [c for c in customers if in_holdout("spring-sale", c, 0.1)]
    # independent between treatments
    other = {c for c in customers if in_holdout("winter-sale", c, 0.1)}
    assert abs(len(other & set(held)) / len(customers) - 0.01) < 0.002


def test_trace_has_the_matched_rules(rules: RuleSet) -> None:
    decision = _decide(rules, trace=True)
    assert decision.trace is not None
    [table] = decision.trace["High value"]
    assert table.matched == ("rule_2",)


@settings(max_examples=60, deadline=None)
@given(monetary=st.integers(0, 2000), cart=st.integers(0, 50),
       segments=st.lists(st.sampled_from(["gold", "churn risk", "new"]), unique=True),
       minutes=st.integers(0, 60 * 24 * 30), explore=st.booleans())
def test_decide_is_deterministic(rules: RuleSet, monetary: int, cart: int,
                                 segments: list[str], minutes: int, explore: bool) -> None:
    profile = {**GOLD, "monetary": Decimal(monetary), "segments": segments}
    now = NOW + dt.timedelta(minutes=minutes)
    context = {"cart value": Decimal(cart)}
    first = _decide(rules, profile, context=context, now=now, explore=explore)
    again = _decide(rules, dict(profile), context=dict(context), now=now, explore=explore)
    assert first == again
