"""Quoted sqlglot references shared by every module that builds SQL over the stores.

Names come from configuration (dimension names with spaces, source names), so tables and
columns are always quoted identifiers, never text pasted into SQL.
"""

from __future__ import annotations

from sqlglot import exp


def table(name: str, alias: str | None = None) -> exp.Table:
    """``"name"`` (``AS "alias"``)."""
    reference = exp.Table(this=exp.to_identifier(name, quoted=True))
    if alias:
        reference.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
    return reference


def column(name: str, table: str | None = None) -> exp.Column:
    """``"table"."name"``, or ``"name"``."""
    return exp.column(name, table=table, quoted=True)


def subquery(query: exp.Expr, alias: str) -> exp.Subquery:
    """``(query) AS "alias"``."""
    return exp.Subquery(this=query, alias=exp.TableAlias(
        this=exp.to_identifier(alias, quoted=True)))
