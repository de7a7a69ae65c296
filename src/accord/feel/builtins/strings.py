"""String functions (DMN 1.5 clause 10.3.4.3). Positions count Unicode code points."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from accord.feel.builtins._common import Registry, as_list, builtin, trunc_int, unwrap
from accord.feel.builtins._regex import compile_xpath, expand_replacement

FUNCTIONS: Registry = {}


def _strs(*values: Any) -> bool:
    return all(isinstance(v, str) for v in values)


def _unwrapped(impl: Callable[..., Any]) -> Callable[..., Any]:
    """Apply singleton-list conversion to every argument of a string function."""

    def call(*args: Any) -> Any:
        return impl(*(unwrap(a) for a in args))

    call.__name__ = impl.__name__
    call.__doc__ = impl.__doc__
    return call


def _flags(flags: Any) -> str | None:
    if flags is None:
        return ""
    return flags if isinstance(flags, str) else None


_OMITTED: Any = object()


@builtin(FUNCTIONS, "substring", ["string", "start position", "length?"])
@_unwrapped
def substring(string: Any, start: Any, length: Any = _OMITTED) -> str | None:
    """``substring(string, start position, length?)``; a negative start counts from the end.
    A length given as null is an error (null), unlike an omitted one."""
    if not isinstance(string, str):
        return None
    pos = trunc_int(start)
    if pos is None or pos == 0:
        return None
    size = len(string)
    begin = pos - 1 if pos > 0 else size + pos
    if begin < 0 or begin > size:
        return None
    if length is _OMITTED:
        return string[begin:]
    count = trunc_int(length)
    if count is None or count < 0:
        return None
    return string[begin : begin + count]


@builtin(FUNCTIONS, "string length", ["string"])
@_unwrapped
def string_length(string: Any) -> Decimal | None:
    """``string length(string)`` in code points."""
    return Decimal(len(string)) if isinstance(string, str) else None


@builtin(FUNCTIONS, "upper case", ["string"])
@_unwrapped
def upper_case(string: Any) -> str | None:
    """``upper case(string)``."""
    return string.upper() if isinstance(string, str) else None


@builtin(FUNCTIONS, "lower case", ["string"])
@_unwrapped
def lower_case(string: Any) -> str | None:
    """``lower case(string)``."""
    return string.lower() if isinstance(string, str) else None


@builtin(FUNCTIONS, "substring before", ["string", "match"])
@_unwrapped
def substring_before(string: Any, match: Any) -> str | None:
    """``substring before(string, match)``: ``""`` when ``match`` does not occur."""
    if not _strs(string, match):
        return None
    index = string.find(match)
    return string[:index] if index >= 0 else ""


@builtin(FUNCTIONS, "substring after", ["string", "match"])
@_unwrapped
def substring_after(string: Any, match: Any) -> str | None:
    """``substring after(string, match)``: ``""`` when ``match`` does not occur."""
    if not _strs(string, match):
        return None
    index = string.find(match)
    return string[index + len(match) :] if index >= 0 else ""


@builtin(FUNCTIONS, "contains", ["string", "match"])
@_unwrapped
def contains(string: Any, match: Any) -> bool | None:
    """``contains(string, match)``."""
    return match in string if _strs(string, match) else None


@builtin(FUNCTIONS, "starts with", ["string", "match"])
@_unwrapped
def starts_with(string: Any, match: Any) -> bool | None:
    """``starts with(string, match)``."""
    return string.startswith(match) if _strs(string, match) else None


@builtin(FUNCTIONS, "ends with", ["string", "match"])
@_unwrapped
def ends_with(string: Any, match: Any) -> bool | None:
    """``ends with(string, match)``."""
    return string.endswith(match) if _strs(string, match) else None


@builtin(FUNCTIONS, "matches", ["input", "pattern", "flags?"])
@_unwrapped
def matches(text: Any, pattern: Any, flags: Any = None) -> bool | None:
    """``matches(input, pattern, flags?)``: XPath ``fn:matches`` (a search, not a full match)."""
    flag_text = _flags(flags)
    if not _strs(text, pattern) or flag_text is None:
        return None
    return compile_xpath(pattern, flag_text).search(text) is not None


@builtin(FUNCTIONS, "replace", ["input", "pattern", "replacement", "flags?"])
@_unwrapped
def replace(text: Any, pattern: Any, replacement: Any, flags: Any = None) -> str | None:
    """``replace(input, pattern, replacement, flags?)``: XPath ``fn:replace``."""
    flag_text = _flags(flags)
    if not _strs(text, pattern, replacement) or flag_text is None:
        return None
    regex = compile_xpath(pattern, flag_text)
    if regex.fullmatch("") is not None:
        return None  # XPath: a pattern matching the empty string is an error
    return regex.sub(expand_replacement(replacement, "q" in flag_text), text)


@builtin(FUNCTIONS, "split", ["string", "delimiter", "flags?"])
@_unwrapped
def split(string: Any, delimiter: Any, flags: Any = None) -> list[str] | None:
    """``split(string, delimiter)``: XPath ``fn:tokenize`` with a regex delimiter."""
    flag_text = _flags(flags)
    if not _strs(string, delimiter) or flag_text is None:
        return None
    regex = compile_xpath(delimiter, flag_text)
    if regex.fullmatch("") is not None:
        return None
    if not string:
        return []
    out: list[str] = []
    last = 0
    for m in regex.finditer(string):
        out.append(string[last : m.start()])
        last = m.end()
    out.append(string[last:])
    return out


@builtin(FUNCTIONS, "string join", ["list", "delimiter?"])
def string_join(items: Any, delimiter: Any = None) -> str | None:
    """``string join(list, delimiter?)``: nulls are skipped; non-strings give null."""
    values = as_list(items)
    if values is None or (delimiter is not None and not isinstance(delimiter, str)):
        return None
    parts = [v for v in values if v is not None]
    if not all(isinstance(v, str) for v in parts):
        return None
    return (delimiter or "").join(parts)
