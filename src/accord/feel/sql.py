"""FEEL to SQL: compile FEEL expressions and unary tests to sqlglot trees (DuckDB, Spark SQL).

The compiler is a dispatch table from AST node type to handler. Each handler returns a
:class:`~accord.feel.sql_values.Typed` value (SQL plus inferred FEEL kind), which is how the
SQL reproduces FEEL's null rules: an error in FEEL is null, never an exception
(DMN 1.5 clause 10.3.2). Given declared column types, ``1 = "a"`` compiles to null and
``n = null`` to ``n IS NULL``, as in FEEL.

Supported subset:

* literals (numbers as exact ``DECIMAL(38, 10)``, strings, booleans, null, dates and
  zone-less date-times from ``date("...")``, ``date and time("...")`` or ``@"..."``);
* names (columns; ``a.b`` on a struct column, ``d.year``/``month``/``day`` on temporals);
* ``+ - * /`` on numbers (division by zero is null), ``+`` on strings, unary minus;
* ``= != < <= > >=``, ``between``, ``in`` (unary tests, lists, ranges), ``and``, ``or``,
  ``not(...)``, ``if then else``;
* the functions of :mod:`accord.feel.sql_functions`.

Precision: number literals are plain SQL literals; arithmetic casts its operands and
products to ``DECIMAL(38, 10)`` (SQL integers overflow at 2**31, FEEL's 34-digit numbers do
not). Results are exact while they fit 28 integer and 10 fractional digits (products: below
10**18, as DuckDB multiplies at scale 20); literals with more digits are rejected. Division
by a literal whose reciprocal has at most 10 fractional digits (2, 4, 5, 8, 10, 0.5 ...)
multiplies exactly; any other division runs in ``DOUBLE`` and rounds to 10 fractional
digits, exact only for quotients that terminate within them and have at most 15 significant
digits. Spark's decimal rules may lose more digits. Strings compare by code point (DuckDB and
Spark's default binary collation); ``upper case``/``lower case`` agree with Python on ASCII.

Without declared ``types`` a name's FEEL type is unknown and the SQL trusts that operands
have matching types (FEEL gives null for ``1 = "a"``; SQL would coerce or fail).

Anything else (``for``, ``some``/``every``, contexts, lists or ranges as values, filters,
function definitions, ``instance of``, ``**``, temporal arithmetic, unknown functions) raises
:class:`~accord.errors.FeelSqlError` naming the construct and where it starts.

>>> to_sql(compile_expression_sql("Age >= 18 and Country = \\"NL\\""))
'"Age" >= 18 AND "Country" IS NOT DISTINCT FROM \\'NL\\''
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlglot import exp

from accord.errors import FeelSqlError
from accord.feel import ast
from accord.feel.parser import parse_expression, parse_unary_tests
from accord.feel.sql_functions import arithmetic, call
from accord.feel.sql_tests import compile_test
from accord.feel.sql_values import (
    ANY,
    BOOLEAN,
    DATE,
    DATE_TIME,
    NULL,
    NUMBER,
    NUMBER_TYPE,
    STRUCT,
    Typed,
    TypeSpec,
    and_,
    as_boolean,
    case,
    compare,
    is_null,
    literal,
    null,
    or_,
    ordered,
    paren,
    typed_column,
    unify,
)

__all__ = [
    "SqlCompiler",
    "compile_expression_sql",
    "compile_expression_typed",
    "compile_unary_tests_sql",
    "to_sql",
]

Handler = Callable[["SqlCompiler", Any], Typed]

#: Constructs SQL cannot express, by node type: what the error message calls them.
UNSUPPORTED: dict[type, str] = {
    ast.For: "for expressions",
    ast.ContextNode: "contexts",
    ast.ListNode: "lists as values",
    ast.RangeNode: "ranges as values",
    ast.Filter: "filters",
    ast.FunctionDef: "function definitions",
    ast.InstanceOf: "instance of",
}

#: ``d.member`` on a date or date and time: the SQL extraction.
_TEMPORAL_PROPERTIES: dict[str, type[exp.Expression]] = {
    "year": exp.Year, "month": exp.Month, "day": exp.Day,
}


class SqlCompiler:
    """Compiles FEEL AST nodes over ``columns`` (name to SQL) of declared ``types``.

    ``text`` is the source the nodes came from, used to point at unsupported constructs.
    """

    def __init__(self, columns: Mapping[str, exp.Expression] | None = None,
                 types: Mapping[str, TypeSpec] | None = None, text: str | None = None) -> None:
        self.columns = columns
        self.types = dict(types or {})
        self.text = text
        self.input: Typed | None = None

    # ---- entry points --------------------------------------------------------------------

    def expression(self, node: ast.Node) -> Typed:
        """Compile an expression node."""
        handler = _HANDLERS.get(type(node))
        if handler is None:
            raise self.unsupported(UNSUPPORTED.get(type(node), type(node).__name__), node)
        return handler(self, node)

    def test(self, node: ast.Node, value: Typed) -> Typed:
        """Compile a (positive or negated) unary test applied to ``value``."""
        return compile_test(self, node, value)

    def with_input(self, value: Typed, node: ast.Node) -> Typed:
        """Compile ``node`` with ``?`` bound to ``value``."""
        saved, self.input = self.input, value
        try:
            return self.expression(node)
        finally:
            self.input = saved

    def unsupported(self, what: str, node: ast.Node) -> FeelSqlError:
        """The error for a construct SQL cannot express, pointing at ``node``."""
        return FeelSqlError(f"{what} cannot be compiled to SQL ({self.where(node)})")

    def where(self, node: ast.Node) -> str:
        """``at column 5`` (``at line 2, column 3`` for multi-line text)."""
        if self.text is None:
            return f"at offset {node.pos}"
        line = self.text.count("\n", 0, node.pos) + 1
        column = node.pos - (self.text.rfind("\n", 0, node.pos) + 1) + 1
        return f"at column {column}" if line == 1 else f"at line {line}, column {column}"

    # ---- leaves --------------------------------------------------------------------------

    def literal(self, node: ast.Literal) -> Typed:
        try:
            return literal(node.value)
        except FeelSqlError as exc:
            raise FeelSqlError(f"{exc} ({self.where(node)})") from None

    def name(self, node: ast.Name) -> Typed:
        if node.name == "?":
            if self.input is None:
                raise self.unsupported("'?' outside unary tests", node)
            return self.input
        spec = self.types.get(node.name)
        if self.columns is None:
            return typed_column(exp.column(node.name, quoted=True), spec)
        sql = self.columns.get(node.name)
        if sql is None:
            raise self.unsupported(f"unknown name {node.name!r}", node)
        return typed_column(sql.copy(), spec)

    def path(self, node: ast.Path) -> Typed:
        base = self.expression(node.base)
        if base.kind in (STRUCT, ANY) and isinstance(node.base, ast.Name | ast.Path):
            member = exp.Dot(this=exp.Paren(this=base.sql),
                             expression=exp.Identifier(this=node.member, quoted=True))
            if base.fields is None:
                return Typed(member, ANY)
            if node.member not in base.fields:
                return null()  # a missing context entry is null
            return typed_column(member, base.fields[node.member])
        if base.kind in (DATE, DATE_TIME) and node.member in _TEMPORAL_PROPERTIES:
            extract = _TEMPORAL_PROPERTIES[node.member](this=base.sql)
            return Typed(exp.Cast(this=extract, to=NUMBER_TYPE.copy()), NUMBER)
        if base.kind == NULL:
            return null()
        raise self.unsupported(f"path '.{node.member}' on a {base.kind} value", node)

    # ---- operators -----------------------------------------------------------------------

    def arithmetic(self, node: ast.Arithmetic) -> Typed:
        return arithmetic(self, node)

    def negation(self, node: ast.Negation) -> Typed:
        if isinstance(node.operand, ast.Literal) and type(node.operand.value) is Decimal:
            return literal(-node.operand.value)
        value = self.expression(node.operand)
        if value.kind in (NUMBER, ANY):
            return Typed(exp.Neg(this=paren(value.sql)), value.kind)
        return null(NUMBER if value.kind == NULL else NULL)

    def comparison(self, node: ast.Comparison) -> Typed:
        return compare(node.op, self.expression(node.left), self.expression(node.right))

    def conjunction(self, node: ast.And) -> Typed:
        left, right = self.expression(node.left), self.expression(node.right)
        return Typed(and_(as_boolean(left), as_boolean(right)), BOOLEAN)

    def disjunction(self, node: ast.Or) -> Typed:
        left, right = self.expression(node.left), self.expression(node.right)
        return Typed(or_(as_boolean(left), as_boolean(right)), BOOLEAN)

    def between(self, node: ast.Between) -> Typed:
        value, low, high = (self.expression(n) for n in (node.value, node.low, node.high))
        if not (ordered(value, low) and ordered(value, high)):
            return null(BOOLEAN)  # not ordered (or a null literal): FEEL gives null
        any_null = or_(is_null(value.sql), is_null(low.sql), is_null(high.sql))
        inside = exp.Between(this=paren(value.sql), low=paren(low.sql), high=paren(high.sql))
        return Typed(case([(any_null, null(BOOLEAN).sql)], inside), BOOLEAN)

    def in_node(self, node: ast.In) -> Typed:
        value = self.expression(node.value)
        tests = [self.test(test, value).sql for test in node.tests]
        return Typed(or_(*tests), BOOLEAN)

    def if_node(self, node: ast.If) -> Typed:
        condition = as_boolean(self.expression(node.condition))
        then, otherwise = self.expression(node.then), self.expression(node.otherwise)
        try:
            kind = unify([then, otherwise], "if branches")
        except FeelSqlError as exc:
            raise FeelSqlError(f"{exc} ({self.where(node)})") from None
        if kind == NULL:
            return null()
        then_sql = then.sql if then.kind != NULL else null(kind).sql
        else_sql = otherwise.sql if otherwise.kind != NULL else null(kind).sql
        return Typed(case([(condition, then_sql)], else_sql), kind)

    def quantified(self, node: ast.Quantified) -> Typed:
        raise self.unsupported(f"{node.kind} expressions", node)

    def call(self, node: ast.Call) -> Typed:
        return call(self, node)


_HANDLERS: dict[type, Handler] = {
    ast.Literal: SqlCompiler.literal,
    ast.Name: SqlCompiler.name,
    ast.Path: SqlCompiler.path,
    ast.Arithmetic: SqlCompiler.arithmetic,
    ast.Negation: SqlCompiler.negation,
    ast.Comparison: SqlCompiler.comparison,
    ast.And: SqlCompiler.conjunction,
    ast.Or: SqlCompiler.disjunction,
    ast.Between: SqlCompiler.between,
    ast.In: SqlCompiler.in_node,
    ast.If: SqlCompiler.if_node,
    ast.Quantified: SqlCompiler.quantified,
    ast.Call: SqlCompiler.call,
}


# ---- public API -------------------------------------------------------------------------


def _names(columns: Mapping[str, exp.Expression] | None,
           types: Mapping[str, TypeSpec] | None, names: Iterable[str]) -> tuple[str, ...]:
    return (*(columns or {}), *(types or {}), *names)


def compile_expression_typed(text_or_node: str | ast.Node,
                             columns: Mapping[str, exp.Expression] | None = None, *,
                             names: Iterable[str] = (),
                             types: Mapping[str, TypeSpec] | None = None) -> Typed:
    """Like :func:`compile_expression_sql`, keeping the inferred FEEL kind."""
    if isinstance(text_or_node, str):
        node = parse_expression(text_or_node, _names(columns, types, names))
        return SqlCompiler(columns, types, text_or_node).expression(node)
    return SqlCompiler(columns, types).expression(text_or_node)


def compile_expression_sql(text_or_node: str | ast.Node,
                           columns: Mapping[str, exp.Expression] | None = None, *,
                           names: Iterable[str] = (),
                           types: Mapping[str, TypeSpec] | None = None) -> exp.Expression:
    """Compile a FEEL expression to a SQL expression.

    Args:
        text_or_node: FEEL text or an already parsed node.
        columns: SQL for each FEEL name; without it a name becomes a quoted column.
        names: further names in scope (so that names with spaces parse as one).
        types: declared FEEL types of the names (``"number"``, ``"string"``, ``"boolean"``,
            ``"date"``, ``"date and time"``, or a mapping of field types for a struct).
            With them the SQL reproduces FEEL's null results for values of different types;
            without them the SQL trusts that FEEL and SQL types agree.

    Raises:
        FeelSyntaxError: when the text does not parse.
        FeelSqlError: for a construct SQL cannot express, naming it and its position.

    >>> to_sql(compile_expression_sql("x / 0"))
    'CAST(NULL AS DECIMAL(38, 10))'
    """
    return compile_expression_typed(text_or_node, columns, names=names, types=types).sql


def compile_unary_tests_sql(text_or_node: str | ast.Node, input: exp.Expression, *,
                            columns: Mapping[str, exp.Expression] | None = None,
                            names: Iterable[str] = (),
                            types: Mapping[str, TypeSpec] | None = None,
                            input_type: TypeSpec | None = None) -> exp.Expression:
    """Compile FEEL unary tests (a decision table input entry) applied to ``input``.

    The result is a SQL boolean that is true, false or null exactly when FEEL's test is.
    ``input_type`` is the declared FEEL type of the input; other arguments are as for
    :func:`compile_expression_sql`.

    >>> to_sql(compile_unary_tests_sql("< 10, > 20", exp.column("x")))
    'x < 10 OR x > 20'
    """
    value = typed_column(input, input_type)
    if isinstance(text_or_node, str):
        node = parse_unary_tests(text_or_node, _names(columns, types, names))
        return SqlCompiler(columns, types, text_or_node).test(node, value).sql
    return SqlCompiler(columns, types).test(text_or_node, value).sql


def to_sql(expression: exp.Expression, dialect: str = "duckdb") -> str:
    """SQL text of ``expression`` in ``dialect`` (``"duckdb"`` or ``"spark"``)."""
    return expression.sql(dialect=dialect)
