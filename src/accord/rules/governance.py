"""Governed changes to the rules: drafts, review, maker-checker approval, scheduled
activation, rollback, and the audit log of all of it.

Every operation checks the lifecycle (:mod:`accord.rules.lifecycle`) and the actor's role,
then changes the version and appends its audit entry in one transaction: a refused operation
leaves everything as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from accord.clock import Clock
from accord.decisioning.catalogue_file import CATALOGUE_FILE, SCENARIOS_FILE, build_ruleset
from accord.dmn.runtime import loads
from accord.errors import AccordError, ConfigError, DmnError
from accord.operational.rules import RuleRepository, RuleVersion
from accord.operational.schema import rule_versions
from accord.operational.store import OperationalStore
from accord.rules import audit, proposal
from accord.rules.lifecycle import GovernanceError, State, UnknownVersion, permit, plan
from accord.rules.proposal import SimulationStatus, Simulator, StoredSimulation
from accord.rules.scenarios import ScenarioResult, parse_scenarios, run_scenarios
from accord.rules.users import User


class ScenarioFailure(GovernanceError):
    """Test scenarios of a version fail: it may not be approved. ``results`` say why."""

    def __init__(self, version: str, results: list[ScenarioResult]) -> None:
        self.results = results
        lines = "".join(f"\n  - {r.explain()}" for r in results)
        super().__init__(f"{version} cannot be approved: {len(results)} test scenario(s) "
                         f"fail (nothing changed):{lines}")


class InvalidRuleSet(ConfigError):
    """A file of a change that does not compile; the message names the file."""


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
    """The governed rule repository.

    Args:
        store: the operational store.
        clock: the time of every change and of scheduled activations.
        simulator: runs the whole-base simulation of a submitted version against the active
            one (None: no analytical store; each submission records that none was run).
    """

    def __init__(self, store: OperationalStore, clock: Clock,
                 simulator: Simulator | None = None) -> None:
        self.engine = store.engine
        self.clock = clock
        self.rules = RuleRepository(store, clock)
        self.simulator = simulator

    # ---- reading -----------------------------------------------------------------------

    def state(self, version: str) -> VersionState:
        with self.engine.connect() as connection:
            return self._state(connection, version)

    def _state(self, connection: sa.Connection, version: str) -> VersionState:
        row = connection.execute(sa.select(
            rule_versions.c.state, rule_versions.c.created_by, rule_versions.c.based_on,
            rule_versions.c.effective_from).where(rule_versions.c.version == version)).first()
        if row is None:
            raise UnknownVersion(f"no rule version {version!r}")
        return VersionState(version, State(row.state), row.created_by, row.based_on,
                            row.effective_from)

    def latest(self) -> str | None:
        with self.engine.connect() as connection:
            return _newest(connection)

    # ---- changes -----------------------------------------------------------------------

    def draft(self, actor: User, catalogue: str, dmn_files: dict[str, str], *,
              based_on: str | None, note: str = "") -> RuleVersion:
        """Save a change as a draft. ``based_on`` must be the newest version (optimistic
        concurrency): a stale base is refused with what changed since."""
        permit("draft", actor=actor.username, roles=actor.roles)
        _check_files(dmn_files)
        try:
            # the check and the save in one transaction; a draft saved by someone else in
            # between takes the version number this one would: the insert fails, a conflict
            with self.engine.begin() as connection:
                latest = _newest(connection)
                if based_on != latest:
                    raise _Stale(latest)
                saved = self.rules.save(catalogue, dmn_files, author=actor.username,
                                        note=note, based_on=based_on, connection=connection)
                audit.append(connection, at=self.clock.now(), actor=actor.username,
                             action="draft", subject=saved.version, reason=note,
                             detail={"based_on": based_on, "checksum": saved.checksum})
        except (_Stale, sa.exc.IntegrityError, sa.exc.OperationalError) as exc:
            latest = self.latest()
            if isinstance(exc, sa.exc.OperationalError) and latest == based_on:
                # SQLite refuses a second writer whose snapshot is stale: nothing was saved
                raise GovernanceError("the rule store was busy saving another change; "
                                      "nothing was saved, try again") from None
            if latest is None:
                raise GovernanceError(f"there is no version {based_on!r} to base a change on"
                                      ) from None
            raise ConflictError(based_on, latest, self._changes(based_on, latest)) from None
        return saved

    def submit(self, actor: User, version: str, reason: str = "") -> StoredSimulation:
        """Submit a draft for review, storing the whole-base simulation of it against the
        active version with it (or why none could be run); returns that simulation."""
        current = self.state(version)
        # refused before the simulation runs (it may take seconds), and again atomically
        plan(current.state, "submit", actor=actor.username, roles=actor.roles,
             author=current.author)
        simulation = self._simulate(version)
        self._move(actor, version, "submit", reason,
                   also=lambda connection: proposal.store(connection, simulation),
                   submitted_by=actor.username)
        return simulation

    def simulate(self, actor: User, version: str) -> StoredSimulation:
        """Run the version's simulation against the active version again, and store it."""
        permit("simulate", actor=actor.username, roles=actor.roles)
        self.state(version)  # an unknown version is refused before anything runs
        simulation = self._simulate(version)
        with self.engine.begin() as connection:
            proposal.store(connection, simulation)
            audit.append(connection, at=self.clock.now(), actor=actor.username,
                         action="simulate", subject=version, reason=simulation.message,
                         detail={"against": simulation.against,
                                 "status": simulation.status.value})
        return simulation

    def simulation(self, version: str) -> StoredSimulation | None:
        """The simulation stored with a version (the newest), if any."""
        self.state(version)
        return proposal.latest(self.engine, version)

    def _simulate(self, version: str) -> StoredSimulation:
        now = self.clock.now()
        against = self.rules.active_version()

        def not_run(why: str) -> StoredSimulation:
            return StoredSimulation(version, against, now, SimulationStatus.NOT_RUN, why, None)

        if self.simulator is None:
            return not_run("no analytical store to simulate over (build the project first)")
        if against is None:
            return not_run("no active version to compare with")
        try:
            report = self.simulator(self.rules.load(against), self.rules.load(version), now)
        except AccordError as exc:  # the proposal stands; the approver reads why
            return not_run(str(exc))
        changed = sum(view["changed"] for view in report["views"])
        return StoredSimulation(
            version, against, now, SimulationStatus.RAN,
            f"{changed:,} decisions change over {report['customers']:,} customers in "
            f"{len(report['views'])} channel/placement pair(s)", report)

    def approve(self, actor: User, version: str, reason: str = "", *,
                effective_from: dt.datetime | None = None) -> None:
        """Approve (maker-checker); with ``effective_from`` it activates at that time.

        The version's test scenarios run first: a failing one refuses the approval, saying
        what each expected, what it got, and why.
        """
        current = self.state(version)
        # who may approve is said before what the scenarios say (and again atomically)
        plan(current.state, "approve", actor=actor.username, roles=actor.roles,
             author=current.author)
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

    def _move(self, actor: User, version: str, action: str, reason: str, *,
              also: Callable[[sa.Connection], None] | None = None,
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
            if also is not None:
                also(connection)
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


_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .()-]*")


def _check_files(files: dict[str, str]) -> None:
    """Refuse a DMN model or scenarios file that does not parse, naming the file (compiling
    the whole rule set then finds what is wrong between the files)."""
    for name, text in sorted(files.items()):
        # names become file names on export: a path would write outside the folder
        if not _FILE_NAME.fullmatch(name) or not (name.endswith(".dmn")
                                                   or name == SCENARIOS_FILE):
            raise InvalidRuleSet(f"{name!r}: a rule set holds {CATALOGUE_FILE}, "
                                 f"{SCENARIOS_FILE} and *.dmn files (plain names, no folders)")
        try:
            if name.endswith(".dmn"):
                loads(text)
            else:  # scenarios, refused now rather than at review
                parse_scenarios(text)
        except DmnError as exc:
            raise InvalidRuleSet(f"{name}: {exc}") from None


class _Stale(Exception):
    """The draft's base is not the newest version (raised inside the transaction)."""

    def __init__(self, latest: str | None) -> None:
        super().__init__(latest)
        self.latest = latest


def _newest(connection: sa.Connection) -> str | None:
    """The newest version: versions are numbered in order (v2 after v1; v10 after v9)."""
    number = sa.cast(sa.func.substr(rule_versions.c.version, 2), sa.Integer)
    return connection.execute(sa.select(rule_versions.c.version).order_by(
        number.desc()).limit(1)).scalar_one_or_none()


def _utc(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
