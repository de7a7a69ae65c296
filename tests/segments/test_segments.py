"""Segments over profiles of the small hub: membership, errors, counts, overlaps, profiles."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator

import pytest

from accord.clock import FixedClock
from accord.profiles import run_profiles
from accord.progress import SilentProgress
from accord.project.config import Dimension, Entity, Profiles, Project, Segment
from accord.segments import (
    SegmentDefinitionError,
    overlap_matrix,
    profile_segment,
    run_segments,
    segment_counts,
)
from accord.store import AnalyticalStore, open_store
from accord.testing.hub import SMALL_HUB_AS_OF, small_hub

CLOCK = FixedClock(dt.datetime(2024, 2, 10, 9, 0))
SEGMENTS = [
    Segment(name="buyers", condition="orders_count > 0"),
    Segment(name="recent", condition="recency_days < 30"),
    Segment(name="york", condition='city = "York" and email != null'),
    Segment(name="nobody", condition="revenue > 10000"),
]


@pytest.fixture
def store() -> Iterator[AnalyticalStore]:
    opened = open_store("duckdb")
    small_hub(opened)
    run_profiles(Project(name="t"), opened, as_of=SMALL_HUB_AS_OF, clock=CLOCK,
                 progress=SilentProgress())
    yield opened
    opened.close()


def members(store: AnalyticalStore) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in store.query("SELECT * FROM segment_members ORDER BY segment, customer_id"
                           ).to_pylist():
        found.setdefault(row["segment"], []).append(row["customer_id"])
    return found


def test_membership_and_segments_table(store: AnalyticalStore) -> None:
    report = run_segments(Project(name="t", segments=SEGMENTS), store, clock=CLOCK,
                          progress=SilentProgress())
    assert report.members == {"buyers": 3, "recent": 1, "york": 1, "nobody": 0}
    assert report.customers == 4
    # c_d has no orders: recency_days is null, so "recency_days < 30" is null, not a member
    assert members(store) == {"buyers": ["c_a", "c_b", "c_c"], "recent": ["c_a"],
                              "york": ["c_a"]}
    table = store.query("SELECT * FROM segments").to_pylist()
    assert [(r["segment"], r["members"], r["condition"]) for r in table][1] == \
        ("recent", 1, "recency_days < 30")
    assert table[0]["built_at"] == dt.datetime(2024, 2, 10, 9, 0)


def test_names_with_spaces(store: AnalyticalStore) -> None:
    project = Project(name="t", profiles=Profiles(dimensions=[
        Dimension(name="order count", kind="count", entity=Entity.ORDERS)]),
        segments=[Segment(name="repeat", condition="order count >= 2")])
    run_profiles(project, store, as_of=SMALL_HUB_AS_OF, clock=CLOCK, progress=SilentProgress())
    run_segments(project, store, clock=CLOCK, progress=SilentProgress())
    assert members(store) == {"repeat": ["c_a"]}


def test_mismatched_types_follow_feel(store: AnalyticalStore) -> None:
    # FEEL: comparing a string with a number is null, so nobody is a member
    project = Project(name="t", segments=[Segment(name="odd", condition="city > 3")])
    assert run_segments(project, store, clock=CLOCK, progress=SilentProgress()).members == \
        {"odd": 0}


@pytest.mark.parametrize(("condition", "message"), [
    ("lifetime_value > 100", "unknown name 'lifetime_value'"),
    ("for x in [1] return x", "cannot be compiled to SQL"),
    ("orders_count + 1", "not a boolean"),
])
def test_errors_name_the_segment(store: AnalyticalStore, condition: str, message: str) -> None:
    project = Project(name="t", segments=[Segment(name="bad one", condition=condition)])
    with pytest.raises(SegmentDefinitionError, match=message) as caught:
        run_segments(project, store, clock=CLOCK, progress=SilentProgress())
    assert "segment 'bad one'" in str(caught.value)


def test_no_segments_writes_empty_tables(store: AnalyticalStore) -> None:
    report = run_segments(Project(name="t"), store, clock=CLOCK, progress=SilentProgress())
    assert report.members == {}
    assert store.query("SELECT * FROM segment_members").num_rows == 0
    assert segment_counts(store) == []


def test_counts_and_overlap(store: AnalyticalStore) -> None:
    run_segments(Project(name="t", segments=SEGMENTS), store, clock=CLOCK,
                 progress=SilentProgress())
    counts = {count.segment: (count.members, count.share) for count in segment_counts(store)}
    assert counts["buyers"] == (3, 0.75)
    overlap = overlap_matrix(store)
    assert overlap.segments == ("buyers", "recent", "york", "nobody")
    assert overlap.both["buyers", "recent"] == 1 == overlap.both["recent", "buyers"]
    assert overlap.jaccard["buyers", "recent"] == pytest.approx(1 / 3)
    assert overlap.jaccard["recent", "york"] == 1.0
    assert overlap.both["buyers", "nobody"] == 0 and overlap.jaccard["nobody", "nobody"] == 0


def test_segment_profile_against_base(store: AnalyticalStore) -> None:
    run_segments(Project(name="t", segments=SEGMENTS), store, clock=CLOCK,
                 progress=SilentProgress())
    profile = profile_segment(store, "recent")
    assert (profile.members, profile.customers) == (1, 4)
    by_name = {item.dimension: item for item in profile.numeric}
    revenue = by_name["revenue"]
    assert (revenue.segment_mean, revenue.base_mean) == (150.0, 45.0)
    assert revenue.standardised == pytest.approx(105 / statistics.pstdev([150, 20, 10, 0]))
    sizes = [abs(item.standardised or 0) for item in profile.numeric]
    assert sizes == sorted(sizes, reverse=True)
    values = {(item.dimension, item.value): item for item in profile.categorical}
    assert values["city", "York"].lift == pytest.approx(4.0)
    assert values["top_category", "toys"].segment_share == 1.0


def test_unknown_segment_profile(store: AnalyticalStore) -> None:
    run_segments(Project(name="t", segments=SEGMENTS), store, clock=CLOCK,
                 progress=SilentProgress())
    with pytest.raises(Exception, match="no segment named 'vip'"):
        profile_segment(store, "vip")
