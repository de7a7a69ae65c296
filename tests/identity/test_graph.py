"""The identity graph: components, the over-merge guard, rule scopes."""

from __future__ import annotations

import numpy as np

from accord.identity.graph import bridging_nodes, connect, dense_codes
from accord.identity.rules import RuleScope, linking_kinds, rule_scopes
from accord.project.config import Identity, MatchRule


def _connect(n: int, edges: list[tuple[int, int, int]], *, rules: int = 1,
             max_group_size: int = 25) -> tuple[list[int], object]:
    record, identifier, rule = (np.array(column, dtype=np.int64) for column in zip(*edges,
                                                                                   strict=True))
    components = connect(n, record, identifier, rule, n_rules=rules,
                         max_group_size=max_group_size)
    return components.labels.tolist(), components


def test_chains_join_and_lonely_records_stay_alone() -> None:
    # 0-1 share value 0, 1-2 share value 1 (a chain); 3 has its own value; 4 has none.
    labels, components = _connect(5, [(0, 0, 0), (1, 0, 0), (1, 1, 0), (2, 1, 0), (3, 2, 0)])
    assert labels == [0, 0, 0, 1, 2]
    assert components.count == 3  # type: ignore[attr-defined]
    assert components.links.tolist() == [2]  # type: ignore[attr-defined]


def test_labels_follow_first_records() -> None:
    labels, _ = _connect(4, [(3, 0, 0), (2, 0, 0), (1, 1, 0), (0, 2, 0)])
    assert labels == [0, 1, 2, 2]


def test_over_shared_value_is_ignored_and_reported() -> None:
    # Value 9 sits beside four different e-mails (values 10..13) on four records: more than
    # 3 other identifiers, it links nobody. Value 5 is on three records beside one value.
    edges = [(r, 9, 0) for r in range(4)] + [(r, 10 + r, 0) for r in range(4)]
    edges += [(4, 5, 0), (5, 5, 0), (6, 5, 0), (4, 20, 0)]
    labels, components = _connect(7, edges, max_group_size=3)
    assert labels == [0, 1, 2, 3, 4, 4, 4]
    assert components.ignored.tolist() == [9]  # type: ignore[attr-defined]
    assert components.ignored_records.tolist() == [4]  # type: ignore[attr-defined]


def test_a_value_repeated_on_one_persons_records_is_not_over_shared() -> None:
    # A loyal customer: 50 orders all carrying the same e-mail (0) and CRM id (1).
    edges = [(r, 0, 0) for r in range(50)] + [(r, 1, 0) for r in range(50)]
    labels, components = _connect(50, edges, max_group_size=3)
    assert set(labels) == {0}
    assert components.ignored.size == 0  # type: ignore[attr-defined]


def test_guard_counts_other_values_not_rules() -> None:
    # Two records carry value 0 under two rules each, beside nothing else: nothing is ignored.
    labels, components = _connect(2, [(0, 0, 0), (0, 0, 1), (1, 0, 0), (1, 0, 1)], rules=2,
                                  max_group_size=2)
    assert labels == [0, 0]
    assert components.ignored.size == 0  # type: ignore[attr-defined]


def test_rules_scope_nodes() -> None:
    # The same value under different rules is two nodes: records 0 and 1 stay apart.
    labels, _ = _connect(2, [(0, 0, 0), (1, 0, 1)], rules=2)
    assert labels == [0, 1]


def test_no_records() -> None:
    components = connect(0, np.zeros(0, np.int64), np.zeros(0, np.int64),
                         np.zeros(0, np.int64), n_rules=1, max_group_size=2)
    assert components.count == 0 and components.labels.size == 0


def test_bridging_node_is_the_smallest_leaving_the_group() -> None:
    # Group 0 = records 0, 1; group 1 = record 2; record 3 is new.
    # Node 4 joins 1 and 2; node 2 joins 0 and 3 (new); node 1 is only inside group 0.
    record = np.array([0, 1, 1, 2, 0, 3])
    node = np.array([1, 1, 4, 4, 2, 2])
    group = np.array([0, 0, 1, -1])
    assert bridging_nodes(record, node, group, 2).tolist() == [2, 4]


def test_dense_codes_match_numpy_unique() -> None:
    values = np.random.default_rng(3).integers(0, 50, 500)
    keys, inverse, counts = dense_codes(values)
    expected = np.unique(values, return_inverse=True, return_counts=True)
    assert keys.tolist() == expected[0].tolist()
    assert inverse.tolist() == expected[1].tolist()
    assert counts.tolist() == expected[2].tolist()


def test_rule_scopes_and_kinds() -> None:
    identity = Identity(rules=[MatchRule(name="mail", identifiers=["email", "phone"],
                                         sources=["crm", "shop"]),
                               MatchRule(name="ref", identifiers=["customer_ref"])])
    scopes = rule_scopes(identity)
    assert scopes[0] == RuleScope(rule=0, name="mail", kind="email",
                                  sources=frozenset({"crm", "shop"}))
    assert [s.kind for s in scopes] == ["email", "phone", "customer_ref"]
    assert linking_kinds(scopes, "crm") == {"email", "phone", "customer_ref"}
    assert linking_kinds(scopes, "web") == {"customer_ref"}
