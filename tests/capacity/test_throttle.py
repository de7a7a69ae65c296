"""The throttling solver against exhaustive search on random small cases."""

from __future__ import annotations

import numpy as np
import pytest

from accord.capacity.throttle import Constraints, solve
from tests.capacity.brute import earliest

SHAPES = {
    "decaying": np.array([3.0, 2.0, 1.0, 0.5]),
    "rising": np.array([0.5, 2.0, 3.0, 1.0]),   # orders and calls: a delayed peak
    "late": np.array([0.0, 0.0, 1.0, 2.0]),
}


def _case(seed: int, shape: str) -> tuple[Constraints, int]:
    rng = np.random.default_rng(seed)
    slots = 8
    base = np.vstack([SHAPES[shape], SHAPES["decaying"] * rng.uniform(0.2, 1.0)])
    poisson = np.vstack([SHAPES[shape] * 0.2, np.zeros(4)])
    slack = rng.integers(4, 14, size=(2, slots + 4)).astype(float)
    slack[0, rng.integers(0, slots)] = 0.5  # a maintenance window
    allowed = rng.random(slots + 4) < 0.8
    allowed[slots:] = False
    scale = rng.uniform(0.0, 0.3, size=(2, slots + 4))
    return Constraints(base, poisson, scale, slack, allowed), int(rng.integers(3, 9))


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("seed", range(6))
def test_solver_finishes_as_early_as_any_integer_plan(seed: int, shape: str) -> None:
    c, audience = _case(seed, shape)
    sends, unsent, proof = solve(c, audience)
    best = earliest(c, audience)
    if best is None:
        assert unsent > 0
        return
    assert unsent == 0 and int(sends.sum()) == audience
    assert int(np.flatnonzero(sends)[-1]) == best
    assert proof == ("monotone-greedy" if shape == "decaying" else proof)
    assert np.all(sends[~c.allowed] == 0)
    load = np.zeros_like(c.slack)
    for slot in np.flatnonzero(sends):
        rows = c.row_kernels(int(slot))
        load[:, slot:slot + rows.shape[1]] += rows * sends[slot]
    assert np.all(load <= c.slack + 1e-6)


def test_the_milp_beats_the_greedy_when_a_delayed_peak_makes_it_myopic() -> None:
    # sending at once fills slot 1 (weight 2); waiting a slot uses slot 2's room instead
    c = Constraints(base=np.array([[1.0, 2.0]]), poisson=np.zeros((1, 2)),
                    scale=np.zeros((1, 4)), slack=np.array([[10.0, 10.0, 100.0, 100.0]]),
                    allowed=np.array([True, True, True, False]))
    sends, unsent, proof = solve(c, 10)
    assert proof == "milp-search" and unsent == 0
    assert int(np.flatnonzero(sends)[-1]) == earliest(c, 10) == 1
    greedy_only, _, unproven = solve(c, 10, certify=False)
    assert unproven == "unproven" and int(np.flatnonzero(greedy_only)[-1]) == 2
