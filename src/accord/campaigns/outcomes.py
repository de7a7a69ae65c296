"""Campaign outcomes in the analytical store: one row per customer of a campaign.

``campaign_outcomes`` is what the metrics read::

    campaign VARCHAR, customer_id VARCHAR, variant VARCHAR, control BOOLEAN,
    sends BIGINT, impressions BIGINT, opens BIGINT, clicks BIGINT,
    visited BOOLEAN, converted BOOLEAN, revenue DOUBLE

Rows come from the hub's own decisions and events (:mod:`accord.campaigns.hub_outcomes`,
``accord campaign measure``) or from a file of an
experiment run elsewhere (:func:`load_outcomes`, ``accord campaign outcomes``). A campaign's
rows are replaced as a whole, in one transaction. A count nobody measured (opens without open
tracking) is NULL, so no rate is computed from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from accord.campaigns.metrics import ArmSummary
from accord.errors import ConfigError
from accord.store.base import AnalyticalStore
from accord.store.sql import column as _col
from accord.store.sql import table as _table

__all__ = ["COLUMNS", "TABLE", "OutcomeColumns", "arm_summaries", "load_outcomes",
           "replace_outcomes"]

TABLE = "campaign_outcomes"
#: The table's columns and their types.
COLUMNS: dict[str, str] = {
    "campaign": "VARCHAR", "customer_id": "VARCHAR", "variant": "VARCHAR",
    "control": "BOOLEAN", "sends": "BIGINT", "impressions": "BIGINT", "opens": "BIGINT",
    "clicks": "BIGINT", "visited": "BOOLEAN", "converted": "BOOLEAN", "revenue": "DOUBLE",
}


@dataclass(frozen=True, slots=True)
class OutcomeColumns:
    """Which columns of an outcomes file hold what.

    A treated customer counts one send unless ``sends`` names a column; a control customer
    none. Without ``customer`` the row number is the customer id.
    """

    variant: str
    control: Sequence[str]
    visit: str | None = None
    conversion: str | None = None
    revenue: str | None = None
    customer: str | None = None
    sends: str | None = None
    opens: str | None = None
    clicks: str | None = None
    impressions: str | None = None

    def used(self) -> list[str]:
        """The file columns read."""
        return [name for name in (self.variant, self.visit, self.conversion, self.revenue,
                                  self.customer, self.sends, self.opens, self.clicks,
                                  self.impressions) if name]


def _cast(value: exp.Expr, kind: str) -> exp.Expr:
    return exp.Cast(this=value, to=exp.DataType.build(kind))


def _count(name: str | None, default: exp.Expr | None = None) -> exp.Expr:
    """The column as a count; unmapped, ``default`` or NULL (not measured)."""
    if name:
        return _cast(_col(name), "BIGINT")
    return default if default is not None else _cast(exp.Null(), "BIGINT")


def _flag(name: str | None) -> exp.Expr:
    return _cast(_cast(_col(name), "INTEGER"), "BOOLEAN") if name else exp.false()


def _ensure(store: AnalyticalStore) -> None:
    if TABLE in store.tables():
        return
    schema = exp.Schema(this=_table(TABLE), expressions=[
        exp.ColumnDef(this=exp.to_identifier(name, quoted=True),
                      kind=exp.DataType.build(kind)) for name, kind in COLUMNS.items()])
    store.execute(exp.Create(this=schema, kind="TABLE", exists=True))


def replace_outcomes(store: AnalyticalStore, campaign: str, rows: exp.Query) -> int:
    """Replace ``campaign``'s outcomes by the rows of ``rows`` (all columns of the table).

    Returns:
        The number of customers written.
    """
    _ensure(store)
    name = exp.Literal.string(campaign)
    with store.transaction():
        store.execute(exp.delete(_table(TABLE), where=_col("campaign").eq(name)))
        store.execute(exp.insert(rows, _table(TABLE),
                                 columns=[exp.to_identifier(c, quoted=True) for c in COLUMNS]))
        counted = store.query(exp.select(exp.Count(this=exp.Star())).from_(_table(TABLE))
                              .where(_col("campaign").eq(name.copy())))
    return int(counted.column(0)[0].as_py())


def load_outcomes(store: AnalyticalStore, campaign: str, path: Path,
                  columns: OutcomeColumns) -> int:
    """Load a CSV file (optionally gzipped) of per-customer outcomes for ``campaign``.

    Raises:
        ConfigError: a missing file or column, or values that are not counts, 0/1 flags or
            amounts (nothing is written then).
    """
    if not Path(path).is_file():
        raise ConfigError(f"no outcomes file {path}")
    source = exp.func("read_csv", exp.Literal.string(str(path)),
                      exp.EQ(this=exp.var("header"), expression=exp.true()))
    try:
        present = store.query(exp.select(exp.Star()).from_(source).limit(0)).column_names
    except duckdb.Error as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    missing = [name for name in columns.used() if name not in present]
    if missing:
        raise ConfigError(f"{path} has no column(s) {', '.join(missing)}; it has "
                          f"{', '.join(present)}")
    variant = _cast(_col(columns.variant), "VARCHAR")
    control = exp.In(this=variant.copy(),
                     expressions=[exp.Literal.string(v) for v in columns.control])
    customer = (_cast(_col(columns.customer), "VARCHAR") if columns.customer else
                _cast(exp.Window(this=exp.RowNumber()), "VARCHAR"))
    one_send = exp.If(this=control.copy(), true=exp.Literal.number(0),
                      false=exp.Literal.number(1))
    rows = exp.select(
        exp.alias_(exp.Literal.string(campaign), "campaign"),
        exp.alias_(customer, "customer_id"), exp.alias_(variant, "variant"),
        exp.alias_(control, "control"),
        exp.alias_(_count(columns.sends, one_send), "sends"),
        exp.alias_(_count(columns.impressions, exp.Literal.number(0)), "impressions"),
        exp.alias_(_count(columns.opens), "opens"),
        exp.alias_(_count(columns.clicks), "clicks"),
        exp.alias_(_flag(columns.visit), "visited"),
        exp.alias_(_flag(columns.conversion), "converted"),
        exp.alias_(_cast(_col(columns.revenue), "DOUBLE") if columns.revenue
                   else exp.Literal.number(0), "revenue"),
    ).from_(source)
    try:
        return replace_outcomes(store, campaign, rows)
    except duckdb.Error as exc:
        raise ConfigError(f"cannot load outcomes from {path}: {exc}") from None


def _maybe(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def arm_summaries(store: AnalyticalStore, campaign: str) -> list[ArmSummary]:
    """One summary per arm of ``campaign`` (treated variants first, then the control).

    Raises:
        ConfigError: when the campaign has no outcomes yet.
    """
    if TABLE not in store.tables():
        raise ConfigError(f"no outcomes for campaign {campaign!r}: load or build them first")
    revenue = _cast(exp.func("COALESCE", _col("revenue"), exp.Literal.number(0)), "DOUBLE")
    query = (exp.select(
        _col("variant"), _col("control"),
        exp.alias_(exp.Count(this=exp.Star()), "customers"),
        *(exp.alias_(exp.func("COALESCE", exp.Sum(this=_col(c)), exp.Literal.number(0)), c)
          for c in ("sends", "impressions")),
        # opens and clicks stay NULL when no row measured them
        *(exp.alias_(exp.Sum(this=_col(c)), c) for c in ("opens", "clicks")),
        exp.alias_(exp.CountIf(this=_col("visited")), "visits"),
        exp.alias_(exp.CountIf(this=_col("converted")), "conversions"),
        exp.alias_(exp.Sum(this=revenue), "revenue"),
        exp.alias_(exp.Sum(this=exp.Mul(this=revenue.copy(), expression=revenue.copy())),
                   "revenue_sumsq"))
        .from_(_table(TABLE)).where(_col("campaign").eq(exp.Literal.string(campaign)))
        .group_by(_col("variant"), _col("control"))
        .order_by(_col("control"), _col("variant")))
    rows = store.query(query).to_pylist()
    if not rows:
        raise ConfigError(f"no outcomes for campaign {campaign!r}: load or build them first")
    return [ArmSummary(variant=str(r["variant"]), control=bool(r["control"]),
                       customers=int(r["customers"]), sends=int(r["sends"]),
                       impressions=int(r["impressions"]), opens=_maybe(r["opens"]),
                       clicks=_maybe(r["clicks"]), visits=int(r["visits"]),
                       conversions=int(r["conversions"]), revenue=float(r["revenue"] or 0),
                       revenue_sumsq=float(r["revenue_sumsq"] or 0)) for r in rows]
