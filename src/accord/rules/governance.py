"""Governed changes to the rules: drafts, review, maker-checker approval, scheduled
activation, rollback, and the audit log of all of it.

Every operation checks the lifecycle (:mod:`accord.rules.lifecycle`) and the actor's role,
then changes the version and appends its audit entry in one transaction: a refused operation
leaves everything as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from accord.clock import Clock
from accord.decisioning.catalogue_file import SCENARIOS_FILE, build_ruleset
from accord.operational.rules import RuleRepository, RuleVersion
from accord.operational.schema import rule_versions
from accord.operational.store import OperationalStore
from accord.rules import audit
from accord.rules.lifecycle import GovernanceError, Role, State, plan
from accord.rules.scenarios import ScenarioResult, parse_scenarios, run_scenarios
from accord.rules.users import User


class ScenarioFailure(GovernanceError):
    """Test scenarios of a version fail: it may not be approved. ``results`` say why."""

    def __init__(self, version: str, results: list[ScenarioResult]) -> None:
        self.results = results
        lines = "".join(f"\n  - {r.explain()}" for r in results)
        super().__init__(f"{version} cannot be approved: {len(results)} test scenario(s) "
                         f"fail (nothing changed):{lines}")


class ConflictError(GovernanceError):
    """A draft based on a version that is no longer the newest: it would overwrite changes.

    Attributes:
        latest: the newest version.
        changes: what changed since the draft's base, in words (may be empty).
    """

    def __init__(self, based_on: str | None, latest: str, changes: list[str]) -> None:
        self.latest = latest
        self.changes = changes
        listed = "".join(f"\n  - {line}" for line in changes[:20])
        super().__init__(f"your change is based on {based_on or 'nothing'}, but {latest} has "
                         f"been saved since; start from {latest} (nothing was saved)"
                         + (f". What changed:{listed}" if listed else ""))


@dataclass(frozen=True, slots=True)
class VersionState:
    version: str
    state: State
    author: str
    based_on: str | None
    effective_from: dt.datetime | None


class Governance:
    """The governed rule repository."""

    def __init__(self, store: OperationalStore, clock: Clock) -> None:
        self.engine = store.engine
        self.clock = clock
        self.rules = RuleRepository(store, clock)

    # ---- reading -----------------------------------------------------------------------

    def state(self, version: str) -> VersionState:
        with self.engine.connect() as connection:
            return self._state(connection, version)

    def _state(self, connection: sa.Connection, version: str) -> VersionState:
        row = connection.execute(sa.select(
            rule_versions.c.state, rule_versions.c.created_by, rule_versions.c.based_on,
            rule_versions.c.effective_from).where(rule_versions.c.version == version)).first()
        if row is None:
            raise GovernanceError(f"no rule version {version!r}")
        return VersionState(version, State(row.state), row.created_by, row.based_on,
                            row.effective_from)

    def latest(self) -> str | None:
        versions = self.rules.versions()
        return versions[-1].version if versions else None

    # ---- changes -----------------------------------------------------------------------

    def draft(self, actor: User, catalogue: str, dmn_files: dict[str, str], *,
              based_on: str | None, note: str = "") -> RuleVersion:
        """Save a change as a draft. ``based_on`` must be the newest version (optimistic
        concurrency): a stale base is refused with what changed since."""
        if not actor.roles & {Role.MARKETER, Role.ADMIN}:
            raise GovernanceError(f"{actor.username!r} may not author rules: it needs the "
                                  "role marketer or admin")
        latest = self.latest()
        if based_on != latest:
            if latest is None:
                raise GovernanceError(f"there is no version {based_on!r} to base a change on")
            raise ConflictError(based_on, latest, self._changes(based_on, latest))
        saved = self.rules.save(catalogue, dmn_files, author=actor.username, note=note,
                                based_on=based_on)
        with self.engine.begin() as connection:
            audit.append(connection, at=self.clock.now(), actor=actor.username,
                         action="draft", subject=saved.version, reason=note,
                         detail={"based_on": based_on, "checksum": saved.checksum})
        return saved

    def submit(self, actor: User, version: str, reason: str = "") -> None:
        self._move(actor, version, "submit", reason, submitted_by=actor.username)

    def approve(self, actor: User, version: str, reason: str = "", *,
                effective_from: dt.datetime | None = None) -> None:
        """Approve (maker-checker); with ``effective_from`` it activates at that time.

        The version's test scenarios run first: a failing one refuses the approval, saying
        what each expected, what it got, and why.
        """
        failed = [r for r in self.scenarios(version) if not r.passed]
        if failed:
            raise ScenarioFailure(version, failed)
        self._move(actor, version, "approve", reason, reviewed_by=actor.username,
                   effective_from=effective_from)

    def scenarios(self, version: str) -> list[ScenarioResult]:
        """The version's test scenarios, run against the version (none: an empty list)."""
        catalogue, files = self.rules.files(version)
        text = files.get(SCENARIOS_FILE)
        if text is None:
            return []
        rules = build_ruleset(version, catalogue, files)
        return run_scenarios(rules, parse_scenarios(text), self.clock.now())

    def reject(self, actor: User, version: str, reason: str) -> None:
        self._move(actor, version, "reject", reason, reviewed_by=actor.username)

    def activate(self, actor: User, version: str, reason: str = "") -> None:
        """Activate an approved version now; the active one is retired."""
        self._move(actor, version, "activate", reason)

    def rollback(self, actor: User, version: str, reason: str) -> None:
        """Activate an earlier, retired version again; the active one is retired."""
        self._move(actor, version, "rollback", reason)

    def activate_due(self) -> str | None:
        """Activate the newest approved version whose time has come (the scheduler's tick);
        returns it, or None."""
        now = self.clock.now()
        with self.engine.begin() as connection:
            due = connection.execute(
                sa.select(rule_versions.c.version, rule_versions.c.effective_from)
                .where(rule_versions.c.state == State.APPROVED.value,
                       rule_versions.c.effective_from.is_not(None))).all()
            ready = sorted((_utc(at), version) for version, at in due if _utc(at) <= now)
            if not ready:
                return None
            version: str = ready[-1][1]
            self.rules.activate(version, by="scheduler", connection=connection)
            audit.append(connection, at=now, actor="scheduler", action="activate",
                         subject=version, reason="scheduled activation",
                         detail={"effective_from": ready[-1][0].isoformat()})
        return version

    def _move(self, actor: User, version: str, action: str, reason: str,
              **columns: object) -> None:
        with self.engine.begin() as connection:
            current = self._state(connection, version)
            new = plan(current.state, action, actor=actor.username, roles=actor.roles,
                       author=current.author)
            if new is State.ACTIVE:
                self.rules.activate(version, by=actor.username, connection=connection)
            else:
                connection.execute(rule_versions.update().where(
                    rule_versions.c.version == version).values(state=new.value, **columns))
            audit.append(connection, at=self.clock.now(), actor=actor.username,
                         action=action, subject=version, reason=reason,
                         detail={"from": current.state.value, "to": new.value,
                                 **{k: str(v) for k, v in columns.items() if v is not None}})

    def _changes(self, base: str | None, latest: str) -> list[str]:
        try:
            from accord.rules.diff import diff_rule_sets
        except ImportError:  # pragma: no cover - diff ships with governance
            return []
        old = self.rules.files(base) if base else ("treatments: []\n", {})
        return diff_rule_sets(old, self.rules.files(latest)).describe()


def _utc(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
