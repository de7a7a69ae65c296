"""FEEL abstract syntax tree.

Every node is a frozen dataclass with ``pos``, the offset of its first character in the source,
so that later passes (type checks, the SQL compiler) can point at the text they reject.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    """Base of all FEEL nodes."""

    pos: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A constant: number, string, boolean, null or a temporal ``@"..."`` literal."""

    value: Any


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A variable reference (may contain spaces: ``Applicant Age``). ``?`` is the input."""

    name: str


@dataclass(frozen=True, slots=True)
class Path(Node):
    """``base.member``: a context entry, a temporal property, or mapped over a list."""

    base: Node
    member: str


@dataclass(frozen=True, slots=True)
class Filter(Node):
    """``base[condition]``: an index when the condition is a number, else a boolean filter."""

    base: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """Function invocation with positional or named arguments (never both)."""

    function: Node
    args: tuple[Node, ...]
    named: tuple[tuple[str, Node], ...] | None = None


@dataclass(frozen=True, slots=True)
class Negation(Node):
    """Arithmetic negation ``-x``."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    """``+ - * / **``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    """``= != < <= > >=``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class And(Node):
    """Ternary-logic conjunction."""

    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or(Node):
    """Ternary-logic disjunction."""

    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between(Node):
    """``value between low and high`` (both ends inclusive)."""

    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class In(Node):
    """``value in test`` or ``value in (test, test)``: the tests are positive unary tests."""

    value: Node
    tests: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class TypeRef(Node):
    """A FEEL type: a name (``number``, ``date and time``, an item definition) or a
    parameterised type (``list<number>``, ``context<a: string>``, ``range<date>``,
    ``function<number> -> string``)."""

    name: str
    params: tuple[TypeRef, ...] = ()
    fields: tuple[tuple[str, TypeRef], ...] = ()
    result: TypeRef | None = None


@dataclass(frozen=True, slots=True)
class InstanceOf(Node):
    """``value instance of type``."""

    value: Node
    type: TypeRef


@dataclass(frozen=True, slots=True)
class If(Node):
    """``if c then a else b``: anything but ``true`` takes the else branch."""

    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Iteration(Node):
    """One ``name in domain`` clause of ``for``/``some``/``every``. ``end`` makes a numeric
    range domain (``for i in 1..3``)."""

    name: str
    domain: Node
    end: Node | None = None


@dataclass(frozen=True, slots=True)
class For(Node):
    """``for i in xs, j in ys return body``; ``partial`` holds the results so far."""

    iterations: tuple[Iteration, ...]
    body: Node


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    """``some``/``every`` ``x in xs satisfies condition``."""

    kind: str
    iterations: tuple[Iteration, ...]
    condition: Node


@dataclass(frozen=True, slots=True)
class ListNode(Node):
    """``[a, b, c]``."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ContextNode(Node):
    """``{a: 1, "b c": a + 1}``: later entries see earlier ones."""

    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class RangeNode(Node):
    """``[a..b]``, ``(a..b)``, ``]a..b[`` and the unary forms ``< b`` (no start)."""

    start_closed: bool
    start: Node | None
    end: Node | None
    end_closed: bool
    test: str | None = None  # the unary test it was written as: ``<``, ``=``, ``!=`` ...


@dataclass(frozen=True, slots=True)
class FunctionDef(Node):
    """``function(a, b: number) body`` or ``function(x) external {...}``."""

    params: tuple[tuple[str, TypeRef | None], ...]
    body: Node
    external: bool = False


# ---- unary tests (decision table input entries, ``in``) ---------------------------------


@dataclass(frozen=True, slots=True)
class AnyTest(Node):
    """``-``: matches every input."""


@dataclass(frozen=True, slots=True)
class UnaryComparison(Node):
    """``< 5``, ``>= date("2020-01-01")``, ``= x``, ``!= x``: compares the input with
    ``operand``."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class ExpressionTest(Node):
    """A positive unary test written as an expression: equality with the input, membership
    of a list or range, or a boolean when it mentions ``?``."""

    expression: Node
    uses_input: bool


@dataclass(frozen=True, slots=True)
class UnaryTests(Node):
    """A comma-separated disjunction of positive unary tests, possibly negated by ``not(...)``."""

    tests: tuple[Node, ...]
    negated: bool = False


def children(node: Node) -> Iterator[Node]:
    """The nodes directly inside ``node``, including those held in tuples and in pairs
    (context entries, named arguments, typed parameters): the one traversal every pass
    over the tree uses."""
    for slot in node.__slots__:  # every node is a slotted dataclass
        value = getattr(node, slot)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, Node):
                yield item
            elif isinstance(item, tuple):
                yield from (part for part in item if isinstance(part, Node))


def names(node: Node) -> set[str]:
    """Every variable name ``node`` reads (function names of calls included)."""
    if isinstance(node, Name):
        return {node.name}
    return set().union(*(names(child) for child in children(node)))
