"""Segment analysis over the built tables: counts, overlaps, and a segment against the base.

* :func:`segment_counts`: members of each segment and their share of all customers.
* :func:`overlap_matrix`: for every pair of segments, the customers in both and the Jaccard
  index (both / either), from one self-join of ``segment_members``.
* :func:`profile_segment`: which dimensions set a segment apart. For each numeric dimension
  the segment's mean against the whole base's, and the standardised difference
  ``(segment mean - base mean) / base standard deviation``, ranked by its size; for each
  categorical one (text, yes/no) the values over-represented in the segment, ranked by how
  many points of share they gain (a value unique to one customer gains little).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from accord.errors import ConfigError
from accord.segments.build import profile_types
from accord.store.base import AnalyticalStore
from accord.store.sql import column as _col
from accord.store.sql import table as _table

__all__ = ["CategoricalDifference", "NumericDifference", "Overlap", "SegmentCount",
           "SegmentProfile", "overlap_matrix", "profile_segment", "segment_counts"]


@dataclass(frozen=True, slots=True)
class SegmentCount:
    """One segment's size."""

    segment: str
    condition: str
    members: int
    #: Members as a share of all customers (0 when there are none).
    share: float


@dataclass(frozen=True, slots=True)
class Overlap:
    """Pairwise intersections of segments (both orders of each pair, and the diagonal)."""

    segments: tuple[str, ...]
    both: dict[tuple[str, str], int]
    jaccard: dict[tuple[str, str], float]


@dataclass(frozen=True, slots=True)
class NumericDifference:
    """A numeric dimension in a segment against the base."""

    dimension: str
    segment_mean: float | None
    base_mean: float | None
    #: ``(segment mean - base mean) / base standard deviation``; None when undefined.
    standardised: float | None


@dataclass(frozen=True, slots=True)
class CategoricalDifference:
    """A value of a categorical dimension over-represented in a segment."""

    dimension: str
    value: str
    segment_share: float
    base_share: float
    #: ``segment share / base share``.
    lift: float


@dataclass(frozen=True, slots=True)
class SegmentProfile:
    """How a segment differs from the whole base, most different first."""

    segment: str
    members: int
    customers: int
    numeric: list[NumericDifference]
    categorical: list[CategoricalDifference]




def _require(store: AnalyticalStore) -> None:
    missing = {"profiles", "segments", "segment_members"} - set(store.tables())
    if missing:
        raise ConfigError(f"the analytical store has no {', '.join(sorted(missing))}: "
                          "build profiles and segments first ('accord build')")


def _customers(store: AnalyticalStore) -> int:
    result = store.query(exp.select(exp.Count(this=exp.Star()).as_("n")).from_(
        _table("profiles")))
    return int(result.column("n")[0].as_py())


def segment_counts(store: AnalyticalStore) -> list[SegmentCount]:
    """Each segment's members and share of the base, in the project's order."""
    _require(store)
    customers = _customers(store)
    rows = store.query(exp.select("segment", "condition", "members").from_(
        _table("segments"))).to_pylist()
    return [SegmentCount(segment=row["segment"], condition=row["condition"],
                         members=int(row["members"]),
                         share=int(row["members"]) / customers if customers else 0.0)
            for row in rows]


def overlap_matrix(store: AnalyticalStore) -> Overlap:
    """Customers in both of every pair of segments, and the pair's Jaccard index."""
    counts = {count.segment: count.members for count in segment_counts(store)}
    pairs = (exp.select(exp.alias_(_col("segment", "a"), "a"),
                        exp.alias_(_col("segment", "b"), "b"),
                        exp.Count(this=exp.Star()).as_("n"))
             .from_(_table("segment_members", "a"))
             .join(_table("segment_members", "b"),
                   on=exp.EQ(this=_col("customer_id", "a"),
                             expression=_col("customer_id", "b")))
             .group_by(_col("segment", "a"), _col("segment", "b")))
    found = {(row["a"], row["b"]): int(row["n"]) for row in store.query(pairs).to_pylist()}
    names = tuple(counts)
    both: dict[tuple[str, str], int] = {}
    jaccard: dict[tuple[str, str], float] = {}
    for a in names:
        for b in names:
            n = found.get((a, b), 0)
            either = counts[a] + counts[b] - n
            both[a, b] = n
            jaccard[a, b] = n / either if either else 0.0
    return Overlap(segments=names, both=both, jaccard=jaccard)


def _joined(segment: str) -> exp.Select:
    """Profiles with ``in_segment`` (true for the segment's members)."""
    members = (exp.select(_col("customer_id")).from_(_table("segment_members"))
               .where(_col("segment").eq(exp.Literal.string(segment))))
    flag = exp.Not(this=exp.Is(this=_col("customer_id", "s"), expression=exp.Null()))
    return (exp.select(exp.Star(), exp.alias_(flag, "in_segment"))
            .from_(_table("profiles", "p"))
            .join(members.subquery("s"), join_type="left",
                  on=exp.EQ(this=_col("customer_id", "s"), expression=_col("customer_id", "p"))))


def _numeric(store: AnalyticalStore, segment: str, columns: list[str]) -> list[NumericDifference]:
    if not columns:
        return []
    double = exp.DataType.build("DOUBLE")
    in_segment = exp.Where(this=_col("in_segment"))
    projections: list[exp.Expr] = []
    for index, name in enumerate(columns):
        value = exp.Cast(this=_col(name), to=double.copy())
        projections += [
            exp.alias_(exp.Filter(this=exp.Avg(this=value), expression=in_segment.copy()),
                       f"s{index}"),
            exp.alias_(exp.Avg(this=value.copy()), f"b{index}"),
            exp.alias_(exp.StddevPop(this=value.copy()), f"d{index}"),
        ]
    row = store.query(exp.select(*projections).from_(_joined(segment).subquery("j"))
                      ).to_pylist()[0]
    differences = []
    for index, name in enumerate(columns):
        seg, base, sd = row[f"s{index}"], row[f"b{index}"], row[f"d{index}"]
        standardised = (seg - base) / sd if seg is not None and base is not None and sd \
            else None
        differences.append(NumericDifference(name, seg, base, standardised))
    return sorted(differences, key=lambda d: -abs(d.standardised or 0.0))


def _categorical(store: AnalyticalStore, segment: str, columns: list[str], members: int,
                 customers: int, limit: int) -> list[CategoricalDifference]:
    if not columns or not members or not customers:
        return []
    varchar = exp.DataType.build("VARCHAR")
    selects = [exp.select(exp.alias_(exp.Literal.string(name), "dimension"),
                          exp.alias_(exp.Cast(this=_col(name), to=varchar.copy()), "value"),
                          exp.alias_(exp.Filter(this=exp.Count(this=exp.Star()),
                                                expression=exp.Where(this=_col("in_segment"))),
                                     "in_segment_n"),
                          exp.alias_(exp.Count(this=exp.Star()), "base_n"))
               .from_(_joined(segment).subquery("j"))
               .where(exp.Not(this=exp.Is(this=_col(name), expression=exp.Null())))
               .group_by(_col(name))
               for name in columns]
    union: exp.Query = selects[0]
    for select in selects[1:]:
        union = exp.union(union, select, distinct=False)
    found = []
    everything = exp.select(exp.Star()).from_(union.subquery("values"))
    for row in store.query(everything).to_pylist():
        segment_share = int(row["in_segment_n"]) / members
        base_share = int(row["base_n"]) / customers
        if segment_share > base_share:
            found.append(CategoricalDifference(row["dimension"], row["value"], segment_share,
                                               base_share, segment_share / base_share))
    found.sort(key=lambda d: (-(d.segment_share - d.base_share), d.dimension, d.value))
    return found[:limit]


def profile_segment(store: AnalyticalStore, segment: str, *, limit: int = 10) -> SegmentProfile:
    """How ``segment`` differs from all customers: numeric dimensions by standardised
    difference, then the ``limit`` most over-represented categorical values.

    Raises:
        ConfigError: when the tables are missing or there is no such segment.
    """
    counts = {count.segment: count.members for count in segment_counts(store)}
    if segment not in counts:
        known = ", ".join(counts) or "none"
        raise ConfigError(f"no segment named {segment!r} (segments: {known})")
    customers = _customers(store)
    types = profile_types(store)
    skip = {"customer_id", "as_of"}
    numeric = [name for name, kind in types.items() if kind == "number" and name not in skip]
    categorical = [name for name, kind in types.items()
                   if kind in ("string", "boolean") and name not in skip]
    return SegmentProfile(segment=segment, members=counts[segment], customers=customers,
                          numeric=_numeric(store, segment, numeric),
                          categorical=_categorical(store, segment, categorical,
                                                   counts[segment], customers, limit))
