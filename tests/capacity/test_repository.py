"""Capacity planning's state in the operational store (migration 0005_capacity)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accord.capacity.forecast import forecast
from accord.capacity.grid import CapacityError
from accord.capacity.notifications import DeadLetter
from accord.capacity.preflight import LaunchBlocked, check_launch, override, preflight
from accord.capacity.repository import CapacityRepository, SqlDeadLetters
from accord.clock import FixedClock
from accord.operational.store import open_operational, sqlite_url
from tests.capacity import scenario

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def repository(tmp_path: Path) -> CapacityRepository:
    store = open_operational(sqlite_url(tmp_path / "op.db"))
    assert "0005_capacity" in store.revision()
    return CapacityRepository(store.engine, FixedClock(NOW))


def test_registry_and_plans_round_trip(repository: CapacityRepository) -> None:
    registry = scenario.registry()
    repository.save_registry(registry, "ana")
    again = repository.registry()
    assert sorted(again.names()) == sorted(registry.names())
    grid = scenario.grid()
    assert (again.get("contact-centre").capacity(grid)
            == registry.get("contact-centre").capacity(grid)).all()
    plan = scenario.plan()
    repository.save_plan(plan, "monotone-greedy", None, "ana")
    repository.save_plan(plan.model_copy(update={"audience": 10}), "monotone-greedy", None,
                         "ana")
    assert [p.audience for p in repository.plans()] == [10]


def test_red_preflight_blocks_until_the_owner_overrides(
        repository: CapacityRepository) -> None:
    registry = scenario.registry()
    result = preflight("spring-sale", forecast([scenario.plan()], scenario.model(), registry,
                                               scenario.grid()), registry)
    with pytest.raises(LaunchBlocked, match=r"web: red .* owner it-ops@example\.com"):
        check_launch(result, repository.overrides("spring-sale"))
    with pytest.raises(CapacityError, match=r"only it-ops@example\.com"):
        override(result, "web", "crm@example.com", "we need it", NOW)
    with pytest.raises(CapacityError, match="not red"):
        override(result, "warehouse", "sales@example.com", "fine", NOW)
    repository.add_override(override(result, "web", "it-ops@example.com",
                                     "extra servers booked", NOW))
    check_launch(result, repository.overrides("spring-sale"))  # no longer blocked
    (saved,) = repository.overrides("spring-sale")
    assert (saved.by, saved.reason, saved.at) == ("it-ops@example.com",
                                                  "extra servers booked", NOW)


def test_dead_letters_and_notices_persist(repository: CapacityRepository) -> None:
    letters = SqlDeadLetters(repository.engine)
    letter = DeadLetter("webhook", "http://x/", "campaign.scheduled", "c1", "{}", "HTTP 500",
                        5, NOW)
    letters.add(letter)
    assert SqlDeadLetters(repository.engine).list() == [letter]
    assert not repository.noticed("campaign.launch_24h:c1")
    repository.mark_noticed("campaign.launch_24h:c1")
    repository.mark_noticed("campaign.launch_24h:c1")
    assert repository.noticed("campaign.launch_24h:c1")
