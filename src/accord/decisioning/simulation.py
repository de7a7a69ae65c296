"""A bandit simulation with known response rates: does Thompson sampling find the best
treatment, and how much does it lose on the way compared with a fixed random policy?

Regret is the expected reward lost against always giving the best treatment:
``sum over rounds of (best rate - rate of the treatment given)``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from accord.decisioning.propensity import BetaEstimate


@dataclass(frozen=True, slots=True)
class SimulationReport:
    rounds: int
    best: int
    thompson_regret: float
    random_regret: float
    #: Share of the last tenth of rounds in which Thompson sampling gave the best treatment.
    best_share_at_end: float
    #: How often each treatment was given by Thompson sampling.
    pulls: tuple[int, ...]


_UNIFORM = BetaEstimate(1.0, 1.0)


def simulate(rates: Sequence[float], rounds: int, *, seed: int = 0,
             prior: BetaEstimate = _UNIFORM) -> SimulationReport:
    """Run Thompson sampling and a uniform random policy against the same true ``rates``."""
    if not rates or any(not 0.0 <= r <= 1.0 for r in rates):
        raise ValueError("rates must be probabilities")
    rng = random.Random(seed)
    estimates = [prior] * len(rates)
    best_rate = max(rates)
    best = rates.index(best_rate)
    pulls = [0] * len(rates)
    regret_ts = regret_random = 0.0
    tail_start, tail_best = rounds - max(1, rounds // 10), 0
    for step in range(rounds):
        draws = [estimate.sample(rng) for estimate in estimates]
        arm = max(range(len(rates)), key=draws.__getitem__)
        success = rng.random() < rates[arm]
        estimates[arm] = estimates[arm].updated(success)
        pulls[arm] += 1
        regret_ts += best_rate - rates[arm]
        regret_random += best_rate - rates[rng.randrange(len(rates))]
        if step >= tail_start and arm == best:
            tail_best += 1
    return SimulationReport(rounds, best, regret_ts, regret_random,
                            tail_best / max(1, rounds - tail_start), tuple(pulls))
