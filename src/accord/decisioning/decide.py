"""``decide``: what to do for this customer, here, now. Pure: everything comes in as values.

For each treatment of the catalogue, in order: channel, placement, validity window, budget
and inventory, eligibility tables, contact policy; the first that says no is the treatment's
reason. The eligible are scored (propensity x value x weight, by default) and fill the
requested placements; a selected treatment whose holdout group holds the customer gives way to
the placement's default, and that is recorded. The same inputs and clock always give the
same decision: exploration draws from a random generator seeded by the decision id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson

from accord.decisioning import policy as contact_policy
from accord.decisioning.arbitration import Scored, fill
from accord.decisioning.history import CustomerHistory, TreatmentTotals
from accord.decisioning.holdout import in_holdout
from accord.decisioning.propensity import Propensities
from accord.decisioning.reasons import Reason
from accord.decisioning.ruleset import RuleSet
from accord.decisioning.treatments import Treatment


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    """What a channel asks.

    Attributes:
        channel: web, email, app, contact_centre ...
        placements: placement -> number of slots to fill.
        context: request facts the rules may use (page, cart value, triggering event).
        customer_id: the resolved customer, or None for an anonymous visitor.
        anonymous_id: a visitor id for holdouts of anonymous decisions.
        request_id: the caller's id, used as the decision id when given.
        explore: draw propensities (Thompson sampling) instead of using their means.
        trace: include the matched rules of every eligibility table.
    """

    channel: str
    placements: Mapping[str, int]
    context: Mapping[str, Any] = field(default_factory=dict)
    customer_id: str | None = None
    anonymous_id: str | None = None
    request_id: str | None = None
    explore: bool = True
    trace: bool = False


@dataclass(frozen=True, slots=True)
class Candidate:
    """One treatment considered, with why it was or was not given."""

    treatment_id: str
    reason: Reason
    detail: str = ""
    placement: str | None = None
    score: Decimal | None = None
    propensity: float | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer, explained."""

    decision_id: str
    at: dt.datetime
    customer_id: str | None
    channel: str
    rule_version: str
    input_digest: str
    placements: Mapping[str, tuple[str, ...]]
    candidates: tuple[Candidate, ...]
    holdouts: tuple[str, ...] = ()
    trace: Mapping[str, list[Any]] | None = None

    def given(self) -> list[str]:
        """Every treatment given, in placement order."""
        return [t for chosen in self.placements.values() for t in chosen]


def digest(*parts: Any) -> str:
    """A short stable digest of JSON-able parts (the decision log's input digest): keys
    sorted, exact numbers and dates as text."""
    text = orjson.dumps(parts, default=str,
                        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.blake2b(text, digest_size=12).hexdigest()


def _gate(treatment: Treatment, request: DecisionRequest, now: dt.datetime,
          totals: Mapping[str, TreatmentTotals]) -> tuple[Reason, str] | tuple[None, list[str]]:
    """Static checks; on success the placements of the request the treatment fits."""
    if treatment.channels and request.channel not in treatment.channels:
        return Reason.WRONG_CHANNEL, f"given on {', '.join(sorted(treatment.channels))}"
    fits = [p for p in request.placements
            if not treatment.placements or p in treatment.placements]
    if not fits:
        return Reason.WRONG_PLACEMENT, f"fills {', '.join(sorted(treatment.placements))}"
    if treatment.valid_from is not None and now < treatment.valid_from:
        return Reason.NOT_YET_VALID, f"valid from {treatment.valid_from.isoformat()}"
    if treatment.valid_to is not None and now >= treatment.valid_to:
        return Reason.EXPIRED, f"valid until {treatment.valid_to.isoformat()}"
    spent = totals.get(treatment.id, TreatmentTotals())
    if treatment.budget is not None and spent.spent + treatment.cost > treatment.budget:
        return Reason.BUDGET_EXHAUSTED, f"spent {spent.spent} of {treatment.budget}"
    if treatment.inventory is not None and spent.accepted >= treatment.inventory:
        return Reason.INVENTORY_EXHAUSTED, f"{spent.accepted} of {treatment.inventory} taken"
    return None, fits


class _Eligibility:
    """Evaluates each eligibility table once per decision (treatments share tables)."""

    def __init__(self, rules: RuleSet, inputs: Mapping[str, Any], trace: bool) -> None:
        self.rules = rules
        self.inputs = inputs
        self.values: dict[str, Any] = {}
        self.traces: dict[str, list[Any]] | None = {} if trace else None
        self.sessions: dict[int, Callable[[str], Any]] = {}  # per model

    def value(self, name: str) -> Any:
        if name not in self.values:
            table = self.rules.tables[name]
            if self.traces is not None:
                self.values[name], self.traces[name] = table.traced(self.inputs)
            elif table.shared:
                # tables testing a decision they all require (a next-best-offer table, say)
                # share one run of their model: that decision is evaluated once per request
                session = self.sessions.get(id(table.model))
                if session is None:
                    session = self.sessions[id(table.model)] = table.model.session(self.inputs)
                self.values[name] = session(name)
            else:
                self.values[name] = table.fast(self.inputs)
        return self.values[name]

    def miss(self, treatment: Treatment) -> str | None:
        for name in treatment.eligibility:
            value = self.value(name)
            if value is not True:
                return f"{name} gave {value!r}"
        return None


def decide(request: DecisionRequest, profile: Mapping[str, Any] | None,
           history: CustomerHistory, totals: Mapping[str, TreatmentTotals],
           propensities: Propensities, rules: RuleSet, now: dt.datetime) -> Decision:
    """Decide for one customer (``profile`` None: an anonymous visitor).

    ``profile`` holds the customer's profile fields and ``segments`` (a list of names); the
    eligibility tables see those fields, ``segments``, the request context, ``channel``,
    ``placement`` (the first requested placement the treatment fits) and ``placements``.
    """
    profile = profile or {}
    segments: Sequence[str] = list(profile.get("segments") or ())
    customer_key = request.customer_id or request.anonymous_id
    input_digest = digest(profile, request.context, request.channel, request.placements)
    decision_id = request.request_id or digest(
        customer_key, now.isoformat(), input_digest, rules.version)
    # seeded by the whole id (a string seed hashes every character): ids that share a prefix,
    # as a caller's "order-..." numbers do, still draw independently
    rng = random.Random(decision_id)
    base = {k: v for k, v in profile.items() if k != "segments"}
    inputs = {**base, **request.context, "segments": list(segments),
              "channel": request.channel, "placements": list(request.placements)}
    if request.placements:
        inputs["placement"] = next(iter(request.placements))
    eligibility = _Eligibility(rules, inputs, request.trace)
    estimates = rules.propensities_for(propensities)

    candidates: dict[str, Candidate] = {}
    scored: list[Scored] = []
    for treatment in rules.catalogue.treatments:
        reason, detail = _gate(treatment, request, now, totals)
        if reason is not None:
            candidates[treatment.id] = Candidate(treatment.id, reason, str(detail))
            continue
        fits = detail
        verdict = _eligible(treatment, request.channel, profile, history, rules, now, eligibility)
        if verdict is not None:
            candidates[treatment.id] = Candidate(treatment.id, verdict[0], verdict[1])
            continue
        estimate = estimates.estimate(treatment.id, segments)
        propensity = estimate.sample(rng) if request.explore else estimate.mean
        score = rules.arbitration.score(propensity, treatment.value, treatment.cost,
                                        treatment.weight, request.context)
        scored.append(Scored(treatment.id, tuple(fits), propensity, score))
        candidates[treatment.id] = Candidate(treatment.id, Reason.OUTRANKED, "",
                                             score=score, propensity=propensity)

    chosen = fill(request.placements, scored)
    by_id = rules.catalogue.by_id()
    holdouts: list[str] = []
    placements: dict[str, tuple[str, ...]] = {}
    for placement, treatment_ids in chosen.items():
        given: list[str] = []
        for treatment_id in treatment_ids:
            previous = candidates[treatment_id]
            if in_holdout(treatment_id, customer_key, by_id[treatment_id].holdout_share):
                holdouts.append(treatment_id)
                candidates[treatment_id] = _with(previous, Reason.HOLDOUT, placement,
                                                 "held out: the placement default is given")
                continue
            candidates[treatment_id] = _with(previous, Reason.SELECTED, placement)
            given.append(treatment_id)
        missing = request.placements[placement] - len(given)
        default_id = rules.catalogue.defaults.get(placement)
        if missing > 0 and default_id is not None and default_id not in given:
            default = by_id[default_id]
            blocked = _gate(default, request, now, totals)[0] is not None or \
                contact_policy.check(default, request.channel, profile, history,
                                     rules.policy, now) is not None
            if not blocked:
                given.append(default_id)
                # a default is a treatment of the catalogue, so the loop above gave it a
                # candidate: it keeps that candidate's score and propensity
                candidates[default_id] = _with(candidates[default_id], Reason.DEFAULT,
                                               placement, "placement default")
        placements[placement] = tuple(given)

    return Decision(decision_id, now, request.customer_id, request.channel, rules.version,
                    input_digest, placements, tuple(candidates.values()), tuple(holdouts),
                    eligibility.traces)


def _eligible(treatment: Treatment, channel: str, profile: Mapping[str, Any],
              history: CustomerHistory, rules: RuleSet, now: dt.datetime,
              eligibility: _Eligibility) -> tuple[Reason, str] | None:
    miss = eligibility.miss(treatment)
    if miss is not None:
        return Reason.RULE_MISS, miss
    return contact_policy.check(treatment, channel, profile, history, rules.policy, now)


def _with(candidate: Candidate, reason: Reason, placement: str, detail: str = "") -> Candidate:
    return Candidate(candidate.treatment_id, reason, detail or candidate.detail, placement,
                     candidate.score, candidate.propensity)
