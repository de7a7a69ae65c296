"""The governance API: rule versions drafted, reviewed, approved, activated and rolled back
over HTTP by people, each with their personal token.

Routes (every one needs a personal token; the role each action needs is the lifecycle's)::

    GET  /v1/rules/versions                       every version with its state
    POST /v1/rules/versions                       a draft (catalogue + files, based_on)
    GET  /v1/rules/versions/{v}                   files, state, scenario results, simulation
    POST /v1/rules/versions/{v}/submit            submit (stores the simulation report)
    POST /v1/rules/versions/{v}/approve           approve (effective_from: scheduled)
    POST /v1/rules/versions/{v}/reject            back to draft
    POST /v1/rules/versions/{v}/activate          activate now
    POST /v1/rules/versions/{v}/rollback          activate an earlier version again
    GET  /v1/rules/versions/{v}/scenarios         run the test scenarios
    GET  /v1/rules/versions/{v}/simulation        the stored simulation report
    POST /v1/rules/versions/{v}/simulation        run it again against the active version
    GET  /v1/rules/diff?old=A&new=B               what changed, in words and as JSON
    GET  /v1/rules/audit[?version=V]              the audit log, newest first

Refusals change nothing and answer 403 (role, maker-checker), 404 (no such version), 409
(state, stale base with what changed, failing scenarios) or 422 (a rule set that does not
compile, naming the problem).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from accord.clock import Clock, SystemClock
from accord.decisioning.catalogue_file import CATALOGUE_FILE
from accord.operational.rules import RuleVersion
from accord.rules import audit
from accord.rules.diff import diff_rule_sets
from accord.rules.governance import Governance
from accord.rules.lifecycle import permit
from accord.rules.scenarios import ScenarioResult
from accord.rules.simulation_store import project_simulator
from accord.rules.tokens import TokenRepository
from accord.rules.users import User
from accord.server.errors import ApiError, ErrorResponse
from accord.server.people import person, refusals
from accord.server.runtime import Lazy, open_project_operational
from accord.server.times import AwareTime, aware

__all__ = ["GovernanceApi", "governance_routes"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftBody(_Strict):
    """A change: the whole rule set (catalogue text and the other files by name)."""

    catalogue: str = Field(min_length=1, description="catalogue.yaml")
    files: dict[str, str] = Field(default_factory=dict,
                                  description="*.dmn and scenarios.yaml, by file name")
    based_on: str | None = Field(description="the newest version, which the change starts "
                                 "from (null for the first version)")
    note: str = ""


class ActionBody(_Strict):
    reason: str = Field(default="", description="why (kept in the audit log)")


class ApproveBody(ActionBody):
    effective_from: AwareTime | None = Field(
        default=None, description="activate at this time (an ISO 8601 string with a UTC "
        "offset, such as '2026-12-01T08:00:00Z') instead of by hand")


class VersionModel(BaseModel):
    version: str
    state: str
    author: str
    based_on: str | None
    note: str
    checksum: str
    effective_from: dt.datetime | None
    active: bool


class ScenarioModel(BaseModel):
    name: str
    passed: bool
    expected: dict[str, list[str]]
    actual: dict[str, list[str]]
    explanation: str
    trace: dict[str, list[dict[str, Any]]]


class VersionDetail(VersionModel):
    files: dict[str, str]
    scenarios: list[ScenarioModel]
    simulation: dict[str, Any] | None


class DiffModel(BaseModel):
    old: str
    new: str
    sentences: list[str]
    changes: dict[str, Any]


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 409, 422)}


@dataclass(frozen=True, slots=True)
class GovernanceApi:
    """What the routes work on: governance and the personal tokens of one store."""

    governance: Governance
    tokens: TokenRepository


def _scenario(result: ScenarioResult) -> ScenarioModel:
    trace = {name: [{"table_id": t.table_id, "matched": list(t.matched),
                     "result": str(t.result)} for t in traces]
             for name, traces in result.trace.items()}
    return ScenarioModel(name=result.name, passed=result.passed,
                         expected=dict(result.expected), actual=dict(result.actual),
                         explanation=result.explain(), trace=trace)


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns: they were stored in UTC
    return None if at is None else aware(at)


def _version(governance: Governance, version: str, record: RuleVersion | None = None,
             active: str | None = None) -> VersionModel:
    """A version's summary (``record`` and ``active`` save a query each when listing)."""
    state = governance.state(version)
    if record is None:
        record = next(v for v in governance.rules.versions() if v.version == version)
        active = governance.rules.active_version()
    return VersionModel(version=version, state=state.state.value, author=state.author,
                        based_on=state.based_on, note=record.note, checksum=record.checksum,
                        effective_from=_utc(state.effective_from), active=active == version)


def governance_routes(project_dir: Path, clock: Clock | None = None, *,
                      api: Callable[[], GovernanceApi] | None = None) -> APIRouter:
    """The governance routes over a project's operational store.

    Args:
        project_dir: the project (its operational store; its analytical store, read-only,
            for simulations).
        clock: the time of changes and of scheduled activations (the system clock if None).
        api: what the routes work on (built on first use from the project when None).
    """

    def build() -> GovernanceApi:
        store = open_project_operational(project_dir)
        now = clock or SystemClock()
        return GovernanceApi(Governance(store, now, project_simulator(project_dir)),
                             TokenRepository(store, now))

    source = api or Lazy(build)
    router = APIRouter(prefix="/v1/rules", tags=["governance"], responses=_ERRORS)
    who = person(lambda: source().tokens)

    def reader(user: User) -> Governance:
        with refusals():
            permit("read", actor=user.username, roles=user.roles)
        return source().governance

    @router.get("/versions", response_model=list[VersionModel])
    def versions(user: User = Depends(who)) -> list[VersionModel]:
        """Every version, oldest first, with its state."""
        governance = reader(user)
        active = governance.rules.active_version()
        return [_version(governance, v.version, v, active) for v in governance.rules.versions()]

    @router.post("/versions", response_model=VersionModel, status_code=201)
    def draft(body: DraftBody, user: User = Depends(who)) -> VersionModel:
        """Save a change as a draft: refused (409) when ``based_on`` is not the newest
        version, saying what changed since; refused (422) when it does not compile."""
        governance = source().governance
        with refusals():
            saved = governance.draft(user, body.catalogue, body.files,
                                     based_on=body.based_on, note=body.note)
            return _version(governance, saved.version)

    @router.get("/versions/{version}", response_model=VersionDetail)
    def version_detail(version: str, user: User = Depends(who)) -> VersionDetail:
        """A version: its files, state, test scenario results and stored simulation."""
        governance = reader(user)
        with refusals():
            summary = _version(governance, version)
            catalogue, files = governance.rules.files(version)
            scenarios = [_scenario(r) for r in governance.scenarios(version)]
            simulation = governance.simulation(version)
        return VersionDetail(**summary.model_dump(), files={CATALOGUE_FILE: catalogue, **files},
                             scenarios=scenarios,
                             simulation=simulation.to_json() if simulation else None)

    def transition(action: str) -> Callable[..., VersionModel]:
        def move(version: str, body: ActionBody | None = None,
                 user: User = Depends(who)) -> VersionModel:
            governance = source().governance
            with refusals():
                getattr(governance, action)(user, version, body.reason if body else "")
                return _version(governance, version)

        move.__name__ = action
        move.__doc__ = {
            "submit": "Submit a draft for review; the whole-base simulation against the "
                      "active version is stored with it.",
            "reject": "Send a version in review back to draft.",
            "activate": "Activate an approved version now (the active one is retired).",
            "rollback": "Activate an earlier, retired version again.",
        }[action]
        return move

    for action in ("submit", "reject", "activate", "rollback"):
        router.post(f"/versions/{{version}}/{action}", response_model=VersionModel)(
            transition(action))

    @router.post("/versions/{version}/approve", response_model=VersionModel)
    def approve(version: str, body: ApproveBody | None = None,
                user: User = Depends(who)) -> VersionModel:
        """Approve a version in review (not one's own; its scenarios must pass), now or with
        ``effective_from`` at that time."""
        governance = source().governance
        body = body or ApproveBody()
        with refusals():
            # in UTC: the store keeps the wall time without its offset
            at = body.effective_from
            governance.approve(user, version, body.reason,
                               effective_from=None if at is None else at.astimezone(dt.UTC))
            return _version(governance, version)

    @router.get("/versions/{version}/scenarios", response_model=list[ScenarioModel])
    def scenarios(version: str, user: User = Depends(who)) -> list[ScenarioModel]:
        """Run the version's test scenarios: expected against actual, with the trace."""
        governance = reader(user)
        with refusals():
            governance.state(version)
            return [_scenario(r) for r in governance.scenarios(version)]

    @router.get("/versions/{version}/simulation")
    def simulation(version: str, user: User = Depends(who)) -> dict[str, Any]:
        """The simulation report stored with the version (404 when none was stored)."""
        governance = reader(user)
        with refusals():
            stored = governance.simulation(version)
        if stored is None:
            raise ApiError(404, "no_simulation", f"no simulation is stored for {version} "
                           f"(one is run on submission, or POST to this route)")
        return stored.to_json()

    @router.post("/versions/{version}/simulation")
    def simulate(version: str, user: User = Depends(who)) -> dict[str, Any]:
        """Run the whole-base simulation against the active version now, and store it."""
        with refusals():
            return source().governance.simulate(user, version).to_json()

    @router.get("/diff", response_model=DiffModel)
    def diff(old: str = Query(description="the earlier version"),
             new: str = Query(description="the later version"),
             user: User = Depends(who)) -> DiffModel:
        """What changed between two versions, per table and cell: in words and as JSON."""
        governance = reader(user)
        with refusals():
            governance.state(old)
            governance.state(new)
            changes = diff_rule_sets(governance.rules.files(old), governance.rules.files(new))
        return DiffModel(old=old, new=new, sentences=changes.describe(),
                         changes=changes.to_json())

    @router.get("/audit", response_model=list[audit.AuditEntry])
    def audit_log(version: str | None = Query(default=None, description="only this version"),
                  limit: int = Query(default=200, ge=1, le=10_000),
                  user: User = Depends(who)) -> list[audit.AuditEntry]:
        """The audit log, newest first: who did what, when, and why."""
        governance = reader(user)
        return [replace(e, at=aware(e.at))
                for e in audit.read(governance.engine, subject=version, limit=limit)]

    return router
