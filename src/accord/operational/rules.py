"""Rule set versions in the operational store: saved whole and immutable, one active.

A version is saved only if it compiles (catalogue valid, every eligibility table found), so
the active version can always be loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from accord.clock import Clock
from accord.decisioning.catalogue_file import build_ruleset, parse_catalogue
from accord.decisioning.ruleset import RuleSet
from accord.errors import ConfigError
from accord.operational.schema import active_rules, rule_files, rule_versions, treatments
from accord.operational.store import OperationalStore


@dataclass(frozen=True, slots=True)
class RuleVersion:
    version: str
    created_by: str
    note: str
    checksum: str


def checksum(catalogue: str, dmn_files: dict[str, str]) -> str:
    """A digest of a rule set's files (what changed, if anything)."""
    payload = json.dumps([catalogue, sorted(dmn_files.items())], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


class RuleRepository:
    """Reads and writes rule versions."""

    def __init__(self, store: OperationalStore, clock: Clock) -> None:
        self.engine = store.engine
        self.clock = clock

    def save(self, catalogue: str, dmn_files: dict[str, str], *, author: str,
             note: str = "", based_on: str | None = None,
             connection: sa.Connection | None = None) -> RuleVersion:
        """Validate, compile and store a new version (``v1``, ``v2`` ...) as a draft.

        ``connection`` joins a caller's transaction (a check and the save as one).
        """
        if connection is None:
            with self.engine.begin() as own:
                return self.save(catalogue, dmn_files, author=author, note=note,
                                 based_on=based_on, connection=own)
        spec = parse_catalogue(catalogue)
        count = connection.execute(sa.select(sa.func.count()).select_from(
            rule_versions)).scalar_one()
        version = f"v{count + 1}"
        build_ruleset(version, catalogue, dmn_files)  # refuses what cannot run
        digest = checksum(catalogue, dmn_files)
        connection.execute(rule_versions.insert().values(
            version=version, created_at=self.clock.now(), created_by=author, note=note,
            catalogue=catalogue, checksum=digest, state="draft", based_on=based_on))
        if dmn_files:
            connection.execute(rule_files.insert(), [
                {"version": version, "name": name, "content": content}
                for name, content in sorted(dmn_files.items())])
        if spec.treatments:
            connection.execute(treatments.insert(), [
                _treatment_row(version, t.model_dump(mode="json"))
                for t in spec.treatments])
        return RuleVersion(version, author, note, digest)

    def activate(self, version: str, *, by: str,
                 connection: sa.Connection | None = None) -> None:
        """Make ``version`` the one decisions use (the active one before it is retired).

        This is the mechanism; :class:`accord.rules.governance.Governance` decides who may
        use it and when. ``connection`` joins a caller's transaction.
        """
        if connection is None:
            with self.engine.begin() as own:
                self.activate(version, by=by, connection=own)
            return
        exists = connection.execute(sa.select(rule_versions.c.version).where(
            rule_versions.c.version == version)).first()
        if exists is None:
            raise ConfigError(f"no rule version {version!r}")
        previous = connection.execute(sa.select(active_rules.c.version).where(
            active_rules.c.slot == 1)).scalar_one_or_none()
        if previous is not None and previous != version:
            connection.execute(rule_versions.update().where(
                rule_versions.c.version == previous).values(state="retired"))
        connection.execute(rule_versions.update().where(
            rule_versions.c.version == version).values(state="active"))
        row = {"version": version, "activated_at": self.clock.now(), "activated_by": by}
        updated = connection.execute(
            active_rules.update().where(active_rules.c.slot == 1).values(**row))
        if updated.rowcount == 0:
            connection.execute(active_rules.insert().values(slot=1, **row))

    def active_version(self) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(active_rules.c.version).where(
                active_rules.c.slot == 1)).scalar_one_or_none()

    def files(self, version: str) -> tuple[str, dict[str, str]]:
        """The catalogue text and DMN files of a version."""
        with self.engine.connect() as connection:
            catalogue = connection.execute(sa.select(rule_versions.c.catalogue).where(
                rule_versions.c.version == version)).scalar_one_or_none()
            if catalogue is None:
                raise ConfigError(f"no rule version {version!r}")
            rows = connection.execute(sa.select(rule_files.c.name, rule_files.c.content).where(
                rule_files.c.version == version)).all()
        return catalogue, dict(rows)

    def load(self, version: str) -> RuleSet:
        """Compile a stored version."""
        catalogue, dmn = self.files(version)
        return build_ruleset(version, catalogue, dmn)

    def versions(self) -> list[RuleVersion]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(
                rule_versions.c.version, rule_versions.c.created_by, rule_versions.c.note,
                rule_versions.c.checksum).order_by(rule_versions.c.created_at)).all()
        return [RuleVersion(*row) for row in rows]


def _treatment_row(version: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A treatments row from a validated spec (dates back to datetimes for the column)."""

    def when(text: str | None) -> dt.datetime | None:
        return dt.datetime.fromisoformat(text) if text else None

    return {
        "version": version, "id": spec["id"], "name": spec["name"], "kind": spec["kind"],
        "channels": spec["channels"], "placements": spec["placements"],
        "valid_from": when(spec["valid_from"]), "valid_to": when(spec["valid_to"]),
        "value": Decimal(spec["value"]), "cost": Decimal(spec["cost"]),
        "weight": Decimal(spec["weight"]),
        "budget": Decimal(spec["budget"]) if spec["budget"] is not None else None,
        "inventory": spec["inventory"], "eligibility": spec["eligibility"],
        "limits": spec["limits"],
        "suppress_after_conversion_days": spec["suppress_after_conversion_days"],
        "holdout_share": spec["holdout_share"], "payload": spec["payload"],
    }
