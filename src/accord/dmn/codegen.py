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
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accord.dmn.cells import compile_cell
from accord.dmn.codegen_index import IndexCell, matcher_source
from accord.dmn.hit_policy import CompiledOutput, apply_hit_policy
from accord.dmn.model import DecisionTable, HitPolicy
from accord.dmn.types import TypeRegistry
from accord.errors import FeelSyntaxError
from accord.feel import ast
from accord.feel.builtins import BUILTINS
from accord.feel.compiler import Compiler
from accord.feel.parser import parse_expression, parse_unary_tests
from accord.feel.values import from_python

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
        """Source for ``value``: a Python literal where one means exactly the same (strings,
        booleans, whole numbers, sets of those), so that CPython loads a constant and ints
        compare with ints; else the name of a module-level constant."""
        literal = _literal(value)
        if literal is not None:
            return literal
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

    def cell(self, text: str, column: int) -> IndexCell:
        """The Python condition for a cell over ``v{column}`` (``None`` for ``-``), with the
        constants it accepts when it is a pure equality test. A cell that cannot be inlined
        (``list contains(?, "vip")``, ``count(?) > 2``) calls its compiled closure instead."""
        node = parse_unary_tests(text)
        if isinstance(node, ast.AnyTest):
            return IndexCell(None, None)
        assert isinstance(node, ast.UnaryTests)
        try:
            parts = [self.test(test, column) for test in node.tests]
        except _NotSimple:
            return self.closure_cell(node, column)
        equalities = frozenset(v for _, v in parts if v is not None)
        all_equal = all(v is not None for _, v in parts)
        if all_equal and len(parts) > 1:
            code = f"v{column} in {self.constant(equalities)}"
            if node.negated:
                return IndexCell(f"v{column} not in {self.constant(equalities)}", None)
        else:
            code = " or ".join(f"({p})" for p, _ in parts) if len(parts) > 1 else parts[0][0]
        if node.negated:
            return IndexCell(f"not ({code})", None)
        if all_equal:
            self.columns[column].equality_cells += 1
            return IndexCell(code, equalities)
        return IndexCell(code, None)

    def closure_cell(self, node: ast.UnaryTests, column: int) -> IndexCell:
        """A cell evaluated by its FEEL closure, on the input converted to a FEEL value.

        Only cells that read nothing but the input (``?``) and built-in functions qualify:
        the generated code has the raw inputs, not a FEEL scope.
        """
        if _reads_names(node):
            raise _NotSimple
        name = self.constant(_ClosureTest(self.compiler.compile_test(node)))
        return IndexCell(f"{name}(FEEL(v{column}), EMPTY) is True", None)

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


@dataclass(frozen=True, slots=True)
class _ClosureTest:
    """A compiled unary test held as a named constant of the generated module."""

    test: Callable[[Any, dict[str, Any]], Any]

    def __call__(self, value: Any, env: dict[str, Any]) -> Any:
        return self.test(value, env)


def _reads_names(node: ast.Node) -> bool:
    """True when ``node`` reads a variable other than ``?`` (calls of built-ins are fine)."""
    if isinstance(node, ast.Name):
        return node.name != "?"
    if isinstance(node, ast.Call):
        function_ok = isinstance(node.function, ast.Name) and node.function.name in BUILTINS
        return (not function_ok and _reads_names(node.function)) or any(
            _reads_names(arg) for arg in (*node.args, *(a for _, a in node.named or ())))
    return any(_reads_names(child) for child in ast.children(node))


def _literal(value: Any) -> str | None:
    if type(value) is str or type(value) is bool:
        return repr(value)
    if type(value) is Decimal and value.is_finite() and value == value.to_integral_value():
        return str(int(value))  # Decimal(5) == 5 and hash(Decimal(5)) == hash(5)
    if type(value) is frozenset and value:
        items = [_literal(item) for item in value]
        if all(item is not None for item in items):
            # a set display of constants after ``in`` compiles to a frozenset constant
            return "{" + ", ".join(sorted(item for item in items if item is not None)) + "}"
    return None


def _has_free_names(node: ast.Node) -> bool:
    """True when ``node`` reads a variable (function names of calls are allowed)."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Call):
        return any(_has_free_names(arg) for arg in node.args) or node.named is not None
    return any(_has_free_names(child) for child in ast.children(node))


@dataclass(frozen=True, slots=True)
class GeneratedTable:
    """Generated code for one table.

    Attributes:
        evaluate: ``f(inputs) -> value``, or :data:`FALLBACK` when it cannot answer.
        results: every value it can return, when they are all constants (FIRST tables with
            literal outputs), else ``None``.
        source: the generated Python source.
    """

    evaluate: Callable[[Mapping[str, Any]], Any]
    results: tuple[Any, ...] | None
    source: str

    def with_fallback(self, fallback: Callable[[Mapping[str, Any]], Any]
                      ) -> Callable[[Mapping[str, Any]], Any]:
        """A copy of :attr:`evaluate` that calls ``fallback(inputs)`` where it would return
        :data:`FALLBACK`: no wrapper call on the fast path."""
        scope = {**self.evaluate.__globals__, "FALLBACK": fallback}
        return types.FunctionType(self.evaluate.__code__, scope, "evaluate")


def generate_table(table: DecisionTable, names: Iterable[str], registry: TypeRegistry,
                   outputs: list[CompiledOutput]) -> GeneratedTable | None:
    """Generated code for ``table``, or ``None`` when the table has cells the generator
    does not inline (the general evaluator then serves it alone)."""
    names = tuple(names)
    compiler = Compiler(registry.predicate)
    gen = _Generator(compiler, len(table.inputs))
    try:
        cells = [[gen.cell(entry.text, i) for i, entry in enumerate(rule.input_entries)]
                 for rule in table.rules]
        # Input values (the allowed values of a column) are checked up front: a value outside
        # them makes the table an error, which the general path reports.
        allowed = [gen.cell(clause.input_values.text, i).code
                   if clause.input_values is not None else None
                   for i, clause in enumerate(table.inputs)]
    except (_NotSimple, FeelSyntaxError):  # the general path reports syntax errors
        return None
    # A declared input type is checked like the cells' types (a mismatch makes the table an
    # error in the general path); a column may only be guarded by one kind.
    for clause, column in zip(table.inputs, gen.columns, strict=True):
        declared = registry.resolve(clause.input_expression.type_ref)
        if declared is None or declared.base == "Any":
            continue
        kind = _DECLARED_KINDS.get(declared.base or "")
        if kind is None or (column.kind is not None and column.kind != kind):
            return None
        column.kind = kind
    rows = [[_constant_or_closure(entry.text, names, compiler, table)
             for entry in rule.output_entries] for rule in table.rules]
    single = len(outputs) == 1
    policy, aggregation = table.hit_policy, table.aggregation
    first = policy is HitPolicy.FIRST
    source = matcher_source(cells, len(table.inputs), first, gen.constant)
    namespace: dict[str, Any] = dict(gen.constants)
    reads = []
    for i, clause in enumerate(table.inputs):
        node = parse_expression(clause.input_expression.text, names)
        if isinstance(node, ast.Name):
            reads.append(f"v{i} = env[{node.name!r}]")
        else:
            namespace[f"IN{i}"] = compiler.compile(node)
            reads.append(f"v{i} = IN{i}(env)")
        kind = gen.columns[i].kind
        if kind is not None:
            reads.append(f"if {_GUARDS[kind].format(v=f'v{i}')}:\n"
                         f"            return FALLBACK(env)")
        if allowed[i] is not None:
            reads.append(f"if not ({allowed[i]}):\n            return FALLBACK(env)")

    def row_value(index: int, env: dict[str, Any]) -> list[Any]:
        return [outputs[k].check(cell(env) if callable(cell) else cell.value)
                for k, cell in enumerate(rows[index])]

    def finish_first(index: int, env: dict[str, Any]) -> Any:
        matched = [] if index < 0 else [(str(index), row_value(index, env))]
        return apply_hit_policy(policy, aggregation, outputs, matched, env, single)

    def finish_all(found: list[int], env: dict[str, Any]) -> Any:
        matched = [(str(i), row_value(i, env)) for i in found]
        return apply_hit_policy(policy, aggregation, outputs, matched, env, single)

    constant_rows = all(isinstance(cell, _Constant) for row in rows for cell in row)
    constant_default = all(o.default is None for o in outputs)
    args = ", ".join(f"v{i}" for i in range(len(table.inputs))) or "_"
    results = None
    if first and constant_rows and constant_default:
        # Every result is known now: RESULTS[i] for rule i, RESULTS[-1] when none matches.
        results = [finish_first(i, {}) for i in range(len(rows))] + [finish_first(-1, {})]
        namespace["RESULTS"] = results
        copy = "" if single else "dict"  # contexts are mutable: hand out copies
        tail = f"return {copy}(RESULTS[match_first({args})])" if copy else \
            f"return RESULTS[match_first({args})]"
    elif first:
        namespace["finish"] = finish_first
        tail = f"return finish(match_first({args}), env)"
    else:
        namespace["finish"] = finish_all
        tail = f"return finish(match_all({args}), env)"
    # A missing input is a null: the general path decides.
    body = "\n        ".join(reads)
    source += (f"\ndef evaluate(env):\n    try:\n        {body}\n"
               f"    except KeyError:\n        return FALLBACK(env)\n    {tail}\n")
    namespace.update(FALLBACK=_fallback, Decimal=Decimal, date=dt.date, FEEL=from_python,
                     EMPTY={})
    exec(compile(source, f"<decision table {table.id}>", "exec"), namespace)
    return GeneratedTable(namespace["evaluate"], tuple(results) if results is not None else None,
                          source)


@dataclass(frozen=True, slots=True)
class _Constant:
    value: Any


def _constant_or_closure(text: str, names: tuple[str, ...], compiler: Compiler,
                         table: DecisionTable) -> Any:
    node = parse_expression(text, names)
    if not _has_free_names(node):
        return _Constant(compiler.compile(node)({}))
    return compile_cell(text, names, compiler, table, "output entry")


_DECLARED_KINDS = {"number": "number", "string": "string", "date": "date",
                   "boolean": "boolean"}
# Conditions that reject a value of another type (``int`` passes as a FEEL number: exact).
_GUARDS: dict[str, str] = {
    "number": "type({v}) is not int and type({v}) is not Decimal",
    "string": "type({v}) is not str",
    "date": "type({v}) is not date",
    "boolean": "type({v}) is not bool",
}


def _fallback(env: Any) -> Any:
    """What generated code returns when it cannot answer; :meth:`Model.compile` rebinds
    ``FALLBACK`` in a copy of the function to the full evaluation instead."""
    return FALLBACK
