"""Decision tables to SQL: one sqlglot expression giving the table's result per row.

Mirrors :func:`accord.dmn.table.compile_table` and :func:`accord.dmn.hit_policy.apply_hit_policy`
(DMN 1.5 clause 8.2.11) over flat inputs: input expressions and cells are FEEL over column
names, compiled by :mod:`accord.feel.sql`.

=============  ==========================================================================
Hit policy     SQL
=============  ==========================================================================
FIRST          ``CASE WHEN match1 THEN out1 WHEN match2 THEN out2 ... ELSE default END``
UNIQUE         the one matched output; null when several match; the default when none
ANY            the first matched output when all matched outputs are equal, else null
PRIORITY       the matched output of the best output-values priority (first on ties)
COLLECT        the list of matched outputs in rule order (``FILTER``/``TRANSFORM``), ``[]``
               when none; with SUM/COUNT/MIN/MAX the aggregate (COUNT of none is 0)
RULE ORDER     as COLLECT without aggregation
=============  ==========================================================================

Several output columns give a struct (``{'a': ...}`` in DuckDB, ``STRUCT(... AS a)`` in
Spark), like the Python context. Not supported, raising
:class:`~accord.errors.FeelSqlError`: OUTPUT ORDER, COLLECT with an aggregation over several
outputs (other than COUNT), COLLECT/RULE ORDER without aggregation and with default output
entries (Python returns the bare default there, which is not a list), and whatever FEEL the
cells use that :mod:`accord.feel.sql` rejects.

Input and output ``typeRef`` built-in types (number, string, boolean, date, date and time) are
checked statically against the kinds the compiler infers; item definition names are not
checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlglot import exp

from accord.dmn.model import Aggregation, DecisionTable, HitPolicy
from accord.errors import FeelSqlError
from accord.feel import ast
from accord.feel.parser import parse_expression, parse_unary_tests
from accord.feel.sql import SqlCompiler, to_sql
from accord.feel.sql_values import (
    ANY,
    KIND_NAMES,
    NULL,
    NUMBER,
    ORDERED,
    Typed,
    TypeSpec,
    and_,
    as_decimal,
    case,
    equal,
    is_null,
    is_true,
    negate,
    not_null,
    null,
    number,
    or_,
    unify,
)

__all__ = ["table_rule_matches_sql", "table_to_sql", "to_sql"]

Columns = Mapping[str, exp.Expression]
Types = Mapping[str, TypeSpec]


@dataclass(slots=True)
class _Output:
    name: str | None
    kind: str | None
    priorities: tuple[ast.Node, ...] | None


@dataclass(slots=True)
class _Table:
    """A table compiled cell by cell: what the hit policies combine."""

    single: bool
    outputs: list[_Output]
    fail: exp.Expression
    matches: list[exp.Expression]
    rows: list[list[Typed]]
    default: list[Typed] | None
    kinds: list[str]
    cells: _Cells


class _Cells:
    """Compiles the cells of one table, naming the cell in every error."""

    def __init__(self, table: DecisionTable, columns: Columns | None, types: Types | None
                 ) -> None:
        self.table = table
        self.columns = columns
        self.types = types
        self.names = (*(columns or {}), *(types or {}))

    def expression(self, text: str, what: str) -> Typed:
        try:
            node = parse_expression(text, self.names)
            return SqlCompiler(self.columns, self.types, text).expression(node)
        except FeelSqlError as exc:
            raise FeelSqlError(f"{exc} in {what} of table {self._table_name()}") from None

    def tests(self, text: str, value: Typed, what: str) -> exp.Expression | None:
        if text.strip() in ("", "-"):
            return None
        try:
            node = parse_unary_tests(text.strip(), self.names)
            return SqlCompiler(self.columns, self.types, text.strip()).test(node, value).sql
        except FeelSqlError as exc:
            raise FeelSqlError(f"{exc} in {what} of table {self._table_name()}") from None

    def _table_name(self) -> str:
        return self.table.id or self.table.label or "(unnamed)"


def _declared_kind(type_ref: str | None) -> str | None:
    if not type_ref:
        return None
    kind = KIND_NAMES.get(type_ref.removeprefix("feel:").removeprefix("FEEL:"))
    return None if kind == ANY else kind


def _conforms(value: Typed, kind: str | None) -> bool:
    return kind is None or value.kind in (kind, ANY, NULL)


def _check(cells: _Cells, output: _Output, value: Typed) -> Typed:
    """``CompiledOutput.check``: null when the value is not of the declared type or not one
    of the output values."""
    if output.kind is not None and not _conforms(value, output.kind):
        return null(output.kind)
    if output.priorities is None or value.kind == NULL:
        return value
    allowed = or_(*(is_true(_output_test(cells, test, value)) for test in output.priorities))
    return Typed(case([(allowed, value.sql)], null(value.kind).sql), value.kind)


def _output_test(cells: _Cells, test: ast.Node, value: Typed) -> exp.Expression:
    """One output-value test applied to ``value``."""
    return SqlCompiler(cells.columns, cells.types).test(test, value).sql


def _priority(cells: _Cells, output: _Output, value: Typed) -> exp.Expression:
    """The index of the first output value ``value`` satisfies (their count when none)."""
    assert output.priorities is not None
    count = len(output.priorities)
    whens = [(is_null(value.sql), number(count))]
    whens += [(is_true(_output_test(cells, test, value)), number(index))
              for index, test in enumerate(output.priorities)]
    return case(whens, number(count))


def _compile(table: DecisionTable, columns: Columns | None, types: Types | None) -> _Table:
    cells = _Cells(table, columns, types)
    outputs = []
    for out in table.outputs:
        values = out.output_values.text if out.output_values is not None else ""
        priorities = None
        if values.strip():
            node = parse_unary_tests(values)
            assert isinstance(node, ast.UnaryTests)
            priorities = node.tests
        outputs.append(_Output(out.name, _declared_kind(out.type_ref), priorities))
    inputs, failures = [], []
    for i, clause in enumerate(table.inputs):
        value = cells.expression(clause.input_expression.text, f"input expression {i + 1}")
        if not _conforms(value, _declared_kind(clause.input_expression.type_ref)):
            failures.append(not_null(value.sql))
        if clause.input_values is not None:
            allowed = cells.tests(clause.input_values.text, value, f"input values {i + 1}")
            if allowed is not None:
                failures.append(and_(not_null(value.sql), negate(is_true(allowed))))
        inputs.append(value)
    matches, rows = [], []
    for number_, rule in enumerate(table.rules, start=1):
        rule_id = rule.id or str(number_)
        if len(rule.input_entries) != len(inputs) or len(rule.output_entries) != len(outputs):
            raise FeelSqlError(f"rule {rule_id} has {len(rule.input_entries)} input and "
                               f"{len(rule.output_entries)} output entries, the table "
                               f"{len(inputs)} and {len(outputs)}")
        tests = [cells.tests(entry.text, inputs[i], f"rule {rule_id} input entry {i + 1}")
                 for i, entry in enumerate(rule.input_entries)]
        matches.append(is_true(and_(*(t for t in tests if t is not None))))
        rows.append([_check(cells, outputs[k], cells.expression(
            entry.text, f"rule {rule_id} output entry {k + 1}"))
            for k, entry in enumerate(rule.output_entries)])
    default = None
    if any(c.default_output_entry is not None and c.default_output_entry.text.strip()
           for c in table.outputs):
        default = [_check(cells, outputs[k], cells.expression(c.default_output_entry.text,
                                                              "default output entry"))
                   if c.default_output_entry is not None and c.default_output_entry.text.strip()
                   else null()
                   for k, c in enumerate(table.outputs)]
    columns_of = [[row[k] for row in rows] + ([default[k]] if default else [])
                  for k in range(len(outputs))]
    kinds = [unify(column, f"outputs of column {outputs[k].name or k + 1}")
             for k, column in enumerate(columns_of)]
    fail = or_(*failures)
    return _Table(len(outputs) == 1, outputs, fail, matches, rows, default, kinds, cells)


# ---- rows and hit policies --------------------------------------------------------------


def _value(t: _Table, row: Sequence[Typed]) -> exp.Expression:
    """A row as the table's value: the single output, or a struct of the outputs."""
    values = [cell.sql if cell.kind != NULL or kind == NULL else null(kind).sql
              for cell, kind in zip(row, t.kinds, strict=True)]
    if t.single:
        return values[0]
    fields = []
    for output, value in zip(t.outputs, values, strict=True):
        if output.name is None:
            raise FeelSqlError("a decision table with several outputs needs output names")
        fields.append(exp.PropertyEQ(this=exp.Identifier(this=output.name, quoted=True),
                                     expression=value))
    return exp.Struct(expressions=fields)


def _default(t: _Table) -> exp.Expression:
    if t.default is None:
        return _null_row(t)
    return _value(t, t.default)


def _null_row(t: _Table) -> exp.Expression:
    return null(t.kinds[0]).sql if t.single else exp.Null()


def _count(t: _Table) -> exp.Expression:
    if not t.matches:
        return exp.Literal.number(0)
    terms: list[exp.Expression] = [case([(m, exp.Literal.number(1))], exp.Literal.number(0))
                                   for m in t.matches]
    total = terms[0]
    for term in terms[1:]:
        total = exp.Add(this=total, expression=term)
    return total


def _first(t: _Table, default: exp.Expression | None = None) -> exp.Expression:
    whens = [(m, _value(t, row)) for m, row in zip(t.matches, t.rows, strict=True)]
    return case(whens, default if default is not None else _default(t))


def _unique(t: _Table) -> exp.Expression:
    count = _count(t)
    return case([(exp.EQ(this=count, expression=exp.Literal.number(0)), _default(t)),
                 (exp.EQ(this=count.copy(), expression=exp.Literal.number(1)),
                  _first(t, _null_row(t)))], _null_row(t))


def _any(t: _Table) -> exp.Expression:
    firsts = [Typed(case([(m, row[k].sql) for m, row in zip(t.matches, t.rows, strict=True)],
                         null(t.kinds[k]).sql), t.kinds[k]) for k in range(len(t.outputs))]
    agree = and_(*(or_(negate(m), and_(*(is_true(equal(cell, first).sql)
                                         for cell, first in zip(row, firsts, strict=True))))
                   for m, row in zip(t.matches, t.rows, strict=True)))
    count = _count(t)
    return case([(exp.EQ(this=count, expression=exp.Literal.number(0)), _default(t)),
                 (agree, _first(t, _null_row(t)))], _null_row(t))


def _priority_table(t: _Table) -> exp.Expression:
    keys = []
    for row in t.rows:
        key: exp.Expression = number(0)
        for output, cell in zip(t.outputs, row, strict=True):
            if output.priorities is None:
                continue
            radix = len(output.priorities) + 1
            index = _priority(t.cells, output, cell)
            if isinstance(key, exp.Literal) and isinstance(index, exp.Literal):
                key = number(int(key.this) * radix + int(index.this))
            else:
                key = exp.Add(this=exp.Mul(this=exp.Paren(this=key), expression=number(radix)),
                              expression=index)
        keys.append(key)
    if len(keys) <= 1:
        return _first(t)
    best = exp.Least(this=case([(t.matches[0], keys[0])]),
                     expressions=[case([(m, k)]) for m, k in zip(t.matches[1:], keys[1:],
                                                                  strict=True)],
                     ignore_nulls=True)
    whens = [(and_(m, exp.EQ(this=exp.Paren(this=k.copy()) if not isinstance(k, exp.Literal)
                             else k.copy(), expression=best.copy())),
              _value(t, row)) for m, k, row in zip(t.matches, keys, t.rows, strict=True)]
    return case(whens, _default(t))


def _collect_list(t: _Table) -> exp.Expression:
    if t.default is not None:
        raise FeelSqlError("COLLECT without aggregation and with default output entries "
                           "cannot be compiled to SQL (the Python result is not a list)")
    if not t.rows:
        return exp.Array(expressions=[])
    item = exp.Identifier(this="rule")
    entries = [exp.Struct(expressions=[
        exp.PropertyEQ(this=exp.Identifier(this="matched"), expression=m),
        exp.PropertyEQ(this=exp.Identifier(this="output"), expression=_value(t, row))])
        for m, row in zip(t.matches, t.rows, strict=True)]
    matched = exp.ArrayFilter(this=exp.Array(expressions=entries), expression=exp.Lambda(
        this=exp.Dot(this=item.copy(), expression=exp.Identifier(this="matched")),
        expressions=[item.copy()]))
    return exp.Transform(this=matched, expression=exp.Lambda(
        this=exp.Dot(this=item.copy(), expression=exp.Identifier(this="output")),
        expressions=[item.copy()]))


def _any_matched_null(t: _Table) -> exp.Expression:
    return or_(*(and_(m, is_null(row[0].sql)) for m, row in zip(t.matches, t.rows,
                                                                  strict=True)))


def _sum(t: _Table) -> exp.Expression:
    count = _count(t)
    none = exp.EQ(this=count, expression=exp.Literal.number(0))
    if t.kinds[0] not in (NUMBER, ANY):  # a sum of non-numbers is null; the default stays
        return case([(none, _default(t))], null(t.kinds[0]).sql)
    terms = [case([(m, as_decimal(row[0].sql))], as_decimal(number(0)))
             for m, row in zip(t.matches, t.rows, strict=True)]
    total = terms[0]
    for term in terms[1:]:
        total = exp.Add(this=total, expression=term)
    return case([(none, _default(t)), (_any_matched_null(t), null(NUMBER).sql)],
                as_decimal(total))


def _count_table(t: _Table) -> exp.Expression:
    return as_decimal(_count(t))


def _extreme(sql_class: type[exp.Expression]) -> Callable[[_Table], exp.Expression]:
    def build(t: _Table) -> exp.Expression:
        count = _count(t)
        kind = t.kinds[0]
        none = exp.EQ(this=count, expression=exp.Literal.number(0))
        one = exp.EQ(this=count.copy(), expression=exp.Literal.number(1))
        single = _first(t, null(kind).sql)
        if kind not in ORDERED:  # booleans: a single value is its own extreme, two are null
            return case([(none, _default(t)), (one, single)], null(kind).sql)
        candidates = [case([(m, row[0].sql)]) for m, row in zip(t.matches, t.rows, strict=True)]
        best = candidates[0] if len(candidates) == 1 else sql_class(
            this=candidates[0], expressions=candidates[1:], ignore_nulls=True)
        return case([(none, _default(t)), (one, single), (_any_matched_null(t), null(kind).sql)],
                    best)

    return build


_AGGREGATIONS: dict[Aggregation, Callable[[_Table], exp.Expression]] = {
    Aggregation.SUM: _sum,
    Aggregation.COUNT: _count_table,
    Aggregation.MIN: _extreme(exp.Least),
    Aggregation.MAX: _extreme(exp.Greatest),
}


def _collect(t: _Table, aggregation: Aggregation | None) -> exp.Expression:
    if aggregation is None:
        return _collect_list(t)
    if not t.single and aggregation is not Aggregation.COUNT:
        raise FeelSqlError(f"COLLECT {aggregation.value} over several outputs cannot be "
                           "compiled to SQL")
    return _AGGREGATIONS[aggregation](t)


_POLICIES: dict[HitPolicy, Callable[[_Table, Aggregation | None], exp.Expression]] = {
    HitPolicy.FIRST: lambda t, a: _first(t),
    HitPolicy.UNIQUE: lambda t, a: _unique(t),
    HitPolicy.ANY: lambda t, a: _any(t),
    HitPolicy.PRIORITY: lambda t, a: _priority_table(t),
    HitPolicy.COLLECT: _collect,
    HitPolicy.RULE_ORDER: lambda t, a: _collect_list(t),  # an aggregation is ignored
}


# ---- public API -------------------------------------------------------------------------


def table_to_sql(table: DecisionTable, inputs: Columns | None = None, *,
                 types: Types | None = None) -> exp.Expression:
    """Compile a decision table to a SQL expression giving its result per row.

    Args:
        table: the decision table.
        inputs: SQL for each FEEL name the table's expressions use (input expressions,
            output entries); without it names become quoted columns.
        types: declared FEEL types of those names, as for
            :func:`accord.feel.sql.compile_expression_sql`.

    Raises:
        FeelSqlError: for a hit policy, aggregation or cell SQL cannot express; the message
            names it and the cell.
    """
    handler = _POLICIES.get(table.hit_policy)
    if handler is None:
        raise FeelSqlError(f"hit policy {table.hit_policy.value} cannot be compiled to SQL")
    t = _compile(table, inputs, types)
    result = handler(t, table.aggregation)
    return case([(t.fail, exp.Null())], result)


def table_rule_matches_sql(table: DecisionTable, inputs: Columns | None = None, *,
                           types: Types | None = None) -> list[exp.Expression]:
    """Per rule, a SQL boolean (never null) that is true when the rule matches the row.

    Every rule gets its own condition, whatever the hit policy (a FIRST table's trace lists
    only the first match). A row whose inputs fail their declared type or allowed values
    matches no rule, as in Python. Arguments are as for :func:`table_to_sql`.
    """
    t = _compile(table, inputs, types)
    return [and_(negate(t.fail), m) for m in t.matches]
