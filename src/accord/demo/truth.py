"""How well identity resolution recovered the generated people (the demo's truth table).

Pairwise scores over the records both the truth table and ``identity_map`` hold: a pair of
records is *predicted* when they share a customer id and *true* when they are the same
person. Precision is the share of predicted pairs that are true (1.0: no two people merged);
recall the share of true pairs predicted (1.0: nobody split).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlglot import exp

from accord.store.base import AnalyticalStore

__all__ = ["IdentityScores", "read_truth", "score_identity"]


@dataclass(frozen=True, slots=True)
class IdentityScores:
    """Pairwise precision and recall of identity resolution against the truth."""

    records: int
    people: int
    customers: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        """Predicted pairs that are the same person (1.0 when nothing was predicted)."""
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        """Same-person pairs that were predicted (1.0 when there are none)."""
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def read_truth(project_dir: Path | str) -> pa.Table:
    """The truth table a generated demo keeps aside: ``source, source_id, person``."""
    return pq.read_table(Path(project_dir) / "truth")


def _pairs(counts: pa.Array) -> int:
    """Pairs within groups of the given sizes: sum of n * (n - 1) / 2."""
    values = counts.to_numpy().astype("int64")
    return int((values * (values - 1) // 2).sum())


def score_identity(store: AnalyticalStore, truth: pa.Table) -> IdentityScores:
    """Score ``identity_map`` in ``store`` against ``truth`` (see the module docstring)."""
    query = exp.select("source", "source_id", "customer_id").from_("identity_map")
    mapped = store.query(query).join(truth, keys=["source", "source_id"], join_type="inner")
    by_both = mapped.group_by(["customer_id", "person"]).aggregate([([], "count_all")])
    by_customer = mapped.group_by("customer_id").aggregate([([], "count_all")])
    by_person = mapped.group_by("person").aggregate([([], "count_all")])
    return IdentityScores(
        records=mapped.num_rows,
        people=by_person.num_rows,
        customers=by_customer.num_rows,
        true_pairs=_pairs(by_person["count_all"]),
        predicted_pairs=_pairs(by_customer["count_all"]),
        correct_pairs=_pairs(pc.cast(by_both["count_all"], pa.int64())),
    )
