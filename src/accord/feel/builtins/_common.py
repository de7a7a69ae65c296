"""Shared plumbing of the built-in function families.

Each family module keeps a ``FUNCTIONS`` registry filled by :func:`builtin`. A signature is a
list of parameter names as the spec spells them; a trailing ``?`` marks an optional
parameter (``["string", "start position", "length?"]``). The wrapper checks the number of
positional arguments against the signatures and turns any exception into ``None`` (FEEL null):
built-ins never raise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from accord.feel.values import FEEL_CONTEXT, FeelFunction

Registry = dict[str, FeelFunction]


def builtin(
    registry: Registry,
    name: str,
    *signatures: Sequence[str],
    variadic: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated implementation as FEEL built-in ``name``."""

    def decorate(impl: Callable[..., Any]) -> Callable[..., Any]:
        sigs = [list(s) for s in signatures] or [[]]
        counts: set[int] = set()
        clean: list[list[str]] = []
        for sig in sigs:
            names = [p.rstrip("?") for p in sig]
            required = len([p for p in sig if not p.endswith("?")])
            counts.update(range(required, len(sig) + 1))
            clean.append(names)

        def call(*args: Any) -> Any:
            if not variadic and len(args) not in counts:
                return None
            try:
                return impl(*args)
            except Exception:  # a built-in never raises: any failure is FEEL null
                return None

        call.__name__ = impl.__name__
        call.__doc__ = impl.__doc__
        registry[name] = FeelFunction(
            name=name,
            params=clean[0],
            fn=call,
            variadic=variadic,
            overloads=clean if len(clean) > 1 else None,
        )
        return impl

    return decorate


def is_num(value: Any) -> bool:
    """True for a FEEL number (``Decimal``, not ``bool``)."""
    return type(value) is Decimal


def as_int(value: Any) -> int | None:
    """An integral FEEL number as ``int`` (``None`` otherwise)."""
    if type(value) is not Decimal or not value.is_finite() or value != value.to_integral_value():
        return None
    return int(value)


def trunc_int(value: Any) -> int | None:
    """A FEEL number truncated toward zero (``substring("abc", 1.8)``), ``None`` if not one."""
    if type(value) is not Decimal or not value.is_finite():
        return None
    return int(value)


def as_list(value: Any) -> list[Any] | None:
    """A list argument: lists pass, null stays null, anything else becomes a singleton."""
    if type(value) is list:
        return value
    if value is None:
        return None
    return [value]


def unwrap(value: Any) -> Any:
    """Singleton-list conversion (DMN 1.5 clause 10.3.2.9.4): ``[x]`` given for a non-list
    parameter is ``x``."""
    if type(value) is list and len(value) == 1:
        return value[0]
    return value


def list_or_args(args: tuple[Any, ...]) -> list[Any] | None:
    """Arguments of ``min(list)`` / ``min(c1, c2, ...)`` style functions."""
    if len(args) == 1:
        return as_list(args[0])
    if not args:
        return None
    return list(args)


def num(value: int | str) -> Decimal:
    """A FEEL number from an int or a numeric string."""
    return FEEL_CONTEXT.create_decimal(value)
