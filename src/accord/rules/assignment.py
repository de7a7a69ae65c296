"""Which treatment a rule set gives each customer, as one SQL expression per row.

:func:`accord.decisioning.decide.decide` puts first the eligible treatment with the best
score. Over the whole base, everything but eligibility is the same for every customer (see
:mod:`accord.rules.simulation` for what is modelled), so the choice is a ``CASE`` over the
candidates in score order: the first whose conditions hold wins, as a person would write it
by hand::

    CASE WHEN <policy t1> AND (<table of t1>) IS TRUE THEN 't1'
         WHEN <policy t2> AND ... THEN 't2'
         ELSE <the placement default, if its policy passes> END

With propensity segments the order can differ per segment: one such ``CASE`` per segment
order, chosen by the customer's propensity segment. Decisions the eligibility tables read
(a "next best offer" table that several treatments' tables test, say) are computed once per
row, as columns of the ``base`` relation the ``CASE`` reads, in dependency order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pyarrow as pa
from sqlglot import exp

from accord.decisioning import policy as contact_policy
from accord.decisioning.history import CustomerHistory
from accord.decisioning.propensity import Propensities
from accord.decisioning.ruleset import RuleSet
from accord.decisioning.treatments import Treatment
from accord.dmn import model as m
from accord.dmn.runtime import Model
from accord.dmn.sql import table_to_sql
from accord.errors import ConfigError, FeelSqlError
from accord.feel import ast
from accord.feel.builtins import BUILTINS
from accord.feel.parser import parse_expression
from accord.feel.sql import compile_expression_typed
from accord.feel.sql_values import KIND_NAMES, TypeSpec, and_, case, literal

__all__ = ["PROFILES", "Assignment", "Schema", "assignment", "read_schema"]

#: The table assigned over: one row per customer.
PROFILES = "profiles"


@dataclass(frozen=True, slots=True)
class Schema:
    """What the SQL needs to know about the profiles table."""

    columns: Mapping[str, pa.DataType]
    zones: tuple[str | None, ...]


def read_schema(store: Any, rules: Sequence[RuleSet]) -> Schema:
    """The profile columns and the distinct time zones (quiet hours are decided per zone)."""
    fields = store.query(exp.select("*").from_(PROFILES).limit(0)).schema
    columns = {f.name: f.type for f in fields}
    zones: set[str | None] = {None}
    for name in sorted({r.policy.timezone_field for r in rules} & set(columns)):
        found = store.query(exp.select(_column(name)).distinct().from_(PROFILES))
        zones.update(found.column(0).to_pylist())
    return Schema(columns, tuple(sorted(zones, key=lambda z: (z is not None, z or ""))))


@dataclass(slots=True)
class Assignment:
    """A rule set's choice per row of ``base``.

    Attributes:
        treatment: the treatment id (null: nothing), over ``base``'s columns.
        key: the customer's propensity segment ('' for none), over ``base``'s columns.
        layers: columns to add to the profiles first, in order: each list may read the
            columns of the lists before it (decisions that eligibility tables read).
    """

    treatment: exp.Expression
    key: exp.Expression
    layers: list[list[exp.Expression]] = field(default_factory=list)


def _column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


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


def static_gate(treatment: Treatment, channel: str, placement: str, at: dt.datetime) -> bool:
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


def _inputs(schema: Schema, channel: str, placement: str, context: Mapping[str, Any]
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


class _Decisions:
    """Compiles eligibility decisions, and the decisions they require as ``base`` columns."""

    def __init__(self, rules: RuleSet, prefix: str, columns: Mapping[str, exp.Expression],
                 types: Mapping[str, TypeSpec]) -> None:
        self.rules = rules
        self.prefix = prefix
        self.columns = columns
        self.types = types
        self.depth: dict[tuple[int, str], int] = {}  # (model, decision id) -> layer
        self.bound: dict[tuple[int, str], tuple[str, exp.Expression]] = {}
        self.eligible: dict[str, exp.Expression] = {}

    def eligibility(self, name: str) -> exp.Expression:
        """``(table) IS TRUE`` for an eligibility decision (decide wants exactly true)."""
        if name not in self.eligible:
            table = self.rules.tables[name]
            model, decision = table.model.decision(name)
            if not isinstance(decision.expression, m.DecisionTable):
                raise ConfigError(f"eligibility decision {name!r} is not a decision table and "
                                  f"cannot be simulated in SQL")
            value, _ = self._compile(model, decision, name)
            self.eligible[name] = exp.Is(this=exp.paren(value, copy=False),
                                         expression=exp.true())
        return self.eligible[name]

    def layers(self) -> list[list[exp.Expression]]:
        """The required decisions' columns, by depth (a column reads only earlier ones)."""
        count = max(self.depth.values(), default=0)
        found: list[list[exp.Expression]] = [[] for _ in range(count)]
        for key, (alias, sql) in self.bound.items():
            found[self.depth[key] - 1].append(
                cast(exp.Expression, exp.alias_(sql, alias, quoted=True)))
        return found

    def _compile(self, model: Model, decision: m.Decision, what: str
                 ) -> tuple[exp.Expression, int]:
        """The decision's SQL over ``base``, and the layer its inputs are ready in."""
        provided: dict[str, exp.Expression] = dict(self.columns)
        types: dict[str, TypeSpec] = dict(self.types)
        depth = 0
        for href in decision.required_decisions:
            required = _required(model, href, what)
            key = (id(model), required.id or required.name)
            if key not in self.bound:
                sql, inner = self._compile(model, required, what)
                self.depth[key] = inner + 1
                self.bound[key] = (f"{self.prefix}{len(self.bound)}", sql)
            depth = max(depth, self.depth[key])
            provided[required.name] = _column(self.bound[key][0])
            kind = _kind(required)
            types.pop(required.name, None)
            if kind is not None:
                types[required.name] = kind
        expression = decision.expression
        try:
            if isinstance(expression, m.DecisionTable):
                _null_missing(expression, provided)
                return table_to_sql(expression, provided, types=types), depth
            if isinstance(expression, m.LiteralExpression):
                return compile_expression_typed(expression.text, provided,
                                                types=types).sql, depth
        except FeelSqlError as exc:
            which = f"eligibility table {what!r}" if decision.name == what else \
                f"decision {decision.name!r} (required by eligibility {what!r})"
            raise ConfigError(f"{which} cannot be compiled to SQL: {exc}") from None
        raise ConfigError(f"decision {decision.name!r} (required by eligibility {what!r}) is "
                          f"neither a decision table nor a literal expression and cannot be "
                          f"simulated in SQL")


def _required(model: Model, href: str, what: str) -> m.Decision:
    wanted = href.removeprefix("#")
    for decision in model.definitions.decisions:
        if decision.id == wanted:
            return decision
    raise ConfigError(f"eligibility {what!r} requires decision {href!r}, which is not in "
                      f"its model (an imported decision cannot be simulated in SQL)")


def _kind(decision: m.Decision) -> str | None:
    type_ref = decision.variable.type_ref if decision.variable is not None else None
    if not type_ref:
        return None
    kind = KIND_NAMES.get(type_ref.removeprefix("feel:"))
    return None if kind in (None, "Any") else kind


def _null_missing(table: m.DecisionTable, provided: dict[str, exp.Expression]) -> None:
    # A name the table reads that neither the profile nor the request provides is null, as
    # the input is in ``decide`` (a request without a cart has no "cart value").
    for clause in table.inputs:
        for missing in ast.names(parse_expression(clause.input_expression.text, provided)) \
                - provided.keys() - BUILTINS.keys():
            provided[missing] = exp.Null()


def policy_sql(treatment: Treatment, rules: RuleSet, channel: str, at: dt.datetime,
               schema: Schema) -> exp.Expression:
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


def propensity_keys(rules: RuleSet, propensities: Propensities) -> tuple[str, ...]:
    """The rule set's propensity segments, in priority order, then '' (none)."""
    return (*rules.propensities_for(propensities).segments, "")


def _key_sql(keys: Sequence[str], schema: Schema) -> exp.Expression:
    """The propensity segment of each customer: the first of the rule set's it belongs to."""
    if "segments" not in schema.columns or len(keys) == 1:
        return exp.Literal.string("")
    ifs = [exp.If(this=exp.func("list_contains", _column("segments"), exp.Literal.string(k)),
                  true=exp.Literal.string(k)) for k in keys[:-1]]
    return exp.Case(ifs=ifs, default=exp.Literal.string(""))


def _orders(candidates: Sequence[Treatment], rules: RuleSet, propensities: Propensities,
            context: Mapping[str, Any], keys: Sequence[str]) -> dict[str, list[str]]:
    """Per propensity segment, the candidates by score descending, then id ascending.

    Scores are computed by the rule set's own arbitration in Python: exact, where a SQL
    ``DECIMAL`` propensity literal would round a float mean and could break ties otherwise.
    """
    estimates = rules.propensities_for(propensities)
    orders: dict[str, list[str]] = {}
    for key in keys:
        scored = []
        for treatment in candidates:
            mean = estimates.estimate(treatment.id, [key] if key else []).mean
            score = rules.arbitration.score(mean, treatment.value, treatment.cost,
                                            treatment.weight, context)
            scored.append((-score, treatment.id))
        orders[key] = [tid for _, tid in sorted(scored)]
    return orders


def default_treatment(rules: RuleSet, placement: str, channel: str, at: dt.datetime
                      ) -> Treatment | None:
    """The placement default, when its static gates pass (its policy is checked per row)."""
    default_id = rules.catalogue.defaults.get(placement)
    if default_id is None:
        return None
    treatment = rules.catalogue.by_id()[default_id]
    return treatment if static_gate(treatment, channel, placement, at) else None


def assignment(rules: RuleSet, schema: Schema, *, channel: str, placement: str,
               at: dt.datetime, context: Mapping[str, Any], propensities: Propensities,
               prefix: str = "__d") -> Assignment:
    """The treatment ``rules`` give each customer in ``placement`` on ``channel`` at ``at``.

    Args:
        rules: the rule set.
        schema: the profiles' columns and time zones (:func:`read_schema`).
        channel: the channel asking.
        placement: the placement filled (one slot).
        at: the decision time (validity windows, quiet hours).
        context: request facts, the same for every customer.
        propensities: the propensity estimates; their means rank the treatments.
        prefix: names of the columns added for required decisions (distinct per rule set
            when two are assigned over the same rows).

    Raises:
        ConfigError: naming a decision that cannot be compiled to SQL.
    """
    columns, types = _inputs(schema, channel, placement, context)
    decisions = _Decisions(rules, prefix, columns, types)
    keys = propensity_keys(rules, propensities)
    candidates = [t for t in rules.catalogue.treatments
                  if static_gate(t, channel, placement, at)]
    conditions: dict[str, exp.Expression] = {}
    for treatment in candidates:
        parts = [policy_sql(treatment, rules, channel, at, schema)]
        parts += [decisions.eligibility(name) for name in treatment.eligibility]
        conditions[treatment.id] = and_(*parts)
    default = default_treatment(rules, placement, channel, at)
    fallback: exp.Expression = exp.null() if default is None else case(
        [(policy_sql(default, rules, channel, at, schema), exp.Literal.string(default.id))],
        exp.null())

    def chain(order: Sequence[str]) -> exp.Expression:
        # case() drops conditions that are always false and ends at one always true
        return case([(conditions[tid].copy(), exp.Literal.string(tid)) for tid in order],
                    fallback.copy())

    orders = _orders(candidates, rules, propensities, context, keys)
    key = _key_sql(keys, schema)
    distinct = {tuple(order) for order in orders.values()}
    if len(distinct) == 1:  # segments rarely reorder treatments: one CASE for all
        treatment_sql = chain(orders[keys[-1]])
    else:
        treatment_sql = exp.Case(
            ifs=[exp.If(this=exp.EQ(this=key.copy(), expression=exp.Literal.string(k)),
                        true=chain(orders[k])) for k in keys[:-1]],
            default=chain(orders[keys[-1]]))
    return Assignment(treatment_sql, key, decisions.layers())
