"""Running a funnel on the analytical store, and what comes back: counts, rates, drop-off.

:func:`run_funnel` reads the events relation's columns and event types from the store (so a
step naming an event type the data never had is refused before anything runs), executes the
one query :func:`~accord.campaigns.funnel.compile_funnel` builds and turns its rows into
:class:`FunnelResult` values; the ratios are computed here, in Python, from the exact counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlglot import exp

from accord.campaigns.errors import FunnelDefinitionError
from accord.campaigns.funnel import MEDIAN, REACHED, REQUIRED_COLUMNS, Funnel, compile_funnel
from accord.campaigns.timeline import EventSource, as_event_source
from accord.feel.sql_values import TypeSpec
from accord.store.base import AnalyticalStore
from accord.store.sql import column as _col

__all__ = ["FunnelResult", "Source", "StepResult", "funnel_rows", "run_funnel", "source_columns"]

#: Arrow type test -> the FEEL type a step filter sees such a column as.
_FEEL_TYPES: tuple[tuple[Callable[[pa.DataType], bool], str], ...] = (
    (pa.types.is_string, "string"), (pa.types.is_large_string, "string"),
    (pa.types.is_integer, "number"), (pa.types.is_floating, "number"),
    (pa.types.is_decimal, "number"), (pa.types.is_boolean, "boolean"),
    (pa.types.is_date, "date"), (pa.types.is_timestamp, "date and time"),
)


def _feel_type(kind: pa.DataType) -> TypeSpec | None:
    return next((feel for test, feel in _FEEL_TYPES if test(kind)), None)


@dataclass(frozen=True, slots=True)
class StepResult:
    """One step of a funnel (for one breakdown value)."""

    index: int
    name: str
    customers: int
    #: Share of the previous step's customers who reached this one (1.0 for the first).
    from_previous: float | None
    #: Share of the first step's customers who reached this one.
    from_first: float | None
    #: Customers of the previous step who did not reach this one (0 for the first).
    dropped: int
    #: Median seconds from the previous step, among customers reaching this one.
    median_seconds: float | None


@dataclass(frozen=True, slots=True)
class FunnelResult:
    """A funnel's steps, for all customers or for one breakdown value."""

    funnel: str
    breakdown: Any
    steps: tuple[StepResult, ...]

    @property
    def conversion(self) -> float | None:
        """Share of first-step customers who completed every step."""
        return self.steps[-1].from_first

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON reports)."""
        return {"funnel": self.funnel, "breakdown": self.breakdown,
                "steps": [{"index": s.index, "name": s.name, "customers": s.customers,
                           "from_previous": s.from_previous, "from_first": s.from_first,
                           "dropped": s.dropped, "median_seconds": s.median_seconds}
                          for s in self.steps]}


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def funnel_rows(funnel: Funnel, rows: Sequence[Mapping[str, Any]]) -> list[FunnelResult]:
    """Results from the compiled query's rows (``reached_k``, ``median_k``). Pure."""
    results = []
    for row in rows:
        counts = [int(row[REACHED.format(k)]) for k in range(1, len(funnel.steps) + 1)]
        steps = []
        for index, (step, count) in enumerate(zip(funnel.steps, counts, strict=True)):
            previous = counts[index - 1] if index else count
            median = row.get(MEDIAN.format(index + 1)) if index else None
            steps.append(StepResult(
                index=index + 1, name=step.label, customers=count,
                from_previous=_ratio(count, previous), from_first=_ratio(count, counts[0]),
                dropped=previous - count,
                median_seconds=float(median) if median is not None else None))
        results.append(FunnelResult(funnel.name, row.get("breakdown"), tuple(steps)))
    return results


#: What a funnel may run over: a table or view name, a query, or an :class:`EventSource`.
Source = str | exp.Query | EventSource


def source_columns(store: AnalyticalStore, source: Source) -> dict[str, TypeSpec | None]:
    """The columns of ``source`` (a table or view name, a query or an event source) and
    their FEEL types.

    Raises:
        FunnelDefinitionError: when ``source`` is missing or lacks a required column.
    """
    if isinstance(source, str) and source not in store.tables():
        raise FunnelDefinitionError("source", f"no table or view {source!r} in the store")
    relation = as_event_source(source).relation
    schema = store.query(exp.select(exp.Star()).from_(relation).limit(0)).schema
    columns = {name: _feel_type(schema.field(name).type) for name in schema.names}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise FunnelDefinitionError("source", f"the events lack column(s) "
                                    f"{', '.join(missing)}")
    return columns


def run_funnel(store: AnalyticalStore, funnel: Funnel,
               source: Source = "funnel_events") -> list[FunnelResult]:
    """Run ``funnel`` over the events relation ``source`` (a table, view or query, or the
    hub's :func:`~accord.campaigns.timeline.event_source`).

    Returns:
        One result, or one per breakdown value (nulls last).

    Raises:
        FunnelDefinitionError: an unknown source, event type, breakdown or a bad filter.
    """
    columns = source_columns(store, source)
    events = as_event_source(source)
    known = store.query(exp.select(_col("event_type")).distinct().from_(events.relation))
    attributes = {name: kind for name, kind in columns.items()
                  if name not in (*REQUIRED_COLUMNS, events.customer)}
    query = compile_funnel(funnel, events.relation, attributes,
                           known_types=set(known.column("event_type").to_pylist()),
                           customer=events.customer, unique_ids=events.unique_ids,
                           members=events.members)
    return funnel_rows(funnel, store.query(query).to_pylist())
