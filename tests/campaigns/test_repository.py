"""The campaigns table: migration branch, create all-or-nothing, lifecycle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accord.campaigns.errors import CampaignDefinitionError, UnknownCampaign
from accord.campaigns.model import Status
from accord.campaigns.repository import CampaignRepository
from accord.clock import FixedClock
from accord.errors import ConfigError
from accord.operational.store import head, open_operational, sqlite_url

SPEC = {"name": "spring-sale", "owner": "ana", "channels": ["email", "web"],
        "audience": "loyal", "costs": {"fixed": "250.00"}}


@pytest.fixture
def repository(tmp_path: Path) -> CampaignRepository:
    store = open_operational(sqlite_url(tmp_path / "operational.sqlite"))
    return CampaignRepository(store, FixedClock(dt.datetime(2026, 3, 1, 9, 0)))


def test_migration_is_a_head_of_its_own(repository: CampaignRepository) -> None:
    assert "0004_campaigns" in head()


def test_create_then_read(repository: CampaignRepository) -> None:
    created = repository.create(SPEC, segments={"loyal", "new"})
    assert repository.get("spring-sale") == created
    assert [c.name for c in repository.all()] == ["spring-sale"]
    assert str(created.costs.fixed) == "250.00"


def test_refused_specs_store_nothing(repository: CampaignRepository) -> None:
    with pytest.raises(CampaignDefinitionError, match=r"'audience'.*'loyal'.*known: new"):
        repository.create(SPEC, segments={"new"})
    with pytest.raises(CampaignDefinitionError, match=r"'costs\.fixed'"):
        repository.create({**SPEC, "costs": {"fixed": "-1"}}, segments={"loyal"})
    with pytest.raises(CampaignDefinitionError, match="'name'"):
        repository.create({**SPEC, "name": "spring sale!"}, segments={"loyal"})
    assert repository.all() == []
    repository.create(SPEC, segments={"loyal"})
    with pytest.raises(CampaignDefinitionError, match="exists"):
        repository.create({**SPEC, "owner": "bo"}, segments={"loyal"})
    assert repository.get("spring-sale").owner == "ana"


def test_lifecycle(repository: CampaignRepository) -> None:
    repository.create(SPEC, segments={"loyal"})
    assert repository.set_status("spring-sale", Status.RUNNING).status is Status.RUNNING
    with pytest.raises(ConfigError, match="from running to draft; allowed: completed"):
        repository.set_status("spring-sale", Status.DRAFT)
    repository.set_status("spring-sale", Status.COMPLETED)
    assert repository.get("spring-sale").status is Status.COMPLETED
    with pytest.raises(UnknownCampaign):
        repository.set_status("nope", Status.RUNNING)
