"""Dimensions over earlier dimensions: FEEL formulas and RFM scores, in layers.

A derived dimension is an expression over the columns of the customer-level row built so
far. Derived dimensions that only read aggregate columns share one ``SELECT`` layer; one that
reads another derived dimension of the current layer starts a new layer on top of it (SQL
cannot refer to a sibling's alias), so the usual RFM set needs three layers at most.

:data:`DERIVED` maps each derived kind to its builder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlglot import exp

from accord.errors import FeelError
from accord.feel.sql import compile_expression_typed
from accord.feel.sql_values import KIND_NAMES, NUMBER, Typed, TypeSpec, as_boolean
from accord.profiles import rfm
from accord.profiles.dimensions import ProfileDefinitionError
from accord.project.config import Dimension

__all__ = ["DERIVED", "Known", "derived_layers"]


@dataclass(frozen=True, slots=True)
class Known:
    """A profile column available to later dimensions."""

    #: FEEL kind of its values (``None`` when FEEL has no SQL type for it, such as lists).
    kind: str | None
    #: The dimension kind that made it (RFM scores ``recency_days`` the other way round).
    dimension_kind: str


#: A derived builder: (dimension, columns so far) -> (SQL over those columns, FEEL kind).
Builder = Callable[[Dimension, Mapping[str, Known]], tuple[exp.Expr, str | None]]


def _column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _feel(dimension: Dimension, text: str, known: Mapping[str, Known],
          what: str) -> Typed:
    columns = {name: _column(name) for name in known}
    types: dict[str, TypeSpec] = {name: info.kind for name, info in known.items()
                                  if info.kind is not None and info.kind in KIND_NAMES}
    try:
        typed = compile_expression_typed(text, columns, types=types)
    except FeelError as exc:
        raise ProfileDefinitionError(dimension.name, f"{what} {text!r}: {exc}") from None
    return typed


def _formula(dimension: Dimension, known: Mapping[str, Known]) -> tuple[exp.Expr,
                                                                        str | None]:
    if dimension.expression is None:
        raise ProfileDefinitionError(dimension.name, "kind 'formula' needs 'expression'")
    typed = _feel(dimension, dimension.expression, known, "expression")
    return typed.sql, typed.kind


def _rfm(dimension: Dimension, known: Mapping[str, Known]) -> tuple[exp.Expr,
                                                                    str | None]:
    scored = dimension.field
    if scored is None or scored not in known:
        raise ProfileDefinitionError(
            dimension.name, "kind 'rfm' needs 'field' naming an earlier dimension"
            + (f" (no dimension {scored!r} before it)" if scored is not None else ""))
    value = _column(scored)
    population: exp.Expr = exp.Not(this=exp.Is(this=value.copy(),
                                                      expression=exp.Null()))
    if dimension.where is not None:
        condition = _feel(dimension, dimension.where, known, "condition")
        # a null condition leaves the customer out (the partition key must not be null)
        population = exp.and_(population, exp.Coalesce(
            this=as_boolean(condition), expressions=[exp.false()]))
    higher_is_better = known[scored].dimension_kind != "recency_days"
    return rfm.score(value, exp.Paren(this=population),
                     higher_is_better=higher_is_better), NUMBER


#: Derived kind -> builder.
DERIVED: dict[str, Builder] = {"formula": _formula, "rfm": _rfm}


def derived_layers(dimensions: Sequence[Dimension], known: dict[str, Known]
                   ) -> list[list[tuple[str, exp.Expr]]]:
    """The derived dimensions as layers of ``(name, SQL)``, each over the layer below.

    ``known`` holds the aggregate columns and is extended with each derived dimension.
    """
    layers: list[list[tuple[str, exp.Expr]]] = []
    current: list[tuple[str, exp.Expr]] = []
    for dimension in dimensions:
        builder = DERIVED.get(dimension.kind)
        if builder is None:
            raise ProfileDefinitionError(dimension.name,
                                         f"kind {dimension.kind!r} is not a derived kind")
        sql, kind = builder(dimension, known)
        names = {column.name for column in sql.find_all(exp.Column)}
        if names & {name for name, _ in current}:
            layers.append(current)
            current = []
        current.append((dimension.name, sql))
        known[dimension.name] = Known(kind, dimension.kind)
    if current:
        layers.append(current)
    return layers
