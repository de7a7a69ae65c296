"""The throttled send plan: batch sizes and times, within the campaign's send windows and
quiet hours, that keep every resource's P90 load under capacity and finish earliest.

**The linear model.** With ``x[t]`` the sends in slot ``t``, the forecast's P90 on a resource
in slot ``v`` is ``M + A*x + z * sqrt(V + P*x + (D*x)**2)`` (``M``, ``V``: the other
campaigns' mean and variance; ``A``, ``P``, ``D``: this campaign's kernels of mean, count
variance and rate standard deviation, ``*`` the convolution; see
:mod:`accord.capacity.forecast`). It is bounded above by a linear function:
``sqrt(a + b) <= sqrt(a) + sqrt(b)`` splits off ``sqrt((D*x)**2) = D*x``, and the square
root of the rest lies under its
tangent at any ``y0 > 0`` (``sqrt(y) <= sqrt(y0)/2 + y/(2 sqrt(y0))``; ``y0`` is the variance
expected at full capacity, where the bound must be tight). So every slot ``v`` gets one
linear constraint ``sum_k B_v[k] x[v-k] <= slack[v]`` with
``B_v = A + z P / (2 sqrt(y0_v)) + z D`` and any plan meeting them has its P90 under capacity.
Where the other campaigns alone are over capacity, this one may add nothing.

**Solving it.** Sends are integers. The greedy sends, slot by slot, the most that keeps every
present and future slot within its slack if nothing more were sent. It never fails (sending
nothing more is always allowed) and it maximises the sends made by every slot, hence finishes
earliest, whenever every kernel ``B_v`` is non-increasing in ``k``: by Abel summation the load
in slot ``v`` of the sends up to ``t`` is ``B[v-t] S(t) - sum_{j<t} (B[v-j-1]-B[v-j]) S(j)``
for cumulative sends ``S``, increasing in ``S(t)`` and non-increasing in every earlier
``S(j)``; so if the greedy is ahead of a feasible plan up to ``t - 1``, the plan's ``S(t)`` is
feasible for the greedy at ``t`` too, and by induction the greedy is ahead everywhere.
Response kernels usually rise before they fall (a batch's responses build up over its own
slot; orders and calls peak hours later); then optimality is decided by a
mixed-integer program (HiGHS, ``scipy.optimize.milp``): if it finds no plan finishing one
slot earlier than the greedy, the greedy is proven optimal; otherwise a binary search on the
finish slot, with the MILP as feasibility oracle, finds the earliest one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse

from accord.capacity.forecast import Z90, Forecast, kernels
from accord.capacity.grid import TOLERANCE, CapacityError, Grid
from accord.capacity.plans import Batch, CampaignPlan, allowed
from accord.capacity.resources import Registry
from accord.capacity.response import ResponseModel

Array = npt.NDArray[np.float64]
#: How the plan's optimality was established.
Proof = Literal["monotone-greedy", "milp-certificate", "milp-search", "unproven"]
_EPS = 1e-9
#: Seconds one MILP may take; past it the plan found so far is kept, marked ``unproven``.
MILP_SECONDS = 20.0


class _Undecided(Exception):
    """The MILP hit its time limit without deciding feasibility."""


@dataclass(frozen=True, slots=True)
class Constraints:
    """The linear model of one campaign: ``B[r, v, k]`` is built on demand from the parts
    ``base[r, k] + scale[r, v] * poisson[r, k]``; ``slack[r, v]`` the room left."""

    base: Array       # (R, K): A + z D
    poisson: Array    # (R, K): P
    scale: Array      # (R, T): z / (2 sqrt(y0))
    slack: Array      # (R, T)
    allowed: npt.NDArray[np.bool_]

    @property
    def length(self) -> int:
        return int(self.base.shape[1])

    def row_kernels(self, slot: int) -> Array:
        """``B_v[v - slot]`` for ``v`` in ``slot .. slot + K``: the load per send in ``slot``
        on each resource (R, K), clipped at the grid's end."""
        end = min(slot + self.length, self.slack.shape[1])
        width = end - slot
        return np.asarray(self.base[:, :width]
                          + self.scale[:, slot:end] * self.poisson[:, :width])

    def monotone(self) -> bool:
        """True when every row kernel is non-increasing (the greedy is then optimal)."""
        return bool(np.all(np.diff(self.base, axis=1) <= _EPS)
                    and np.all(np.diff(self.poisson, axis=1) <= _EPS))


def constraints(plan: CampaignPlan, model: ResponseModel, registry: Registry,
                background: Forecast) -> Constraints:
    """The linear constraints a plan's sends must meet on top of ``background``."""
    grid = background.grid
    k = kernels(plan, model, registry)
    used = np.flatnonzero((k.mean + k.poisson + k.sd).max(axis=0) > 1e-12)
    length = int(used[-1]) + 1 if len(used) else 1
    mean_k, poisson_k, sd_k = (a[:, :length] for a in (k.mean, k.poisson, k.sd))
    # variance per unit of load of this campaign: places the tangent at full capacity
    ratio = np.divide(poisson_k.sum(axis=1), mean_k.sum(axis=1),
                      out=np.ones(len(registry)), where=mean_k.sum(axis=1) > 0)
    closed = np.isinf(background.capacity)  # not judged: no constraint
    capacity = np.where(closed, 0.0, background.capacity)
    room = np.clip(capacity - background.mean, 0.0, None)
    y0 = np.maximum(background.variance + ratio[:, None] * room, 1.0)
    root = np.sqrt(y0)
    slack = capacity + TOLERANCE - background.mean - Z90 * (
        root / 2 + background.variance / (2 * root))
    slack = np.where(closed, np.inf, np.clip(slack, 0.0, None))
    return Constraints(base=mean_k + Z90 * sd_k, poisson=poisson_k, scale=Z90 / (2 * root),
                       slack=slack, allowed=allowed(plan, grid))


@dataclass(frozen=True, slots=True)
class ThrottledPlan:
    """The batches, the slot of the last one, and how its optimality is known."""

    campaign: str
    grid: Grid
    sends: npt.NDArray[np.int64]
    finish: int | None
    unsent: int
    proof: Proof

    def batches(self) -> list[Batch]:
        return [Batch(at=self.grid.at(int(slot)), size=int(self.sends[slot]))
                for slot in np.flatnonzero(self.sends)]

    def apply(self, plan: CampaignPlan) -> CampaignPlan:
        """The plan with these batches scheduled."""
        return plan.model_copy(update={"batches": tuple(self.batches())})


def greedy(c: Constraints, audience: int) -> npt.NDArray[np.int64]:
    """The most sends per slot, in order, that keep every slot within its slack."""
    slots = c.slack.shape[1]
    sends = np.zeros(slots, dtype=np.int64)
    slack = c.slack.copy()
    left = audience
    for slot in np.flatnonzero(c.allowed):
        if left == 0:
            break
        rows = c.row_kernels(int(slot))
        end = int(slot) + rows.shape[1]
        window = slack[:, slot:end]
        loaded = rows > 1e-12
        most = np.min(window[loaded] / rows[loaded]) if loaded.any() else float(left)
        size = left if not np.isfinite(most) else min(left, math.floor(most + 1e-9))
        if size <= 0:
            continue
        sends[slot] = size
        window -= rows * size
        left -= size
    return sends


def _milp(c: Constraints, audience: int, finish: int) -> npt.NDArray[np.int64] | None:
    """Integer sends finishing by ``finish`` within every slack, or None when there are none."""
    slots = np.flatnonzero(c.allowed[:finish + 1])
    if len(slots) == 0:
        return None
    total = c.slack.shape[1]
    resources = c.slack.shape[0]
    rows_, cols_, vals_ = [], [], []
    for column, slot in enumerate(slots):
        kernel = c.row_kernels(int(slot))
        r_index, k_index = np.nonzero(kernel > 1e-12)
        rows_.append(r_index * total + slot + k_index)
        cols_.append(np.full(len(r_index), column))
        vals_.append(kernel[r_index, k_index])
    row = np.concatenate(rows_)
    used, inverse = np.unique(row, return_inverse=True)
    matrix = sparse.csr_array((np.concatenate(vals_), (inverse, np.concatenate(cols_))),
                              shape=(len(used), len(slots)))
    bound = c.slack.reshape(resources * total)[used]
    finite = np.isfinite(bound)  # closed slots constrain nothing
    matrix, bound = matrix[finite], bound[finite]
    result = optimize.milp(
        c=np.zeros(len(slots)),
        constraints=[optimize.LinearConstraint(matrix, -np.inf, bound),
                     optimize.LinearConstraint(np.ones((1, len(slots))), audience, audience)],
        integrality=np.ones(len(slots)), bounds=optimize.Bounds(0, np.inf),
        options={"time_limit": MILP_SECONDS})
    if result.status == 1:  # time limit: neither a plan nor a proof there is none
        if result.x is None:
            raise _Undecided
    elif result.status != 0 or result.x is None:
        return None
    out = np.zeros(total, dtype=np.int64)
    out[slots] = np.round(result.x).astype(np.int64)
    return out


def _finish(sends: npt.NDArray[np.int64]) -> int | None:
    used = np.flatnonzero(sends)
    return int(used[-1]) if len(used) else None


def throttle(plan: CampaignPlan, model: ResponseModel, registry: Registry,
             background: Forecast, *, certify: bool = True) -> ThrottledPlan:
    """The earliest-finishing plan for ``plan`` on top of the ``background`` load.

    Args:
        plan: the campaign (its audience sized; its batches, if any, are replaced).
        model: the response model.
        registry: the resources.
        background: the forecast of every other scheduled campaign, on the grid to plan in.
        certify: when the greedy's optimality does not follow from monotone kernels, decide
            it with the MILP (False: keep the greedy, marked ``unproven``).

    Returns:
        The throttled plan; ``unsent`` is the audience no plan can send within the grid.
    """
    c = constraints(plan, model, registry, background)
    if not c.allowed.any():
        raise CapacityError(f"campaign {plan.id!r} has no slot it may send in")
    sends, unsent, proof = solve(c, plan.size, certify=certify)
    return ThrottledPlan(plan.id, background.grid, sends, _finish(sends), unsent, proof)


def solve(c: Constraints, audience: int, *, certify: bool = True
          ) -> tuple[npt.NDArray[np.int64], int, Proof]:
    """The earliest-finishing integer sends within ``c``: ``(sends per slot, unsent, proof)``.

    >>> c = Constraints(base=np.array([[1.0, 0.5]]), poisson=np.zeros((1, 2)),
    ...                 scale=np.zeros((1, 4)), slack=np.array([[4.0, 4.0, 4.0, 4.0]]),
    ...                 allowed=np.ones(4, dtype=bool))
    >>> sends, unsent, proof = solve(c, 9)
    >>> sends.tolist(), unsent, proof
    ([4, 2, 3, 0], 0, 'monotone-greedy')
    """
    sends = greedy(c, audience)
    unsent = audience - int(sends.sum())
    if c.monotone():
        return sends, unsent, "monotone-greedy"
    if not certify:
        return sends, unsent, "unproven"
    try:
        return _search(c, audience, sends, unsent)
    except _Undecided:
        return sends, unsent, "unproven"


def _search(c: Constraints, audience: int, sends: npt.NDArray[np.int64],
            unsent: int) -> tuple[npt.NDArray[np.int64], int, Proof]:
    """Binary search on the finish slot with the MILP as the oracle: first whether any plan
    finishes before the greedy's (no: the greedy is proven optimal), then how early."""
    best = sends
    proof: Proof = "milp-certificate"
    if unsent:
        found = _milp(c, audience, c.slack.shape[1] - 1)
        if found is None:  # no plan sends the whole audience within the grid
            return sends, unsent, proof
        best, proof = found, "milp-search"
    allowed_slots = np.flatnonzero(c.allowed)
    high = int(np.searchsorted(allowed_slots, _finish(best) or 0))  # finishing there: feasible
    if high == 0:
        return best, 0, proof
    found = _milp(c, audience, int(allowed_slots[high - 1]))
    if found is None:
        return best, 0, proof
    best, high, proof = found, high - 1, "milp-search"
    low = 0
    while low < high:  # invariant: some plan finishes by allowed_slots[high]
        middle = (low + high) // 2
        try:
            found = _milp(c, audience, int(allowed_slots[middle]))
        except _Undecided:  # keep the earlier plan found so far, unproven
            return best, 0, "unproven"
        if found is None:
            low = middle + 1
        else:
            best, high = found, middle
    return best, 0, proof
