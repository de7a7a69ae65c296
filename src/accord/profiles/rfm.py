"""RFM scores: recency, frequency and monetary value in quintiles, 1 (worst) to 5 (best).

A score ranks the customers of a population (by default those with a value; the standard
dimensions score customers with at least one order) on one earlier dimension. Higher values
score higher, except for ``recency_days`` dimensions, where fewer days is better.

Ties: the score is the quintile of the customer's *rank* with ties sharing the lowest rank
(``RANK()``, like pandas' ``rank(method="min")``), ``1 + floor(5 * (rank - 1) / n)``. Without
ties this is ``NTILE(5)`` up to where the remainder rows fall; with ties, equal values always
get equal scores, where ``NTILE`` would split them arbitrarily between quintiles. A score is
therefore never higher than its value deserves, and with heavy ties (many customers with one
order) some quintiles are empty: 60 % of buyers with one order all score F = 1.

>>> score(exp.column("v"), exp.column("in_base"), higher_is_better=True).sql("duckdb")
'CASE WHEN in_base THEN CAST(FLOOR(5 * (RANK() OVER (PARTITION BY in_base ORDER BY v ASC) - 1) / \
COUNT(*) OVER (PARTITION BY in_base)) + 1 AS INT) END'
"""

from __future__ import annotations

from sqlglot import exp

__all__ = ["QUINTILES", "score"]

#: How many groups a score splits the population into.
QUINTILES = 5

_INT = exp.DataType.build("INT")


def score(value: exp.Expr, population: exp.Expr, *,
          higher_is_better: bool) -> exp.Expr:
    """The quintile score of ``value`` among rows where ``population`` is true (null elsewhere).

    Args:
        value: the scored value (a column of the previous layer).
        population: a boolean that is true exactly for scored rows (must be non-null).
        higher_is_better: whether larger values score higher.
    """
    ordered = exp.Ordered(this=value.copy(), desc=not higher_is_better)
    partition = [population.copy()]
    rank = exp.Window(this=exp.Anonymous(this="RANK"), partition_by=partition,
                      order=exp.Order(expressions=[ordered]))
    size = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[population.copy()])
    position = exp.Sub(this=rank, expression=exp.Literal.number(1))
    quintile = exp.Floor(this=exp.Div(
        this=exp.Mul(this=exp.Literal.number(QUINTILES), expression=exp.Paren(this=position)),
        expression=size))
    result = exp.Cast(this=exp.Add(this=quintile, expression=exp.Literal.number(1)),
                      to=_INT.copy())
    return exp.Case(ifs=[exp.If(this=population.copy(), true=result)])
