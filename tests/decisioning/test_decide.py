"""``decide``: reasons for every candidate, the contact policy, holdouts, determinism."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.decisioning import (
    BetaEstimate,
    Candidate,
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
    digest,
)
from accord.decisioning.holdout import in_holdout
from accord.decisioning.treatments import Catalogue
from accord.dmn import Model, loads
from accord.testing import table_definitions

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


# the edges of each gate, and the detail each reason carries

SECOND = dt.timedelta(seconds=1)


def _one(treatment: Treatment, **kwargs: Any) -> Candidate:
    rules = RuleSet.build("v", Catalogue.of([treatment]), [])
    [candidate] = _decide(rules, {"customer_id": "c_1"}, **kwargs).candidates
    return candidate


def test_a_validity_window_includes_its_start_and_excludes_its_end() -> None:
    window = Treatment("s", "S", valid_from=NOW, valid_to=NOW + dt.timedelta(days=1))
    early = _one(window, now=NOW - SECOND)
    assert (early.reason, early.detail) == (Reason.NOT_YET_VALID,
                                            "valid from 2026-11-22T14:00:00+00:00")
    assert _one(window, now=NOW).reason is Reason.SELECTED
    assert _one(window, now=NOW + dt.timedelta(days=1) - SECOND).reason is Reason.SELECTED
    late = _one(window, now=NOW + dt.timedelta(days=1))
    assert (late.reason, late.detail) == (Reason.EXPIRED, "valid until 2026-11-23T14:00:00+00:00")


def test_a_budget_may_be_spent_to_its_last_cent() -> None:
    budgeted = Treatment("a", "A", budget=Decimal(10), cost=Decimal(4))
    assert _one(budgeted, totals={"a": TreatmentTotals(spent=Decimal(6))}).reason \
        is Reason.SELECTED
    over = _one(budgeted, totals={"a": TreatmentTotals(spent=Decimal("6.01"))})
    assert (over.reason, over.detail) == (Reason.BUDGET_EXHAUSTED, "spent 6.01 of 10")
    # another treatment's spending is not this one's
    assert _one(budgeted, totals={"b": TreatmentTotals(spent=Decimal(10))}).reason \
        is Reason.SELECTED


def test_inventory_runs_out_at_its_count() -> None:
    stocked = Treatment("b", "B", inventory=3)
    assert _one(stocked, totals={"b": TreatmentTotals(accepted=2)}).reason is Reason.SELECTED
    out = _one(stocked, totals={"b": TreatmentTotals(accepted=3)})
    assert (out.reason, out.detail) == (Reason.INVENTORY_EXHAUSTED, "3 of 3 taken")


def test_wrong_channel_and_placement_name_where_the_treatment_goes() -> None:
    treatment = Treatment("t", "T", channels=frozenset({"web", "email"}),
                          placements=frozenset({"hero", "banner"}))
    channel = _one(treatment, channel="sms")
    assert (channel.reason, channel.detail) == (Reason.WRONG_CHANNEL, "given on email, web")
    placement = _one(treatment, placements={"footer": 1})
    assert (placement.reason, placement.detail) == (Reason.WRONG_PLACEMENT,
                                                    "fills banner, hero")
    assert (placement.placement, placement.score, placement.propensity) == (None, None, None)


def test_candidates_carry_their_placement_score_and_propensity(rules: RuleSet) -> None:
    decision = _decide(rules, context={"cart value": Decimal(30)},
                       placements={"hero": 1, "banner": 1})
    by_id = {c.treatment_id: c for c in decision.candidates}
    # explore off: every propensity is the prior's mean, 0.5; the score is 0.5 x value
    assert by_id["vip"] == Candidate("vip", Reason.SELECTED, "", "hero", Decimal("25.0"), 0.5)
    assert by_id["cart"] == Candidate("cart", Reason.SELECTED, "", "banner", Decimal("10.0"),
                                      0.5)
    assert by_id["spring"] == Candidate("spring", Reason.OUTRANKED, "", None, Decimal("2.5"),
                                        0.5)
    assert decision.channel == "web" and decision.rule_version == "v1"
    assert decision.customer_id == "c_1" and decision.at == NOW


def test_no_trace_unless_asked(rules: RuleSet) -> None:
    assert _decide(rules).trace is None
    assert _decide(rules, trace=True).trace is not None


# what the eligibility tables see

def test_segments_come_from_the_profile(rules: RuleSet) -> None:
    churning = _decide(rules, {**GOLD, "segments": ["gold", "churn risk"]})
    vip = next(c for c in churning.candidates if c.treatment_id == "vip")
    assert (vip.reason, vip.detail) == (Reason.RULE_MISS, "High value gave False")
    assert _decide(rules, {**GOLD, "segments": None}).given() == ["vip"]


def test_propensities_are_per_treatment_and_per_segment() -> None:
    from .conftest import catalogue, eligibility_models

    rules = RuleSet.build("v", catalogue(), eligibility_models(), propensity_segments=("gold",))
    learned = Propensities({("spring", "gold"): BetaEstimate(99, 1),
                            ("spring", ""): BetaEstimate(1, 99)})

    def propensities(profile: dict[str, Any]) -> dict[str, float | None]:
        request = DecisionRequest("web", {"hero": 1}, {"cart value": Decimal(0)},
                                  customer_id="c_1", explore=False)
        decision = decide(request, profile, NO_HISTORY, {}, learned, rules, NOW)
        return {c.treatment_id: c.propensity for c in decision.candidates}

    assert propensities(GOLD) == {"vip": 0.5, "cart": None, "spring": 0.99, "newsletter": 0.5}
    silver = {**GOLD, "segments": ["silver"]}
    assert propensities(silver) == {"vip": 0.5, "cart": None, "spring": 0.01,
                                    "newsletter": 0.5}


def _placement_tables() -> list[Model]:
    first = Model(table_definitions(
        "Hero first", inputs={"placement": "string"}, outputs={"Hero first": "boolean"},
        rules=[(['"hero"'], ["true"]), (["-"], ["false"])], hit_policy="FIRST"))
    banner = Model(table_definitions(
        "Banner asked", inputs={"placements": None}, outputs={"Banner asked": "boolean"},
        rules=[(['list contains(?, "banner")'], ["true"]), (["-"], ["false"])],
        hit_policy="FIRST"))
    return [first, banner]


def test_tables_see_the_first_placement_and_every_placement_asked() -> None:
    rules = RuleSet.build("v", Catalogue.of([
        Treatment("h", "H", eligibility=("Hero first",)),
        Treatment("b", "B", eligibility=("Banner asked",))]), _placement_tables())
    both = _reasons(_decide(rules, {}, placements={"hero": 1, "banner": 1}))
    assert both == {"h": Reason.SELECTED, "b": Reason.SELECTED}
    banner_first = _reasons(_decide(rules, {}, placements={"banner": 1, "hero": 1}))
    assert banner_first == {"h": Reason.RULE_MISS, "b": Reason.SELECTED}
    assert _reasons(_decide(rules, {}, placements={"hero": 2})) == {
        "h": Reason.SELECTED, "b": Reason.RULE_MISS}


_CHAINED = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="tiers" name="Tiers"
             namespace="https://accord.test/tiers">
  <inputData id="i_monetary" name="monetary"><variable name="monetary" typeRef="number"/>
  </inputData>
  <decision id="d_tier" name="Tier">
    <variable name="Tier" typeRef="string"/>
    <informationRequirement id="r1"><requiredInput href="#i_monetary"/></informationRequirement>
    <literalExpression id="le_tier"><text>if monetary &gt;= 500 then "top" else "base"</text>
    </literalExpression>
  </decision>
  <decision id="d_top" name="Is top">
    <variable name="Is top" typeRef="boolean"/>
    <informationRequirement id="r2"><requiredDecision href="#d_tier"/></informationRequirement>
    <literalExpression id="le_top"><text>Tier = "top"</text></literalExpression>
  </decision>
  <decision id="d_base" name="Is base">
    <variable name="Is base" typeRef="boolean"/>
    <informationRequirement id="r3"><requiredDecision href="#d_tier"/></informationRequirement>
    <literalExpression id="le_base"><text>Tier = "base"</text></literalExpression>
  </decision>
</definitions>
"""


@pytest.mark.parametrize(("monetary", "given"), [(900, "top"), (100, "base")])
def test_tables_sharing_a_required_decision_decide_as_when_traced(monetary: int,
                                                                  given: str) -> None:
    rules = RuleSet.build("v", Catalogue.of([
        Treatment("top", "Top", value=Decimal(2), eligibility=("Is top",)),
        Treatment("base", "Base", eligibility=("Is base",))]), [loads(_CHAINED)])
    assert rules.tables["Is top"].shared and rules.tables["Is base"].shared
    profile = {"customer_id": "c_1", "monetary": Decimal(monetary)}
    shared = _decide(rules, profile)
    assert shared.given() == [given]
    assert _reasons(shared) == _reasons(_decide(rules, profile, trace=True))


# holdouts and placement defaults

def _held_out_of(treatment_id: str, *, not_of: str = "") -> str:
    return next(f"c_{i}" for i in range(1000) if in_holdout(treatment_id, f"c_{i}", 0.5)
                and not (not_of and in_holdout(not_of, f"c_{i}", 0.5)))


def test_a_held_out_treatment_leaves_its_slot_to_the_next_and_the_default() -> None:
    rules = RuleSet.build("v", Catalogue.of(
        [Treatment("x", "X", value=Decimal(9), holdout_share=0.5),
         Treatment("y", "Y", value=Decimal(5), holdout_share=0.5),
         Treatment("n", "N")], defaults={"hero": "n"}), [])
    customer = _held_out_of("x", not_of="y")
    decision = _decide(rules, {"customer_id": customer}, placements={"hero": 2})
    assert decision.placements == {"hero": ("y", "n")}
    assert decision.holdouts == ("x",)
    by_id = {c.treatment_id: c for c in decision.candidates}
    assert by_id["x"] == Candidate("x", Reason.HOLDOUT, "held out: the placement default is "
                                   "given", "hero", Decimal("4.5"), 0.5)
    assert by_id["y"] == Candidate("y", Reason.SELECTED, "", "hero", Decimal("2.5"), 0.5)
    # the default keeps the score it had as an outranked candidate
    assert by_id["n"] == Candidate("n", Reason.DEFAULT, "placement default", "hero",
                                   Decimal("0.5"), 0.5)


def test_a_default_is_given_only_inside_its_own_validity() -> None:
    def given(valid_to: dt.datetime) -> tuple[str, ...]:
        rules = RuleSet.build("v", Catalogue.of(
            [Treatment("x", "X", value=Decimal(9), holdout_share=0.5),
             Treatment("n", "N", valid_from=NOW - dt.timedelta(days=1), valid_to=valid_to)],
            defaults={"hero": "n"}), [])
        customer = {"customer_id": _held_out_of("x")}
        return _decide(rules, customer, placements={"hero": 1}).placements["hero"]

    assert given(NOW + SECOND) == ("n",)
    assert given(NOW) == ()


def test_visitors_without_an_id_are_never_held_out_and_with_one_are() -> None:
    rules = RuleSet.build("v", Catalogue.of(
        [Treatment("x", "X", value=Decimal(9), holdout_share=0.5), Treatment("n", "N")],
        defaults={"hero": "n"}), [])
    held = _held_out_of("x")

    def decision(anonymous_id: str | None) -> Decision:
        request = DecisionRequest("web", {"hero": 1}, anonymous_id=anonymous_id,
                                  explore=False)
        return decide(request, None, NO_HISTORY, {}, Propensities(), rules, NOW)

    assert decision(None).given() == ["x"]
    assert decision(held).holdouts == ("x",) and decision(held).given() == ["n"]


# the decision's identity: input digest, decision id and exploration draws

def test_the_digest_is_short_stable_and_ignores_key_order() -> None:
    assert len(digest({"a": 1})) == 24
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})
    assert digest({1: "x"}) == digest({1: "x"}) != digest({2: "x"})
    assert digest(Decimal("1.10")) != digest(Decimal("1.1"))
    assert digest("a", "b") != digest("b", "a") != digest("a")


def test_the_input_digest_covers_profile_context_channel_and_placements() -> None:
    rules = RuleSet.build("v", Catalogue.of([Treatment("t", "T")]), [])
    base: dict[str, Any] = {"profile": {"customer_id": "c_1", "orders": 1},
                            "context": {"page": "home"}, "channel": "web",
                            "placements": {"hero": 1}}

    def input_digest(**change: Any) -> str:
        parts = {**base, **change}
        return _decide(rules, parts["profile"], context=parts["context"],
                       channel=parts["channel"], placements=parts["placements"]).input_digest

    first = input_digest()
    assert first == input_digest() == digest(base["profile"], base["context"], "web",
                                             {"hero": 1})
    changed = [input_digest(profile={"customer_id": "c_1", "orders": 2}),
               input_digest(context={"page": "cart"}), input_digest(channel="app"),
               input_digest(placements={"hero": 2})]
    assert len({first, *changed}) == 5


def test_decision_ids_differ_by_visitor_time_inputs_and_rule_version() -> None:
    catalogue = Catalogue.of([Treatment("t", "T")])
    v1, v2 = RuleSet.build("v1", catalogue, []), RuleSet.build("v2", catalogue, [])

    def decision_id(visitor: str = "a_1", now: dt.datetime = NOW, rules: RuleSet = v1,
                    context: dict[str, Any] | None = None, request_id: str | None = None
                    ) -> str:
        request = DecisionRequest("web", {"hero": 1}, context or {}, anonymous_id=visitor,
                                  request_id=request_id)
        return decide(request, None, NO_HISTORY, {}, Propensities(), rules, now).decision_id

    first = decision_id()
    assert first == decision_id()
    others = [decision_id(visitor="a_2"), decision_id(now=NOW + SECOND), decision_id(rules=v2),
              decision_id(context={"page": "cart"})]
    assert len({first, *others}) == 5
    assert decision_id(request_id="order-1") == "order-1"


def test_exploration_draws_are_seeded_by_the_whole_decision_id() -> None:
    rules = RuleSet.build("v", Catalogue.of([Treatment("a", "A"), Treatment("b", "B")]), [])

    def draws(request_id: str) -> tuple[float | None, ...]:
        request = DecisionRequest("web", {"hero": 1}, customer_id="c_1", request_id=request_id)
        decision = decide(request, {}, NO_HISTORY, {}, Propensities(), rules, NOW)
        return tuple(c.propensity for c in decision.candidates)

    # ids sharing a long prefix (a caller's "order-..." numbers) still explore independently
    ids = [f"order-{n:07d}" for n in range(20)]
    assert len({draws(i) for i in ids}) == len(ids)
    assert draws(ids[0]) == draws(ids[0])
    # one generator seeded by the id, drawn from in catalogue order (prior Beta(1, 1))
    rng = random.Random("order-0000001")
    assert draws("order-0000001") == (rng.betavariate(1, 1), rng.betavariate(1, 1))
    assert all(0.0 < p < 1.0 and p != 0.5 for p in draws("order-0000001") if p is not None)
