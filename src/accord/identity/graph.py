"""The identity graph: records linked through shared identifier values, as components.

Records and identifier values are integer codes (SQL assigns them); the graph is bipartite,
one edge from a record to each *node* it carries, a node being an identifier value under one
rule (see :mod:`accord.identity.rules`). Connected components of that graph are the people.
``scipy.sparse.csgraph.connected_components`` does a million records in well under a second,
where a Python union-find or networkx takes seconds.

Over-merge guard: a value found beside more than ``max_group_size`` distinct other identifier
values (the shop's own phone number typed into every walk-in order beside each buyer's
e-mail, ``test@example.com``) would chain strangers together, so it gets no node and is
reported instead. Counting records instead would also catch a loyal customer's own e-mail,
repeated on every one of their orders.

Everything here is pure: arrays in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

IntArray = NDArray[np.int64]


def _run_starts(ordered: IntArray) -> NDArray[np.bool_]:
    """True where a sorted array starts a run of equal values."""
    starts = np.ones(ordered.size, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    return starts


def dense_codes(values: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """The distinct values ascending, each value's index among them, and their counts.

    ``np.unique`` does the same, but numpy 2's version is an order of magnitude slower on
    millions of wide integers than this sort (2 s against 0.15 s for two million).

    >>> [a.tolist() for a in dense_codes(np.array([5, 3, 5, 9]))]
    [[3, 5, 9], [1, 0, 1, 2], [1, 2, 1]]
    """
    values = np.asarray(values, dtype=np.int64)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = _run_starts(ordered)
    inverse = np.empty(values.size, dtype=np.int64)
    inverse[order] = np.cumsum(starts) - 1
    positions = np.flatnonzero(starts)
    counts = np.diff(np.r_[positions, values.size]).astype(np.int64)
    return ordered[starts], inverse, counts


def distinct(values: IntArray) -> IntArray:
    """The distinct values, ascending (see :func:`dense_codes` on ``np.unique``)."""
    ordered = np.sort(np.asarray(values, dtype=np.int64))
    return ordered[_run_starts(ordered)]


@dataclass(frozen=True)
class Components:
    """The components of the identity graph.

    Attributes:
        labels: the component of each record, numbered in order of each component's first
            record (so record 0 is in component 0, and equal inputs give equal labels).
        count: how many components.
        ignored: codes of the over-shared identifiers, ascending.
        ignored_records: how many records carry each of them.
        edge_record: the record of each edge that was used (over-shared ones dropped).
        edge_node: the node of each used edge, as ``identifier * rules + rule``.
        links: per rule, how many of its nodes link two or more records.
    """

    labels: IntArray
    count: int
    ignored: IntArray
    ignored_records: IntArray
    edge_record: IntArray
    edge_node: IntArray
    links: IntArray


def breadth(identifier: IntArray, record: IntArray, n_identifiers: int) -> IntArray:
    """How many distinct other identifier values appear on the records carrying each value.

    This, not the number of records, is what tells a shared value: a customer's own e-mail
    repeated on 500 of their orders sits beside one CRM id and one phone, while a shop's
    phone number or ``test@example.com`` sits beside hundreds of other people's identifiers.
    ``identifier``/``record`` are distinct (value, record) pairs.
    """
    if identifier.size == 0:
        return np.zeros(n_identifiers, dtype=np.int64)
    order = np.lexsort((identifier, record))
    by_record, by_value = record[order], identifier[order]
    sources: list[IntArray] = []
    targets: list[IntArray] = []
    offset = 1
    # records carry a few identifiers each: pair every value with the others on its record
    while offset < by_record.size:
        same = by_record[offset:] == by_record[:-offset]
        if not same.any():
            break
        first, second = by_value[:-offset][same], by_value[offset:][same]
        sources += [first, second]
        targets += [second, first]
        offset += 1
    if not sources:
        return np.zeros(n_identifiers, dtype=np.int64)
    pair_keys = distinct(np.concatenate(sources) * n_identifiers + np.concatenate(targets))
    return np.bincount(pair_keys // n_identifiers, minlength=n_identifiers).astype(np.int64)


def connect(n_records: int, edge_record: IntArray, edge_identifier: IntArray,
            edge_rule: IntArray, *, n_rules: int, max_group_size: int) -> Components:
    """Connected components of records linked by shared identifiers.

    Args:
        n_records: records are ``0 .. n_records - 1``; one without edges is its own component.
        edge_record: per edge, the record.
        edge_identifier: per edge, the identifier value's code (a value of one kind; codes
            ordered as the values are, so "smallest" means the same everywhere).
        edge_rule: per edge, the rule under which the record carries the value.
        n_rules: how many rules (edge_rule is below it).
        max_group_size: a value found beside more distinct other identifier values than
            this (on the records carrying it) is ignored: see :func:`breadth`.

    Returns:
        The components, the ignored identifiers and the edges that were used.

    >>> c = connect(4, np.array([0, 1, 2, 3]), np.array([0, 0, 1, 1]), np.array([0, 0, 0, 0]),
    ...             n_rules=1, max_group_size=5)
    >>> c.labels.tolist(), c.count
    ([0, 0, 1, 1], 2)
    """
    empty = np.zeros(0, dtype=np.int64)
    if n_records == 0:
        return Components(labels=empty, count=0, ignored=empty, ignored_records=empty,
                          edge_record=empty, edge_node=empty,
                          links=np.zeros(n_rules, dtype=np.int64))
    record = np.asarray(edge_record, dtype=np.int64)
    identifier = np.asarray(edge_identifier, dtype=np.int64)
    rule = np.asarray(edge_rule, dtype=np.int64)
    n_identifiers = int(identifier.max()) + 1 if identifier.size else 0

    # A record carrying a value under two rules is still one record for the guard.
    pairs = distinct(identifier * n_records + record)
    carried = np.bincount(pairs // n_records, minlength=n_identifiers)
    over = breadth(pairs // n_records, pairs % n_records, n_identifiers) > max_group_size
    ignored = np.flatnonzero(over).astype(np.int64)

    keep = ~over[identifier] if identifier.size else np.ones(0, dtype=bool)
    record, node_key = record[keep], identifier[keep] * n_rules + rule[keep]
    node_keys, node, degree = dense_codes(node_key)
    size = n_records + node_keys.size
    matrix = coo_matrix((np.ones(record.size, dtype=np.int8), (record, n_records + node)),
                        shape=(size, size)).tocsr()
    _, raw_labels = connected_components(matrix, directed=False)
    labels, count = _by_first_record(raw_labels[:n_records].astype(np.int64))

    links = np.bincount(node_keys[degree >= 2] % n_rules if n_rules else node_keys[:0],
                        minlength=n_rules).astype(np.int64)
    return Components(labels=labels, count=count, ignored=ignored,
                      ignored_records=carried[ignored].astype(np.int64),
                      edge_record=record, edge_node=node_key, links=links)


def _by_first_record(raw: IntArray) -> tuple[IntArray, int]:
    """Relabel components in order of their first record, whatever order scipy used."""
    if raw.size == 0:
        return raw, 0
    # scipy numbers 0 .. k-1 and every component holds a record, so labels index arrays.
    count = int(raw.max()) + 1
    first = np.full(count, raw.size, dtype=np.int64)
    np.minimum.at(first, raw, np.arange(raw.size, dtype=np.int64))
    rank = np.empty(count, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(count, dtype=np.int64)
    return rank[raw], count


def bridging_nodes(edge_record: IntArray, edge_node: IntArray, group: IntArray,
                   n_groups: int) -> IntArray:
    """For each group of records, the smallest node joining it to a record outside it.

    Groups are the previous customers (``-1``: a record no customer had). When customers
    merge, this node is the identifier that joined the merged one to the rest: the reason
    recorded with the merge.

    Args:
        edge_record: per used edge, the record.
        edge_node: per used edge, the node.
        group: per record, its group, or ``-1``.
        n_groups: groups are ``0 .. n_groups - 1``.

    Returns:
        Per group, the node, or ``-1`` when no node leaves the group.

    >>> bridging_nodes(np.array([0, 1, 2]), np.array([7, 7, 9]), np.array([0, 1, 1]), 2)
    array([7, 7])
    """
    best = np.full(n_groups, -1, dtype=np.int64)
    if edge_node.size == 0:
        return best
    edge_group = np.asarray(group, dtype=np.int64)[edge_record]
    order = np.argsort(edge_node, kind="stable")
    nodes, groups = edge_node[order], edge_group[order]
    starts = np.flatnonzero(np.r_[True, nodes[1:] != nodes[:-1]])
    mixed = np.minimum.reduceat(groups, starts) != np.maximum.reduceat(groups, starts)
    on_mixed = np.repeat(mixed, np.diff(np.r_[starts, nodes.size]))
    chosen = on_mixed & (groups >= 0)
    lowest = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(lowest, groups[chosen], nodes[chosen])
    found = lowest != np.iinfo(np.int64).max
    best[found] = lowest[found]
    return best
