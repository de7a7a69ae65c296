"""Conditions rewritten for where SQL reads them: a ``WHEN``, ``WHERE`` or ``FILTER``.

The compiler keeps FEEL's three-valued results exactly: a match is ``COALESCE(test, FALSE)``,
equality with a value is ``IS NOT DISTINCT FROM`` (FEEL's ``null = "a"`` is false, not
null). Where SQL only asks "is it true?", null and false act alike, and the exact forms cost
time: DuckDB evaluates the wrapper and cannot use its fast paths for ``=`` and ``IN``
(the 50-rule benchmark table ran 2.5 times slower than a hand-written ``CASE``). This pass
rewrites a condition to a cheaper one that is true on exactly the same rows:

* ``truthy(c)`` is true exactly where ``c`` is true (null may become false or the reverse);
* ``falsy(c)`` is false exactly where ``c`` is false (what ``NOT c`` needs to stay exact).

``AND`` and ``OR`` pass either requirement to their operands (``a AND b`` is true iff both
are, false iff either is); ``NOT`` swaps them. At the leaves, ``COALESCE(c, FALSE)`` and
``c IS TRUE`` are ``c`` where only truth matters, and ``x IS NOT DISTINCT FROM 'a'`` is
``x = 'a'`` (they differ only when ``x`` is null, where one is false and the other null).
Equalities of one operand with several values become ``IN``, exact in both directions; a
``CASE`` that can only give true (or else false or null) is the disjunction of its
conditions.

>>> import sqlglot
>>> where = sqlglot.parse_one(
...     "COALESCE(x IS NOT DISTINCT FROM 'a' OR x IS NOT DISTINCT FROM 'b', FALSE)")
>>> truthy(where).sql()
"x IN ('a', 'b')"
>>> truthy(sqlglot.parse_one("NOT (x IS NOT DISTINCT FROM 'a')")).sql()
"NOT (x IS NOT DISTINCT FROM 'a')"
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

__all__ = ["falsy", "truthy"]


def truthy(condition: exp.Expression) -> exp.Expression:
    """A condition true on exactly the rows where ``condition`` is true."""
    return _rewrite(condition, want_true=True)


def falsy(condition: exp.Expression) -> exp.Expression:
    """A condition false on exactly the rows where ``condition`` is false."""
    return _rewrite(condition, want_true=False)


def _rewrite(node: exp.Expression, want_true: bool) -> exp.Expression:
    handler = _HANDLERS.get(type(node))
    return handler(node, want_true) if handler is not None else node


def _paren(node: exp.Expression, want_true: bool) -> exp.Expression:
    inner = _rewrite(node.this, want_true)
    return exp.Paren(this=inner) if isinstance(inner, exp.Connector) else inner


def _connector(node: exp.Expression, want_true: bool) -> exp.Expression:
    kind = type(node)
    operands = [_rewrite(operand, want_true) for operand in _operands(node, kind)]
    if kind is exp.Or:
        operands = _as_in(operands)
    if len(operands) == 1:
        return operands[0]
    result = _group(operands[0])
    for operand in operands[1:]:
        result = kind(this=result, expression=_group(operand))
    return result


def _operands(node: exp.Expression, kind: type[exp.Expression]) -> list[exp.Expression]:
    """The operands of a chain of one connector, through parentheses (``a OR (b OR c)``)."""
    found: list[exp.Expression] = []
    stack = [node]
    while stack:
        current = stack.pop()
        while isinstance(current, exp.Paren):
            current = current.this
        if type(current) is kind:
            stack.extend((current.expression, current.this))
        else:
            found.append(current)
    return found


def _group(node: exp.Expression) -> exp.Expression:
    return exp.Paren(this=node) if isinstance(node, exp.Connector) else node


def _as_in(operands: list[exp.Expression]) -> list[exp.Expression]:
    """Equalities of one operand with values, merged into ``IN`` (first one's position)."""
    groups: dict[str, list[exp.Expression]] = {}
    kinds: dict[str, type[exp.Expression]] = {}
    for operand in operands:
        key = _equality_key(operand)
        if key is not None:
            groups.setdefault(key[0], []).append(operand)
            kinds[key[0]] = key[1]
    merged: list[exp.Expression] = []
    done: set[str] = set()
    for operand in operands:
        key = _equality_key(operand)
        if key is None or len(groups[key[0]]) == 1:
            merged.append(operand)
            continue
        if key[0] in done:
            continue
        done.add(key[0])
        members = groups[key[0]]
        values = [v for m in members for v in _values(m)]
        found = exp.In(this=members[0].this.copy(), expressions=[v.copy() for v in values])
        # ``x IS NOT DISTINCT FROM v`` is never null; ``x IN (...)`` is null for a null x
        merged.append(found if kinds[key[0]] is not exp.NullSafeEQ
                      else exp.Coalesce(this=found, expressions=[exp.false()]))
    return merged


def _equality_key(node: exp.Expression) -> tuple[str, type[exp.Expression]] | None:
    if isinstance(node, exp.EQ | exp.NullSafeEQ) and _constant(node.expression):
        return f"{type(node).__name__}:{node.this.sql()}", type(node)
    if isinstance(node, exp.In) and not node.args.get("query") and \
            all(_constant(v) for v in node.expressions):
        return f"EQ:{node.this.sql()}", exp.EQ
    return None


def _values(node: exp.Expression) -> list[exp.Expression]:
    return list(node.expressions) if isinstance(node, exp.In) else [node.expression]


def _constant(node: exp.Expression) -> bool:
    """A value that is never null: a literal, or a cast of one."""
    if isinstance(node, exp.Literal | exp.Boolean):
        return True
    return isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal)


def _not(node: exp.Expression, want_true: bool) -> exp.Expression:
    inner = _rewrite(node.this, not want_true)
    return exp.Not(this=inner if isinstance(inner, exp.Paren | exp.Column | exp.Boolean)
                   else exp.Paren(this=inner))


def _coalesce(node: exp.Expression, want_true: bool) -> exp.Expression:
    rest = node.expressions
    if want_true and len(rest) == 1 and isinstance(rest[0], exp.Boolean) and not rest[0].this:
        return _rewrite(node.this, True)  # COALESCE(c, FALSE) is true where c is
    return node


def _is(node: exp.Expression, want_true: bool) -> exp.Expression:
    if want_true and isinstance(node.expression, exp.Boolean) and node.expression.this:
        return _rewrite(node.this, True)  # c IS TRUE is true where c is
    return node


def _case(node: exp.Expression, want_true: bool) -> exp.Expression:
    """A CASE whose every branch gives TRUE, and otherwise false or null, is true where any
    condition is (a FIRST table of boolean rules, as an eligibility table often is)."""
    ifs = node.args.get("ifs") or []
    default = node.args.get("default")
    if not want_true or not ifs or not all(_is_true(i.args.get("true")) for i in ifs) or \
            not (default is None or _is_false_or_null(default)):
        return node
    conditions = [i.this for i in ifs]
    if len(conditions) == 1:
        return _rewrite(conditions[0], True)
    either: exp.Expression = exp.Or(this=conditions[0], expression=conditions[1])
    for condition in conditions[2:]:
        either = exp.Or(this=either, expression=condition)
    return _connector(either, True)


def _is_true(node: exp.Expression | None) -> bool:
    return isinstance(node, exp.Boolean) and bool(node.this)


def _is_false_or_null(node: exp.Expression) -> bool:
    if isinstance(node, exp.Cast):
        node = node.this
    return isinstance(node, exp.Null) or (isinstance(node, exp.Boolean) and not node.this)


def _null_safe_eq(node: exp.Expression, want_true: bool) -> exp.Expression:
    if want_true and _constant(node.expression):
        return exp.EQ(this=node.this, expression=node.expression)
    if want_true and _constant(node.this):
        return exp.EQ(this=node.expression, expression=node.this)
    return node


_HANDLERS: dict[type[exp.Expression], Callable[[exp.Expression, bool], exp.Expression]] = {
    exp.Paren: _paren,
    exp.And: _connector,
    exp.Or: _connector,
    exp.Not: _not,
    exp.Coalesce: _coalesce,
    exp.Is: _is,
    exp.Case: _case,
    exp.NullSafeEQ: _null_safe_eq,
}
