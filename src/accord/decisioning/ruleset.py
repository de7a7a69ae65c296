"""A rule set: the treatment catalogue, its eligibility tables, the contact policy and the
arbitration formula that go live together, compiled once and then shared read-only by every
decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from accord.decisioning.arbitration import Arbitration
from accord.decisioning.policy import ContactPolicy
from accord.decisioning.propensity import Propensities
from accord.decisioning.treatments import Catalogue
from accord.dmn.runtime import Model
from accord.errors import ConfigError, DmnEvaluationError


@dataclass(frozen=True, slots=True)
class EligibilityTable:
    """One DMN decision used as an eligibility test: fast and traced evaluation."""

    name: str
    model: Model
    fast: Callable[[Mapping[str, Any]], Any]
    #: the decision requires other decisions: evaluate it in a run shared with the other
    #: tables of its model (see ``Model.session``), so what they require is computed once
    shared: bool = False

    def traced(self, inputs: Mapping[str, Any]) -> tuple[Any, list[Any]]:
        """The value and the decision-table traces of an evaluation."""
        result = self.model.evaluate(self.name, inputs, trace=True)
        return result.value, list(result.trace or [])


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Everything a decision needs besides the customer: immutable once built."""

    version: str
    catalogue: Catalogue
    tables: Mapping[str, EligibilityTable]
    policy: ContactPolicy = field(default_factory=ContactPolicy)
    arbitration: Arbitration = field(default_factory=Arbitration)
    propensity_segments: tuple[str, ...] = ()
    #: What to do for a customer id the online store does not know: decide from the
    #: request context alone ("anonymous") or refuse ("reject").
    unknown_customer: str = "anonymous"
    #: The channels the rules name (treatments', quiet hours', contact limits'); empty when
    #: they name none, and every channel is then as good as another. Derived once, here.
    channels: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        names = {channel for treatment in self.catalogue.treatments
                 for channel in treatment.channels}
        names.update(quiet.channel for quiet in self.policy.quiet_hours)
        names.update(limit.channel for limit in self.policy.limits if limit.channel)
        object.__setattr__(self, "channels", frozenset(names))  # frozen: set once, at birth

    @classmethod
    def build(cls, version: str, catalogue: Catalogue, models: Sequence[Model], *,
              policy: ContactPolicy | None = None, formula: str | None = None,
              propensity_segments: Sequence[str] = (),
              unknown_customer: str = "anonymous") -> RuleSet:
        """Compile a rule set; every eligibility decision a treatment names must exist.

        Raises:
            ConfigError: naming the treatment and the missing decision.
        """
        if unknown_customer not in ("anonymous", "reject"):
            raise ConfigError("unknown_customer must be 'anonymous' or 'reject'")
        tables: dict[str, EligibilityTable] = {}
        for treatment in catalogue.treatments:
            for name in treatment.eligibility:
                if name in tables:
                    continue
                tables[name] = _find(name, models, treatment.id)
        return cls(version, catalogue, tables, policy or ContactPolicy(),
                   Arbitration(formula) if formula else Arbitration(),
                   tuple(propensity_segments), unknown_customer)

    def propensities_for(self, base: Propensities) -> Propensities:
        """``base`` with this rule set's segment priorities."""
        return Propensities(base.estimates, base.priors, base.default_prior,
                            self.propensity_segments)


def _find(name: str, models: Sequence[Model], treatment_id: str) -> EligibilityTable:
    for model in models:
        try:
            fast = model.compile(name)
            _, decision = model.decision(name)
            return EligibilityTable(name, model, fast, bool(decision.required_decisions))
        except DmnEvaluationError:
            continue
    raise ConfigError(f"treatment {treatment_id!r}: no eligibility decision named {name!r} "
                      f"in the rule set's models")
