"""Lift against the control group with 95% intervals, and when a sample is too small to say.

* Rates (visit, conversion): the difference of proportions ``p_t - p_c`` with Newcombe's
  hybrid score interval (Newcombe 1998, method 10: built from the two Wilson score
  intervals). Unlike the Wald interval it stays inside [-1, 1] and keeps its coverage for
  rare events such as a 0.5 % conversion rate.
* Means (spend or revenue per customer): the difference of means with Welch's t interval
  (unequal variances, Welch-Satterthwaite degrees of freedom).

A comparison is flagged ``too_small`` when either arm has fewer than :data:`MIN_ARM`
customers, or (rates) fewer than :data:`MIN_EVENTS` successes or failures in either arm:
below that the normal approximations behind both intervals are not to be trusted.

>>> r = rate_lift(56, 70, 48, 80)   # Newcombe (1998), table II, example (a)
>>> round(r.difference, 4), round(r.low, 4), round(r.high, 4)
(0.2, 0.0524, 0.3339)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

__all__ = ["MIN_ARM", "MIN_EVENTS", "Lift", "mean_lift", "rate_lift", "wilson"]

#: Fewer customers than this in an arm: too small to say.
MIN_ARM = 30
#: Fewer successes (or failures) than this in an arm, for a rate: too small to say.
MIN_EVENTS = 5
#: The confidence level of every interval.
LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class Lift:
    """Treatment minus control, with its interval."""

    treated: float
    control: float
    difference: float
    low: float
    high: float
    method: str
    too_small: bool

    @property
    def relative(self) -> float | None:
        """The difference as a share of the control value (``None`` for a zero control)."""
        return self.difference / self.control if self.control else None

    @property
    def significant(self) -> bool:
        """The interval excludes zero (and the sample is large enough to say)."""
        return not self.too_small and (self.low > 0 or self.high < 0)


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson(successes: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson's score interval for a proportion.

    >>> [round(x, 4) for x in wilson(56, 70)]
    [0.6918, 0.877]
    """
    if n == 0:
        return (0.0, 1.0)
    z = _z(level)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half, centre + half)


def rate_lift(treated_successes: int, treated_n: int, control_successes: int,
              control_n: int, level: float = LEVEL) -> Lift:
    """Difference of two proportions with Newcombe's hybrid score interval."""
    p1 = treated_successes / treated_n if treated_n else 0.0
    p2 = control_successes / control_n if control_n else 0.0
    l1, u1 = wilson(treated_successes, treated_n, level)
    l2, u2 = wilson(control_successes, control_n, level)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    small = min(treated_n, control_n) < MIN_ARM or min(
        treated_successes, treated_n - treated_successes,
        control_successes, control_n - control_successes) < MIN_EVENTS
    return Lift(p1, p2, difference, low, high, "newcombe", small)


def mean_lift(treated_n: int, treated_mean: float, treated_variance: float,
              control_n: int, control_mean: float, control_variance: float,
              level: float = LEVEL) -> Lift:
    """Difference of two means with Welch's t interval (sample variances, ``ddof=1``)."""
    difference = treated_mean - control_mean
    small = min(treated_n, control_n) < MIN_ARM
    if min(treated_n, control_n) < 2:
        return Lift(treated_mean, control_mean, difference, -math.inf, math.inf, "welch", True)
    a = treated_variance / treated_n
    b = control_variance / control_n
    se = math.sqrt(a + b)
    if se == 0:
        return Lift(treated_mean, control_mean, difference, difference, difference, "welch",
                    small)
    df = (a + b) ** 2 / (a * a / (treated_n - 1) + b * b / (control_n - 1))
    t = float(stats.t.ppf(0.5 + level / 2, df))
    return Lift(treated_mean, control_mean, difference, difference - t * se,
                difference + t * se, "welch", small)
