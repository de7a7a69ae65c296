"""Exhaustive search for throttling: the reference the solver is checked against."""

from __future__ import annotations

import numpy as np

from accord.capacity.throttle import Constraints


def brute_force(c: Constraints, slots: list[int], audience: int) -> bool:
    """Is there an integer split of ``audience`` sends among ``slots`` within every slack?"""
    return _search(c, slots, audience, np.zeros_like(c.slack))


def _search(c: Constraints, slots: list[int], left: int, load: np.ndarray) -> bool:
    # depth first; a prefix that passes a slack is cut, since later sends only add load
    if not slots:
        return left == 0
    slot, rest = slots[0], slots[1:]
    rows = c.row_kernels(slot)
    for size in range(left + 1):
        trial = load.copy()
        trial[:, slot:slot + rows.shape[1]] += rows * size
        if np.any(trial > c.slack + 1e-9):
            break  # more sends here only add more load
        if _search(c, rest, left - size, trial):
            return True
    return False


def earliest(c: Constraints, audience: int) -> int | None:
    """The earliest slot by which some plan has sent everything (None: no plan does)."""
    slots = [int(s) for s in np.flatnonzero(c.allowed)]
    return next((slots[end] for end in range(len(slots))
                 if brute_force(c, slots[:end + 1], audience)), None)
