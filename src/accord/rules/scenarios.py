"""Test scenarios: named sample customers with the decision expected, kept in a rule set's
``scenarios.yaml`` and run on every proposal; a failing one blocks approval.

::

    - name: gold customer on the web gets the VIP lounge
      channel: web
      placements: {hero: 1}
      profile: {monetary: 1500, recency_days: 12, orders: 9, segments: [vip]}
      context: {cart value: 0}
      expect: {hero: [vip-lounge]}

Scenarios decide with the mean propensities, no contact history and no holdout, so that
they test the rules alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.decisioning.decide import DecisionRequest, decide
from accord.decisioning.history import CustomerHistory
from accord.decisioning.propensity import Propensities
from accord.decisioning.ruleset import RuleSet
from accord.errors import ConfigError
from accord.feel.values import from_python


class Scenario(BaseModel):
    """One scenario of ``scenarios.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    channel: str = Field(min_length=1)
    placements: dict[str, int] = Field(default_factory=lambda: {"default": 1})
    profile: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)
    expect: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    name: str
    passed: bool
    expected: Mapping[str, list[str]]
    actual: Mapping[str, list[str]]
    reasons: Mapping[str, str]  # treatment -> reason (and detail), for people to read
    trace: Mapping[str, list[Any]]

    def explain(self) -> str:
        """``expected ... got ...`` with every treatment's reason and the matched rules."""
        reasons = "; ".join(f"{t}: {r}" for t, r in self.reasons.items())
        matched = "; ".join(f"{table} matched {', '.join(t.matched) or 'no rule'}"
                            for table, traces in self.trace.items() for t in traces)
        return (f"scenario {self.name!r}: expected {dict(self.expected)}, got "
                f"{dict(self.actual)} ({reasons}) [{matched}]")


def parse_scenarios(text: str) -> list[Scenario]:
    """The scenarios of a ``scenarios.yaml`` text (a list)."""
    try:
        data = yaml.safe_load(text) or []
    except yaml.YAMLError as exc:
        raise ConfigError(f"scenarios.yaml: {exc}") from None
    if not isinstance(data, list):
        raise ConfigError("scenarios.yaml: expected a list of scenarios")
    scenarios = []
    for number, item in enumerate(data, start=1):
        try:
            scenarios.append(Scenario.model_validate(item))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "(scenario)"
            raise ConfigError(f"scenarios.yaml, scenario {number}: {where}: "
                              f"{error['msg']}") from None
    return scenarios


def run_scenarios(rules: RuleSet, scenarios: list[Scenario], now: dt.datetime
                  ) -> list[ScenarioResult]:
    """Decide every scenario with ``rules`` and compare with what it expects."""
    results = []
    for scenario in scenarios:
        request = DecisionRequest(scenario.channel, scenario.placements,
                                  from_python(scenario.context), explore=False, trace=True)
        decision = decide(request, from_python(scenario.profile), CustomerHistory(), {},
                          Propensities(), rules, now)
        actual = {p: list(t) for p, t in decision.placements.items()}
        expected = {p: list(t) for p, t in scenario.expect.items()}
        reasons = {c.treatment_id: c.reason.value + (f" ({c.detail})" if c.detail else "")
                   for c in decision.candidates}
        results.append(ScenarioResult(
            scenario.name, all(actual.get(p, []) == t for p, t in expected.items()),
            expected, actual, reasons, dict(decision.trace or {})))
    return results
