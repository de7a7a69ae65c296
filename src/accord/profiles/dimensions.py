"""Dimensions over an entity, compiled to sqlglot aggregate expressions.

A dimension of an aggregate kind becomes one expression over the entity's rows (alias
:data:`ROW`) joined to ``identity_map``; :mod:`accord.profiles.query` puts every dimension of
one entity into one ``GROUP BY customer_id`` query, so the engine scans each entity once
however many dimensions read it. Filters (the ``where`` FEEL condition, the rolling window)
become ``FILTER (WHERE ...)`` clauses on the aggregate rather than separate queries.

Time: a build *as of* a date sees every record dated on or before that day, that is with
``time < as_of + 1 day`` (records without a date are always seen). A window of ``n`` days
covers the ``n`` calendar days ending with the as-of day: ``time >= as_of + 1 day - n days``.
``recency_days`` counts whole days from the last record to the start of the as-of day, so as
of 2011-12-10 a purchase at 2011-12-09 12:50 is 0 days old (the RFM snapshot convention);
records on the as-of day itself are 0 days old too.

:data:`AGGREGATES` maps each aggregate kind to its builder; ``top`` needs a second grouping
level and so compiles to its own subquery (:func:`top_subquery`); ``rfm`` and ``formula``
are computed over earlier dimensions (:mod:`accord.profiles.derived`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlglot import exp

from accord.errors import ConfigError, FeelError
from accord.feel.sql import compile_expression_typed
from accord.feel.sql_values import NUMBER, Typed, TypeSpec
from accord.project.config import ENTITY_FIELDS, ENTITY_TIME, Dimension, Entity

__all__ = [
    "AGGREGATES",
    "DERIVED_KINDS",
    "FEEL_TYPES",
    "MAP",
    "ORDER_CUSTOMERS",
    "ROW",
    "ProfileDefinitionError",
    "Scope",
    "aggregate",
    "as_filter",
    "as_of_end",
    "dimension_entity",
    "feel_types",
    "identity_join",
    "order_customers",
    "timestamp",
    "top_subquery",
    "visible",
]

#: Alias of the entity's rows and of ``identity_map`` in the per-entity queries.
ROW = "e"
MAP = "m"

#: Kinds computed from earlier dimensions rather than from an entity's rows.
DERIVED_KINDS = frozenset({"formula", "rfm"})

#: DuckDB type (prefix) of a canonical field -> the FEEL type FEEL conditions see it as.
FEEL_TYPES: dict[str, str] = {
    "VARCHAR": "string", "DECIMAL": "number", "BIGINT": "number", "INTEGER": "number",
    "DOUBLE": "number", "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "date and time",
}

_TIMESTAMP = exp.DataType.build("TIMESTAMP")
_BIGINT = exp.DataType.build("BIGINT")
#: Undated records sort before every dated one when the most recent value is chosen.
_UNDATED = dt.datetime(1, 1, 1)


class ProfileDefinitionError(ConfigError):
    """A dimension that cannot be compiled; the message names it and the problem."""

    def __init__(self, dimension: str, problem: str) -> None:
        self.dimension = dimension
        self.problem = problem
        super().__init__(f"profile dimension {dimension!r}: {problem}")


@dataclass(frozen=True, slots=True)
class Scope:
    """What a dimension compiles against: the as-of date and the sources' priorities."""

    as_of: dt.date
    #: Source name -> survivorship priority (lower wins); unknown sources rank 100.
    priorities: Mapping[str, int]


def feel_types(entity: Entity) -> dict[str, TypeSpec]:
    """FEEL types of an entity's canonical fields (JSON fields stay untyped)."""
    types: dict[str, TypeSpec] = {}
    for field, sql_type in ENTITY_FIELDS[entity].items():
        feel = FEEL_TYPES.get(sql_type.partition("(")[0])
        if feel is not None:
            types[field] = feel
    return types


def timestamp(value: dt.datetime) -> exp.Expr:
    """A ``TIMESTAMP`` literal."""
    return exp.Cast(this=exp.Literal.string(value.isoformat(sep=" ")), to=_TIMESTAMP.copy())


def as_of_end(as_of: dt.date) -> dt.datetime:
    """The first instant a build as of ``as_of`` does not see (the next midnight)."""
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())


def _time(entity: Entity) -> exp.Column:
    return exp.column(ENTITY_TIME[entity], table=ROW, quoted=True)


def visible(entity: Entity, as_of: dt.date) -> exp.Expr:
    """The rows a build as of ``as_of`` sees: dated up to the end of that day, or undated."""
    time = _time(entity)
    return exp.or_(exp.Is(this=time, expression=exp.Null()),
                   exp.LT(this=time.copy(), expression=timestamp(as_of_end(as_of))))


def dimension_entity(dimension: Dimension) -> Entity:
    """The entity a (non-derived) dimension reads: its own, or contacts for attributes."""
    if dimension.entity is not None:
        return dimension.entity
    if dimension.kind == "attribute":
        return Entity.CONTACTS
    raise ProfileDefinitionError(dimension.name, f"kind {dimension.kind!r} needs 'entity'")


def _feel(dimension: Dimension, entity: Entity, text: str, what: str) -> Typed:
    """Compile FEEL ``text`` over the entity's columns, naming the dimension on error."""
    fields = ENTITY_FIELDS[entity]
    columns = {name: exp.column(name, table=ROW, quoted=True) for name in fields}
    try:
        return compile_expression_typed(text, columns, types=feel_types(entity))
    except FeelError as exc:
        raise ProfileDefinitionError(
            dimension.name, f"{what} {text!r} over {entity.value}: {exc}") from None


def _field(dimension: Dimension, entity: Entity, *, required: bool = True) -> Typed | None:
    """The dimension's field: a canonical field name or a FEEL expression over fields."""
    if dimension.field is None:
        if required:
            raise ProfileDefinitionError(dimension.name,
                                         f"kind {dimension.kind!r} needs 'field'")
        return None
    return _feel(dimension, entity, dimension.field, "field")


def as_filter(condition: exp.Expr) -> exp.Expr:
    """``condition`` for use as a filter, where null counts as false.

    FEEL's ``x = "a"`` compiles to ``x IS NOT DISTINCT FROM 'a'`` (true or false, never null).
    In a filter, null and false both drop the row, so in the top-level ``AND`` chain (not
    under ``NOT`` or ``OR``) a comparison with a non-null literal can be a plain ``=``, which
    engines evaluate faster. The rewrite is applied to a copy.

    >>> as_filter(exp.NullSafeEQ(this=exp.column("t"), expression=exp.Literal.string("a"))
    ...           ).sql("duckdb")
    "t = 'a'"
    """
    if isinstance(condition, exp.And):
        return exp.And(this=as_filter(condition.this),
                       expression=as_filter(condition.expression))
    if isinstance(condition, exp.Paren):
        return exp.Paren(this=as_filter(condition.this))
    if isinstance(condition, exp.NullSafeEQ) and isinstance(condition.expression, exp.Literal):
        return exp.EQ(this=condition.this.copy(), expression=condition.expression.copy())
    return condition.copy()


def _conditions(dimension: Dimension, entity: Entity, scope: Scope) -> list[exp.Expr]:
    """The dimension's own filters: its ``where`` and its window start."""
    conditions: list[exp.Expr] = []
    if dimension.where is not None:
        conditions.append(as_filter(_feel(dimension, entity, dimension.where,
                                          "condition").sql))
    if dimension.window_days is not None:
        start = as_of_end(scope.as_of) - dt.timedelta(days=dimension.window_days)
        conditions.append(exp.GTE(this=_time(entity), expression=timestamp(start)))
    return conditions


def _filtered(aggregate: exp.Expr, conditions: list[exp.Expr]) -> exp.Expr:
    if not conditions:
        return aggregate
    return exp.Filter(this=aggregate, expression=exp.Where(this=exp.and_(*conditions)))


def _not_null(value: Typed) -> exp.Expr:
    return exp.Not(this=exp.Is(this=value.sql.copy(), expression=exp.Null()))


# ---- builders: (dimension, entity, scope) -> (aggregate SQL, FEEL kind, default) -------------

#: A built aggregate: its SQL, its FEEL kind, and the value for customers without rows
#: (``None``: SQL null).
Built = tuple[exp.Expr, str | None, exp.Expr | None]
Builder = Callable[[Dimension, Entity, Scope], Built]

_ZERO = exp.Literal.number(0)


def _count(dimension: Dimension, entity: Entity, scope: Scope) -> Built:
    value = _field(dimension, entity, required=False)
    count = exp.Count(this=value.sql if value is not None else exp.Star())
    return _filtered(count, _conditions(dimension, entity, scope)), NUMBER, _ZERO


def _distinct(dimension: Dimension, entity: Entity, scope: Scope) -> Built:
    value = _field(dimension, entity)
    assert value is not None
    count = exp.Count(this=exp.Distinct(expressions=[value.sql]))
    return _filtered(count, _conditions(dimension, entity, scope)), NUMBER, _ZERO


def _simple(sql_class: type[exp.Func], default: exp.Expr | None,
            numeric: bool) -> Builder:
    def build(dimension: Dimension, entity: Entity, scope: Scope) -> Built:
        value = _field(dimension, entity)
        assert value is not None
        kind = NUMBER if numeric else value.kind
        return (_filtered(sql_class(this=value.sql), _conditions(dimension, entity, scope)),
                kind, default)
    return build


def _by_time(sql_class: type[exp.Func]) -> Builder:
    """``first``/``last``: the field's value on the earliest/latest row where it is set."""
    def build(dimension: Dimension, entity: Entity, scope: Scope) -> Built:
        value = _field(dimension, entity)
        assert value is not None
        aggregate = sql_class(this=value.sql, expression=_time(entity))
        conditions = [*_conditions(dimension, entity, scope), _not_null(value)]
        return _filtered(aggregate, conditions), value.kind, None
    return build


def _recency(dimension: Dimension, entity: Entity, scope: Scope) -> Built:
    value = _field(dimension, entity, required=False)
    last = _filtered(exp.Max(this=value.sql if value is not None else _time(entity)),
                     _conditions(dimension, entity, scope))
    start_of_day = timestamp(dt.datetime.combine(scope.as_of, dt.time()))
    seconds = exp.Sub(this=exp.TimeToUnix(this=start_of_day), expression=exp.TimeToUnix(this=last))
    # whole days elapsed (floor), as pandas' ``(snapshot - last).days``; never negative
    days = exp.Floor(this=exp.Div(this=exp.Paren(this=seconds),
                                  expression=exp.Literal.number(86400)))
    clamped = exp.Greatest(this=_ZERO.copy(), expressions=[days], ignore_nulls=True)
    return exp.Cast(this=clamped, to=_BIGINT.copy()), NUMBER, None


def _attribute(dimension: Dimension, entity: Entity, scope: Scope) -> Built:
    value = _field(dimension, entity)
    assert value is not None
    dated = exp.Coalesce(this=_time(entity), expressions=[timestamp(_UNDATED)])
    key: exp.Expr = dated
    if dimension.survivorship == "source_priority":
        # the highest-priority source (lowest number) wins; its most recent value breaks ties
        source = exp.column("_source", table=ROW, quoted=True)
        rank = exp.Case(ifs=[exp.If(this=exp.EQ(this=source.copy(),
                                                expression=exp.Literal.string(name)),
                                    true=exp.Literal.number(-priority))
                             for name, priority in sorted(scope.priorities.items())],
                        default=exp.Literal.number(-100))
        key = exp.Tuple(expressions=[rank, dated])
    aggregate = exp.ArgMax(this=value.sql, expression=key)
    conditions = [*_conditions(dimension, entity, scope), _not_null(value)]
    return _filtered(aggregate, conditions), value.kind, None


#: Aggregate kind -> builder.
AGGREGATES: dict[str, Builder] = {
    "count": _count,
    "distinct": _distinct,
    "sum": _simple(exp.Sum, _ZERO, numeric=True),
    "avg": _simple(exp.Avg, None, numeric=True),
    "min": _simple(exp.Min, None, numeric=False),
    "max": _simple(exp.Max, None, numeric=False),
    "first": _by_time(exp.ArgMin),
    "last": _by_time(exp.ArgMax),
    "recency_days": _recency,
    "attribute": _attribute,
}


def aggregate(dimension: Dimension, scope: Scope) -> Built:
    """The aggregate expression of an aggregate-kind dimension.

    Raises:
        ProfileDefinitionError: for an unknown kind, a missing field, or FEEL that does not
            compile over the entity's fields.
    """
    builder = AGGREGATES.get(dimension.kind)
    if builder is None:
        raise ProfileDefinitionError(dimension.name,
                                     f"kind {dimension.kind!r} is not an aggregate kind")
    return builder(dimension, dimension_entity(dimension), scope)


def top_subquery(dimension: Dimension, scope: Scope, source: exp.Expr) -> exp.Select:
    """``top``: each customer's most frequent value(s) of the field, as ``customer_id`` and
    the dimension's column; ties go to the smaller value so that builds are repeatable.

    ``source`` is the entity relation (a table or an empty typed stand-in). With ``top: 1``
    the column is the value; with more, a list ordered from the most frequent.
    """
    entity = dimension_entity(dimension)
    value = _field(dimension, entity)
    assert value is not None
    count = exp.Count(this=exp.Star())
    rank = exp.Window(this=exp.RowNumber(),
                      partition_by=[exp.column("customer_id", table=MAP, quoted=True)],
                      order=exp.Order(expressions=[exp.Ordered(this=count.copy(), desc=True),
                                                   exp.Ordered(this=value.sql.copy())]))
    conditions = [visible(entity, scope.as_of), *_conditions(dimension, entity, scope),
                  _not_null(value)]
    counted = (exp.select(exp.column("customer_id", table=MAP, quoted=True).as_("customer_id"),
                          value.sql.as_("value"), rank.as_("rank"))
               .from_(source)
               .join(identity_join(entity))
               .where(exp.and_(*conditions))
               .group_by(exp.column("customer_id", table=MAP, quoted=True), value.sql.copy()))
    ranked = exp.column("rank", quoted=True)
    name = exp.to_identifier(dimension.name, quoted=True)
    picked: exp.Expr = exp.column("value", quoted=True)
    if dimension.top == 1:
        return (exp.select(exp.column("customer_id", quoted=True),
                           exp.alias_(picked, name))
                .from_(counted.subquery("ranked"))
                .where(exp.EQ(this=ranked, expression=exp.Literal.number(1))))
    listed = exp.ArrayAgg(this=exp.Order(this=picked,
                                         expressions=[exp.Ordered(this=ranked.copy())]))
    return (exp.select(exp.column("customer_id", quoted=True), exp.alias_(listed, name))
            .from_(counted.subquery("ranked"))
            .where(exp.LTE(this=ranked, expression=exp.Literal.number(dimension.top)))
            .group_by(exp.column("customer_id", quoted=True)))


#: The CTE mapping each order id to its customer, through which order lines (which identity
#: resolution leaves out: a line belongs to its order) reach their customer.
ORDER_CUSTOMERS = "order_customers"


def identity_join(entity: Entity) -> exp.Expr:
    """The join giving each row of ``entity`` its customer as ``m.customer_id``.

    A record joins ``identity_map`` on its source and id; an order line joins
    :data:`ORDER_CUSTOMERS` on its ``order_id``.
    """
    if entity is Entity.ORDER_LINES:
        condition: exp.Expr = exp.EQ(this=exp.column("order_id", table=MAP, quoted=True),
                                     expression=exp.column("order_id", table=ROW, quoted=True))
        name = ORDER_CUSTOMERS
    else:
        condition = exp.and_(
            exp.EQ(this=exp.column("source", table=MAP, quoted=True),
                   expression=exp.column("_source", table=ROW, quoted=True)),
            exp.EQ(this=exp.column("source_id", table=MAP, quoted=True),
                   expression=exp.column("source_id", table=ROW, quoted=True)))
        name = "identity_map"
    table = exp.Table(this=exp.to_identifier(name, quoted=True),
                      alias=exp.TableAlias(this=exp.to_identifier(MAP, quoted=True)))
    return exp.Join(this=table, on=condition)


def order_customers(orders: exp.Expr) -> exp.Select:
    """Order id -> customer, from ``orders`` (or its stand-in) and ``identity_map``.

    Order ids are taken to be unique across sources; should two orders share an id, the
    smaller customer id wins so that builds are repeatable.
    """
    order_id = exp.column("source_id", table=ROW, quoted=True)
    return (exp.select(exp.alias_(order_id, "order_id", quoted=True),
                       exp.alias_(exp.Min(this=exp.column("customer_id", table=MAP,
                                                          quoted=True)),
                                  "customer_id", quoted=True))
            .from_(orders)
            .join(identity_join(Entity.ORDERS))
            .group_by(order_id.copy()))
