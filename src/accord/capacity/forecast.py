"""The load forecast: for every resource and 15-minute slot, the expected load of all the
scheduled campaigns and its P90.

A campaign's sends per slot ``x`` and a step's time-to-response curve ``c`` give the step's
expected responses ``rate * (x * c)`` (a convolution; a batch goes out evenly over its slot,
so ``c`` is first :func:`spread` over the grid). A resource's load is the sum over steps
of its ``load`` weight times that, summed over campaigns. Two sources of uncertainty are
combined, as variances, in a normal approximation:

* count noise: each send responds or not (binomial, bounded above by Poisson), so a step's
  count in a slot has variance at most its mean; weighted by ``w**2``;
* rate uncertainty: the step's rate is a Beta posterior, one draw for the whole campaign, so
  its standard deviation scales with the campaign's size: ``w * sd(rate) * (x * c)``. The
  steps of one campaign are added as fully correlated (standard deviations sum: a campaign
  that opens better also clicks better, and the sum is the safe side); campaigns are
  independent of each other (variances add).

The P90 is ``mean + z * sqrt(variance)`` with ``z`` the normal 90 % quantile (1.2816).
Each campaign's sends are convolved over their own span only (first to last batch, not the
whole grid), all steps at once, and reach every resource through one matrix product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import signal

from accord.capacity.grid import Grid
from accord.capacity.plans import CampaignPlan, schedule
from accord.capacity.resources import STEPS, Registry
from accord.capacity.response import ResponseModel

#: The normal distribution's 90 % quantile.
Z90 = 1.2815515655446004

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CampaignKernels:
    """Per send of one campaign, the load it puts on each resource ``k`` slots later.

    ``mean[r, k]`` is the expected load, ``poisson[r, k]`` the count noise's variance and
    ``sd[r, k]`` the rate uncertainty's standard deviation (all per send; linear in sends).
    ``steps`` and ``step_sd`` keep the per-step parts the exact variance needs.
    """

    mean: Array
    poisson: Array
    sd: Array
    steps: Array      # (steps, K) expected responses per send
    step_sd: Array    # (resources, steps): w * sd(rate) per resource and step


def weights(registry: Registry) -> Array:
    """Load per response step (columns, :data:`STEPS` order) for each resource (rows)."""
    out = np.zeros((len(registry), len(STEPS)))
    for row, resource in enumerate(registry):
        for step, weight in resource.weights().items():
            out[row, STEPS.index(step)] = weight
    return out


def noise(w: Array) -> Array:
    """Count-noise variance per response of each step (``w**2``; the sends themselves are
    counted, not drawn: none)."""
    out = w ** 2
    out[:, STEPS.index("send")] = 0.0
    return out


def spread(curve: Array) -> Array:
    """A response curve as the grid sees it when a batch goes out evenly over its slot.

    The curve gives the share of responses in each 15-minute interval after *a send*; a
    batch's sends are spread over the slot, so half of each interval's share falls in the
    grid slot after it (a uniform send time plus a delay uniform within its interval).

    >>> spread(np.array([0.6, 0.3, 0.1])).round(3).tolist()
    [0.3, 0.45, 0.2, 0.05]
    """
    out = np.zeros(len(curve) + 1)
    out[:-1] += curve / 2
    out[1:] += curve / 2
    return out


def kernels(plan: CampaignPlan, model: ResponseModel, registry: Registry) -> CampaignKernels:
    """The campaign's load per send on each resource over the slots after the send."""
    length = model.horizon + 1
    curves = np.zeros((len(STEPS), length))
    means = np.zeros(len(STEPS))
    sds = np.zeros(len(STEPS))
    for index, step in enumerate(STEPS):
        if step == "send":  # the sends load the e-mail provider in their own slot
            curves[index, 0] = means[index] = 1.0
            continue
        curve = spread(model.curve(plan.channel, step)[:model.horizon])
        curves[index, :len(curve)] = curve
        rate = model.rate(plan.channel, plan.segment, step)
        means[index], sds[index] = rate.mean, rate.sd
    w = weights(registry)
    steps = means[:, None] * curves
    return CampaignKernels(mean=w @ steps, poisson=noise(w) @ steps,
                           sd=(w * sds) @ curves, steps=steps, step_sd=w * sds)


@dataclass(frozen=True, slots=True)
class Forecast:
    """Load per resource (rows, in ``resources`` order) and slot of ``grid``."""

    grid: Grid
    resources: tuple[str, ...]
    mean: Array
    p90: Array
    capacity: Array
    variance: Array

    def peak(self, resource: str) -> tuple[int, float]:
        """The slot of the resource's highest P90 load and that load."""
        row = self.p90[self.resources.index(resource)]
        slot = int(np.argmax(row))
        return slot, float(row[slot])

    def plus(self, other: Forecast) -> Forecast:
        """Both forecasts' loads together (campaigns are independent: variances add)."""
        mean, variance = self.mean + other.mean, self.variance + other.variance
        return Forecast(self.grid, self.resources, mean, mean + Z90 * np.sqrt(variance),
                        self.capacity, variance)

    def headroom(self) -> Array:
        """Capacity minus P90 load, per resource and slot (negative: over capacity)."""
        return self.capacity - self.p90


def forecast(plans: Sequence[CampaignPlan], model: ResponseModel, registry: Registry,
             grid: Grid) -> Forecast:
    """The load of every plan on every resource, summed, with its P90.

    Args:
        plans: the scheduled campaigns (a plan without batches goes all at once).
        model: the response model.
        registry: the resources.
        grid: the slots to forecast.

    Returns:
        Mean, P90 and capacity per resource and slot.
    """
    w, n = weights(registry), noise(weights(registry))
    mean = np.zeros((len(registry), grid.slots))
    variance = np.zeros_like(mean)
    for plan in plans:
        sends = schedule(plan, grid)
        used = np.flatnonzero(sends)
        if len(used) == 0:
            continue
        # only the span from the first to the last batch is convolved: a campaign's sends
        # cover hours or days of a quarter-long grid
        first, last = int(used[0]), int(used[-1]) + 1
        k = kernels(plan, model, registry)
        length = min(grid.slots - first, last - first + k.steps.shape[1] - 1)
        responses = _convolve_span(sends[first:last], k.steps)[:, :length]  # (S, L)
        span = slice(first, first + length)
        mean[:, span] += w @ responses
        variance[:, span] += n @ responses  # count noise (Poisson bound)
        # rate uncertainty: w * sd(rate) * (x * curve) = w * sd * responses / rate, summed
        # over the campaign's steps (fully correlated), squared (campaigns independent)
        rates = k.steps.sum(axis=1)[:, None]
        per_send = np.divide(responses, rates, out=np.zeros_like(responses), where=rates > 0)
        variance[:, span] += (k.step_sd @ per_send) ** 2
    return Forecast(grid, tuple(registry.names()), mean, mean + Z90 * np.sqrt(variance),
                    registry.capacities(grid), variance)


def _convolve_span(sends: Array, steps: Array) -> Array:
    """One campaign's sends (L,) with each step's expected responses per send (S, K)."""
    if len(sends) * steps.shape[1] <= 200_000:  # short spans: direct is faster than FFT
        return np.vstack([np.convolve(sends, row) for row in steps])
    full = signal.fftconvolve(sends[None, :], steps, axes=1)
    return np.asarray(np.clip(full, 0.0, None))  # FFT round-off can dip just below zero
