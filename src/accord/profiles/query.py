"""Compose the profile queries: one aggregate query per entity, joined on the customer.

Pure: takes the dimensions, the as-of date, which entity views exist and the sources'
priorities, and returns sqlglot trees; :mod:`accord.profiles.build` runs them.

The ``profiles`` query, as CTEs:

* ``order_customers``: order id -> customer, when order lines are read (identity resolution
  maps orders; a line reaches its customer through its ``order_id``);
* ``agg_<entity>``: for every entity present in the store, one scan of its rows joined to
  ``identity_map`` (lines: ``order_customers``) and grouped by ``customer_id``, with every
  aggregate dimension of that entity as a (filtered) aggregate;
* ``top_<n>``: one subquery per ``top`` dimension (it groups by customer *and* value);
* ``customers``: everyone with at least one record the build sees, in any entity;
* ``base``: customers left-joined to each ``agg_``/``top_`` CTE (counts and sums of
  customers without rows are 0);
* ``layer_<n>``: derived dimensions (formulas, RFM scores) over the layer below;

and finally the dimensions in declared order and the ``as_of`` date. An entity with
dimensions but no view in the store reads an empty stand-in with the canonical types, so the
SQL and the column types do not depend on which sources a project has.

The ``profiles_monthly`` query groups the same rows by customer and calendar month for the
lifetime ``count``, ``sum`` and ``distinct`` dimensions (orders, revenue, events by type).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlglot import exp

from accord.profiles.derived import Known, derived_layers
from accord.profiles.dimensions import (
    DERIVED_KINDS,
    MAP,
    ORDER_CUSTOMERS,
    ROW,
    ProfileDefinitionError,
    Scope,
    aggregate,
    as_of_end,
    dimension_entity,
    identity_join,
    order_customers,
    timestamp,
    top_subquery,
    visible,
)
from accord.project.config import ENTITY_FIELDS, ENTITY_TIME, Dimension, Entity
from accord.store.sql import column as _col
from accord.store.sql import table as _table

__all__ = ["RESERVED", "ProfilePlan", "compile_profiles"]

#: Column names of ``profiles`` that are not dimensions.
RESERVED = frozenset({"customer_id", "as_of"})
#: Kinds that add up month by month (and so appear in ``profiles_monthly``).
MONTHLY_KINDS = frozenset({"count", "sum", "distinct"})

_DATE = exp.DataType.build("DATE")


@dataclass(frozen=True, slots=True)
class ProfilePlan:
    """The compiled profile queries."""

    profiles: exp.Query
    #: ``None`` when no dimension adds up by month (or the rollup is switched off).
    monthly: exp.Query | None
    #: The dimension columns of ``profiles``, in order.
    columns: tuple[str, ...]
    #: The dimension columns of ``profiles_monthly``.
    monthly_columns: tuple[str, ...]


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)




def entity_source(entity: Entity, present: Collection[Entity]) -> exp.Expr:
    """The entity's view aliased ``e``, or an empty stand-in with its canonical columns."""
    alias = exp.TableAlias(this=_ident(ROW))
    if entity in present:
        return exp.Table(this=_ident(entity.value), alias=alias)
    columns = [exp.alias_(exp.Cast(this=exp.Null(), to=exp.DataType.build(sql_type)),
                          _ident(field))
               for field, sql_type in {**ENTITY_FIELDS[entity], "_source": "VARCHAR"}.items()]
    empty = exp.select(*columns).where(exp.false())
    return exp.Subquery(this=empty, alias=alias)


def _check(dimensions: Sequence[Dimension]) -> None:
    seen: set[str] = set()
    for dimension in dimensions:
        if dimension.name in RESERVED:
            raise ProfileDefinitionError(dimension.name, "the name is reserved for a column "
                                         "every profile has")
        if dimension.name in seen:
            raise ProfileDefinitionError(dimension.name, "declared twice")
        seen.add(dimension.name)


def _grouped(entity: Entity, present: Collection[Entity], scope: Scope,
             columns: Sequence[exp.Expr], *, monthly: bool) -> exp.Select:
    """One scan of an entity joined to the identity map, grouped by customer (and month)."""
    customer = _col("customer_id", MAP)
    keys: list[exp.Expr] = [customer]
    condition = visible(entity, scope.as_of)
    if monthly:
        time = _col(ENTITY_TIME[entity], ROW)
        keys.append(exp.Cast(this=exp.TimestampTrunc(this=time, unit=exp.var("MONTH")),
                             to=_DATE.copy()))
        condition = exp.and_(exp.Not(this=exp.Is(this=time.copy(), expression=exp.Null())),
                             exp.LT(this=time.copy(),
                                    expression=timestamp(as_of_end(scope.as_of))))
    projections = [exp.alias_(keys[0].copy(), _ident("customer_id"))]
    if monthly:
        projections.append(exp.alias_(keys[1].copy(), _ident("month")))
    return (exp.select(*projections, *columns)
            .from_(entity_source(entity, present))
            .join(identity_join(entity))
            .where(condition)
            .group_by(*keys))


def compile_profiles(dimensions: Sequence[Dimension], *, as_of: dt.date,
                     entities: Collection[Entity], priorities: Mapping[str, int] | None = None,
                     monthly: bool = True) -> ProfilePlan:
    """Compile dimensions to the ``profiles`` and ``profiles_monthly`` queries.

    Args:
        dimensions: the project's dimensions, in order (derived ones may use earlier ones).
        as_of: the build sees records dated on or before this day.
        entities: the entity views present in the store.
        priorities: source name -> survivorship priority (lower wins).
        monthly: also compile the monthly rollup.

    Raises:
        ProfileDefinitionError: naming the dimension that cannot be compiled and why.
    """
    _check(dimensions)
    scope = Scope(as_of=as_of, priorities=dict(priorities or {}))
    present = [entity for entity in Entity if entity in entities]
    by_entity: dict[Entity, list[exp.Expr]] = {entity: [] for entity in present}
    defaults: dict[str, exp.Expr | None] = {}
    known: dict[str, Known] = {}
    tops: list[tuple[str, exp.Select]] = []
    derived: list[Dimension] = []
    for dimension in dimensions:
        if dimension.kind in DERIVED_KINDS:
            derived.append(dimension)
            continue
        if derived:
            raise ProfileDefinitionError(dimension.name, "aggregate dimensions must come "
                                         "before formulas and RFM scores")
        entity = dimension_entity(dimension)
        if dimension.kind == "top":
            source = entity_source(entity, present)
            tops.append((dimension.name, top_subquery(dimension, scope, source)))
            known[dimension.name] = Known("string" if dimension.top == 1 else None, "top")
            continue
        sql, kind, default = aggregate(dimension, scope)
        by_entity.setdefault(entity, []).append(exp.alias_(sql, _ident(dimension.name)))
        defaults[dimension.name] = default
        known[dimension.name] = Known(kind, dimension.kind)

    ctes: list[tuple[str, exp.Query]] = []
    if Entity.ORDER_LINES in by_entity or any(
            dimension_entity(d) is Entity.ORDER_LINES for d in dimensions
            if d.kind == "top"):
        ctes.append((ORDER_CUSTOMERS, order_customers(entity_source(Entity.ORDERS, present))))
    for entity, aggregates in by_entity.items():
        ctes.append((f"agg_{entity.value}",
                     _grouped(entity, present, scope, aggregates, monthly=False)))
    ctes.extend((f"top_{index}", query) for index, (_, query) in enumerate(tops, 1))
    customer_sources = [f"agg_{entity.value}" for entity in present]
    ctes.append(("customers", _customers(customer_sources)))

    base = exp.select(_col("customer_id", "c")).from_(
        _table("customers", "c"))
    names: dict[str, str] = {}  # dimension -> CTE that holds it
    for entity, aggregates in by_entity.items():
        for column in aggregates:
            names[column.alias] = f"agg_{entity.value}"
    for index, (name, _) in enumerate(tops, 1):
        names[name] = f"top_{index}"
    for cte, _ in ctes:
        if cte.startswith(("agg_", "top_")):
            base = base.join(_table(cte), join_type="left",
                             on=exp.EQ(this=_col("customer_id", cte),
                                       expression=_col("customer_id", "c")))
    for dimension in dimensions:
        if dimension.name not in names:
            continue
        value: exp.Expr = _col(dimension.name, names[dimension.name])
        default = defaults.get(dimension.name)
        if default is not None:
            value = exp.Coalesce(this=value, expressions=[default.copy()])
        base = base.select(exp.alias_(value, _ident(dimension.name)))
    ctes.append(("base", base))

    below = "base"
    for index, layer in enumerate(derived_layers(derived, known), 1):
        query = exp.select(exp.Star(), *(exp.alias_(sql, _ident(name)) for name, sql in layer))
        ctes.append((f"layer_{index}", query.from_(_table(below))))
        below = f"layer_{index}"

    names_in_order = tuple(dimension.name for dimension in dimensions)
    final = exp.select(_col("customer_id"), *(_col(name) for name in names_in_order),
                       exp.alias_(exp.Cast(this=exp.Literal.string(as_of.isoformat()),
                                           to=_DATE.copy()), _ident("as_of"))).from_(_table(below))
    profiles = _with(final, ctes)
    month_plan = _monthly(dimensions, scope, present) if monthly else None
    return ProfilePlan(profiles=profiles, monthly=month_plan[0] if month_plan else None,
                       columns=names_in_order, monthly_columns=month_plan[1] if month_plan else ())


def _customers(sources: Sequence[str]) -> exp.Query:
    """Everyone in any of the per-entity CTEs (nobody when there is no entity at all)."""
    if not sources:
        return exp.select(exp.alias_(exp.Cast(this=exp.Null(),
                                              to=exp.DataType.build("VARCHAR")),
                                     _ident("customer_id"))).where(exp.false())
    selects = [exp.select(_col("customer_id")).from_(_table(source)) for source in sources]
    union: exp.Query = selects[0]
    for select in selects[1:]:
        union = exp.union(union, select, distinct=True)
    return union


#: CTEs read twice (for the customer list and for their columns): materialised, so that the
#: engine aggregates each entity once rather than once per reference.
_MATERIALISED = ("agg_", "month_")


def _with(final: exp.Select, ctes: Sequence[tuple[str, exp.Query]]) -> exp.Select:
    for name, query in ctes:
        final = final.with_(_ident(name), as_=query, materialized=name.startswith(_MATERIALISED)
                            or None)
    return final


def _monthly(dimensions: Sequence[Dimension], scope: Scope, present: Sequence[Entity]
             ) -> tuple[exp.Query, tuple[str, ...]] | None:
    """The customer x month rollup of lifetime counts, sums and distinct counts."""
    by_entity: dict[Entity, list[exp.Expr]] = {}
    defaults: dict[str, exp.Expr | None] = {}
    for dimension in dimensions:
        if dimension.kind not in MONTHLY_KINDS or dimension.window_days is not None:
            continue
        sql, _, default = aggregate(dimension, scope)
        entity = dimension_entity(dimension)
        by_entity.setdefault(entity, []).append(exp.alias_(sql, _ident(dimension.name)))
        defaults[dimension.name] = default
    if not by_entity:
        return None
    ctes: list[tuple[str, exp.Query]] = [
        (f"month_{entity.value}", _grouped(entity, present, scope, columns, monthly=True))
        for entity, columns in by_entity.items()]
    month_ctes = list(ctes)
    if Entity.ORDER_LINES in by_entity:
        ctes.insert(0, (ORDER_CUSTOMERS,
                        order_customers(entity_source(Entity.ORDERS, present))))
    keys = [exp.select(_col("customer_id"), _col("month")).from_(_table(name))
            for name, _ in month_ctes]
    union: exp.Query = keys[0]
    for select in keys[1:]:
        union = exp.union(union, select, distinct=True)
    query = exp.select(_col("customer_id", "k"), _col("month", "k")).from_(
        _table("keys", "k"))
    for name, _ in month_ctes:
        on = exp.and_(exp.EQ(this=_col("customer_id", name), expression=_col("customer_id", "k")),
                      exp.EQ(this=_col("month", name), expression=_col("month", "k")))
        query = query.join(_table(name), join_type="left", on=on)
    names: list[str] = []
    for entity, columns in by_entity.items():
        for column in columns:
            value: exp.Expr = _col(column.alias, f"month_{entity.value}")
            default = defaults[column.alias]
            if default is not None:
                value = exp.Coalesce(this=value, expressions=[default.copy()])
            query = query.select(exp.alias_(value, _ident(column.alias)))
            names.append(column.alias)
    return _with(query, [*ctes, ("keys", union)]), tuple(names)
