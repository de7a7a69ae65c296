"""XML Schema / XPath 3.1 regular expressions (as ``matches``/``replace``/``split`` use them)
translated to Python :mod:`re`.

Handled: flags ``s m i x q``; ``.`` not matching ``\\r``; ``$`` only at the end of the input
(unless ``m``); ``\\s`` as XML white space; ``\\p{..}``/``\\P{..}`` general categories and
``Is`` blocks; ``\\i``/``\\c`` name characters (approximated); character class subtraction
(``[A-Z-[OI]]``); XPath replacement strings (``$1``, ``\\$``). Anything invalid in XPath
(unknown escapes, ``\\0``, back-references inside classes, unknown flags) raises
:class:`RegexError`.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache

__all__ = ["RegexError", "compile_xpath", "expand_replacement"]


class RegexError(ValueError):
    """An invalid XPath regular expression, flag string or replacement."""


_WS = " \t\n\r"
_SINGLE_ESCAPES = set("nrt\\|.?*+(){}-[]^$")
_XML_NAME_START = (
    "_:A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_XML_NAME = _XML_NAME_START + "\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"

_BLOCKS: dict[str, tuple[int, int]] = {
    "BasicLatin": (0x0000, 0x007F),
    "Latin-1Supplement": (0x0080, 0x00FF),
    "LatinExtended-A": (0x0100, 0x017F),
    "LatinExtended-B": (0x0180, 0x024F),
    "IPAExtensions": (0x0250, 0x02AF),
    "SpacingModifierLetters": (0x02B0, 0x02FF),
    "CombiningDiacriticalMarks": (0x0300, 0x036F),
    "Greek": (0x0370, 0x03FF),
    "GreekandCoptic": (0x0370, 0x03FF),
    "Cyrillic": (0x0400, 0x04FF),
    "Armenian": (0x0530, 0x058F),
    "Hebrew": (0x0590, 0x05FF),
    "Arabic": (0x0600, 0x06FF),
    "Devanagari": (0x0900, 0x097F),
    "Thai": (0x0E00, 0x0E7F),
    "GeneralPunctuation": (0x2000, 0x206F),
    "CurrencySymbols": (0x20A0, 0x20CF),
    "LetterlikeSymbols": (0x2100, 0x214F),
    "NumberForms": (0x2150, 0x218F),
    "Arrows": (0x2190, 0x21FF),
    "MathematicalOperators": (0x2200, 0x22FF),
    "BoxDrawing": (0x2500, 0x257F),
    "Dingbats": (0x2700, 0x27BF),
    "CJKSymbolsandPunctuation": (0x3000, 0x303F),
    "Hiragana": (0x3040, 0x309F),
    "Katakana": (0x30A0, 0x30FF),
    "CJKUnifiedIdeographs": (0x4E00, 0x9FFF),
    "HangulSyllables": (0xAC00, 0xD7AF),
    "PrivateUseArea": (0xE000, 0xF8FF),
    "AlphabeticPresentationForms": (0xFB00, 0xFB4F),
    "HalfwidthandFullwidthForms": (0xFF00, 0xFFEF),
    "Specials": (0xFFF0, 0xFFFF),
}

_CATEGORIES = {
    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
    "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp",
    "S", "Sm", "Sc", "Sk", "So", "C", "Cc", "Cf", "Co", "Cn",
}  # fmt: skip


@lru_cache(maxsize=1)
def _category_ranges() -> dict[str, list[tuple[int, int]]]:
    ranges: dict[str, list[tuple[int, int]]] = {}
    current, start = unicodedata.category("\0"), 0
    for cp in range(1, sys.maxunicode + 2):
        cat = unicodedata.category(chr(cp)) if cp <= sys.maxunicode else ""
        if cat != current:
            for key in (current, current[0]):
                ranges.setdefault(key, []).append((start, cp - 1))
            current, start = cat, cp
    return ranges


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    nxt = 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= sys.maxunicode:
        out.append((nxt, sys.maxunicode))
    return out


def _class_text(ranges: list[tuple[int, int]]) -> str:
    def esc(cp: int) -> str:
        return f"\\U{cp:08x}"

    return "".join(esc(lo) if lo == hi else f"{esc(lo)}-{esc(hi)}" for lo, hi in ranges)


def _property(name: str, negate: bool) -> str:
    """Class body (without brackets) for ``\\p{name}`` / ``\\P{name}``."""
    if name.startswith("Is"):
        block = _BLOCKS.get(name[2:])
        if block is None:
            raise RegexError(f"unknown block {name}")
        ranges = [block]
    elif name in _CATEGORIES:
        ranges = list(_category_ranges().get(name, []))
    else:
        raise RegexError(f"unknown property {name}")
    return _class_text(_complement(ranges) if negate else ranges)


def _strip_whitespace(pattern: str) -> str:
    """The ``x`` flag: drop white space outside character classes."""
    out: list[str] = []
    depth, i, n = 0, 0, len(pattern)
    while i < n:
        c = pattern[i]
        if depth == 0 and c in _WS:
            i += 1
            continue
        if c == "\\":
            out.append(c)
            i += 1
            while depth == 0 and i < n and pattern[i] in _WS:
                i += 1
            if i < n:
                out.append(pattern[i])
                i += 1
            continue
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        out.append(c)
        i += 1
    return "".join(out)


class _Translator:
    def __init__(self, pattern: str, dotall: bool, multiline: bool) -> None:
        self.p = pattern
        self.i = 0
        self.dotall = dotall
        self.multiline = multiline

    def peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""

    def take(self) -> str:
        if self.i >= len(self.p):
            raise RegexError("unexpected end of pattern")
        c = self.p[self.i]
        self.i += 1
        return c

    def run(self) -> str:
        out: list[str] = []
        while self.i < len(self.p):
            c = self.take()
            if c == "\\":
                out.append(self.escape(in_class=False))
            elif c == "[":
                out.append(self.char_class())
            elif c == ".":
                out.append("." if self.dotall else "[^\\n\\r]")
            elif c == "$":
                out.append("$" if self.multiline else "(?!\\n)$")
            elif c == "]":
                raise RegexError("unbalanced ]")
            else:
                out.append(c)
        return "".join(out)

    def escape(self, in_class: bool) -> str:
        c = self.take()
        if c in "pP":
            if self.take() != "{":
                raise RegexError("\\p needs {")
            end = self.p.find("}", self.i)
            if end < 0:
                raise RegexError("unterminated \\p{")
            name, self.i = self.p[self.i : end], end + 1
            body = _property(name, negate=c == "P")
            return body if in_class else f"[{body}]"
        if c == "s":
            return "\\t\\n\\r " if in_class else "[\\t\\n\\r ]"
        if c == "S":
            if in_class:
                raise RegexError("\\S inside a class is not supported")
            return "[^\\t\\n\\r ]"
        if c in "dDwW":
            return "\\" + c
        if c in "iIcC":
            body = _XML_NAME_START if c in "iI" else _XML_NAME
            if c.isupper():
                if in_class:
                    raise RegexError(f"\\{c} inside a class is not supported")
                return f"[^{body}]"
            return body if in_class else f"[{body}]"
        if c.isdigit():
            if in_class or c == "0":
                raise RegexError("back-reference not allowed here")
            return "\\" + c
        if c in _SINGLE_ESCAPES:
            return "\\" + c
        raise RegexError(f"invalid escape \\{c}")

    def char_class(self) -> str:
        """Translate a class after its ``[``; handles ``-[...]`` subtraction."""
        negate = False
        if self.peek() == "^":
            self.take()
            negate = True
        parts: list[str] = []
        first = True
        subtract: str | None = None
        while True:
            c = self.take()
            if c == "]" and not first:
                break
            first = False
            if c == "-" and self.peek() == "[":
                self.take()
                subtract = self.char_class()
                if self.take() != "]":
                    raise RegexError("subtraction must end the class")
                break
            if c == "[":
                raise RegexError("unescaped [ in class")
            if c == "\\":
                parts.append(self.escape(in_class=True))
                continue
            if self.peek() == "-" and self.i + 1 < len(self.p) and self.p[self.i + 1] not in "[]":
                self.take()
                hi = self.take()
                if hi == "\\":
                    hi_text = self.escape(in_class=True)
                    if len(hi_text) != 2:
                        raise RegexError("bad range end")
                else:
                    hi_text = re.escape(hi)
                parts.append(f"{re.escape(c)}-{hi_text}")
                continue
            parts.append(re.escape(c) if c in "-[]&~|^\\" else c)
        body = "".join(parts)
        base = f"[{'^' if negate else ''}{body}]"
        if subtract is not None:
            return f"(?:(?!{subtract}){base})"
        return base


_VALID_FLAGS = set("smixq")


@lru_cache(maxsize=256)
def compile_xpath(pattern: str, flags: str = "") -> re.Pattern[str]:
    """Compile an XPath regular expression with XPath ``flags`` to a Python pattern."""
    if not set(flags) <= _VALID_FLAGS:
        raise RegexError(f"invalid flags {flags!r}")
    py_flags = 0
    if "i" in flags:
        py_flags |= re.IGNORECASE
    if "m" in flags:
        py_flags |= re.MULTILINE
    if "s" in flags:
        py_flags |= re.DOTALL
    if "q" in flags:
        return re.compile(re.escape(pattern), py_flags)
    if "x" in flags:
        pattern = _strip_whitespace(pattern)
    translated = _Translator(pattern, "s" in flags, "m" in flags).run()
    try:
        return re.compile(translated, py_flags)
    except re.error as exc:
        raise RegexError(str(exc)) from exc


def expand_replacement(replacement: str, literal: bool) -> Callable[[re.Match[str]], str]:
    """An ``re.sub`` callback for an XPath replacement string (``$1``, ``\\$``, ``\\\\``)."""
    if literal:
        return lambda _m: replacement
    pieces: list[str | int] = []
    i, n = 0, len(replacement)
    buf: list[str] = []
    while i < n:
        c = replacement[i]
        if c == "\\":
            if i + 1 < n and replacement[i + 1] in "\\$":
                buf.append(replacement[i + 1])
                i += 2
                continue
            raise RegexError("invalid \\ in replacement")
        if c == "$":
            j = i + 1
            while j < n and replacement[j].isdigit():
                j += 1
            if j == i + 1:
                raise RegexError("invalid $ in replacement")
            if buf:
                pieces.append("".join(buf))
                buf = []
            pieces.append(int(replacement[i + 1 : j]))
            i = j
            continue
        buf.append(c)
        i += 1
    if buf:
        pieces.append("".join(buf))

    def expand(match: re.Match[str]) -> str:
        out: list[str] = []
        groups = match.re.groups
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            # XPath: the longest prefix of the digits naming an existing group
            digits = str(piece)
            cut = len(digits)
            while cut > 1 and int(digits[:cut]) > groups:
                cut -= 1
            group = int(digits[:cut])
            out.append((match.group(group) or "") if group <= groups else "")
            out.append(digits[cut:])
        return "".join(out)

    return expand
