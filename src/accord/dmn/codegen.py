"""Generated Python for decision tables: the fast path of the decision engine.

A table compiles to Python source once, executed with ``exec``:

* **Type guards.** Each input column is typed by the constants its cells compare with
  (number, string, date, boolean). At entry the inputs are checked against those types; when
  one is null or of another type the function returns :data:`FALLBACK` and the caller uses the
  general evaluator, so FEEL's null and type-mismatch semantics never need inlining.
* **Inlined tests.** With the types known, FEEL comparison is Python comparison: ``< 5``
  becomes ``v2 < C7``, ``[1..5]`` becomes ``C1 <= v2 <= C2``, ``"a","b"`` a frozenset lookup.
  Cells that are not simple keep their compiled closure.
* **Indexing.** The column whose cells are most often equality tests (a segment, a channel)
  indexes the rules: a dict maps each value to a function that tests only the rules that
  can match it, in rule order, so FIRST and PRIORITY semantics are unchanged.

Outputs that are constants are computed once, at compile time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accord.dmn.cells import compile_cell
from accord.dmn.hit_policy import CompiledOutput, apply_hit_policy
from accord.dmn.model import DecisionTable, HitPolicy
from accord.dmn.types import TypeRegistry
from accord.errors import FeelSyntaxError
from accord.feel import ast
from accord.feel.compiler import Compiler
from accord.feel.parser import parse_unary_tests

#: Returned by a generated table when its inputs need the general evaluator.
FALLBACK: Any = object()

_PY_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "==", "!=": "!="}
# Python types whose comparison operators agree with FEEL's for values of the same type.
_GUARDABLE: dict[type, str] = {Decimal: "number", str: "string", dt.date: "date",
                               bool: "boolean"}
_ORDERED = frozenset({"number", "string", "date"})


class _NotSimple(Exception):
    """A cell the generator does not inline."""


@dataclass(slots=True)
class _Column:
    kind: str | None = None
    equality_cells: int = 0

    def admit(self, value: Any, ordered: bool) -> None:
        kind = _GUARDABLE.get(type(value))
        if kind is None or (ordered and kind not in _ORDERED):
            raise _NotSimple
        if self.kind is None:
            self.kind = kind
        elif self.kind != kind:
            raise _NotSimple


class _Generator:
    def __init__(self, compiler: Compiler, n_inputs: int) -> None:
        self.compiler = compiler
        self.constants: dict[str, Any] = {}
        self.columns = [_Column() for _ in range(n_inputs)]

    def constant(self, value: Any) -> str:
        name = f"C{len(self.constants)}"
        self.constants[name] = value
        return name

    def fold(self, node: ast.Node) -> Any:
        """The value of a constant expression, or :class:`_NotSimple`."""
        if _has_free_names(node):
            raise _NotSimple
        value = self.compiler.compile(node)({})
        if value is None:
            raise _NotSimple
        return value

    def cell(self, text: str, column: int) -> str | None:
        """Python condition for a cell over ``v{column}``; ``None`` for ``-``."""
        node = parse_unary_tests(text)
        if isinstance(node, ast.AnyTest):
            return None
        assert isinstance(node, ast.UnaryTests)
        parts = [self.test(test, column) for test in node.tests]
        equalities = [p for p in parts if p[1] is not None]
        if len(equalities) == len(parts) and len(parts) > 1:
            values = frozenset(v for _, v in equalities)
            code = f"v{column} in {self.constant(values)}"
        else:
            code = " or ".join(f"({p})" for p, _ in parts) if len(parts) > 1 else parts[0][0]
        if node.negated:
            return f"not ({code})"
        if len(equalities) == len(parts):
            self.columns[column].equality_cells += 1
        return code

    def test(self, node: ast.Node, column: int) -> tuple[str, Any]:
        """(condition, equality constant or None) for one positive unary test."""
        var = f"v{column}"
        if isinstance(node, ast.UnaryComparison):
            value = self.fold(node.operand)
            ordered = node.op not in ("=", "!=")
            self.columns[column].admit(value, ordered)
            code = f"{var} {_PY_OPS[node.op]} {self.constant(value)}"
            return code, value if node.op == "=" else None
        if isinstance(node, ast.ExpressionTest) and not node.uses_input:
            expr = node.expression
            if isinstance(expr, ast.RangeNode) and expr.start is not None \
                    and expr.end is not None:
                low, high = self.fold(expr.start), self.fold(expr.end)
                self.columns[column].admit(low, True)
                self.columns[column].admit(high, True)
                low_op = "<=" if expr.start_closed else "<"
                high_op = "<=" if expr.end_closed else "<"
                return (f"{self.constant(low)} {low_op} {var} {high_op} "
                        f"{self.constant(high)}"), None
            value = self.fold(expr)
            if isinstance(value, list):
                for item in value:
                    self.columns[column].admit(item, False)
                return f"{var} in {self.constant(frozenset(value))}", None
            self.columns[column].admit(value, False)
            return f"{var} == {self.constant(value)}", value
        raise _NotSimple


def _has_free_names(node: ast.Node) -> bool:
    """True when ``node`` reads a variable (function names of calls are allowed)."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Call):
        return any(_has_free_names(arg) for arg in node.args) or node.named is not None
    for slot in node.__slots__:
        value = getattr(node, slot)
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if isinstance(child, ast.Node) and _has_free_names(child):
                return True
    return False


def generate_table(table: DecisionTable, names: Iterable[str], registry: TypeRegistry,
                   outputs: list[CompiledOutput]
                   ) -> Callable[[dict[str, Any]], Any] | None:
    """A generated function ``f(env) -> value | FALLBACK``, or ``None`` when the table has
    cells the generator does not inline (the general evaluator then serves it alone)."""
    names = tuple(names)
    compiler = Compiler(registry.predicate)
    gen = _Generator(compiler, len(table.inputs))
    try:
        conditions = [[gen.cell(entry.text, i) for i, entry in enumerate(rule.input_entries)]
                      for rule in table.rules]
    except (_NotSimple, FeelSyntaxError):  # the general path reports syntax errors
        return None
    if any(clause.input_values is not None for clause in table.inputs):
        return None
    inputs = [compile_cell(clause.input_expression.text, names, compiler, table,
                           f"input expression {i + 1}")
              for i, clause in enumerate(table.inputs)]
    rows = []
    for rule in table.rules:
        cells = [compile_cell(entry.text, names, compiler, table, "output entry")
                 for entry in rule.output_entries]
        rows.append(cells)
    single = len(outputs) == 1
    policy, aggregation = table.hit_policy, table.aggregation
    index_column = _pick_index(gen, conditions)
    source = _source(gen, conditions, index_column, policy is HitPolicy.FIRST)
    namespace: dict[str, Any] = dict(gen.constants)
    namespace.update(Decimal=Decimal, str=str, date=dt.date, bool=bool)
    exec(compile(source, f"<decision table {table.id}>", "exec"), namespace)
    match_first = namespace.get("match_first")
    match_all = namespace.get("match_all")
    guards = [(i, _GUARD_TYPES[c.kind]) for i, c in enumerate(gen.columns) if c.kind]

    def evaluate(env: dict[str, Any]) -> Any:
        values = [compute(env) for compute in inputs]
        for i, allowed in guards:
            if type(values[i]) not in allowed:
                return FALLBACK
        if match_first is not None:
            index = match_first(*values)
            if index < 0:
                return apply_hit_policy(policy, aggregation, outputs, [], env, single)
            matched = [(str(index), [outputs[k].check(cell(env))
                                     for k, cell in enumerate(rows[index])])]
        else:
            assert match_all is not None
            matched = [(str(i), [outputs[k].check(cell(env)) for k, cell in enumerate(rows[i])])
                       for i in match_all(*values)]
        return apply_hit_policy(policy, aggregation, outputs, matched, env, single)

    return evaluate


_GUARD_TYPES: dict[str, tuple[type, ...]] = {
    "number": (Decimal, int),
    "string": (str,),
    "date": (dt.date,),
    "boolean": (bool,),
}


def _pick_index(gen: _Generator, conditions: list[list[str | None]]) -> int | None:
    best, best_count = None, 1
    for i, column in enumerate(gen.columns):
        if column.equality_cells > best_count:
            best, best_count = i, column.equality_cells
    return best


def _source(gen: _Generator, conditions: list[list[str | None]], index_column: int | None,
            first: bool) -> str:
    n = len(gen.columns)
    args = ", ".join(f"v{i}" for i in range(n)) or "_"
    if index_column is None:
        return _matcher("match_first" if first else "match_all", args,
                        list(enumerate(conditions)), first)
    # Bucket the rules by the equality constant(s) of the index column.
    buckets: dict[Any, list[int]] = {}
    wildcard: list[int] = []
    for number, row in enumerate(conditions):
        keys = _equality_keys(gen, row[index_column])
        if keys is None:
            wildcard.append(number)
        else:
            for key in keys:
                buckets.setdefault(key, [])
    for number, row in enumerate(conditions):
        keys = _equality_keys(gen, row[index_column])
        for key, members in buckets.items():
            if keys is None or key in keys:
                members.append(number)
    # Bucket membership proves the index column's equality: those tests are dropped.
    proven = {i: index_column for i, row in enumerate(conditions)
              if _equality_keys(gen, row[index_column]) is not None}
    lines = []
    table_entries = []
    for b, (key, members) in enumerate(buckets.items()):
        name = f"bucket_{b}"
        lines.append(_matcher(name, args, [(i, conditions[i]) for i in members], first,
                              proven))
        table_entries.append(f"{gen.constant(key)}: {name}")
    lines.append(_matcher("bucket_other", args, [(i, conditions[i]) for i in wildcard], first,
                          proven))
    lines.append("BUCKETS = {" + ", ".join(table_entries) + "}")
    entry = "match_first" if first else "match_all"
    lines.append(f"def {entry}({args}):\n"
                 f"    return BUCKETS.get(v{index_column}, bucket_other)({args})\n")
    return "\n".join(lines)


def _equality_keys(gen: _Generator, code: str | None) -> frozenset[Any] | None:
    """The constants a cell's equality test accepts, or None for a wildcard or non-equality."""
    if code is None:
        return None
    var, _, rest = code.partition(" ")
    op, _, name = rest.partition(" ")
    if op == "==" and name in gen.constants:
        return frozenset([gen.constants[name]])
    if op == "in" and isinstance(gen.constants.get(name), frozenset):
        return gen.constants[name]  # type: ignore[no-any-return]
    return None


def _matcher(name: str, args: str, rules: list[tuple[int, list[str | None]]], first: bool,
             proven: dict[int, int] | None = None) -> str:
    proven = proven or {}
    body = []
    if not first:
        body.append("    found = []")
    for number, row in rules:
        tests = [code for i, code in enumerate(row)
                 if code is not None and proven.get(number) != i]
        hit = f"return {number}" if first else f"found.append({number})"
        if tests:
            body.append(f"    if {' and '.join(tests)}:\n        {hit}")
        else:
            body.append(f"    {hit}")
            if first:
                break
    body.append("    return -1" if first else "    return found")
    return f"def {name}({args}):\n" + "\n".join(body) + "\n"
