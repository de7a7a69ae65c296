"""External functions: ``function(x) external {java: {class: ..., method signature: ...}}``.

Accord runs no JVM. A small allow-list of pure ``java.lang`` methods, the ones DMN models use
for maths and conversions, maps to Python equivalents; any other external function evaluates
to null (an error, as a Java engine reports for a class it cannot load).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from accord.feel.builtins.conversion import feel_string
from accord.feel.values import FEEL_CONTEXT, FeelFunction


def _number(value: Any) -> Any:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _as_float(args: Sequence[Any]) -> list[float] | None:
    if not all(type(a) is Decimal for a in args):
        return None
    return [float(a) for a in args]


def _math(fn: Callable[..., float]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        floats = _as_float(args)
        return None if floats is None else _number(fn(*floats))

    return run


def _integral(bits: int) -> Callable[[Any], Any]:
    limit = 2 ** (bits - 1)

    def run(value: Any) -> Any:
        if type(value) is str:
            try:
                value = Decimal(int(value.strip()))
            except ValueError:
                return None
        if type(value) is not Decimal or value != value.to_integral_value():
            return None
        return value if -limit <= value < limit else None

    return run


def _char_value_of(value: Any) -> Any:
    return value if type(value) is str and len(value) == 1 else None


_JAVA_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[dDfF]?")


def _floating_value_of(value: Any) -> Any:
    """``Double.valueOf`` / ``Float.valueOf`` of a number or of its decimal text.

    The decimal text is kept exactly (``"1234.56"`` is 1234.56), as a Java engine reports the
    value through ``BigDecimal.valueOf`` of the shortest decimal that reads back the same.
    """
    if type(value) is Decimal:
        return value
    if type(value) is not str:
        return None
    text = value.strip()
    if not _JAVA_NUMBER_RE.fullmatch(text):
        return None
    return FEEL_CONTEXT.create_decimal(text.rstrip("dDfF"))


_FORMAT_RE = re.compile(r"%(?:(\d+)\$)?([sdn%])")


def _format(template: Any, *args: Any) -> Any:
    """``String.format`` for ``%s``, ``%d``, ``%n`` and ``%%`` (others give null)."""
    if type(template) is not str or "%" in _FORMAT_RE.sub("", template):
        return None
    position = iter(range(len(args)))

    def field(m: re.Match[str]) -> str:
        conversion = m.group(2)
        if conversion in "n%":
            return "\n" if conversion == "n" else "%"
        index = int(m.group(1)) - 1 if m.group(1) else next(position, len(args))
        if index >= len(args):
            raise ValueError("missing format argument")
        arg = args[index]
        if conversion == "d" and (type(arg) is not Decimal or arg != arg.to_integral_value()):
            raise ValueError("%d needs an integer")
        return "null" if arg is None else feel_string(arg)

    try:
        return _FORMAT_RE.sub(field, template)
    except ValueError:
        return None


def _max(*args: Any) -> Any:
    floats = _as_float(args)
    return None if floats is None else FEEL_CONTEXT.plus(max(args))


def _min(*args: Any) -> Any:
    floats = _as_float(args)
    return None if floats is None else FEEL_CONTEXT.plus(min(args))


_NUMERIC = {"double", "float", "int", "long", "short", "byte"}

# (class, method name) -> implementation; parameter types are checked separately.
_METHODS: dict[tuple[str, str], Callable[..., Any]] = {
    ("java.lang.Math", "max"): _max,
    ("java.lang.Math", "min"): _min,
    ("java.lang.Math", "abs"): lambda v: abs(v) if type(v) is Decimal else None,
    ("java.lang.Math", "cos"): _math(math.cos),
    ("java.lang.Math", "sin"): _math(math.sin),
    ("java.lang.Math", "tan"): _math(math.tan),
    ("java.lang.Math", "sqrt"): _math(math.sqrt),
    ("java.lang.Math", "floor"): _math(math.floor),
    ("java.lang.Math", "ceil"): _math(math.ceil),
    ("java.lang.Math", "exp"): _math(math.exp),
    ("java.lang.Math", "log"): _math(math.log),
    ("java.lang.Math", "pow"): _math(math.pow),
    ("java.lang.Integer", "valueOf"): _integral(32),
    ("java.lang.Long", "valueOf"): _integral(64),
    ("java.lang.Short", "valueOf"): _integral(16),
    ("java.lang.Byte", "valueOf"): _integral(8),
    ("java.lang.Double", "valueOf"): _floating_value_of,
    ("java.lang.Float", "valueOf"): _floating_value_of,
    ("java.lang.String", "valueOf"): _char_value_of,
    ("java.lang.String", "format"): _format,
}


def _signature(text: str) -> tuple[str, list[str]] | None:
    text = text.strip()
    if "(" not in text or not text.endswith(")"):
        return None
    name, _, params = text[:-1].partition("(")
    types = [p.strip() for p in params.split(",") if p.strip()]
    return name.strip(), types


def external_function(params: Sequence[str], body: Any) -> Any:
    """Build the FEEL function for an ``external`` definition, or null if unsupported."""
    java = body.get("java") if isinstance(body, dict) else None
    if not isinstance(java, dict):
        return None
    cls, signature = java.get("class"), java.get("method signature")
    if not isinstance(cls, str) or not isinstance(signature, str):
        return None
    parsed = _signature(signature)
    if parsed is None:
        return None
    method, types = parsed
    impl = _METHODS.get((cls, method))
    if impl is None or len(types) != len(params):
        return None
    if any(t == "java.lang.String" for t in types) and method in ("max", "min"):
        return None  # Math.max(String, String) does not exist
    if method == "valueOf" and cls != "java.lang.String" and types and types[0] == "char":
        return None
    if cls == "java.lang.String" and types != _STRING_SIGNATURES[method]:
        return None
    if any(t not in _NUMERIC and t not in _REFERENCE_TYPES for t in types):
        return None
    variadic = types[-1:] == [_OBJECT_ARRAY]
    return FeelFunction(f"{cls}.{method}", list(params), impl, variadic=variadic)


_OBJECT_ARRAY = "[Ljava.lang.Object;"
_REFERENCE_TYPES = {"java.lang.String", "char", _OBJECT_ARRAY}
_STRING_SIGNATURES = {"valueOf": ["char"], "format": ["java.lang.String", _OBJECT_ARRAY]}
