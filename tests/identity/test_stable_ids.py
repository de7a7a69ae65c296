"""Stable ids: the pure assignment rules."""

from __future__ import annotations

import datetime as dt

import numpy as np

from accord.identity.stable_ids import Assignment, assign_ids, new_customer_id

AT = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


def _assign(component: list[int], previous: list[int], previous_ids: list[str],
            keys: list[tuple[str, str]] | None = None) -> Assignment:
    keys = keys or [("src", f"r{i:03d}") for i in range(len(component))]
    return assign_ids(np.array(component), np.array(previous), previous_ids,
                      [k[0] for k in keys], [k[1] for k in keys], at=AT,
                      reason=lambda prev: f"email:{previous_ids[prev]}@x")


def test_new_ids_are_hashes_of_first_records() -> None:
    result = _assign([0, 0, 1], [-1, -1, -1], [])
    assert result.customer_ids.tolist() == [new_customer_id("src", "r000")] * 2 + [
        new_customer_id("src", "r002")]
    assert result.created == 2 and result.kept == 0 and result.merges == ()
    assert all(len(i) == 14 and i.startswith("c_") for i in result.customer_ids)


def test_full_rebuild_gives_the_same_ids() -> None:
    first = _assign([0, 1, 0, 2], [-1, -1, -1, -1], [])
    again = _assign([0, 1, 0, 2], [-1, -1, -1, -1], [])
    assert first.customer_ids.tolist() == again.customer_ids.tolist()


def test_new_record_joining_keeps_the_id() -> None:
    result = _assign([0, 0, 0, 1], [0, 0, -1, 1], ["c_aaaaaaaaaaaa", "c_bbbbbbbbbbbb"])
    assert result.customer_ids.tolist() == ["c_aaaaaaaaaaaa"] * 3 + ["c_bbbbbbbbbbbb"]
    assert result.kept == 2 and result.created == 0 and result.merges == ()


def test_rebuild_with_the_previous_map_changes_nothing() -> None:
    first = _assign([0, 1, 0, 2], [-1, -1, -1, -1], [])
    ids = sorted(set(first.customer_ids.tolist()))
    previous = [ids.index(i) for i in first.customer_ids.tolist()]
    again = _assign([0, 1, 0, 2], previous, ids)
    assert again.customer_ids.tolist() == first.customer_ids.tolist()
    assert again.merges == () and again.created == 0 and again.kept == 3


def test_merge_keeps_the_larger_customer_and_records_it() -> None:
    # c_b has 2 records, c_a 1: all now one component; c_b survives.
    result = _assign([0, 0, 0, 0], [0, 1, 1, -1], ["c_aaaaaaaaaaaa", "c_bbbbbbbbbbbb"])
    assert set(result.customer_ids.tolist()) == {"c_bbbbbbbbbbbb"}
    assert len(result.merges) == 1
    merge = result.merges[0]
    assert (merge.survivor, merge.merged, merge.at) == ("c_bbbbbbbbbbbb", "c_aaaaaaaaaaaa", AT)
    assert merge.reason == "email:c_aaaaaaaaaaaa@x"


def test_merge_tie_keeps_the_smallest_id() -> None:
    result = _assign([0, 0], [1, 0], ["c_000000000002", "c_000000000001"])
    assert result.customer_ids.tolist() == ["c_000000000001"] * 2
    assert [(m.survivor, m.merged) for m in result.merges] == [
        ("c_000000000001", "c_000000000002")]


def test_split_keeps_the_id_with_the_larger_part() -> None:
    # c_a's records 0, 1, 2 come apart: {0, 1} keeps the id, {2} gets a new one.
    result = _assign([0, 0, 1], [0, 0, 0], ["c_aaaaaaaaaaaa"])
    assert result.customer_ids.tolist()[:2] == ["c_aaaaaaaaaaaa"] * 2
    assert result.customer_ids[2] == new_customer_id("src", "r002")
    assert result.split == ("c_aaaaaaaaaaaa",) and result.merges == ()


def test_split_part_joined_to_another_customer_takes_that_id() -> None:
    # c_a = {0, 1, 2} splits; record 2 now sits with c_b's record 3.
    result = _assign([0, 0, 1, 1], [0, 0, 0, 1], ["c_aaaaaaaaaaaa", "c_bbbbbbbbbbbb"])
    assert result.customer_ids.tolist() == ["c_aaaaaaaaaaaa"] * 2 + ["c_bbbbbbbbbbbb"] * 2
    assert result.merges == ()


def test_hash_collision_takes_the_next_attempt() -> None:
    taken = new_customer_id("src", "r000")
    result = _assign([0], [-1], [], keys=[("src", "r000")])
    assert result.customer_ids[0] == taken
    # The same first record while its hash is an id in use elsewhere.
    result = _assign([0, 1], [-1, 0], [taken], keys=[("src", "r000"), ("src", "r001")])
    assert result.customer_ids.tolist() == [new_customer_id("src", "r000", 1), taken]
