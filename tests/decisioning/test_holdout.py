"""Holdout groups: by customer, at the exact share, never for an unknown customer."""

from __future__ import annotations

import math

import pytest

from accord.decisioning.holdout import bucket, in_holdout

TREATMENTS = [f"t{i}" for i in range(50)]


def test_a_bucket_is_the_pairs_hash_in_the_unit_interval() -> None:
    buckets = {bucket(t, "c_1") for t in TREATMENTS}
    assert len(buckets) == len(TREATMENTS)
    assert all(0.0 <= b < 1.0 for b in buckets)
    assert bucket("t0", "c_1") == bucket("t0", "c_1") != bucket("t0", "c_2")
    # the separator keeps ("ab", "c") and ("a", "bc") apart
    assert bucket("ab", "c") != bucket("a", "bc")


@pytest.mark.parametrize("treatment_id", TREATMENTS[:10])
def test_the_share_is_an_exclusive_bound_on_the_bucket(treatment_id: str) -> None:
    at = bucket(treatment_id, "c_1")
    assert not in_holdout(treatment_id, "c_1", at)
    assert in_holdout(treatment_id, "c_1", math.nextafter(at, 1.0))
    assert not in_holdout(treatment_id, "c_1", math.nextafter(at, 0.0))


def test_an_unknown_customer_is_never_held_out() -> None:
    # a shared key for every visitor without an id would hold them all out together
    assert not any(in_holdout(t, None, 0.99) for t in TREATMENTS)
    assert any(in_holdout(t, "c_1", 0.99) for t in TREATMENTS)


def test_a_share_of_zero_holds_no_one_out() -> None:
    assert not any(in_holdout(t, f"c_{i}", 0.0) for t in TREATMENTS for i in range(20))
