"""Build ``profiles`` and ``profiles_monthly`` in the analytical store.

The I/O edge of :mod:`accord.profiles`: finds which entity views exist, compiles the
project's dimensions (or the standard set) with :func:`~accord.profiles.query.
compile_profiles`, and replaces both tables in one transaction, so a failed build leaves the
previous profiles in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlglot import exp

from accord.clock import Clock
from accord.errors import ConfigError
from accord.profiles.defaults import default_dimensions
from accord.profiles.query import ProfilePlan, compile_profiles
from accord.progress import Progress
from accord.project.config import Entity, Project
from accord.store.base import AnalyticalStore

__all__ = ["ProfilesReport", "plan_profiles", "run_profiles"]


@dataclass(frozen=True, slots=True)
class ProfilesReport:
    """What a profile build did."""

    as_of: dt.date
    #: Rows of ``profiles``.
    customers: int
    #: The dimension columns, in order.
    dimensions: tuple[str, ...]
    #: Rows of ``profiles_monthly`` (0 when the rollup is off or has no columns).
    monthly_rows: int
    #: Whether the project declared no dimensions and got the standard set.
    defaults: bool
    built_at: dt.datetime


def plan_profiles(project: Project, *, as_of: dt.date,
                  entities: list[Entity] | None = None) -> ProfilePlan:
    """Compile the project's profile queries (pure; ``entities``: views present, all when
    ``None``)."""
    dimensions = project.profiles.dimensions or default_dimensions()
    priorities = {name: source.priority for name, source in project.sources.items()}
    return compile_profiles(dimensions, as_of=as_of,
                            entities=list(Entity) if entities is None else entities,
                            priorities=priorities, monthly=project.profiles.monthly)


def _create(name: str, query: exp.Query) -> exp.Create:
    return exp.Create(this=exp.Table(this=exp.to_identifier(name, quoted=True)), kind="TABLE",
                      replace=True, expression=query)


def _drop(name: str) -> exp.Drop:
    return exp.Drop(tables=[exp.Table(this=exp.to_identifier(name, quoted=True))], kind="TABLE",
                    exists=True)


def _count(store: AnalyticalStore, name: str) -> int:
    table = exp.Table(this=exp.to_identifier(name, quoted=True))
    result = store.query(exp.select(exp.Count(this=exp.Star()).as_("n")).from_(table))
    return int(result.column("n")[0].as_py())


def run_profiles(project: Project, store: AnalyticalStore, *, as_of: dt.date | None,
                 clock: Clock, progress: Progress) -> ProfilesReport:
    """Build ``profiles`` (one row per customer) and ``profiles_monthly``.

    Args:
        project: the project (its dimensions; the standard set when it declares none).
        store: the analytical store holding ``identity_map`` and the entity views.
        as_of: see only records dated on or before this day; today (by ``clock``) when None.
        clock: tells today's date and the build time.
        progress: reports the build.

    Raises:
        ConfigError: when identity has not run yet (no ``identity_map``).
        ProfileDefinitionError: naming a dimension that cannot be compiled.
    """
    built_at = clock.now()
    day = as_of if as_of is not None else built_at.date()
    tables = set(store.tables())
    if "identity_map" not in tables:
        raise ConfigError("the analytical store has no identity_map: run identity "
                          "resolution ('accord identity' or 'accord build') first")
    entities = [entity for entity in Entity if entity.value in tables]
    plan = plan_profiles(project, as_of=day, entities=entities)
    task = progress.task("profiles", total=2 if plan.monthly is not None else 1)
    with store.transaction():
        store.execute(_create("profiles", plan.profiles))
        task.advance()
        if plan.monthly is not None:
            store.execute(_create("profiles_monthly", plan.monthly))
            task.advance()
        else:  # a stale rollup would contradict the new profiles
            store.execute(_drop("profiles_monthly"))
        customers = _count(store, "profiles")
        monthly_rows = _count(store, "profiles_monthly") if plan.monthly is not None else 0
    task.done()
    return ProfilesReport(as_of=day, customers=customers, dimensions=plan.columns,
                          monthly_rows=monthly_rows,
                          defaults=not project.profiles.dimensions, built_at=built_at)
