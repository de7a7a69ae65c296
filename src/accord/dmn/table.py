"""Decision tables: compile once, evaluate with every hit policy (DMN 1.5 clause 8.2).

The general path compiles every cell to a closure and tests rules in order, skipping ``-``
cells. :mod:`accord.dmn.codegen` builds a faster function for the tables it can prove
simple; both share :func:`apply_hit_policy` so their results cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from accord.dmn.cells import compile_cell, compile_tests
from accord.dmn.codegen import FALLBACK, GeneratedTable, generate_table
from accord.dmn.hit_policy import CompiledOutput, apply_hit_policy
from accord.dmn.model import DecisionTable, HitPolicy
from accord.dmn.types import FeelType, TypeRegistry
from accord.errors import DmnModelError
from accord.feel import ast
from accord.feel.compiler import Compiler
from accord.feel.parser import parse_unary_tests

Env = dict[str, Any]
Test = Callable[[Any, Env], Any]
#: ``table(env, trace)``: ``trace`` is a list to append a :class:`TableTrace` to, or None.
TableFunction = Callable[[Env, "list[Any] | None"], Any]


@dataclass(frozen=True, slots=True)
class TableTrace:
    """What one evaluation of a decision table did."""

    table_id: str | None
    inputs: tuple[Any, ...]
    matched: tuple[str, ...]
    result: Any


def _priority_tests(text: str | None, compiler: Compiler) -> list[Test] | None:
    if text is None or not text.strip():
        return None
    node = parse_unary_tests(text)
    assert isinstance(node, ast.UnaryTests)
    return [compiler.compile_test(test) for test in node.tests]


def compile_table(table: DecisionTable, names: Iterable[str], registry: TypeRegistry,
                  result_type: FeelType | None = None, *, generate: bool = True
                  ) -> TableFunction:
    """Compile a decision table to ``f(env, trace) -> value``.

    With ``generate`` (the default) simple tables also get generated code
    (:mod:`accord.dmn.codegen`), used whenever tracing is off and the inputs have the types
    the table compares with.

    Raises:
        DmnModelError: for a cell that does not parse, naming the rule and column.
    """
    names = tuple(names)
    compiler = Compiler(registry.predicate)
    inputs = [compile_cell(clause.input_expression.text, names, compiler, table,
                           f"input expression {i + 1}")
              for i, clause in enumerate(table.inputs)]
    input_checks = [compile_tests(clause.input_values.text, names, compiler, table,
                                  f"input values {i + 1}")
                    if clause.input_values is not None else None
                    for i, clause in enumerate(table.inputs)]
    input_types = [registry.resolve(clause.input_expression.type_ref) for clause in table.inputs]
    outputs = []
    for clause in table.outputs:
        output_type = registry.resolve(clause.type_ref)
        if output_type is None and len(table.outputs) == 1 and result_type is not None \
                and not result_type.is_collection and result_type.components is None:
            output_type = result_type
        default = None
        if clause.default_output_entry is not None and clause.default_output_entry.text.strip():
            default = compile_cell(clause.default_output_entry.text, names, compiler, table,
                                   "default output entry")
        outputs.append(CompiledOutput(
            clause.name, output_type,
            _priority_tests(clause.output_values.text if clause.output_values else None,
                            compiler), default))
    rules = []
    for number, rule in enumerate(table.rules, start=1):
        rule_id = rule.id or str(number)
        if len(rule.input_entries) != len(table.inputs) or \
                len(rule.output_entries) != len(table.outputs):
            raise DmnModelError(f"rule {rule_id} has {len(rule.input_entries)} input and "
                                f"{len(rule.output_entries)} output entries, the table "
                                f"{len(table.inputs)} and {len(table.outputs)}",
                                element_id=table.id)
        tests = [(i, test) for i, entry in enumerate(rule.input_entries)
                 if (test := compile_tests(entry.text, names, compiler, table,
                                           f"rule {rule_id} input entry {i + 1}")) is not None]
        cells = [compile_cell(entry.text, names, compiler, table,
                              f"rule {rule_id} output entry {i + 1}")
                 for i, entry in enumerate(rule.output_entries)]
        rules.append((rule_id, tests, cells))
    policy = table.hit_policy
    aggregation = table.aggregation
    table_id = table.id
    single_output = len(outputs) == 1

    def evaluate(env: Env, trace: list[Any] | None) -> Any:
        values: list[Any] = []
        for i, compute in enumerate(inputs):
            value = compute(env)
            input_type = input_types[i]
            if input_type is not None and value is not None and not input_type.conforms(value):
                return _fail(trace, table_id, values, "input type mismatch")
            check = input_checks[i]
            if check is not None and value is not None and check(value, env) is not True:
                return _fail(trace, table_id, values, "input value not allowed")
            values.append(value)
        matched: list[tuple[str, list[Any]]] = []
        for rule_id, tests, cells in rules:
            scope = env
            for index, test in tests:
                if test(values[index], scope) is not True:
                    break
            else:
                row = [outputs[k].check(cell(env)) for k, cell in enumerate(cells)]
                matched.append((rule_id, row))
                if policy is HitPolicy.FIRST:
                    break
        result = apply_hit_policy(policy, aggregation, outputs, matched, env, single_output)
        if trace is not None:
            trace.append(TableTrace(table_id, tuple(values),
                                    tuple(rule_id for rule_id, _ in matched), result))
        return result

    plain_inputs = all(t is None or (t.base is not None and t.allowed is None)
                       for t in input_types)
    fast = generate_table(table, names, registry, outputs) if plain_inputs and generate else None
    return CompiledTable(evaluate, fast)


class CompiledTable:
    """A compiled decision table: the general evaluator and, for simple tables, generated
    code that answers whenever tracing is off and the inputs have the expected types.

    ``generated.evaluate(env)`` returns :data:`~accord.dmn.codegen.FALLBACK` when it cannot
    answer.
    """

    __slots__ = ("_fast", "general", "generated")

    def __init__(self, general: TableFunction, generated: GeneratedTable | None) -> None:
        self.general = general
        self.generated = generated
        self._fast = generated.evaluate if generated is not None else None

    def __call__(self, env: Env, trace: list[Any] | None) -> Any:
        if trace is None and self._fast is not None:
            result = self._fast(env)
            if result is not FALLBACK:
                return result
        return self.general(env, trace)


def _fail(trace: list[Any] | None, table_id: str | None, values: list[Any], why: str) -> Any:
    if trace is not None:
        trace.append(TableTrace(table_id, tuple(values), (), None))
    return None


