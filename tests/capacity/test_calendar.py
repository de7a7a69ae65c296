"""The shared calendar: entries, conflicts, and iCalendar feeds that parse back."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from accord.capacity.calendars import (
    Launch,
    audience_conflicts,
    campaign_entry,
    capacity_conflicts,
    feed,
    launch_entry,
    resource_entries,
)
from accord.capacity.forecast import forecast
from accord.capacity.grid import CapacityError
from accord.capacity.plans import Batch
from accord.capacity.resources import parse_registry
from tests.capacity import scenario

START = scenario.MONDAY + dt.timedelta(hours=9)


def _plans() -> list:  # type: ignore[type-arg]
    return [
        scenario.plan(100_000, id="spring", name="Spring sale", segment="loyal",
                      batches=[Batch(at=START, size=50_000),
                               Batch(at=START + dt.timedelta(hours=1), size=50_000)]),
        scenario.plan(80_000, id="loyalty", segment="loyal",
                      batches=[Batch(at=START + dt.timedelta(minutes=30), size=80_000)]),
        scenario.plan(80_000, id="winback", segment="lapsed",
                      batches=[Batch(at=START + dt.timedelta(minutes=30), size=80_000)]),
    ]


def test_audience_conflicts_on_the_same_channel_and_time() -> None:
    conflicts = audience_conflicts(_plans())
    assert [c.subjects for c in conflicts] == [("spring", "loyalty")]
    assert conflicts[0].start == START + dt.timedelta(minutes=30)
    # a member-level overlap callable overrides the segment-name rule
    assert audience_conflicts(_plans(), overlap=lambda a, b: 0) == []


def test_capacity_conflicts_name_the_resource_and_period() -> None:
    grid, registry = scenario.grid(), scenario.registry(web_rps=15)
    conflicts = capacity_conflicts(forecast(_plans(), scenario.model(), registry, grid),
                                   registry)
    assert {c.subjects for c in conflicts} == {("web",)}
    # 09:00's 50,000 fit; 09:30's 160,000 on top of their tail do not, from 09:45 (sends
    # go out over their slot, visits follow) for 45 minutes
    assert conflicts[0].start == START + dt.timedelta(minutes=45)
    assert conflicts[0].end == START + dt.timedelta(hours=1, minutes=30)
    assert "it" in conflicts[0].departments


def test_feed_per_department_parses_with_icalendar_and_shows_the_campaigns() -> None:
    registry = parse_registry({"resources": [
        {"name": "web", "kind": "web", "owner": "ops@example.com", "department": "it",
         "requests_per_second": 30, "maintenance": [
             {"start": "2026-03-03T02:00:00Z", "end": "2026-03-03T04:00:00Z"}]},
        {"name": "cc", "kind": "contact_centre", "owner": "svc@example.com",
         "department": "service", "calls_per_agent_hour": 6, "agents": {"mon": [5] * 24},
         "staffing": [{"start": "2026-03-04T08:00:00Z", "end": "2026-03-04T18:00:00Z",
                       "agents": 2, "note": "training day"}]}]})
    plans = _plans()
    entries = [campaign_entry(p) for p in plans] + resource_entries(registry) + [
        launch_entry(Launch("app", "New app", START, frozenset({"it", "sales"})))]
    entries += [c.entry() for c in audience_conflicts(plans)]
    stamp = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    for department, expected in {
        "sales": {"Campaign Spring sale (email)", "Campaign loyalty (email)",
                  "Campaign winback (email)", "Launch: New app",
                  "Conflict: spring and loyalty reach 80,000 of the same people on email"},
        "it": {"Campaign Spring sale (email)", "Campaign loyalty (email)",
               "Campaign winback (email)", "Launch: New app", "Maintenance: web"},
        "service": {"Campaign Spring sale (email)", "Campaign loyalty (email)",
                    "Campaign winback (email)", "Staffing: cc 2 agents"},
    }.items():
        parsed = icalendar.Calendar.from_ical(feed(entries, department, stamp=stamp))
        events = parsed.walk("VEVENT")
        assert {str(e["summary"]) for e in events} == expected, department
        spring = next(e for e in events if "Spring" in str(e["summary"]))
        assert spring.decoded("dtstart") == START
        assert spring.decoded("dtend") == START + dt.timedelta(hours=1, minutes=15)
        assert str(spring["uid"]) == "campaign-spring@accord"
    with pytest.raises(CapacityError, match="unknown department 'finance'"):
        feed(entries, "finance", stamp=stamp)
