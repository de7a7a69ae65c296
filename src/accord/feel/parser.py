"""FEEL parser: tokens to :mod:`accord.feel.ast` (DMN 1.5 clause 10.3.1.2).

A recursive-descent parser with one method per precedence level, lowest first::

    textual      for / some / every / if / function definition / disjunction
    disjunction  a or b
    conjunction  a and b
    comparison   = != < <= > >=, between, in
    additive     + -
    multiplicative * /
    exponent     **
    unary        -x
    instance of  x instance of T
    postfix      x.member, x[filter], f(args)
    primary      literals, names, (...), [...], {...}, @"..."

Limits keep hostile or runaway text from exhausting the stack of the parser, the
interpreter or the SQL generator: at most :data:`MAX_LENGTH` characters, parentheses,
lists, contexts, calls and textual expressions nested at most :data:`MAX_NESTING` deep, and
a tree at most :data:`MAX_DEPTH` deep (``a and b and c ...`` chains count one level per
operator). Beyond them the text is refused with a :class:`~accord.errors.FeelSyntaxError`
naming the position.

Names may contain spaces, keywords and a few symbols (``date and time``, ``Loan-To-Value``).
The parser joins name tokens greedily, preferring the longest name known in scope (the names
it is given plus built-ins plus names the expression itself introduces: context keys,
iteration variables, function parameters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from accord.errors import FeelSyntaxError
from accord.feel import ast
from accord.feel.lexer import EOF, NAME, NUMBER, OP, STRING, Token, tokenize

#: Words that end a name: they always mean the operator or clause keyword.
_STOP_WORDS = frozenset({"and", "or", "then", "else", "return", "satisfies", "in", "between",
                         "instance", "if", "for", "some", "every", "function", "external"})
_COMPARISON_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_NAME_SYMBOLS = frozenset({"'", ".", "/", "-", "+", "*"})
_BUILTIN_TYPE_NAMES = ("date and time", "days and time duration", "years and months duration")
_AT_DURATION = re.compile(r"^-?P")
_AT_DATE_TIME = re.compile(r"^-?\d{4,9}-\d\d-\d\dT")
_AT_DATE = re.compile(r"^-?\d{4,9}-\d\d-\d\d$")

#: Longest FEEL text parsed, in characters (the longest in the DMN TCK is about 200).
MAX_LENGTH = 20_000
#: Deepest nesting of expressions inside one another while parsing (parentheses, lists,
#: contexts, arguments, ``if``/``for`` parts, negations).
MAX_NESTING = 50
#: Deepest tree a text may parse to (a chain of ``and``, ``or``, ``+`` ... is as deep as it
#: is long; SQL generation recurses once per level).
MAX_DEPTH = 100


@lru_cache(maxsize=8192)
def _name_parts(name: str) -> tuple[str, ...]:
    """The tokens of a known name (cached: every parse knows the built-ins and the same
    input names, and tokenizing them again dominated compiling a table's cells)."""
    try:
        return tuple(t.text for t in tokenize(name)[:-1])
    except FeelSyntaxError:
        return ()


class Parser:
    """Parses one FEEL text. Use :func:`parse_expression` or :func:`parse_unary_tests`."""

    def __init__(self, text: str, names: Iterable[str] = ()) -> None:
        self.text = text
        if len(text) > MAX_LENGTH:
            raise FeelSyntaxError(f"expression too long ({len(text):,} characters; at most "
                                  f"{MAX_LENGTH:,})", text, MAX_LENGTH)
        self.tokens = tokenize(text)
        self.index = 0
        self.nesting = 0
        self.known: dict[str, list[tuple[str, ...]]] = {}
        for name in (*_builtin_names(), *names):
            self._know(name)

    # ---- token helpers -------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != EOF:
            self.index += 1
        return token

    def at_op(self, *ops: str) -> bool:
        return self.tok.kind == OP and self.tok.text in ops

    def at_word(self, *words: str) -> bool:
        return self.tok.kind == NAME and self.tok.text in words

    def expect_op(self, op: str) -> Token:
        if not self.at_op(op):
            self.fail(f"unexpected {self._describe(self.tok)}", f"'{op}'")
        return self.advance()

    def expect_word(self, word: str) -> Token:
        if not self.at_word(word):
            self.fail(f"unexpected {self._describe(self.tok)}", f"'{word}'")
        return self.advance()

    def fail(self, message: str, expected: str = "", token: Token | None = None) -> None:
        raise FeelSyntaxError(message, self.text, (token or self.tok).pos, expected)

    @staticmethod
    def _describe(token: Token) -> str:
        if token.kind == EOF:
            return "end of expression"
        if token.kind == STRING:
            return "string"
        return f"'{token.text}'"

    def _know(self, name: str) -> None:
        parts = _name_parts(name)
        if parts:
            bucket = self.known.setdefault(parts[0], [])
            if parts not in bucket:
                bucket.append(parts)
                bucket.sort(key=len, reverse=True)

    # ---- entry points --------------------------------------------------------------------

    def parse_expression_text(self) -> ast.Node:
        if self.tok.kind == EOF:
            self.fail("empty expression", "an expression")
        node = self.expression()
        if self.tok.kind != EOF:
            self.fail(f"unexpected {self._describe(self.tok)}", "end of expression")
        return self._shallow(node)

    def _shallow(self, root: ast.Node) -> ast.Node:
        """``root``, unless its tree is deeper than :data:`MAX_DEPTH` (checked without
        recursion: the point is not to recurse that deep)."""
        stack = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise FeelSyntaxError(f"expression nested too deep (more than {MAX_DEPTH} "
                                      "levels of operators; split it into named parts)",
                                      self.text, node.pos)
            stack.extend((child, depth + 1) for child in ast.children(node))
        return root

    def _enter(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            self.fail(f"expression nested too deep (more than {MAX_NESTING} levels)")

    def parse_unary_tests_text(self) -> ast.Node:
        start = self.tok.pos
        if self.tok.kind == EOF:
            self.fail("empty unary test", "'-' or a unary test")
        if self.at_op("-") and self.peek().kind == EOF:
            self.advance()
            return ast.AnyTest(start)
        if self.at_word("not") and self.peek().kind == OP and self.peek().text == "(":
            saved = self.index
            self.advance()
            self.advance()
            tests = self.positive_unary_tests()
            if self.at_op(")") and self.peek().kind == EOF:
                self.advance()
                return self._shallow(ast.UnaryTests(start, tuple(tests), negated=True))
            self.index = saved  # ``not(x) = y`` is an expression, not a negated test list
        tests = self.positive_unary_tests()
        if self.tok.kind != EOF:
            self.fail(f"unexpected {self._describe(self.tok)}", "',' or end of unary tests")
        return self._shallow(ast.UnaryTests(start, tuple(tests)))

    def positive_unary_tests(self) -> list[ast.Node]:
        tests = [self.positive_unary_test()]
        while self.at_op(","):
            self.advance()
            tests.append(self.positive_unary_test())
        return tests

    def positive_unary_test(self) -> ast.Node:
        start = self.tok.pos
        if self.tok.kind == OP and self.tok.text in _COMPARISON_OPS:
            op = self.advance().text
            return ast.UnaryComparison(start, op, self.additive())
        expr = self.expression()
        return ast.ExpressionTest(start, expr, _uses_input(expr))

    # ---- textual expressions -------------------------------------------------------------

    def expression(self) -> ast.Node:
        self._enter()
        try:
            if self.tok.kind == NAME:
                handler = _TEXTUAL.get(self.tok.text)
                if handler is not None and not self._starts_known_name():
                    return handler(self)
            return self.disjunction()
        finally:
            self.nesting -= 1

    def _starts_known_name(self) -> bool:
        # ``if`` followed by ``(`` could still be a function named "if ..."; only known names
        # longer than the keyword itself take precedence.
        return len(self._match_known(self.index)) > 1

    def if_expression(self) -> ast.Node:
        start = self.advance().pos
        condition = self.expression()
        self.expect_word("then")
        then = self.expression()
        self.expect_word("else")
        return ast.If(start, condition, then, self.expression())

    def for_expression(self) -> ast.Node:
        start = self.advance().pos
        iterations = self.iterations()
        self.expect_word("return")
        self._know("partial")
        return ast.For(start, iterations, self.expression())

    def quantified_expression(self) -> ast.Node:
        token = self.advance()
        iterations = self.iterations()
        self.expect_word("satisfies")
        return ast.Quantified(token.pos, token.text, iterations, self.expression())

    def iterations(self) -> tuple[ast.Iteration, ...]:
        result = []
        while True:
            start = self.tok.pos
            name = self.name_text()
            self.expect_word("in")
            domain = self.expression()
            end = None
            if self.at_op(".."):
                self.advance()
                end = self.expression()
            self._know(name)
            result.append(ast.Iteration(start, name, domain, end))
            if not self.at_op(","):
                return tuple(result)
            self.advance()

    def function_definition(self) -> ast.Node:
        start = self.advance().pos
        self.expect_op("(")
        params: list[tuple[str, ast.TypeRef | None]] = []
        while not self.at_op(")"):
            name = self.name_text()
            type_ref = None
            if self.at_op(":"):
                self.advance()
                type_ref = self.type_ref()
            params.append((name, type_ref))
            self._know(name)
            if not self.at_op(","):
                break
            self.advance()
        self.expect_op(")")
        external = False
        if self.at_word("external"):
            self.advance()
            external = True
        return ast.FunctionDef(start, tuple(params), self.expression(), external)

    # ---- operators -----------------------------------------------------------------------

    def disjunction(self) -> ast.Node:
        node = self.conjunction()
        while self.at_word("or"):
            token = self.advance()
            node = ast.Or(token.pos, node, self.conjunction())
        return node

    def conjunction(self) -> ast.Node:
        node = self.comparison()
        while self.at_word("and"):
            token = self.advance()
            node = ast.And(token.pos, node, self.comparison())
        return node

    def comparison(self) -> ast.Node:
        node = self.additive()
        while True:
            token = self.tok
            if token.kind == OP and token.text in _COMPARISON_OPS:
                self.advance()
                node = ast.Comparison(token.pos, token.text, node, self.additive())
            elif self.at_word("between"):
                self.advance()
                low = self.additive()
                self.expect_word("and")
                node = ast.Between(token.pos, node, low, self.additive())
            elif self.at_word("in"):
                self.advance()
                node = ast.In(token.pos, node, self.in_tests())
            else:
                return node

    def in_tests(self) -> tuple[ast.Node, ...]:
        if self.at_op("(") and not self._paren_is_range():
            self.advance()
            tests = self.positive_unary_tests()
            self.expect_op(")")
            return tuple(tests)
        start = self.tok.pos
        if self.tok.kind == OP and self.tok.text in _COMPARISON_OPS:
            op = self.advance().text
            return (ast.UnaryComparison(start, op, self.additive()),)
        expr = self.additive()
        return (ast.ExpressionTest(start, expr, _uses_input(expr)),)

    def _paren_is_range(self) -> bool:
        depth = 0
        for token in self.tokens[self.index:]:
            if token.kind != OP:
                continue
            if token.text in "([{":
                depth += 1
            elif token.text in ")]}":
                depth -= 1
                if depth <= 0:
                    return False
            elif depth == 1 and token.text == "..":
                return True
            elif depth == 1 and token.text == ",":
                return False
        return False

    def additive(self) -> ast.Node:
        node = self.multiplicative()
        while self.at_op("+", "-"):
            token = self.advance()
            node = ast.Arithmetic(token.pos, token.text, node, self.multiplicative())
        return node

    def multiplicative(self) -> ast.Node:
        node = self.exponent()
        while self.at_op("*", "/"):
            token = self.advance()
            node = ast.Arithmetic(token.pos, token.text, node, self.exponent())
        return node

    def exponent(self) -> ast.Node:
        node = self.unary()
        while self.at_op("**"):
            token = self.advance()
            node = ast.Arithmetic(token.pos, "**", node, self.unary())
        return node

    def unary(self) -> ast.Node:
        if self.at_op("-"):
            token = self.advance()
            self._enter()
            try:
                return ast.Negation(token.pos, self.unary())
            finally:
                self.nesting -= 1
        return self.instance_of()

    def instance_of(self) -> ast.Node:
        node = self.postfix()
        while self.at_word("instance") and self.peek().text == "of":
            token = self.advance()
            self.advance()
            node = ast.InstanceOf(token.pos, node, self.type_ref())
        return node

    def type_ref(self) -> ast.TypeRef:
        start = self.tok.pos
        if self.at_word("function") and self.peek().text == "<":
            self.advance()
            self.advance()
            params = []
            while not self.at_op(">"):
                params.append(self.type_ref())
                if not self.at_op(","):
                    break
                self.advance()
            self.expect_op(">")
            self.expect_op("-")
            self.expect_op(">")
            return ast.TypeRef(start, "function", tuple(params), result=self.type_ref())
        name = self._type_name()
        if name in ("list", "range") and self.at_op("<"):
            self.advance()
            inner = self.type_ref()
            self.expect_op(">")
            return ast.TypeRef(start, name, (inner,))
        if name == "context" and self.at_op("<"):
            self.advance()
            fields = []
            while not self.at_op(">"):
                key = self.name_text()
                self.expect_op(":")
                fields.append((key, self.type_ref()))
                if not self.at_op(","):
                    break
                self.advance()
            self.expect_op(">")
            return ast.TypeRef(start, "context", fields=tuple(fields))
        return ast.TypeRef(start, name)

    def _type_name(self) -> str:
        for name in _BUILTIN_TYPE_NAMES:
            words = name.split()
            if all(self.peek(i).text == w for i, w in enumerate(words)):
                self.index += len(words)
                return name
        parts = [self.name_text()]
        while self.at_op(".") and self.peek().kind == NAME:  # qualified: ``tns.tPerson``
            self.advance()
            parts.append(self.name_text())
        return ".".join(parts)

    # ---- postfix and primary -------------------------------------------------------------

    def postfix(self) -> ast.Node:
        node = self.primary()
        while True:
            token = self.tok
            if self.at_op(".") and self.peek().kind == NAME:
                self.advance()
                node = ast.Path(token.pos, node, self.name_text())
            elif self.at_op("[") and self._starts_expression(self.peek()):
                self.advance()
                condition = self.expression()
                self.expect_op("]")
                node = ast.Filter(token.pos, node, condition)
            elif self.at_op("("):
                node = self.invocation(node)
            else:
                return node

    @staticmethod
    def _starts_expression(token: Token) -> bool:
        """Whether ``token`` can begin an expression: after ``x[`` it decides between a
        filter and the ``[`` that closes an open range end (``[1..10[``)."""
        if token.kind in (NUMBER, STRING):
            return True
        if token.kind == NAME:
            return token.text not in _STOP_WORDS or token.text in _TEXTUAL
        return token.kind == OP and token.text in _EXPRESSION_START_OPS

    def invocation(self, function: ast.Node) -> ast.Node:
        start = self.expect_op("(").pos
        if self.at_op(")"):
            self.advance()
            return ast.Call(start, function, ())
        if self._at_named_argument():
            named: list[tuple[str, ast.Node]] = []
            while True:
                name = self.name_text()
                self.expect_op(":")
                named.append((name, self.expression()))
                if not self.at_op(","):
                    break
                self.advance()
            self.expect_op(")")
            return ast.Call(start, function, (), tuple(named))
        args = [self.expression()]
        while self.at_op(","):
            self.advance()
            args.append(self.expression())
        self.expect_op(")")
        return ast.Call(start, function, tuple(args))

    def _at_named_argument(self) -> bool:
        i = self.index
        if self.tokens[i].kind != NAME:
            return False
        while self.tokens[i].kind == NAME or (
                self.tokens[i].kind == OP and self.tokens[i].text in _NAME_SYMBOLS):
            i += 1
        return self.tokens[i].kind == OP and self.tokens[i].text == ":"

    def primary(self) -> ast.Node:
        token = self.tok
        if token.kind == NUMBER:
            self.advance()
            return ast.Literal(token.pos, Decimal(token.text))
        if token.kind == STRING:
            self.advance()
            return ast.Literal(token.pos, token.text)
        if token.kind == NAME:
            return self._name_or_keyword()
        if token.kind == OP:
            handler = _PRIMARY_OPS.get(token.text)
            if handler is not None:
                return handler(self)
        self.fail(f"unexpected {self._describe(token)}", "an expression")
        raise AssertionError  # pragma: no cover - fail() always raises

    def _name_or_keyword(self) -> ast.Node:
        token = self.tok
        constant = _CONSTANTS.get(token.text, _NOT_CONSTANT)
        if constant is not _NOT_CONSTANT and len(self._match_known(self.index)) <= 1:
            self.advance()
            return ast.Literal(token.pos, constant)
        handler = _TEXTUAL.get(token.text)
        if handler is not None and not self._starts_known_name():
            return handler(self)
        return ast.Name(token.pos, self.name_text())

    def name_text(self) -> str:
        """Consume one name (several tokens when known or when words follow each other)."""
        token = self.tok
        if token.kind != NAME:
            self.fail(f"unexpected {self._describe(token)}", "a name")
        known = self._match_known(self.index)
        greedy = self.index + 1
        while self.tokens[greedy].kind == NAME and self.tokens[greedy].text not in _STOP_WORDS:
            greedy += 1
        end = self.index + len(known) if len(known) > greedy - self.index else greedy
        first, last = self.tokens[self.index], self.tokens[end - 1]
        self.index = end
        return _normalise_space(self.text[first.pos:last.end])

    def _match_known(self, index: int) -> tuple[str, ...]:
        for parts in self.known.get(self.tokens[index].text, ()):
            if all(self.tokens[min(index + k, len(self.tokens) - 1)].text == part
                   for k, part in enumerate(parts)):
                return parts
        return ()

    def parenthesised(self) -> ast.Node:
        start = self.advance().pos
        first = self.expression()
        if self.at_op(".."):
            return self._range_rest(start, False, first)
        self.expect_op(")")
        return first

    def bracketed(self) -> ast.Node:
        start = self.advance().pos
        if self.at_op("]"):
            self.advance()
            return ast.ListNode(start, ())
        first = self.expression()
        if self.at_op(".."):
            return self._range_rest(start, True, first)
        items = [first]
        while self.at_op(","):
            self.advance()
            items.append(self.expression())
        self.expect_op("]")
        return ast.ListNode(start, tuple(items))

    def open_range(self) -> ast.Node:
        start = self.advance().pos
        first = self.expression()
        if not self.at_op(".."):
            self.fail(f"unexpected {self._describe(self.tok)}", "'..'")
        return self._range_rest(start, False, first)

    def _range_rest(self, start: int, start_closed: bool, first: ast.Node) -> ast.Node:
        self.expect_op("..")
        end = self.expression()
        if self.at_op("]"):
            end_closed = True
        elif self.at_op(")", "["):
            end_closed = False
        else:
            self.fail(f"unexpected {self._describe(self.tok)}", "']', ')' or '['")
        self.advance()
        return ast.RangeNode(start, start_closed, first, end, end_closed)

    def context(self) -> ast.Node:
        start = self.advance().pos
        entries: list[tuple[str, ast.Node]] = []
        while not self.at_op("}"):
            if self.tok.kind == STRING:
                key = self.advance().text
            else:
                key = self._context_key()
            self.expect_op(":")
            entries.append((key, self.expression()))
            self._know(key)
            if not self.at_op(","):
                break
            self.advance()
        self.expect_op("}")
        return ast.ContextNode(start, tuple(entries))

    def _context_key(self) -> str:
        first = self.tok
        if first.kind != NAME:
            self.fail(f"unexpected {self._describe(first)}", "a context key")
        last = first
        while not self.at_op(":"):
            token = self.tok
            if token.kind != NAME and not (token.kind == OP and token.text in _NAME_SYMBOLS):
                self.fail(f"unexpected {self._describe(token)}", "':'")
            last = self.advance()
        return _normalise_space(self.text[first.pos:last.end])

    def at_literal(self) -> ast.Node:
        start = self.advance().pos
        token = self.tok
        if token.kind != STRING:
            self.fail(f"unexpected {self._describe(token)}", "a string after '@'")
        self.advance()
        function = _at_literal_function(token.text)
        return ast.Call(start, ast.Name(start, function), (ast.Literal(token.pos, token.text),))

    def unary_comparison_expression(self) -> ast.Node:
        # ``< 5`` as an expression only appears in unary-test positions handled elsewhere; as
        # a primary it is a range with an open end, which is what 1.5 allows inside lists.
        token = self.advance()
        op = token.text
        operand = self.additive()
        if op in ("=", "!="):
            return ast.RangeNode(token.pos, op == "=", operand, operand, op == "=", op)
        if op in ("<", "<="):
            return ast.RangeNode(token.pos, False, None, operand, op == "<=", op)
        return ast.RangeNode(token.pos, op == ">=", operand, None, False, op)


_EXPRESSION_START_OPS = frozenset({"(", "[", "]", "{", "-", "@", "<", "<=", ">", ">=", "=",
                                   "!="})
_NOT_CONSTANT = object()
_CONSTANTS = {"true": True, "false": False, "null": None}

_TEXTUAL = {
    "if": Parser.if_expression,
    "for": Parser.for_expression,
    "some": Parser.quantified_expression,
    "every": Parser.quantified_expression,
    "function": Parser.function_definition,
}

_PRIMARY_OPS = {
    "(": Parser.parenthesised,
    "[": Parser.bracketed,
    "]": Parser.open_range,
    "{": Parser.context,
    "@": Parser.at_literal,
    "<": Parser.unary_comparison_expression,
    "<=": Parser.unary_comparison_expression,
    ">": Parser.unary_comparison_expression,
    ">=": Parser.unary_comparison_expression,
    "=": Parser.unary_comparison_expression,
    "!=": Parser.unary_comparison_expression,
}


def _at_literal_function(text: str) -> str:
    if _AT_DURATION.match(text):
        return "duration"
    if _AT_DATE_TIME.match(text):
        return "date and time"
    if _AT_DATE.match(text):
        return "date"
    return "time"


def _normalise_space(text: str) -> str:
    return " ".join(text.split())


def _uses_input(node: ast.Node) -> bool:
    """True when ``?`` occurs in ``node``."""
    if isinstance(node, ast.Name):
        return node.name == "?"
    return any(_uses_input(child) for child in ast.children(node))


@lru_cache(maxsize=1)
def _builtin_names() -> tuple[str, ...]:
    from accord.feel.builtins import BUILTINS  # deferred: builtins import the parser's users

    return tuple(BUILTINS)


def parse_expression(text: str, names: Iterable[str] = ()) -> ast.Node:
    """Parse a FEEL expression.

    Args:
        text: the expression.
        names: variable names in scope, so that names with spaces or keywords parse as one.

    Raises:
        FeelSyntaxError: naming the line, the column and what was expected.

    >>> parse_expression("1 + 2")
    Arithmetic(pos=2, op='+', left=Literal(pos=0, value=Decimal('1')), right=...)
    """
    return Parser(text, names).parse_expression_text()


def parse_unary_tests(text: str, names: Iterable[str] = ()) -> ast.Node:
    """Parse FEEL unary tests (a decision table input entry): ``-``, ``< 5``, ``"a","b"``,
    ``not([1..5])``, ``? > 3``."""
    return Parser(text, names).parse_unary_tests_text()
