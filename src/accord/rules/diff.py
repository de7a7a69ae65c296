"""What changed between two rule set versions, per table and cell, in words and as JSON.

A rule set version is the pair :meth:`~accord.operational.rules.RuleRepository.files` returns:
the ``catalogue.yaml`` text and the DMN files (file name -> XML). :func:`diff_rule_sets`
compares two of them and returns a :class:`RuleSetDiff`, whose ``describe()`` gives sentences
a marketer reads and whose ``to_json()`` gives the same facts for programs.

What is compared:

* DMN files added or removed, by file name.
* Decisions, matched by name across files (moving a decision to another file is no change).
  For decision tables: the hit policy, input and output columns (added, removed, renamed) and
  rules (added, removed, changed cell by cell). For other expressions: their text.
* The catalogue: treatments by id (added, removed, changed field by field), placement
  defaults, the contact policy, the arbitration formula and the other settings.

How columns are matched: by header (an input's label, else its expression text; an output's
label, else its name); columns left over are paired by their XML ``id``, and then, when both
tables have as many columns, by position. A pair with different headers is a rename.

How rules are matched, in this order:

1. Rules with identical cells (over the columns both tables share) are paired in order, by
   the longest common subsequence; they are unchanged, whatever their ids.
2. When rule ids are stable (every rule has one, unique in its table, and the identical rules
   of step 1 kept theirs), the remaining rules are paired by id; unpaired ones are added or
   removed. Tools that renumber ``rule_1, rule_2 ...`` on every save fail this test, so their
   ids are not trusted.
3. Otherwise the remaining rules between two identical stretches are paired by the most
   equal cells (ties: the closest position); a rule sharing no cell with any other is added
   or removed.

A rule that moved past an identical rule shows as removed and added: under FIRST and
PRIORITY hit policies the order is part of the logic, so a move is worth reporting.

Example:
    >>> from accord.decisioning.catalogue_file import read_folder
    >>> from accord.demo.rules import RULES_DIR
    >>> version = read_folder(RULES_DIR)
    >>> diff_rule_sets(version, version).describe()
    []
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from accord.decisioning.catalogue_file import CatalogueSpec, TreatmentSpec, parse_catalogue
from accord.dmn.model import (
    Decision,
    DecisionTable,
    Expression,
    InputClause,
    LiteralExpression,
    OutputClause,
    Rule,
    UnaryTests,
)
from accord.dmn.xml_reader import read_dmn

__all__ = [
    "CatalogueDiff",
    "Cell",
    "CellChange",
    "ColumnChange",
    "DecisionDiff",
    "ExpressionChange",
    "FieldChange",
    "FileDiff",
    "RuleAdded",
    "RuleChanged",
    "RuleDiff",
    "RuleRemoved",
    "RuleSetDiff",
    "TableDiff",
    "TreatmentChange",
    "diff_rule_sets",
]

#: A rule set version as stored: (catalogue text, {DMN file name: XML}).
Version: TypeAlias = tuple[str, dict[str, str]]

ARROW = "→"


# --------------------------------------------------------------------------- result types


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a rule: the column header and the entry text."""

    column: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"column": self.column, "text": self.text}


@dataclass(frozen=True, slots=True)
class CellChange:
    """A cell that differs; ``old``/``new`` is None where the column does not exist."""

    column: str
    old: str | None
    new: str | None

    def to_json(self) -> dict[str, Any]:
        return {"column": self.column, "old": self.old, "new": self.new}

    def describe(self) -> str:
        if self.old is None:
            return f'{self.column} "{self.new}" (new column)'
        if self.new is None:
            return f'{self.column} "{self.old}" (column removed)'
        return f'{self.column} "{self.old}" {ARROW} "{self.new}"'


def _row_text(inputs: tuple[Cell, ...], outputs: tuple[Cell, ...]) -> str:
    conditions = ", ".join(f'{cell.column} "{cell.text}"' for cell in inputs)
    # A single output is the table's answer: its header adds nothing to the sentence.
    if len(outputs) == 1:
        results = outputs[0].text
    else:
        results = ", ".join(f"{cell.column} {cell.text}" for cell in outputs)
    return f"{conditions} {ARROW} {results}" if conditions else f"{ARROW} {results}"


@dataclass(frozen=True, slots=True)
class RuleAdded:
    """A rule only the new table has; ``number`` counts from 1 in the new table."""

    number: int
    rule_id: str | None
    inputs: tuple[Cell, ...]
    outputs: tuple[Cell, ...]

    def to_json(self) -> dict[str, Any]:
        return {"change": "added", "number": self.number, "rule_id": self.rule_id,
                "inputs": [c.to_json() for c in self.inputs],
                "outputs": [c.to_json() for c in self.outputs]}

    def describe(self) -> str:
        return f"rule {self.number} added: {_row_text(self.inputs, self.outputs)}"


@dataclass(frozen=True, slots=True)
class RuleRemoved:
    """A rule only the old table has; ``number`` counts from 1 in the old table."""

    number: int
    rule_id: str | None
    inputs: tuple[Cell, ...]
    outputs: tuple[Cell, ...]

    def to_json(self) -> dict[str, Any]:
        return {"change": "removed", "number": self.number, "rule_id": self.rule_id,
                "inputs": [c.to_json() for c in self.inputs],
                "outputs": [c.to_json() for c in self.outputs]}

    def describe(self) -> str:
        return f"rule {self.number} removed (was: {_row_text(self.inputs, self.outputs)})"


@dataclass(frozen=True, slots=True)
class RuleChanged:
    """A rule in both tables whose cells differ; numbers count from 1 in each table."""

    number: int
    old_number: int
    rule_id: str | None
    cells: tuple[CellChange, ...]

    def to_json(self) -> dict[str, Any]:
        return {"change": "changed", "number": self.number, "old_number": self.old_number,
                "rule_id": self.rule_id, "cells": [c.to_json() for c in self.cells]}

    def describe(self) -> str:
        moved = f" (was rule {self.old_number})" if self.old_number != self.number else ""
        cells = "; ".join(cell.describe() for cell in self.cells)
        return f"rule {self.number}{moved} changed: {cells}"


RuleDiff: TypeAlias = RuleAdded | RuleRemoved | RuleChanged


@dataclass(frozen=True, slots=True)
class ColumnChange:
    """An input or output column added (``old`` None), removed (``new`` None) or renamed."""

    kind: Literal["input", "output"]
    old: str | None
    new: str | None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "old": self.old, "new": self.new}

    def describe(self) -> str:
        if self.old is None:
            return f'{self.kind} column "{self.new}" added'
        if self.new is None:
            return f'{self.kind} column "{self.old}" removed'
        return f'{self.kind} column "{self.old}" renamed to "{self.new}"'


@dataclass(frozen=True, slots=True)
class TableDiff:
    """How a decision table changed; ``hit_policy`` is (old, new) when it changed."""

    hit_policy: tuple[str, str] | None = None
    columns: tuple[ColumnChange, ...] = ()
    rules: tuple[RuleDiff, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.hit_policy or self.columns or self.rules)

    def to_json(self) -> dict[str, Any]:
        return {"hit_policy": (None if self.hit_policy is None else
                               {"old": self.hit_policy[0], "new": self.hit_policy[1]}),
                "columns": [c.to_json() for c in self.columns],
                "rules": [r.to_json() for r in self.rules]}

    def describe(self) -> list[str]:
        parts = []
        if self.hit_policy is not None:
            parts.append(f"hit policy {self.hit_policy[0]} {ARROW} {self.hit_policy[1]}")
        parts.extend(c.describe() for c in self.columns)
        parts.extend(r.describe() for r in self.rules)
        return parts


@dataclass(frozen=True, slots=True)
class ExpressionChange:
    """A decision's logic outside a table: literal text, or the kind of boxed expression."""

    old: str
    new: str

    def to_json(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class DecisionDiff:
    """A decision added, removed or changed; ``file`` holds it (the old file if removed)."""

    name: str
    change: Literal["added", "removed", "changed"]
    file: str
    table: TableDiff | None = None
    expression: ExpressionChange | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "change": self.change, "file": self.file,
                "table": None if self.table is None else self.table.to_json(),
                "expression": None if self.expression is None else self.expression.to_json()}

    def describe(self) -> list[str]:
        if self.change != "changed":
            return [f'Decision "{self.name}" {self.change} ({self.file})']
        lines = []
        if self.expression is not None:
            old, new = self.expression.old, self.expression.new
            if old == new:  # same kind of boxed expression, different content
                lines.append(f'Decision "{self.name}": {new} changed')
            else:
                lines.append(f'Decision "{self.name}": {old} {ARROW} {new}')
        if self.table is not None:
            lines.extend(f'Table "{self.name}": {part}' for part in self.table.describe())
        return lines


@dataclass(frozen=True, slots=True)
class FileDiff:
    """DMN files, by name, only one version has."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"added": list(self.added), "removed": list(self.removed)}

    def describe(self) -> list[str]:
        return ([f'File "{name}" added' for name in self.added]
                + [f'File "{name}" removed' for name in self.removed])


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A field whose JSON value differs; None stands for absent or unset."""

    field: str
    old: Any
    new: Any

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class TreatmentChange:
    id: str
    fields: tuple[FieldChange, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "fields": [f.to_json() for f in self.fields]}


def _show(value: Any) -> str:
    """A value as a marketer reads it: no JSON quotes, ``none`` for unset."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_show(item)}" for key, item in value.items()) + "}"
    return str(value)


def _setting_sentence(change: FieldChange) -> str:
    old, new = _show(change.old), _show(change.new)
    head, _, rest = change.field.partition(".")
    if head == "defaults":
        return f'Default for placement "{rest}": {old} {ARROW} {new}'
    if head == "policy":
        return f"Contact policy {rest}: {old} {ARROW} {new}"
    if head == "arbitration":
        return f'Arbitration formula: "{old}" {ARROW} "{new}"'
    return f"Setting {change.field}: {old} {ARROW} {new}"


@dataclass(frozen=True, slots=True)
class CatalogueDiff:
    """Treatments by id, and the catalogue's other settings as dotted fields."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[TreatmentChange, ...] = ()
    settings: tuple[FieldChange, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"treatments": {"added": list(self.added), "removed": list(self.removed),
                               "changed": [t.to_json() for t in self.changed]},
                "settings": [s.to_json() for s in self.settings]}

    def describe(self) -> list[str]:
        lines = [f'Treatment "{ident}" added' for ident in self.added]
        lines += [f'Treatment "{ident}" removed' for ident in self.removed]
        lines += [f'Treatment "{t.id}": {f.field} {_show(f.old)} {ARROW} {_show(f.new)}'
                  for t in self.changed for f in t.fields]
        lines += [_setting_sentence(s) for s in self.settings]
        return lines


@dataclass(frozen=True, slots=True)
class RuleSetDiff:
    """Everything that differs between two rule set versions."""

    files: FileDiff
    decisions: tuple[DecisionDiff, ...]
    catalogue: CatalogueDiff

    @property
    def empty(self) -> bool:
        """True when the versions mean the same (formatting aside)."""
        return not self.describe()

    def to_json(self) -> dict[str, Any]:
        """The diff as JSON-ready data (dicts, lists, strings, numbers, None)."""
        return {"files": self.files.to_json(),
                "decisions": [d.to_json() for d in self.decisions],
                "catalogue": self.catalogue.to_json()}

    def describe(self) -> list[str]:
        """One sentence per change; ``[]`` when nothing changed."""
        lines = self.files.describe()
        for decision in self.decisions:
            lines.extend(decision.describe())
        return lines + self.catalogue.describe()


# --------------------------------------------------------------------------- the diff


def diff_rule_sets(old: Version, new: Version) -> RuleSetDiff:
    """Compare two rule set versions as ``RuleRepository.files`` returns them.

    Args:
        old: (catalogue text, {DMN file name: XML}) of the earlier version.
        new: the same for the later version.

    Returns:
        The differences; ``describe()`` is ``[]`` when there are none.

    Raises:
        ProjectConfigError: a catalogue is not valid.
        DmnXmlError: a DMN file is not readable DMN.
        DmnModelError: a DMN file is not a valid model.
    """
    old_catalogue, old_files = old
    new_catalogue, new_files = new
    files = FileDiff(added=tuple(sorted(new_files.keys() - old_files.keys())),
                     removed=tuple(sorted(old_files.keys() - new_files.keys())))
    decisions = _diff_decisions(_decisions(old_files), _decisions(new_files))
    catalogue = _diff_catalogue(parse_catalogue(old_catalogue), parse_catalogue(new_catalogue))
    return RuleSetDiff(files, decisions, catalogue)


def _decisions(files: dict[str, str]) -> dict[str, tuple[str, Decision]]:
    """Decisions by name, with the file each sits in (files in name order)."""
    found: dict[str, tuple[str, Decision]] = {}
    for name, xml in sorted(files.items()):
        if not name.endswith(".dmn"):
            continue  # scenarios.yaml and other companions are not models
        for decision in read_dmn(xml, filename=name).decisions:
            found.setdefault(decision.name, (name, decision))
    return found


def _diff_decisions(old: dict[str, tuple[str, Decision]],
                    new: dict[str, tuple[str, Decision]]) -> tuple[DecisionDiff, ...]:
    diffs = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            diffs.append(DecisionDiff(name, "removed", old[name][0]))
        elif name not in old:
            diffs.append(DecisionDiff(name, "added", new[name][0]))
        else:
            file, decision = new[name]
            changed = _diff_expression(old[name][1].expression, decision.expression)
            if changed is not None:
                diffs.append(DecisionDiff(name, "changed", file, *changed))
    return tuple(diffs)


_KIND_NAMES = {
    "LiteralExpression": "literal expression", "DecisionTable": "decision table",
    "Context": "context", "Relation": "relation", "ListExpression": "list",
    "Invocation": "invocation", "FunctionDefinition": "function definition",
    "Conditional": "conditional", "For": "for loop", "Some": "some", "Every": "every",
    "Filter": "filter",
}


def _summary(expression: Expression | None) -> str:
    if expression is None:
        return "no logic"
    if isinstance(expression, LiteralExpression):
        # FEEL text carries its own quotes ("gold"); quoting it again would read ""gold"".
        return f"expression {expression.text.strip()}"
    return _KIND_NAMES[type(expression).__name__]


def _diff_expression(old: Expression | None, new: Expression | None
                     ) -> tuple[TableDiff | None, ExpressionChange | None] | None:
    """The table diff or expression change of one decision, or None if it is the same."""
    if isinstance(old, DecisionTable) and isinstance(new, DecisionTable):
        table = _diff_table(old, new)
        return (table, None) if table else None
    if isinstance(old, LiteralExpression) and isinstance(new, LiteralExpression):
        # Only the text is logic; ids and descriptions are not what a reader asks about.
        same = old.text.strip() == new.text.strip()
    else:
        same = old == new
    return None if same else (None, ExpressionChange(_summary(old), _summary(new)))


# --------------------------------------------------------------------------- tables


def _input_header(clause: InputClause) -> str:
    return clause.label or clause.input_expression.text.strip()


def _output_headers(outputs: tuple[OutputClause, ...]) -> list[str]:
    # An unnamed output (the usual single-output table) is still a column a reader can name.
    return [clause.label or clause.name or ("output" if len(outputs) == 1 else f"output {n}")
            for n, clause in enumerate(outputs, 1)]


Pairs: TypeAlias = list[tuple[int | None, int | None]]


def _match_columns(old: Sequence[str], new: Sequence[str], old_ids: Sequence[str | None],
                   new_ids: Sequence[str | None]) -> Pairs:
    """Pair columns by header, then id, then (same column count) position."""
    pairs: dict[int, int] = {}
    for j, header in enumerate(new):
        i = next((i for i, h in enumerate(old) if h == header and i not in pairs), None)
        if i is not None:
            pairs[i] = j
    same_count = len(old) == len(new)
    for j in range(len(new)):
        if j in pairs.values():
            continue
        by_id = next((i for i in range(len(old)) if i not in pairs
                      and new_ids[j] is not None and old_ids[i] == new_ids[j]), None)
        if by_id is None and same_count and j not in pairs:
            by_id = j
        if by_id is not None:
            pairs[by_id] = j
    result: Pairs = [(i, pairs.get(i)) for i in range(len(old))]
    result += [(None, j) for j in range(len(new)) if j not in pairs.values()]
    return result


def _diff_columns(kind: Literal["input", "output"], old: Sequence[str], new: Sequence[str],
                  pairs: Pairs) -> list[ColumnChange]:
    return [ColumnChange(kind, None if i is None else old[i], None if j is None else new[j])
            for i, j in pairs if i is None or j is None or old[i] != new[j]]


def _hit_policy(table: DecisionTable) -> str:
    aggregation = f" {table.aggregation.value}" if table.aggregation is not None else ""
    return table.hit_policy.value + aggregation


@dataclass(frozen=True, slots=True)
class _Grid:
    """A table's rules as stripped cell texts, with the columns shared with the other table."""

    headers_in: list[str]
    headers_out: list[str]
    rules: tuple[Rule, ...]
    shared_in: list[int]
    shared_out: list[int]

    def inputs(self, rule: Rule) -> tuple[Cell, ...]:
        return tuple(Cell(h, e.text.strip()) for h, e in zip(self.headers_in, rule.input_entries,
                                                             strict=False))

    def outputs(self, rule: Rule) -> tuple[Cell, ...]:
        return tuple(Cell(h, e.text.strip()) for h, e in zip(self.headers_out,
                                                             rule.output_entries, strict=False))

    def key(self, rule: Rule) -> tuple[str, ...]:
        return (tuple(_entry(rule.input_entries, i) for i in self.shared_in)
                + tuple(_entry(rule.output_entries, i) for i in self.shared_out))


def _entry(entries: Sequence[UnaryTests | LiteralExpression], index: int) -> str:
    return entries[index].text.strip() if index < len(entries) else ""


def _diff_table(old: DecisionTable, new: DecisionTable) -> TableDiff:
    old_in, new_in = [_input_header(c) for c in old.inputs], [_input_header(c) for c in new.inputs]
    old_out, new_out = _output_headers(old.outputs), _output_headers(new.outputs)
    in_pairs = _match_columns(old_in, new_in, [c.id for c in old.inputs],
                              [c.id for c in new.inputs])
    out_pairs = _match_columns(old_out, new_out, [c.id for c in old.outputs],
                               [c.id for c in new.outputs])
    shared_in = [(i, j) for i, j in in_pairs if i is not None and j is not None]
    shared_out = [(i, j) for i, j in out_pairs if i is not None and j is not None]
    before = _Grid(old_in, old_out, old.rules, [i for i, _ in shared_in],
                   [i for i, _ in shared_out])
    after = _Grid(new_in, new_out, new.rules, [j for _, j in shared_in],
                  [j for _, j in shared_out])
    columns = (_diff_columns("input", old_in, new_in, in_pairs)
               + _diff_columns("output", old_out, new_out, out_pairs))
    old_policy, new_policy = _hit_policy(old), _hit_policy(new)
    rules = _diff_rules(before, after, in_pairs, out_pairs)
    return TableDiff(None if old_policy == new_policy else (old_policy, new_policy),
                     tuple(columns), rules)


def _diff_rules(before: _Grid, after: _Grid, in_pairs: Pairs, out_pairs: Pairs
                ) -> tuple[RuleDiff, ...]:
    pairs = _match_rules([before.key(r) for r in before.rules],
                         [after.key(r) for r in after.rules],
                         [r.id for r in before.rules], [r.id for r in after.rules])
    removed: list[RuleDiff] = []
    others: list[RuleDiff] = []
    for i, j in pairs:
        if j is None:
            assert i is not None
            rule = before.rules[i]
            removed.append(RuleRemoved(i + 1, rule.id, before.inputs(rule),
                                       before.outputs(rule)))
        elif i is None:
            rule = after.rules[j]
            others.append(RuleAdded(j + 1, rule.id, after.inputs(rule), after.outputs(rule)))
        else:
            cells = (_cell_changes(before.inputs(before.rules[i]), after.inputs(after.rules[j]),
                                   in_pairs)
                     + _cell_changes(before.outputs(before.rules[i]),
                                     after.outputs(after.rules[j]), out_pairs))
            if cells:
                others.append(RuleChanged(j + 1, i + 1, after.rules[j].id, tuple(cells)))
    removed.sort(key=lambda r: r.number)
    others.sort(key=lambda r: r.number)
    return (*removed, *others)


def _irrelevant(text: str) -> bool:
    # "-" (or nothing) matches anything: a new or dropped column with it changes no rule.
    return text in ("", "-")


def _cell_changes(old: tuple[Cell, ...], new: tuple[Cell, ...], pairs: Pairs
                  ) -> list[CellChange]:
    changes = []
    for i, j in pairs:
        old_text = old[i].text if i is not None and i < len(old) else None
        new_text = new[j].text if j is not None and j < len(new) else None
        column = new[j].column if j is not None and j < len(new) else (
            old[i].column if i is not None and i < len(old) else "")
        if old_text == new_text:
            continue
        if old_text is None and new_text is not None and _irrelevant(new_text):
            continue
        if new_text is None and old_text is not None and _irrelevant(old_text):
            continue
        changes.append(CellChange(column, old_text, new_text))
    return changes


def _stable(ids: Sequence[str | None]) -> bool:
    present = [i for i in ids if i]
    return len(present) == len(ids) and len(set(present)) == len(present)


def _match_rules(old: Sequence[tuple[str, ...]], new: Sequence[tuple[str, ...]],
                 old_ids: Sequence[str | None], new_ids: Sequence[str | None]) -> Pairs:
    """Pair rules (see the module docstring); unpaired rules come as (i, None) / (None, j)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    paired: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            paired[block.a + k] = block.b + k
    trust_ids = (_stable(old_ids) and _stable(new_ids)
                 and all(old_ids[i] == new_ids[j] for i, j in paired.items()))
    if trust_ids:
        by_id = {ident: j for j, ident in enumerate(new_ids)}
        taken = set(paired.values())
        for i, ident in enumerate(old_ids):
            j = by_id.get(ident) if ident is not None else None
            if i not in paired and j is not None and j not in taken:
                paired[i] = j
                taken.add(j)
    else:
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "replace":
                paired.update(_by_similarity(old, new, range(i1, i2), range(j1, j2)))
    taken = set(paired.values())
    result: Pairs = [(i, paired.get(i)) for i in range(len(old))]
    return result + [(None, j) for j in range(len(new)) if j not in taken]


def _by_similarity(old: Sequence[tuple[str, ...]], new: Sequence[tuple[str, ...]],
                   old_range: range, new_range: range) -> dict[int, int]:
    """Greedily pair the rules sharing the most cells; ties go to the closest position."""
    def equal_cells(i: int, j: int) -> int:
        return sum(a == b for a, b in zip(old[i], new[j], strict=False))

    def offset(i: int, j: int) -> int:
        return abs((i - old_range.start) - (j - new_range.start))

    candidates = sorted(((-equal_cells(i, j), offset(i, j), i, j)
                         for i in old_range for j in new_range), key=lambda c: c[:3])
    pairs: dict[int, int] = {}
    for score, _, i, j in candidates:
        if score < 0 and i not in pairs and j not in pairs.values():
            pairs[i] = j
    return pairs


# --------------------------------------------------------------------------- catalogue


_TREATMENT_FIELDS = tuple(TreatmentSpec.model_fields)


def _field_changes(prefix: str, old: dict[str, Any], new: dict[str, Any],
                   order: Sequence[str]) -> list[FieldChange]:
    keys = [*order, *sorted((old.keys() | new.keys()) - set(order))]
    return [FieldChange(prefix + key, old.get(key), new.get(key)) for key in keys
            if old.get(key) != new.get(key)]


def _diff_catalogue(old: CatalogueSpec, new: CatalogueSpec) -> CatalogueDiff:
    old_treatments = {t.id: t.model_dump(mode="json") for t in old.treatments}
    new_treatments = {t.id: t.model_dump(mode="json") for t in new.treatments}
    changed = []
    for ident in new_treatments:
        if ident in old_treatments:
            fields = _field_changes("", old_treatments[ident], new_treatments[ident],
                                    _TREATMENT_FIELDS)
            if fields:
                changed.append(TreatmentChange(ident, tuple(fields)))
    old_rest = old.model_dump(mode="json", exclude={"treatments"})
    new_rest = new.model_dump(mode="json", exclude={"treatments"})
    settings: list[FieldChange] = []
    for key in CatalogueSpec.model_fields:
        if key == "treatments":
            continue
        if key in ("defaults", "policy"):
            # One line per placement or policy field reads better than one for the whole map.
            settings += _field_changes(f"{key}.", old_rest[key], new_rest[key],
                                       list(old_rest[key]))
        elif old_rest[key] != new_rest[key]:
            settings.append(FieldChange(key, old_rest[key], new_rest[key]))
    return CatalogueDiff(
        added=tuple(i for i in new_treatments if i not in old_treatments),
        removed=tuple(i for i in old_treatments if i not in new_treatments),
        changed=tuple(changed), settings=tuple(settings))
