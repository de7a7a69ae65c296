"""FEEL lexer: text to tokens (DMN 1.5 clause 10.3.1.2, grammar rules 26 to 37).

Names are the hard part of FEEL: ``date and time`` or ``Applicant Age`` are single names that
contain spaces and even keywords. The lexer does not decide that; it emits one ``NAME`` token
per word and one ``SYMBOL`` token per character that may appear inside a name (``'``, ``.``,
``/``, ``-``, ``+``, ``*``), and the parser joins them using the names known in scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from accord.errors import FeelSyntaxError

NAME: Final = "NAME"
NUMBER: Final = "NUMBER"
STRING: Final = "STRING"
OP: Final = "OP"
EOF: Final = "EOF"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text (a string's decoded value for ``STRING``), and offsets."""

    kind: str
    text: str
    pos: int
    end: int


# Longest operators first so that ``**`` wins over ``*`` and ``..`` over ``.``.
_OPERATORS: Final = ("**", "..", "!=", "<=", ">=", "+", "-", "*", "/", "=", "<", ">", "(", ")",
                     "[", "]", "{", "}", ",", ":", ".", "@", "'")

_NAME_START = r"[?A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF" \
    r"\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD" \
    r"\U00010000-\U000EFFFF]"
_NAME_PART = r"[?A-Z_a-z0-9\u00B7\u0300-\u036F\u203F-\u2040\u00C0-\u00D6\u00D8-\u00F6" \
    r"\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF" \
    r"\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF]"
_NAME_RE = re.compile(f"{_NAME_START}{_NAME_PART}*")
_NUMBER_RE = re.compile(r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
_SPACE_RE = re.compile(r"(?:\s|//[^\n]*|/\*.*?\*/)+", re.DOTALL)

_ESCAPES: Final = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "'": "'",
                   "b": "\b", "f": "\f"}

# A '.' followed by a digit starts a number only after one of these (or at the start):
# after a name or a closing bracket it is a path (``a.b``).
_VALUE_ENDERS: Final = frozenset({NAME, NUMBER, STRING})


def tokenize(text: str) -> list[Token]:
    """Split FEEL text into tokens, ending with an ``EOF`` token.

    Raises:
        FeelSyntaxError: for an unterminated string or comment, or a character FEEL never uses.
    """
    tokens: list[Token] = []
    pos = 0
    length = len(text)
    while True:
        match = _SPACE_RE.match(text, pos)
        if match:
            pos = match.end()
        if text.startswith("/*", pos):
            raise FeelSyntaxError("unterminated comment", text, pos, "'*/'")
        if pos >= length:
            tokens.append(Token(EOF, "", pos, pos))
            return tokens
        char = text[pos]
        if char == '"':
            value, end = _read_string(text, pos)
            tokens.append(Token(STRING, value, pos, end))
            pos = end
            continue
        if char.isdigit() or (char == "." and _starts_number(text, pos, tokens)):
            match = _NUMBER_RE.match(text, pos)
            assert match is not None
            tokens.append(Token(NUMBER, match.group(), pos, match.end()))
            pos = match.end()
            continue
        match = _NAME_RE.match(text, pos)
        if match:
            tokens.append(Token(NAME, match.group(), pos, match.end()))
            pos = match.end()
            continue
        for op in _OPERATORS:
            if text.startswith(op, pos):
                tokens.append(Token(OP, op, pos, pos + len(op)))
                pos += len(op)
                break
        else:
            raise FeelSyntaxError(f"unexpected character {char!r}", text, pos)


def _starts_number(text: str, pos: int, tokens: list[Token]) -> bool:
    if pos + 1 >= len(text) or not text[pos + 1].isdigit():
        return False
    if not tokens:
        return True
    last = tokens[-1]
    return last.kind not in _VALUE_ENDERS and last.text not in (")", "]", "}", "..")


def _read_string(text: str, start: int) -> tuple[str, int]:
    """Decode a string literal starting at ``start`` (the opening quote)."""
    out: list[str] = []
    pos = start + 1
    length = len(text)
    while pos < length:
        char = text[pos]
        if char == '"':
            return _join_surrogates("".join(out)), pos + 1
        if char == "\\" and pos + 1 < length:
            nxt = text[pos + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                pos += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 6
                digits = text[pos + 2:pos + 2 + width]
                if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                    out.append(chr(int(digits, 16)))
                    pos += 2 + width
                    continue
            # Any other backslash is kept as written: regular expressions such as "\\d+" are
            # passed to matches() and replace() unchanged (TCK 1109, 1111).
            out.append(char)
            pos += 1
            continue
        out.append(char)
        pos += 1
    raise FeelSyntaxError("unterminated string", text, start, "a closing '\"'")


def _join_surrogates(value: str) -> str:
    """Turn ``\\uD83D\\uDC0E`` escape pairs into the one code point they encode."""
    if not any("\ud800" <= c <= "\udfff" for c in value):
        return value
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
