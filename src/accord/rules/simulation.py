"""Whole-base simulation: what a proposed rule set would give every customer, against the
active one, computed in the analytical store.

Each rule set becomes one SQL expression over the ``profiles`` table (one row per customer:
``customer_id``, profile columns, ``segments`` as a ``VARCHAR[]``) giving, per customer, the
treatment :func:`accord.decisioning.decide.decide` would put first in ``placement`` on
``channel`` at ``at`` for a one-slot request (built by :mod:`accord.rules.assignment`); both
rule sets run in one scan, grouped. What is modelled, and how:

* static gates (channel, placement, validity window, budget and inventory with nothing spent
  yet) are decided in Python per treatment: they are the same for every customer;
* eligibility: each named table compiled by :func:`accord.dmn.sql.table_to_sql` over the
  profile columns, the ``context`` (as literals, overriding profile columns of the same name
  as in ``decide``), ``channel``, ``placement`` and ``segments``; a treatment is eligible
  when every table gives ``true``;
* contact policy without history: consent on the channel for marketing kinds, and quiet
  hours (evaluated in Python per distinct time zone in the profiles, so the SQL only says
  which zones are quiet at ``at``); limits and suppressions need contact history and are not
  applied;
* decisions the eligibility tables require (decision tables and literal expressions of the
  same model) are computed once per row, as columns;
* arbitration: a treatment's score depends only on its propensity mean (``explore=False``),
  value, cost, weight and the context, all constant for a simulation except the propensity
  segment the customer falls in. The score is computed once per (treatment, propensity
  segment) by the rule set's own :class:`~accord.decisioning.arbitration.Arbitration`, and
  the SQL tries the treatments in that order: exact, where a SQL ``DECIMAL(38, 10)``
  propensity literal would round a float mean and could break ties differently;
* the placement default when no treatment is eligible, if its static gates and contact
  policy pass;
* the projected contacts per day on the channel: customers per treatment times
  :func:`daily_rate` (the tightest contact limit), an upper bound without contact history;
* no holdouts: a simulation reports the treatment the rules choose, not the control group
  draw (compare with ``decide`` on rule sets whose ``holdout_share`` is zero).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlglot import exp

from accord.decisioning.propensity import Propensities
from accord.decisioning.ruleset import RuleSet
from accord.decisioning.treatments import Treatment
from accord.rules.assignment import PROFILES, Assignment, Schema, assignment, read_schema
from accord.store.base import AnalyticalStore

__all__ = ["PROFILES", "SimulationReport", "assignment_query", "assignments", "daily_rate",
           "simulate"]

Transition = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class SimulationReport:
    """The active (``before``) and proposed (``after``) rule sets over the whole base.

    Attributes:
        customers: profiles simulated.
        before: treatment (None: nothing) -> customers, under the active rule set.
        after: the same under the proposed rule set.
        transitions: (treatment before, treatment after) -> customers.
        segments: segment -> (counts before, counts after), as ``before``/``after``.
        expected_before: sum over customers of propensity mean x value of their treatment.
        expected_after: the same under the proposed rule set.
        sql_before: the SQL text of the active rule set's query.
        sql_after: the SQL text of the proposed rule set's query.
        channel: the channel simulated.
        placement: the placement simulated.
        daily_before: treatment -> projected contacts per day on ``channel`` under the active
            rule set (see :func:`daily_rate`).
        daily_after: the same under the proposed rule set.
    """

    customers: int
    before: Mapping[str | None, int]
    after: Mapping[str | None, int]
    transitions: Mapping[Transition, int]
    segments: Mapping[str, tuple[Mapping[str | None, int], Mapping[str | None, int]]]
    expected_before: Decimal
    expected_after: Decimal
    sql_before: str
    sql_after: str
    channel: str = ""
    placement: str = ""
    daily_before: Mapping[str, float] = field(default_factory=dict)
    daily_after: Mapping[str, float] = field(default_factory=dict)

    @property
    def expected_change(self) -> Decimal:
        """The change in expected value (after minus before)."""
        return self.expected_after - self.expected_before

    def changed(self) -> int:
        """Customers whose treatment changes."""
        return sum(n for (old, new), n in self.transitions.items() if old != new)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (treatment None is ``null``; amounts as strings).

        >>> SimulationReport(2, {"a": 2}, {"a": 1, None: 1}, {("a", "a"): 1, ("a", None): 1},
        ...                  {}, Decimal(4), Decimal(2), "", "").to_json()["transitions"]
        [{'from': 'a', 'to': None, 'customers': 1}, {'from': 'a', 'to': 'a', 'customers': 1}]
        """
        def counts(mapping: Mapping[str | None, int]) -> list[dict[str, Any]]:
            return [{"treatment": t, "customers": n}
                    for t, n in sorted(mapping.items(), key=lambda kv: (-kv[1], kv[0] or ""))]

        return {
            "customers": self.customers,
            "before": counts(self.before),
            "after": counts(self.after),
            "transitions": [{"from": a, "to": b, "customers": n} for (a, b), n in sorted(
                self.transitions.items(), key=lambda kv: (-kv[1], kv[0][0] or "",
                                                          kv[0][1] or ""))],
            "changed": self.changed(),
            "segments": {name: {"before": counts(b), "after": counts(a)}
                         for name, (b, a) in self.segments.items()},
            "expected_before": str(self.expected_before),
            "expected_after": str(self.expected_after),
            "expected_change": str(self.expected_change),
            "channel": self.channel,
            "placement": self.placement,
            "daily_volume": {
                "before": {t: round(v, 3) for t, v in sorted(self.daily_before.items())},
                "after": {t: round(v, 3) for t, v in sorted(self.daily_after.items())},
                "total_before": round(sum(self.daily_before.values()), 3),
                "total_after": round(sum(self.daily_after.values()), 3),
            },
            "sql_before": self.sql_before,
            "sql_after": self.sql_after,
        }


def _relation(assigned: Sequence[Assignment]) -> exp.Select:
    """``profiles`` with every assignment's required-decision columns, layer by layer."""
    relation = exp.select("*").from_(PROFILES)
    depth = max((len(a.layers) for a in assigned), default=0)
    for level in range(depth):
        columns = [c for a in assigned if level < len(a.layers) for c in a.layers[level]]
        relation = exp.select("*", *columns).from_(relation.subquery(f"layer{level}"))
    return relation


def _assign(rules: RuleSet, schema: Schema, *, channel: str, placement: str,
            at: dt.datetime, context: Mapping[str, Any] | None,
            propensities: Propensities | None, prefix: str = "__d") -> Assignment:
    return assignment(rules, schema, channel=channel, placement=placement, at=at,
                      context=context or {}, propensities=propensities or Propensities(),
                      prefix=prefix)


def _query(assigned: Assignment) -> exp.Select:
    return exp.select(exp.column("customer_id"),
                      exp.alias_(assigned.treatment, "treatment_id"),
                      exp.alias_(assigned.key, "propensity_key")).from_(
                          _relation([assigned]).subquery("base"))


def assignment_query(store: AnalyticalStore, rules: RuleSet, *, channel: str, placement: str,
                     at: dt.datetime, context: Mapping[str, Any] | None = None,
                     propensities: Propensities | None = None) -> exp.Select:
    """The query giving ``customer_id``, ``treatment_id`` (null: nothing) and
    ``propensity_key`` for every row of ``profiles``.

    Raises:
        ConfigError: naming an eligibility table that cannot be compiled to SQL.
    """
    return _query(_assign(rules, read_schema(store, [rules]), channel=channel,
                          placement=placement, at=at, context=context,
                          propensities=propensities))


def assignments(store: AnalyticalStore, rules: RuleSet, *, channel: str, placement: str,
                at: dt.datetime, context: Mapping[str, Any] | None = None,
                propensities: Propensities | None = None) -> dict[str, str | None]:
    """Customer id -> the treatment ``rules`` give in ``placement`` (None: nothing)."""
    query = assignment_query(store, rules, channel=channel, placement=placement, at=at,
                             context=context, propensities=propensities)
    table = store.query(query)
    return dict(zip(map(str, table.column("customer_id").to_pylist()),
                    table.column("treatment_id").to_pylist(), strict=True))


def daily_rate(treatment: Treatment, rules: RuleSet, channel: str,
               contacts_per_day: float = 1.0) -> float:
    """Contacts per day one customer assigned ``treatment`` can receive on ``channel``.

    ``contacts_per_day`` is how often a customer meets the channel (1 for a daily send; the
    visit rate for the web); the tightest contact limit of the treatment and of the policy
    on the channel caps it (2 in 14 days: 1/7 a day). An upper bound: contact history,
    which the simulation does not model, can only lower it.
    """
    rate = contacts_per_day
    for limit in (*treatment.limits, *rules.policy.limits):
        if limit.channel in (None, channel):
            rate = min(rate, limit.max_count / limit.period_days)
    return rate


def _expected(rules: RuleSet, propensities: Propensities,
              counts: Iterable[tuple[str | None, str, int]]) -> Decimal:
    """Sum of propensity mean x value over (treatment, propensity segment, customers)."""
    estimates = rules.propensities_for(propensities)
    by_id = rules.catalogue.by_id()
    total = Decimal(0)
    for treatment_id, key, count in counts:
        if treatment_id is None:
            continue
        mean = estimates.estimate(treatment_id, [key] if key else []).mean
        total += Decimal(repr(mean)) * by_id[treatment_id].value * count
    return total


def simulate(store: AnalyticalStore, old: RuleSet, new: RuleSet, *, channel: str,
             placement: str, at: dt.datetime, context: Mapping[str, Any] | None = None,
             propensities: Propensities | None = None,
             contacts_per_day: float = 1.0) -> SimulationReport:
    """Run the active (``old``) and proposed (``new``) rule sets over every profile.

    Both rule sets are assigned in one scan of ``profiles``, grouped by (treatment before,
    treatment after, propensity segments, segments): the transition matrix, the counts, the
    change per segment and the expected value all come from that small result.

    Args:
        store: the analytical store holding ``profiles``.
        old: the active rule set.
        new: the proposed rule set.
        channel: the channel simulated.
        placement: the placement simulated (one slot).
        at: the decision time (validity windows, quiet hours).
        context: request facts, the same for every customer.
        propensities: the propensity estimates; their means are used (no exploration).
        contacts_per_day: how often a customer meets the channel, for the projected daily
            volume (:func:`daily_rate`).

    Raises:
        ConfigError: naming an eligibility table that cannot be compiled to SQL.
    """
    schema = read_schema(store, [old, new])
    assigned = [_assign(rules, schema, channel=channel, placement=placement, at=at,
                        context=context, propensities=propensities, prefix=prefix)
                for rules, prefix in ((old, "__old"), (new, "__new"))]
    grouped_by = [exp.alias_(assigned[0].treatment, "before"),
                  exp.alias_(assigned[0].key, "key_before"),
                  exp.alias_(assigned[1].treatment, "after"),
                  exp.alias_(assigned[1].key, "key_after")]
    if "segments" in schema.columns:
        grouped_by.append(exp.alias_(exp.column("segments", quoted=True), "segments"))
    names = [e.alias for e in grouped_by]
    query = exp.select(*grouped_by, exp.alias_(exp.Count(this=exp.Star()), "n")).from_(
        _relation(assigned).subquery("base")).group_by(*names)
    rows = store.query(query).to_pylist()
    transitions: Counter[Transition] = Counter()
    before: Counter[str | None] = Counter()
    after: Counter[str | None] = Counter()
    segments: dict[str, tuple[Counter[str | None], Counter[str | None]]] = {}
    for row in rows:
        n = row["n"]
        transitions[row["before"], row["after"]] += n
        before[row["before"]] += n
        after[row["after"]] += n
        for segment in row.get("segments") or ():
            pair = segments.setdefault(segment, (Counter(), Counter()))
            pair[0][row["before"]] += n
            pair[1][row["after"]] += n
    propensities = propensities or Propensities()
    return SimulationReport(
        customers=sum(before.values()),
        before=dict(before), after=dict(after), transitions=dict(transitions),
        segments={s: (dict(b), dict(a)) for s, (b, a) in sorted(segments.items())},
        expected_before=_expected(old, propensities, (
            (r["before"], r["key_before"], r["n"]) for r in rows)),
        expected_after=_expected(new, propensities, (
            (r["after"], r["key_after"], r["n"]) for r in rows)),
        sql_before=store.sql(_query(assigned[0])), sql_after=store.sql(_query(assigned[1])),
        channel=channel, placement=placement,
        daily_before=_daily(old, before, channel, contacts_per_day),
        daily_after=_daily(new, after, channel, contacts_per_day))


def _daily(rules: RuleSet, counts: Mapping[str | None, int], channel: str,
           contacts_per_day: float) -> dict[str, float]:
    by_id = rules.catalogue.by_id()
    return {tid: n * daily_rate(by_id[tid], rules, channel, contacts_per_day)
            for tid, n in counts.items() if tid is not None}
