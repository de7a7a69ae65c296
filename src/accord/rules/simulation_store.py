"""A project's whole-base simulation: its built profiles as the simulation's input, and the
:data:`~accord.rules.proposal.Simulator` that governance runs on every submission.

The project's analytical store is only read (attached read-only into an in-memory store, with
each customer's segments gathered into a list, the ``profiles`` shape
:func:`accord.rules.simulation.simulate` reads).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from accord.decisioning.propensity import Propensities
from accord.decisioning.ruleset import RuleSet
from accord.decisioning.treatments import Treatment
from accord.errors import ConfigError
from accord.project.template import state_dir, store_path
from accord.rules.proposal import Simulator
from accord.rules.simulation import PROFILES, SimulationReport, simulate
from accord.store import open_store
from accord.store.base import AnalyticalStore

#: A channel and a placement of it, simulated as a one-slot request.
View = tuple[str, str]


def simulation_store(project: Path) -> AnalyticalStore:
    """An in-memory store holding the project's profiles, each with its segments as a list.

    Raises:
        ConfigError: the project has no built analytical store, or it cannot be read now.
    """
    path = store_path(project)
    if not path.is_file():
        # said without the path: the message is stored with the version and served by the API
        raise ConfigError("no analytical store yet: build the project ('accord build') "
                          "to simulate over its customers")
    store = open_store()
    try:
        store.execute(f"ATTACH {exp.Literal.string(str(path.resolve())).sql('duckdb')} "
                      "AS hub (READ_ONLY)")
        store.execute(
            "CREATE TABLE profiles AS SELECT p.*, coalesce(s.segments, []::VARCHAR[]) AS "
            "segments FROM hub.profiles p LEFT JOIN (SELECT customer_id, list(segment ORDER "
            "BY segment) AS segments FROM hub.segment_members GROUP BY customer_id) s "
            "USING (customer_id)")
    except duckdb.Error as exc:  # locked by a running build, or not built in full
        store.close()
        raise ConfigError("cannot read the analytical store: "
                          f"{str(exc).replace(str(path.resolve()), path.name)}") from None
    return store


def views(rule_sets: Iterable[RuleSet]) -> list[View]:
    """Every (channel, placement) some treatment of the rule sets may be given in.

    Channels and placements are those the catalogues name; a treatment naming none admits
    all of them.
    """
    treatments = [t for rules in rule_sets for t in rules.catalogue.treatments]
    defaults = {p for rules in rule_sets for p in rules.catalogue.defaults}
    channels = sorted({c for t in treatments for c in t.channels})
    placements = sorted({p for t in treatments for p in t.placements} | defaults)
    return [(c, p) for c in channels for p in placements
            if any((not t.channels or c in t.channels)
                   and (not t.placements or p in t.placements) for t in treatments)]


def _same_table(old: RuleSet, new: RuleSet, name: str) -> bool:
    # the whole model is compared: a table may read other decisions of its model
    before, after = old.tables.get(name), new.tables.get(name)
    return (before is not None and after is not None
            and before.model.definitions == after.model.definitions)


def affected_views(old: RuleSet, new: RuleSet) -> list[View]:
    """The views where ``new`` may decide differently from ``old``: those admitting a
    treatment that changed (its fields, or a model of its eligibility), or every view when a
    setting all decisions share changed (policy, arbitration, defaults, segments).

    Elsewhere the same treatments meet the same tables and settings, so every customer gets
    what they got: simulating those views would only report that no one moves.
    """
    shared = (old.policy, old.arbitration.formula, old.propensity_segments,
              dict(old.catalogue.defaults), old.unknown_customer)
    if shared != (new.policy, new.arbitration.formula, new.propensity_segments,
                  dict(new.catalogue.defaults), new.unknown_customer):
        return views([old, new])
    before, after = old.catalogue.by_id(), new.catalogue.by_id()
    changed: list[Treatment] = []
    for ident in sorted(set(before) | set(after)):
        was, now = before.get(ident), after.get(ident)
        both = [t for t in (was, now) if t is not None]
        if was != now or not all(_same_table(old, new, name)
                                 for t in both for name in t.eligibility):
            changed.extend(both)
    return [(channel, placement) for channel, placement in views([old, new])
            if any((not t.channels or channel in t.channels)
                   and (not t.placements or placement in t.placements) for t in changed)]


def _propensities(project: Path) -> Propensities:
    """The project's learnt propensities (their means score the offers), or the priors."""
    contacts = state_dir(project) / "contacts.sqlite"
    if not contacts.is_file():
        return Propensities()
    from accord.online.contacts import ContactStore

    return Propensities(ContactStore(contacts).propensities())


def simulate_views(project: Path, old: RuleSet, new: RuleSet, at: dt.datetime,
                   only: Sequence[View] | None = None
                   ) -> list[tuple[str, str, SimulationReport]]:
    """Simulate ``new`` against ``old`` over the project's profiles, per view: every view
    the change may alter a decision in (:func:`affected_views`), or ``only`` these.

    Raises:
        ConfigError: no built analytical store, or a table SQL cannot express.
    """
    store = simulation_store(project)
    try:
        propensities = _propensities(project)
        return [(channel, placement, simulate(store, old, new, channel=channel,
                                              placement=placement, at=at,
                                              propensities=propensities))
                for channel, placement in (only if only is not None
                                           else affected_views(old, new))]
    finally:
        store.close()


def _customers(project: Path) -> int:
    store = simulation_store(project)
    try:
        return int(store.query(exp.select(exp.Count(this=exp.Star())).from_(PROFILES))
                   .column(0)[0].as_py())
    finally:
        store.close()


def project_simulator(project: Path, only: Sequence[View] | None = None) -> Simulator:
    """The simulator of a project (see :func:`simulate_views`).

    The store is opened per run, so that a build in between is seen and nothing is held
    open between submissions.
    """

    def run(old: RuleSet, new: RuleSet, at: dt.datetime) -> dict[str, Any]:
        reports = simulate_views(project, old, new, at, only)
        return {"customers": reports[0][2].customers if reports else _customers(project),
                "views": [{"channel": channel, "placement": placement, **report.to_json()}
                          for channel, placement, report in reports]}

    return run
