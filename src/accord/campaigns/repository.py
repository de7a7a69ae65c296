"""Campaigns in the operational store: create, read, list, move through the lifecycle.

A spec is validated in full before the one statement that stores it runs, so a refused
campaign leaves nothing behind; a name is taken once.
"""

from __future__ import annotations

import sqlalchemy as sa

from accord.campaigns.errors import CampaignDefinitionError, UnknownCampaign
from accord.campaigns.model import TRANSITIONS, Campaign, Status, parse_campaign
from accord.clock import Clock
from accord.errors import ConfigError
from accord.operational.schema import campaigns
from accord.operational.store import OperationalStore

__all__ = ["CampaignRepository"]


class CampaignRepository:
    """Campaigns of one project."""

    def __init__(self, store: OperationalStore, clock: Clock) -> None:
        self.engine = store.engine
        self.clock = clock

    def create(self, data: object, *, segments: set[str] | frozenset[str] | None = None
               ) -> Campaign:
        """Validate and store a new campaign.

        Args:
            data: the spec as parsed YAML or JSON.
            segments: the project's segments, to check the audience (``None``: unchecked).

        Raises:
            CampaignDefinitionError: a bad spec (naming the field) or a name already taken.
        """
        campaign = parse_campaign(data, segments=segments)
        now = self.clock.now()
        with self.engine.begin() as connection:
            taken = connection.execute(sa.select(campaigns.c.name).where(
                campaigns.c.name == campaign.name)).first()
            if taken:
                raise CampaignDefinitionError("name", f"a campaign {campaign.name!r} exists")
            connection.execute(campaigns.insert().values(
                name=campaign.name, owner=campaign.owner, status=campaign.status.value,
                spec=campaign.model_dump(mode="json"), created_at=now, updated_at=now))
        return campaign

    def get(self, name: str) -> Campaign:
        """The campaign called ``name``.

        Raises:
            UnknownCampaign: when there is none.
        """
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(campaigns.c.spec).where(
                campaigns.c.name == name)).first()
        if row is None:
            raise UnknownCampaign(f"no campaign {name!r}")
        return Campaign.model_validate(row.spec)

    def all(self) -> list[Campaign]:
        """Every campaign, by name."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(campaigns.c.spec)
                                      .order_by(campaigns.c.name)).all()
        return [Campaign.model_validate(row.spec) for row in rows]

    def set_status(self, name: str, status: Status) -> Campaign:
        """Move a campaign to ``status`` if :data:`~accord.campaigns.model.TRANSITIONS`
        allows it.

        Raises:
            UnknownCampaign: no such campaign.
            ConfigError: a move the lifecycle does not allow, naming both states.
        """
        current = self.get(name)
        if status not in TRANSITIONS[current.status]:
            allowed = ", ".join(sorted(TRANSITIONS[current.status])) or "none"
            raise ConfigError(f"campaign {name!r} cannot go from {current.status.value} to "
                              f"{status.value}; allowed: {allowed}")
        updated = current.model_copy(update={"status": status})
        with self.engine.begin() as connection:
            connection.execute(campaigns.update().where(campaigns.c.name == name).values(
                status=status.value, spec=updated.model_dump(mode="json"),
                updated_at=self.clock.now()))
        return updated
