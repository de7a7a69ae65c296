"""Typed SQL values for the FEEL-to-SQL compiler: FEEL kinds, literals, equality and ordering.

Every compiled FEEL expression is a :class:`Typed`: a sqlglot expression plus the FEEL kind
the compiler inferred for it. Kinds let the compiler reproduce FEEL's rules for values of
different types (DMN 1.5 clause 10.3.2.3): ``1 = "a"`` is null, ``null = "a"`` is false,
``true < false`` is null. SQL would reject or coerce those; FEEL never does.

Numbers compile to ``DECIMAL(38, 10)`` (see :data:`NUMBER_TYPE`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any, TypeAlias

from sqlglot import exp

from accord.errors import FeelSqlError
from accord.feel.sql_predicate import truthy

NUMBER = "number"
STRING = "string"
BOOLEAN = "boolean"
DATE = "date"
DATE_TIME = "date and time"
STRUCT = "context"
NULL = "null"
#: A value whose FEEL type the compiler does not know (a column without a declared type).
ANY = "Any"

#: Kinds SQL orders the way FEEL does (``Any`` is trusted to be one of them).
ORDERED = frozenset({NUMBER, STRING, DATE, DATE_TIME, ANY})

#: Fractional digits kept by SQL numbers. FEEL numbers have 34 significant digits; SQL
#: ``DECIMAL`` stops at 38, so results are exact while they fit 28 integer and 10 fractional
#: digits (products: below 10**18, because DuckDB multiplies at scale 20).
SCALE = 10
PRECISION = 38
NUMBER_TYPE = exp.DataType.build(f"DECIMAL({PRECISION}, {SCALE})")

SQL_TYPES: dict[str, exp.DataType] = {
    NUMBER: NUMBER_TYPE,
    STRING: exp.DataType.build("VARCHAR"),
    BOOLEAN: exp.DataType.build("BOOLEAN"),
    DATE: exp.DataType.build("DATE"),
    DATE_TIME: exp.DataType.build("TIMESTAMP"),
}

_WIDE = Context(prec=100)

#: FEEL type names (and the DMN 1.1 / XML Schema spellings) accepted as declared types.
KIND_NAMES: dict[str, str] = {
    "number": NUMBER, "integer": NUMBER, "decimal": NUMBER, "double": NUMBER,
    "string": STRING, "boolean": BOOLEAN, "date": DATE,
    "date and time": DATE_TIME, "dateTime": DATE_TIME, "Any": ANY,
}

#: A declared column type: a FEEL type name, or the fields of a struct column.
TypeSpec: TypeAlias = "str | Mapping[str, TypeSpec]"


@dataclass(frozen=True, slots=True)
class Typed:
    """A compiled FEEL value: its SQL expression and FEEL kind (``fields`` for structs)."""

    sql: exp.Expression
    kind: str
    fields: Mapping[str, TypeSpec] | None = None


def kind_of(spec: TypeSpec | None) -> str:
    """The kind of a declared type (``None`` is unknown)."""
    if spec is None:
        return ANY
    if not isinstance(spec, str):
        return STRUCT
    name = spec.removeprefix("feel:").removeprefix("FEEL:")
    kind = KIND_NAMES.get(name)
    if kind is None:
        raise FeelSqlError(f"type {spec!r} cannot be compiled to SQL")
    return kind


def typed_column(sql: exp.Expression, spec: TypeSpec | None) -> Typed:
    """A column (or struct field) of a declared type."""
    if spec is not None and not isinstance(spec, str):
        return Typed(sql, STRUCT, spec)
    return Typed(sql, kind_of(spec))


def null(kind: str = NULL) -> Typed:
    """A null of ``kind``; typed in SQL so that CASE branches and lists agree."""
    sql_type = SQL_TYPES.get(kind)
    if sql_type is None:
        return Typed(exp.Null(), NULL if kind == ANY else kind)
    return Typed(exp.Cast(this=exp.Null(), to=sql_type.copy()), kind)


def number(value: Decimal | int) -> exp.Expression:
    """An exact number literal (``DECIMAL(38, 10)`` once in arithmetic: :func:`as_decimal`).

    Raises:
        FeelSqlError: when the number needs more digits than ``DECIMAL(38, 10)`` holds.
    """
    value = Decimal(value)
    if not value.is_finite():
        raise FeelSqlError(f"number {value} cannot be compiled to SQL")
    exact = value.normalize(_WIDE)
    exponent = exact.as_tuple().exponent
    assert isinstance(exponent, int)
    if exact and exact.adjusted() >= PRECISION - SCALE:
        raise FeelSqlError(f"number {value} has more than {PRECISION - SCALE} integer digits, "
                           "which SQL DECIMAL(38, 10) cannot hold")
    if -exponent > SCALE:
        raise FeelSqlError(f"number {value} has more than {SCALE} fractional digits, "
                           "which SQL DECIMAL(38, 10) cannot hold")
    text = f"{exact:f}" if exact else "0"
    return exp.Literal.number(text)


def as_decimal(sql: exp.Expression) -> exp.Expression:
    """``sql`` as ``DECIMAL(38, 10)``: SQL integer literals overflow at 2**31, FEEL's never."""
    if isinstance(sql, exp.Cast) and sql.to.this == exp.DataType.Type.DECIMAL:
        return sql
    if isinstance(sql, exp.Column | exp.Dot | exp.Null):
        return sql
    return exp.Cast(this=sql, to=NUMBER_TYPE.copy())


def literal(value: Any) -> Typed:
    """A FEEL value as a SQL literal.

    Raises:
        FeelSqlError: for values SQL literals cannot hold (times, durations, lists, aware
            date-times ...).
    """
    if value is None:
        return Typed(exp.Null(), NULL)
    if type(value) is bool:
        return Typed(exp.Boolean(this=value), BOOLEAN)
    if type(value) is Decimal:
        return Typed(number(value), NUMBER)
    if type(value) is str:
        return Typed(exp.Literal.string(value), STRING)
    if type(value) is dt.date:
        return Typed(_cast_string(value.isoformat(), DATE), DATE)
    if type(value) is dt.datetime and value.tzinfo is None:
        return Typed(_cast_string(value.isoformat(sep=" "), DATE_TIME), DATE_TIME)
    what = type(value).__name__
    if isinstance(value, dt.datetime):
        what = "date and time with a time zone"
    raise FeelSqlError(f"a {what} value cannot be compiled to SQL")


def _cast_string(text: str, kind: str) -> exp.Expression:
    return exp.Cast(this=exp.Literal.string(text), to=SQL_TYPES[kind].copy())


# ---- helpers on SQL trees ---------------------------------------------------------------


def true() -> exp.Expression:
    return exp.Boolean(this=True)


def false() -> exp.Expression:
    return exp.Boolean(this=False)


def never_null(sql: exp.Expression) -> bool:
    """Whether ``sql`` is a literal that is not null (so null checks on it fold away)."""
    if isinstance(sql, exp.Cast):
        sql = sql.this
    if isinstance(sql, exp.Neg):
        sql = sql.this
    return isinstance(sql, exp.Literal | exp.Boolean)


def is_null(sql: exp.Expression) -> exp.Expression:
    """``sql IS NULL``."""
    if never_null(sql):
        return false()
    if isinstance(sql, exp.Null):
        return true()
    return exp.Is(this=_paren(sql), expression=exp.Null())


def not_null(sql: exp.Expression) -> exp.Expression:
    """``sql IS NOT NULL``."""
    return negate(is_null(sql))


def negate(sql: exp.Expression) -> exp.Expression:
    """``NOT sql`` (Kleene: null stays null)."""
    if isinstance(sql, exp.Boolean):
        return exp.Boolean(this=not sql.this)
    return exp.Not(this=_paren(sql))


def is_true(sql: exp.Expression) -> exp.Expression:
    """``COALESCE(sql, FALSE)``: true only when ``sql`` is true (portable ``IS TRUE``)."""
    if _never_null_boolean(sql):
        return sql
    return exp.Coalesce(this=sql, expressions=[false()])


def _never_null_boolean(sql: exp.Expression) -> bool:
    if isinstance(sql, exp.Boolean | exp.NullSafeEQ | exp.NullSafeNEQ | exp.Is
                  | exp.Coalesce):
        return not isinstance(sql, exp.Coalesce) or isinstance(sql.expressions[-1], exp.Boolean)
    if isinstance(sql, exp.And | exp.Or):
        return _never_null_boolean(sql.this) and _never_null_boolean(sql.expression)
    if isinstance(sql, exp.Not | exp.Paren):
        return _never_null_boolean(sql.this)
    return False


def case(whens: Sequence[tuple[exp.Expression, exp.Expression]],
         default: exp.Expression | None = None) -> exp.Expression:
    """``CASE WHEN c1 THEN v1 ... ELSE default END``; constant conditions fold away, and
    each condition is rewritten for a ``WHEN`` (:func:`accord.feel.sql_predicate.truthy`)."""
    node = exp.Case()
    for exact, value in whens:
        condition = truthy(exact.copy())  # the rewrite reuses its nodes; exact may be shared
        if isinstance(condition, exp.Boolean):
            if not condition.this:
                continue
            if not node.args.get("ifs"):
                return value
            return node.else_(value, copy=False)
        node = node.when(condition, value, copy=False)
    if not node.args.get("ifs"):
        return default if default is not None else exp.Null()
    if default is not None:
        node = node.else_(default, copy=False)
    return node


def _connect(conditions: Sequence[exp.Expression], unit: bool,
             connector: type[exp.Expression]) -> exp.Expression:
    # ``unit`` (TRUE for AND) drops out; its opposite decides the result (Kleene logic)
    kept: list[exp.Expression] = []
    for condition in conditions:
        if isinstance(condition, exp.Boolean):
            if condition.this == unit:
                continue
            return exp.Boolean(this=not unit)
        kept.append(condition)
    if not kept:
        return exp.Boolean(this=unit)
    if len(kept) == 1:
        return kept[0]
    result = _group(kept[0])
    for condition in kept[1:]:
        result = connector(this=result, expression=_group(condition))
    return result


def _group(sql: exp.Expression) -> exp.Expression:
    return exp.Paren(this=sql) if isinstance(sql, exp.Connector) else sql


def and_(*conditions: exp.Expression) -> exp.Expression:
    """Kleene conjunction of the conditions (``TRUE`` for none)."""
    return _connect(conditions, True, exp.And)


def or_(*conditions: exp.Expression) -> exp.Expression:
    """Kleene disjunction of the conditions (``FALSE`` for none)."""
    return _connect(conditions, False, exp.Or)


def paren(sql: exp.Expression) -> exp.Expression:
    """``sql`` parenthesised as an operand of arithmetic or negation (sqlglot trees carry no
    precedence of their own)."""
    if isinstance(sql, exp.Binary | exp.Connector | exp.Not | exp.Predicate | exp.Neg):
        return exp.Paren(this=sql)
    return sql


def _paren(sql: exp.Expression) -> exp.Expression:
    """``sql`` parenthesised as an operand of a comparison, ``IS`` or ``NOT``."""
    if isinstance(sql, exp.Connector | exp.Not | exp.Predicate):
        return exp.Paren(this=sql)
    return sql


# ---- FEEL equality and ordering (DMN 1.5 clause 10.3.2.3) -------------------------------


def compatible(a: str, b: str) -> bool:
    """Whether values of kinds ``a`` and ``b`` may be of the same FEEL type."""
    return a in (b, ANY) or b == ANY


def unify(kinds: Sequence[Typed], what: str) -> str:
    """The common kind of values SQL puts in one column (CASE branches, list items).

    Raises:
        FeelSqlError: when two of them are of different known kinds.
    """
    known = {t.kind for t in kinds} - {NULL, ANY}
    if len(known) > 1:
        raise FeelSqlError(f"{what} of different types ({', '.join(sorted(known))}) "
                           "cannot be compiled to SQL")
    if known:
        return known.pop()
    return ANY if any(t.kind == ANY for t in kinds) else NULL


def equal(a: Typed, b: Typed) -> Typed:
    """FEEL ``a = b``: ``null = null`` is true, ``x = null`` false, different types null."""
    if a.kind == NULL and b.kind == NULL:
        return Typed(true(), BOOLEAN)
    if a.kind == NULL:
        return Typed(is_null(b.sql), BOOLEAN)
    if b.kind == NULL:
        return Typed(is_null(a.sql), BOOLEAN)
    folded = _fold(a, b)
    if folded is not None:
        return Typed(exp.Boolean(this=folded == 0), BOOLEAN)
    if compatible(a.kind, b.kind):
        return Typed(exp.NullSafeEQ(this=_paren(a.sql), expression=_paren(b.sql)), BOOLEAN)
    both = and_(is_null(a.sql), is_null(b.sql))
    either = or_(is_null(a.sql), is_null(b.sql))
    return Typed(case([(both, true()), (either, false())], null(BOOLEAN).sql), BOOLEAN)


def not_equal(a: Typed, b: Typed) -> Typed:
    """FEEL ``a != b``: the negation of ``=``, null staying null."""
    if compatible(a.kind, b.kind) and NULL not in (a.kind, b.kind):
        return Typed(exp.NullSafeNEQ(this=_paren(a.sql), expression=_paren(b.sql)), BOOLEAN)
    return Typed(negate(equal(a, b).sql), BOOLEAN)


_ORDERING: dict[str, type[exp.Expression]] = {
    "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE,
}


def ordered(a: Typed, b: Typed) -> bool:
    """Whether SQL ordering of ``a`` and ``b`` agrees with FEEL's (else FEEL gives null)."""
    return compatible(a.kind, b.kind) and a.kind in ORDERED and b.kind in ORDERED


def order(op: str, a: Typed, b: Typed) -> Typed:
    """FEEL ``<``, ``<=``, ``>``, ``>=``: null when either side is null or not ordered."""
    if not ordered(a, b):
        return null(BOOLEAN)
    folded = _fold(a, b)
    if folded is not None:
        return Typed(exp.Boolean(this=_ORDER_RESULTS[op](folded)), BOOLEAN)
    return Typed(_ORDERING[op](this=_paren(a.sql), expression=_paren(b.sql)), BOOLEAN)


_ORDER_RESULTS = {
    "<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0,
}


def _fold(a: Typed, b: Typed) -> int | None:
    """Compare two number or string literals at compile time: -1, 0, 1, or ``None``."""
    if a.kind != b.kind or a.kind not in (NUMBER, STRING):
        return None
    if not (isinstance(a.sql, exp.Literal) and isinstance(b.sql, exp.Literal)):
        return None
    x: Any = a.sql.this if a.kind == STRING else Decimal(a.sql.this)
    y: Any = b.sql.this if b.kind == STRING else Decimal(b.sql.this)
    return -1 if x < y else (1 if x > y else 0)


def compare(op: str, a: Typed, b: Typed) -> Typed:
    """Any FEEL comparison operator."""
    if op == "=":
        return equal(a, b)
    if op == "!=":
        return not_equal(a, b)
    return order(op, a, b)


def as_boolean(value: Typed) -> exp.Expression:
    """The SQL boolean FEEL's ``and``/``or``/``not``/``if`` see: non-booleans are null."""
    if value.kind in (BOOLEAN, ANY):
        return value.sql
    return null(BOOLEAN).sql
