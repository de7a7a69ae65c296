"""Rule indexing for generated decision tables: which rules can match, before testing any.

A column whose cells are equality tests (``"gold"``, ``"web","app"``) or ``-`` splits the rules
into buckets, one per value: the bucket for ``"gold"`` holds the rules whose cell accepts
``"gold"``, plus the rules that do not test the column by equality, in rule order. At run
time one dict lookup picks the bucket and only its rules are tested, so FIRST still returns
the first matching rule. Inside a large bucket a second column may split it again.

A column is chosen by the mean size of its buckets (the value's bucket, or the one for values
no rule names), the number of rules an evaluation is expected to test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Buckets smaller than this are tested rule by rule.
MIN_RULES = 6
#: A split must cut the expected rules tested to this share, or it is not worth a lookup.
MIN_GAIN = 0.75
#: Levels of nested lookups at most.
MAX_DEPTH = 2


@dataclass(frozen=True, slots=True)
class IndexCell:
    """What the indexer needs of a cell: its Python condition (``None`` for ``-``) and the
    constants it accepts when it is an equality test."""

    code: str | None
    keys: frozenset[Any] | None


@dataclass(slots=True)
class _Writer:
    cells: Sequence[Sequence[IndexCell]]
    first: bool
    args: str
    constant: Callable[[Any], str]
    lines: list[str] = field(default_factory=list)
    count: int = 0

    def name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"


def matcher_source(cells: Sequence[Sequence[IndexCell]], n_inputs: int, first: bool,
                   constant: Callable[[Any], str]) -> str:
    """Source defining ``match_first(v0, ...)`` (index of the first matching rule, or -1) or
    ``match_all(v0, ...)`` (indexes of all matching rules, in order). ``constant`` registers a
    value in the generated module's namespace and returns its name."""
    args = ", ".join(f"v{i}" for i in range(n_inputs)) or "_"
    writer = _Writer(cells, first, args, constant)
    entry = "match_first" if first else "match_all"
    _function(writer, entry, list(range(len(cells))), frozenset(), {}, 0)
    return "\n".join(writer.lines)


def _split(cells: Sequence[Sequence[IndexCell]], rules: list[int], column: int
           ) -> tuple[dict[Any, list[int]], list[int]] | None:
    keys: dict[Any, list[int]] = {}
    for rule in rules:
        for key in cells[rule][column].keys or ():
            keys.setdefault(key, [])
    if not keys:
        return None
    other = []
    for rule in rules:
        accepted = cells[rule][column].keys
        if accepted is None:
            other.append(rule)
        for key, members in keys.items():
            if accepted is None or key in accepted:
                members.append(rule)
    return keys, other


def _best_split(cells: Sequence[Sequence[IndexCell]], rules: list[int],
                used: frozenset[int]) -> tuple[int, dict[Any, list[int]], list[int]] | None:
    best: tuple[float, int, dict[Any, list[int]], list[int]] | None = None
    n_columns = len(cells[rules[0]]) if rules else 0
    for column in range(n_columns):
        if column in used:
            continue
        split = _split(cells, rules, column)
        if split is None:
            continue
        buckets, other = split
        expected = (sum(map(len, buckets.values())) + len(other)) / (len(buckets) + 1)
        if best is None or expected < best[0]:
            best = (expected, column, buckets, other)
    if best is None or best[0] > MIN_GAIN * len(rules):
        return None
    return best[1], best[2], best[3]


def _function(writer: _Writer, name: str, rules: list[int], used: frozenset[int],
              proven: dict[int, frozenset[int]], depth: int) -> None:
    split = None
    if len(rules) >= MIN_RULES and depth < MAX_DEPTH:
        split = _best_split(writer.cells, rules, used)
    if split is None:
        writer.lines.append(_tests(writer, name, rules, proven))
        return
    column, buckets, other = split
    entries = []
    for key, members in buckets.items():
        bucket = writer.name("bucket")
        # Bucket membership proves the column's equality for the rules that test it.
        inner = dict(proven)
        for rule in members:
            if writer.cells[rule][column].keys is not None:
                inner[rule] = proven.get(rule, frozenset()) | {column}
        _function(writer, bucket, members, used | {column}, inner, depth + 1)
        entries.append(f"{writer.constant(key)}: {bucket}")
    fallback = writer.name("other")
    _function(writer, fallback, other, used | {column}, proven, depth + 1)
    table = writer.name("BUCKETS")
    writer.lines.append(f"{table} = {{{', '.join(entries)}}}")
    writer.lines.append(f"def {name}({writer.args}):\n"
                        f"    return {table}.get(v{column}, {fallback})({writer.args})\n")


def _tests(writer: _Writer, name: str, rules: list[int],
           proven: dict[int, frozenset[int]]) -> str:
    body = [] if writer.first else ["    found = []"]
    for rule in rules:
        skip = proven.get(rule, frozenset())
        tests = [cell.code for column, cell in enumerate(writer.cells[rule])
                 if cell.code is not None and column not in skip]
        hit = f"return {rule}" if writer.first else f"found.append({rule})"
        if tests:
            body.append(f"    if {' and '.join(tests)}:\n        {hit}")
        else:
            body.append(f"    {hit}")
            if writer.first:
                break  # later rules can never be reached
    body.append("    return -1" if writer.first else "    return found")
    return f"def {name}({writer.args}):\n" + "\n".join(body) + "\n"
