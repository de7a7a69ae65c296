"""Customer ids that stay put across rebuilds.

:func:`assign_ids` is pure: it takes this build's components, each record's previous
customer (from the last ``identity_map``) and returns an id per record plus the merges to
record. The rules, in order:

1. **Home.** Each previous customer has one *home* component: the one holding most of its
   records (ties: the component whose first record comes first). With data that only grows
   every previous customer lies in exactly one component; it can be spread over several only
   when a link disappears (a value newly over-shared, a rule removed, a raw table replaced).
2. **Keep.** A component that is home to exactly one previous customer keeps that id, however
   many new records joined it.
3. **Merge.** A component that is home to several keeps the id of the one with the most
   records in it (ties: the smallest id); each other is recorded as a :class:`Merge` into it,
   with the identifier that joined it to the rest as the reason.
4. **Split.** The parts of a previous customer outside its home lose the id: a part that is
   home to another customer takes that one's id, otherwise it gets a new id. The customer is
   reported in :attr:`Assignment.split`; nothing is recorded in the merge history.
5. **New.** A component that is home to no previous customer gets
   ``c_`` + 12 hex characters of SHA-256 over its first record's ``(source, source_id)``
   (records come ordered by source, then source id). A rebuild from nothing therefore gives
   the same ids, as long as no merge ever happened (a survivor keeps its older id, where a
   fresh build would hash the merged component's first record). Should the hash collide with
   an id in use, the attempt number is hashed in too, components in order of first record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.identity.graph import dense_codes

IntArray = NDArray[np.int64]

#: Customer ids are this prefix plus 12 hex characters.
PREFIX = "c_"


@dataclass(frozen=True, slots=True)
class Merge:
    """Two customers found to be one person.

    Attributes:
        survivor: the id the person keeps.
        merged: the id that no longer exists.
        at: when the merge was found (the build's clock).
        reason: the identifier that joined them, ``kind:value``.
    """

    survivor: str
    merged: str
    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class Assignment:
    """Ids for one build.

    Attributes:
        customer_ids: the customer id of each record (an object array of ``str``).
        merges: merges to append to the history, by survivor then merged id.
        kept: previous customers that kept their id.
        created: customers with a new id.
        split: previous customers whose records now lie in several components.
    """

    customer_ids: NDArray[np.object_]
    merges: tuple[Merge, ...]
    kept: int
    created: int
    split: tuple[str, ...]


def new_customer_id(source: str, source_id: str, attempt: int = 0) -> str:
    """The id a new customer whose first record is ``(source, source_id)`` gets.

    >>> new_customer_id("crm", "C0000001")
    'c_...'
    >>> len(new_customer_id("crm", "C0000001"))
    14
    """
    text = f"{source}\x1f{source_id}" + (f"\x1f{attempt}" if attempt else "")
    return PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _first_of_runs(values: IntArray) -> NDArray[np.bool_]:
    """True where a sorted array starts a new run of equal values."""
    first = np.ones(values.size, dtype=bool)
    first[1:] = values[1:] != values[:-1]
    return first


def assign_ids(component: IntArray, previous: IntArray, previous_ids: Sequence[str],
               sources: Sequence[str], source_ids: Sequence[str], *, at: dt.datetime,
               reason: Callable[[int], str] | None = None) -> Assignment:
    """Give every record a customer id, keeping previous ids where the rules allow.

    Args:
        component: the component of each record (``0 .. count - 1``).
        previous: each record's previous customer as an index into ``previous_ids``, or
            ``-1`` for a record no customer had.
        previous_ids: the previous customer ids.
        sources: each record's source; records ordered by source, then source id.
        source_ids: each record's id in its source.
        at: the time merges are recorded at.
        reason: the reason text for a merged customer (by index into ``previous_ids``).

    Returns:
        The ids, the merges, and counts of kept, new and split customers.

    >>> a = assign_ids(np.array([0, 0, 1]), np.array([0, -1, -1]), ["c_000000000001"],
    ...                ["crm", "shop", "shop"], ["1", "2", "3"],
    ...                at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    >>> a.customer_ids[0] == a.customer_ids[1] == "c_000000000001", a.created
    (True, 1)
    """
    component = np.asarray(component, dtype=np.int64)
    previous = np.asarray(previous, dtype=np.int64)
    n = component.size
    count = int(component.max()) + 1 if n else 0
    n_previous = len(previous_ids)
    first = np.full(count, n, dtype=np.int64)
    np.minimum.at(first, component, np.arange(n, dtype=np.int64))

    # (component, previous customer) pairs with how many records the customer has there.
    known = previous >= 0
    pair_key, _, pair_count = dense_codes(component[known] * max(n_previous, 1)
                                          + previous[known])
    pair_comp = pair_key // max(n_previous, 1)
    pair_prev = pair_key % max(n_previous, 1)

    # Rule 1: each customer's home is its largest part (then the earliest component).
    by_prev = np.lexsort((first[pair_comp], -pair_count, pair_prev))
    home = by_prev[_first_of_runs(pair_prev[by_prev])]
    parts = np.bincount(pair_prev, minlength=n_previous)
    split = tuple(sorted(previous_ids[int(p)] for p in np.flatnonzero(parts > 1)))

    # Rules 2 and 3: per component, the survivor is the home customer with most records,
    # then the smallest id.
    id_rank = np.argsort(np.argsort(np.asarray(previous_ids, dtype=object), kind="stable"),
                         kind="stable") if n_previous else np.zeros(0, dtype=np.int64)
    home_comp, home_prev, home_count = pair_comp[home], pair_prev[home], pair_count[home]
    by_comp = np.lexsort((id_rank[home_prev], -home_count, home_comp))
    home_comp, home_prev = home_comp[by_comp], home_prev[by_comp]
    leads = _first_of_runs(home_comp)

    ids = np.empty(count, dtype=object)
    survivor_of = np.full(count, -1, dtype=np.int64)
    survivor_of[home_comp[leads]] = home_prev[leads]
    for comp, prev in zip(home_comp[leads].tolist(), home_prev[leads].tolist(), strict=True):
        ids[comp] = previous_ids[prev]

    merges = [Merge(survivor=previous_ids[int(survivor_of[comp])], merged=previous_ids[prev],
                    at=at, reason=reason(prev) if reason is not None else "")
              for comp, prev in zip(home_comp[~leads].tolist(), home_prev[~leads].tolist(),
                                    strict=True)]
    merges.sort(key=lambda m: (m.survivor, m.merged))

    # Rule 5: new components, in order of first record so collisions resolve the same way.
    used = set(previous_ids)
    fresh = np.flatnonzero(survivor_of < 0)
    fresh = fresh[np.argsort(first[fresh], kind="stable")]
    for comp in fresh.tolist():
        record = int(first[comp])
        attempt = 0
        candidate = new_customer_id(sources[record], source_ids[record])
        while candidate in used:
            attempt += 1
            candidate = new_customer_id(sources[record], source_ids[record], attempt)
        used.add(candidate)
        ids[comp] = candidate

    return Assignment(customer_ids=ids[component], merges=tuple(merges),
                      kept=int(np.count_nonzero(leads)), created=int(fresh.size), split=split)
