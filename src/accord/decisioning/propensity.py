"""Adaptive propensity: Beta-Bernoulli estimates per treatment (and segment), learned online.

Each treatment's response rate is a Beta(alpha, beta) posterior: the prior says what is
believed before any outcome (cold start), each success adds to alpha and each failure to
beta. Thompson sampling draws one plausible rate per candidate, so treatments with little
evidence are explored in proportion to the chance that they are the best.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class BetaEstimate:
    """A Beta(alpha, beta) belief about a response rate."""

    alpha: float = 1.0
    beta: float = 1.0

    def __post_init__(self) -> None:
        if self.alpha <= 0 or self.beta <= 0:
            raise ValueError("Beta parameters must be positive")

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def evidence(self) -> float:
        """How many outcomes (plus the prior's weight) the estimate rests on."""
        return self.alpha + self.beta

    def updated(self, success: bool, weight: float = 1.0) -> BetaEstimate:
        """The posterior after one more outcome."""
        if success:
            return BetaEstimate(self.alpha + weight, self.beta)
        return BetaEstimate(self.alpha, self.beta + weight)

    def sample(self, rng: random.Random) -> float:
        """A Thompson draw."""
        return rng.betavariate(self.alpha, self.beta)


@dataclass(frozen=True, slots=True)
class Propensities:
    """Estimates by ``(treatment, segment)`` (``segment`` ``""`` for the whole base), and the
    prior used when a treatment has none yet.

    ``segments`` lists the segments that get estimates of their own, in priority order: a
    customer in several uses the first.
    """

    estimates: Mapping[tuple[str, str], BetaEstimate] = field(default_factory=dict)
    priors: Mapping[str, BetaEstimate] = field(default_factory=dict)
    default_prior: BetaEstimate = BetaEstimate(1.0, 1.0)
    segments: tuple[str, ...] = ()

    def key(self, treatment_id: str, customer_segments: Sequence[str]) -> tuple[str, str]:
        """The estimate a customer's decision uses for a treatment."""
        for segment in self.segments:
            if segment in customer_segments:
                return treatment_id, segment
        return treatment_id, ""

    def estimate(self, treatment_id: str, customer_segments: Sequence[str] = ()
                 ) -> BetaEstimate:
        key = self.key(treatment_id, customer_segments)
        found = self.estimates.get(key)
        if found is None and key[1]:
            found = self.estimates.get((treatment_id, ""))
        if found is None:
            found = self.priors.get(treatment_id, self.default_prior)
        return found

    def updated(self, treatment_id: str, customer_segments: Sequence[str],
                success: bool) -> Propensities:
        """New estimates after one outcome: the customer's segment estimate and the base's."""
        changed = dict(self.estimates)
        keys = {self.key(treatment_id, customer_segments), (treatment_id, "")}
        for key in keys:
            current = changed.get(key) or self.priors.get(treatment_id, self.default_prior)
            changed[key] = current.updated(success)
        return Propensities(changed, self.priors, self.default_prior, self.segments)
