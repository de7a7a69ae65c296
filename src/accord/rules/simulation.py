"""Whole-base simulation: what a proposed rule set would give every customer, against the
active one, computed in the analytical store.

Each rule set becomes one SQL query over the ``profiles`` table (one row per customer:
``customer_id``, profile columns, ``segments`` as a ``VARCHAR[]``) giving, per customer, the
treatment :func:`accord.decisioning.decide.decide` would put first in ``placement`` on
``channel`` at ``at`` for a one-slot request. What is modelled, and how:

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
* arbitration: a treatment's score depends only on its propensity mean (``explore=False``),
  value, cost, weight and the context, all constant for a simulation except the propensity
  segment the customer falls in. The score is computed once per (treatment, propensity
  segment) by the rule set's own :class:`~accord.decisioning.arbitration.Arbitration` and the
  SQL orders by its rank: exact, where a SQL ``DECIMAL(38, 10)`` propensity literal would
  round a float mean and could break ties differently from Python;
* the placement default when no treatment is eligible, if its static gates and contact
  policy pass;
* no holdouts: a simulation reports the treatment the rules choose, not the control group
  draw (compare with ``decide`` on rule sets whose ``holdout_share`` is zero).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
from sqlglot import exp

from accord.decisioning import policy as contact_policy
from accord.decisioning.history import CustomerHistory
from accord.decisioning.propensity import Propensities
from accord.decisioning.ruleset import RuleSet
from accord.decisioning.treatments import Treatment
from accord.dmn.model import DecisionTable
from accord.dmn.sql import table_to_sql
from accord.errors import ConfigError, FeelSqlError
from accord.feel import ast
from accord.feel.builtins import BUILTINS
from accord.feel.parser import parse_expression
from accord.feel.sql_values import TypeSpec, literal
from accord.store.base import AnalyticalStore

__all__ = ["PROFILES", "SimulationReport", "assignment_query", "assignments", "simulate"]

if TYPE_CHECKING:
    pass


#: The table simulated over: one row per customer.
PROFILES = "profiles"

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
            "sql_before": self.sql_before,
            "sql_after": self.sql_after,
        }


def _arrow_type(kind: pa.DataType) -> str | None:
    """The FEEL type of a profile column, so the SQL keeps FEEL's null for mixed types."""
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "number"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "string"
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_date(kind):
        return "date"
    if pa.types.is_timestamp(kind) and kind.tz is None:
        return "date and time"
    return None


def _column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _static_gate(treatment: Treatment, channel: str, placement: str, at: dt.datetime) -> bool:
    """``decide``'s static gates with no spend or acceptances recorded yet."""
    if treatment.channels and channel not in treatment.channels:
        return False
    if treatment.placements and placement not in treatment.placements:
        return False
    if treatment.valid_from is not None and at < treatment.valid_from:
        return False
    if treatment.valid_to is not None and at >= treatment.valid_to:
        return False
    if treatment.budget is not None and treatment.cost > treatment.budget:
        return False
    return treatment.inventory is None or treatment.inventory > 0


@dataclass(frozen=True, slots=True)
class _Schema:
    """What the query needs to know about the profiles table."""

    columns: Mapping[str, pa.DataType]
    zones: tuple[str | None, ...]


def _schema(store: AnalyticalStore, rules: Sequence[RuleSet]) -> _Schema:
    fields = store.query(exp.select("*").from_(PROFILES).limit(0)).schema
    columns = {f.name: f.type for f in fields}
    zone_fields = {r.policy.timezone_field for r in rules}
    zones: set[str | None] = {None}
    for name in sorted(zone_fields & set(columns)):
        # Quiet hours are decided per time zone in Python; the base has few distinct zones.
        found = store.query(exp.select(_column(name)).distinct().from_(PROFILES))
        zones.update(found.column(0).to_pylist())
    return _Schema(columns, tuple(sorted(zones, key=lambda z: (z is not None, z or ""))))


def _inputs(schema: _Schema, channel: str, placement: str, context: Mapping[str, Any]
            ) -> tuple[dict[str, exp.Expression], dict[str, TypeSpec]]:
    """The names eligibility tables see, as ``decide`` builds them, mapped to SQL."""
    columns: dict[str, exp.Expression] = {}
    types: dict[str, TypeSpec] = {}
    for name, kind in schema.columns.items():
        columns[name] = _column(name)
        feel = _arrow_type(kind)
        if feel is not None and name != "segments":
            types[name] = feel
    for name, value in {**context, "channel": channel, "placement": placement}.items():
        try:
            columns[name] = literal(value).sql
        except FeelSqlError:
            # A context value SQL cannot hold: a table using it fails to compile, by name.
            columns.pop(name, None)
            types.pop(name, None)
            continue
        types.pop(name, None)
    return columns, types


def _eligibility_sql(rules: RuleSet, name: str, columns: Mapping[str, exp.Expression],
                     types: Mapping[str, TypeSpec]) -> exp.Expression:
    table = rules.tables[name]
    _, decision = table.model.decision(name)
    if not isinstance(decision.expression, DecisionTable):
        raise ConfigError(f"eligibility decision {name!r} is not a decision table and cannot "
                          f"be simulated in SQL")
    # A name the table reads that neither the profile nor the request provides is null, as
    # the input is in ``decide`` (a request without a cart has no "cart value").
    provided = dict(columns)
    for clause in decision.expression.inputs:
        for missing in ast.names(parse_expression(clause.input_expression.text, provided)) \
                - provided.keys() - BUILTINS.keys():
            provided[missing] = exp.Null()
    try:
        value = table_to_sql(decision.expression, provided, types=types)
    except FeelSqlError as exc:
        raise ConfigError(f"eligibility table {name!r} cannot be compiled to SQL: {exc}"
                          ) from None
    # decide gives the treatment only when the table says exactly true.
    return exp.Is(this=exp.paren(value, copy=False), expression=exp.true())


def _policy_sql(treatment: Treatment, rules: RuleSet, channel: str, at: dt.datetime,
                schema: _Schema) -> exp.Expression:
    """The contact policy without history: which (consent, time zone) pairs pass, as SQL."""
    consent_field = rules.policy.consent_fields.get(channel)
    zone_field = rules.policy.timezone_field
    has_consent = consent_field is not None and \
        pa.types.is_boolean(schema.columns.get(consent_field, pa.null()))
    zones = schema.zones if zone_field in schema.columns else (None,)
    passing: list[exp.Expression] = []
    total = 0
    for consent in (True, None):
        if consent and not has_consent:
            continue  # without a boolean consent column no profile holds true
        for zone in zones:
            total += 1
            probe: dict[str, Any] = {zone_field: zone}
            if consent_field is not None:
                probe[consent_field] = consent
            if contact_policy.check(treatment, channel, probe, CustomerHistory(),
                                    rules.policy, at) is not None:
                continue
            parts: list[exp.Expression] = []
            if has_consent and consent_field is not None:
                parts.append(exp.Is(this=_column(consent_field), expression=exp.true())
                             if consent else
                             exp.not_(exp.Is(this=_column(consent_field),
                                             expression=exp.true())))
            if zone_field in schema.columns:
                parts.append(exp.NullSafeEQ(this=_column(zone_field),
                                            expression=exp.Null() if zone is None
                                            else exp.Literal.string(zone)))
            passing.append(cast(exp.Expression, exp.and_(*parts)) if parts else exp.true())
    if not passing:
        return exp.false()
    if len(passing) == total:
        return exp.true()
    return exp.paren(exp.or_(*passing), copy=False)


def _propensity_keys(rules: RuleSet, propensities: Propensities) -> tuple[str, ...]:
    return (*rules.propensities_for(propensities).segments, "")


def _key_sql(keys: Sequence[str], schema: _Schema) -> exp.Expression:
    """The propensity segment of each customer: the first of the rule set's it belongs to."""
    if "segments" not in schema.columns or len(keys) == 1:
        return exp.Literal.string("")
    ifs = [exp.If(this=exp.func("list_contains", _column("segments"), exp.Literal.string(k)),
                  true=exp.Literal.string(k)) for k in keys[:-1]]
    return exp.Case(ifs=ifs, default=exp.Literal.string(""))


def _ranks(candidates: Sequence[Treatment], rules: RuleSet, propensities: Propensities,
           context: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Per propensity segment, each candidate's rank: score descending, then id ascending."""
    estimates = rules.propensities_for(propensities)
    ranks: dict[str, dict[str, int]] = {}
    for key in _propensity_keys(rules, propensities):
        scored = []
        for treatment in candidates:
            mean = estimates.estimate(treatment.id, [key] if key else []).mean
            score = rules.arbitration.score(mean, treatment.value, treatment.cost,
                                            treatment.weight, context)
            scored.append((-score, treatment.id))
        ranks[key] = {tid: rank for rank, (_, tid) in enumerate(sorted(scored))}
    return ranks


def _assignment_query(rules: RuleSet, schema: _Schema, *, channel: str, placement: str,
                      at: dt.datetime, context: Mapping[str, Any],
                      propensities: Propensities) -> exp.Select:
    columns, types = _inputs(schema, channel, placement, context)
    keys = _propensity_keys(rules, propensities)
    key_sql = _key_sql(keys, schema)
    candidates = [t for t in rules.catalogue.treatments
                  if _static_gate(t, channel, placement, at)]
    ranks = _ranks(candidates, rules, propensities, context)
    compiled: dict[str, exp.Expression] = {}
    branches: list[exp.Select] = []
    for treatment in candidates:
        conditions = [_policy_sql(treatment, rules, channel, at, schema)]
        for name in treatment.eligibility:
            if name not in compiled:
                compiled[name] = _eligibility_sql(rules, name, columns, types)
            conditions.append(compiled[name])
        distinct = {ranks[k][treatment.id] for k in keys}
        # Segments rarely reorder treatments: one rank needs no CASE.
        rank: exp.Expression = exp.Literal.number(distinct.pop()) if len(distinct) == 1 \
            else exp.Case(ifs=[exp.If(this=exp.EQ(this=exp.column("propensity_key"),
                                                expression=exp.Literal.string(k)),
                                    true=exp.Literal.number(ranks[k][treatment.id]))
                             for k in keys],
                        default=exp.Null())
        branches.append(
            exp.select(exp.column("customer_id"),
                       exp.alias_(exp.Literal.string(treatment.id), "treatment_id"),
                       exp.alias_(rank, "rank"))
            .from_("base").where(exp.and_(*conditions)))
    default = _default(rules, placement, channel, at)
    base = exp.select("*", exp.alias_(key_sql, "propensity_key"),
                      *(exp.alias_(_policy_sql(t, rules, channel, at, schema), "default_ok")
                        for t in default)).from_(PROFILES)
    fallback: exp.Expression = exp.null() if not default else exp.Case(
        ifs=[exp.If(this=exp.column("default_ok"),
                    true=exp.Literal.string(default[0].id))], default=exp.null())
    query = exp.select(exp.column("customer_id", table="base"),
                       exp.alias_(exp.func("coalesce", exp.column("treatment_id", table="best"),
                                           fallback), "treatment_id"),
                       exp.column("propensity_key", table="base")).with_("base", base)
    if branches:
        union: exp.Query = branches[0]
        for branch in branches[1:]:
            union = exp.union(union, branch, distinct=False)
        window = exp.Window(this=exp.RowNumber(),
                            partition_by=[exp.column("customer_id")],
                            order=exp.Order(expressions=[exp.Ordered(this=exp.column("rank")),
                                            exp.Ordered(this=exp.column("treatment_id"))]))
        ranked = exp.select(exp.column("customer_id"), exp.column("treatment_id"),
                            exp.alias_(window, "position")).from_(
                                union.subquery("candidates"))
        best = exp.select("customer_id", "treatment_id").from_(
            ranked.subquery("ranked")).where(
            exp.EQ(this=exp.column("position"), expression=exp.Literal.number(1)))
        query = query.with_("best", best).from_("base").join(
            "best", on=exp.EQ(this=exp.column("customer_id", table="base"),
                              expression=exp.column("customer_id", table="best")),
            join_type="left")
    else:
        query = exp.select(exp.column("customer_id", table="base"),
                           exp.alias_(fallback, "treatment_id"),
                           exp.column("propensity_key", table="base")).with_(
                               "base", base).from_("base")
    return query


def _default(rules: RuleSet, placement: str, channel: str, at: dt.datetime
             ) -> list[Treatment]:
    """The placement default, when its static gates pass (its policy is checked per row)."""
    default_id = rules.catalogue.defaults.get(placement)
    if default_id is None:
        return []
    treatment = rules.catalogue.by_id()[default_id]
    return [treatment] if _static_gate(treatment, channel, placement, at) else []


def assignment_query(store: AnalyticalStore, rules: RuleSet, *, channel: str, placement: str,
                     at: dt.datetime, context: Mapping[str, Any] | None = None,
                     propensities: Propensities | None = None) -> exp.Select:
    """The query giving ``customer_id``, ``treatment_id`` (null: nothing) and
    ``propensity_key`` for every row of ``profiles``.

    Raises:
        ConfigError: naming an eligibility table that cannot be compiled to SQL.
    """
    return _assignment_query(rules, _schema(store, [rules]), channel=channel,
                             placement=placement, at=at, context=context or {},
                             propensities=propensities or Propensities())


def assignments(store: AnalyticalStore, rules: RuleSet, *, channel: str, placement: str,
                at: dt.datetime, context: Mapping[str, Any] | None = None,
                propensities: Propensities | None = None) -> dict[str, str | None]:
    """Customer id -> the treatment ``rules`` give in ``placement`` (None: nothing)."""
    query = assignment_query(store, rules, channel=channel, placement=placement, at=at,
                             context=context, propensities=propensities)
    table = store.query(query)
    return dict(zip(map(str, table.column("customer_id").to_pylist()),
                    table.column("treatment_id").to_pylist(), strict=True))


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
             propensities: Propensities | None = None) -> SimulationReport:
    """Run the active (``old``) and proposed (``new``) rule sets over every profile.

    Args:
        store: the analytical store holding ``profiles``.
        old: the active rule set.
        new: the proposed rule set.
        channel: the channel simulated.
        placement: the placement simulated (one slot).
        at: the decision time (validity windows, quiet hours).
        context: request facts, the same for every customer.
        propensities: the propensity estimates; their means are used (no exploration).

    Raises:
        ConfigError: naming an eligibility table that cannot be compiled to SQL.
    """
    context = context or {}
    propensities = propensities or Propensities()
    schema = _schema(store, [old, new])
    queries = [_assignment_query(r, schema, channel=channel, placement=placement, at=at,
                                 context=context, propensities=propensities)
               for r in (old, new)]
    joined = exp.select(
        exp.alias_(exp.column("treatment_id", table="o"), "before"),
        exp.alias_(exp.column("propensity_key", table="o"), "key_before"),
        exp.alias_(exp.column("treatment_id", table="n"), "after"),
        exp.alias_(exp.column("propensity_key", table="n"), "key_after"),
        exp.alias_(exp.column("segments", table="p", quoted=True)
                   if "segments" in schema.columns else exp.null(), "segments"),
    ).from_(queries[0].subquery("o")).join(
        queries[1].subquery("n"),
        on=exp.EQ(this=exp.column("customer_id", table="o"),
                  expression=exp.column("customer_id", table="n"))).join(
        exp.alias_(exp.table_(PROFILES), "p"),
        on=exp.EQ(this=exp.column("customer_id", table="o"),
                  expression=exp.column("customer_id", table="p")))
    keys = ["before", "key_before", "after", "key_after"]
    grouped = store.query(exp.select(*keys, exp.alias_(exp.Count(this=exp.Star()), "n"))
                          .from_(joined.subquery("j"))
                          .group_by(*keys)).to_pylist()
    transitions: Counter[Transition] = Counter()
    before: Counter[str | None] = Counter()
    after: Counter[str | None] = Counter()
    for row in grouped:
        transitions[row["before"], row["after"]] += row["n"]
        before[row["before"]] += row["n"]
        after[row["after"]] += row["n"]
    segments: dict[str, tuple[Counter[str | None], Counter[str | None]]] = {}
    if "segments" in schema.columns:
        per_segment = store.query(
            exp.select("segment", "before", "after", exp.alias_(exp.Count(this=exp.Star()), "n"))
            .from_(exp.select(
                exp.alias_(exp.Unnest(expressions=[exp.column("segments")]), "segment"),
                "before", "after").from_(joined.subquery("j")).subquery("s"))
            .group_by("segment", "before", "after")).to_pylist()
        for row in per_segment:
            pair = segments.setdefault(row["segment"], (Counter(), Counter()))
            pair[0][row["before"]] += row["n"]
            pair[1][row["after"]] += row["n"]
    return SimulationReport(
        customers=sum(before.values()),
        before=dict(before), after=dict(after), transitions=dict(transitions),
        segments={s: (dict(b), dict(a)) for s, (b, a) in sorted(segments.items())},
        expected_before=_expected(old, propensities, (
            (r["before"], r["key_before"], r["n"]) for r in grouped)),
        expected_after=_expected(new, propensities, (
            (r["after"], r["key_after"], r["n"]) for r in grouped)),
        sql_before=store.sql(queries[0]), sql_after=store.sql(queries[1]))
