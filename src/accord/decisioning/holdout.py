"""Deterministic holdout groups: the same customer always lands in the same group.

A customer is in a treatment's holdout when a 64-bit hash of (treatment, customer) falls
below ``share`` of the hash range: uniform, independent between treatments, no state.
"""

from __future__ import annotations

import hashlib

_SCALE = float(2**64)


def bucket(treatment_id: str, customer_key: str) -> float:
    """A number in [0, 1), fixed for the pair."""
    digest = hashlib.blake2b(f"{treatment_id}\x1f{customer_key}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big") / _SCALE


def in_holdout(treatment_id: str, customer_key: str | None, share: float) -> bool:
    """Whether the customer is held out of the treatment (never for an unknown customer)."""
    if share <= 0.0 or customer_key is None:
        return False
    return bucket(treatment_id, customer_key) < share
