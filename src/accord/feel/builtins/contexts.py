"""Context functions (DMN 1.5 clause 10.3.4.10)."""

from __future__ import annotations

from typing import Any

from accord.feel.builtins._common import Registry, as_list, builtin

FUNCTIONS: Registry = {}


@builtin(FUNCTIONS, "get value", ["m", "key"])
def get_value(m: Any, key: Any) -> Any:
    """``get value(m, key)``: the entry ``key`` of context ``m`` (null if absent)."""
    if type(m) is not dict or not isinstance(key, str):
        return None
    return m.get(key)


@builtin(FUNCTIONS, "get entries", ["m"])
def get_entries(m: Any) -> list[dict[str, Any]] | None:
    """``get entries(m)``: ``[{key: k, value: v}, ...]``."""
    if type(m) is not dict:
        return None
    return [{"key": k, "value": v} for k, v in m.items()]


@builtin(FUNCTIONS, "context", ["entries"])
def context(entries: Any) -> dict[str, Any] | None:
    """``context(entries)``: a context from ``{key, value}`` entries; duplicate keys give null."""
    items = as_list(entries)
    if items is None:
        return None
    out: dict[str, Any] = {}
    for entry in items:
        if type(entry) is not dict or "key" not in entry or "value" not in entry:
            return None
        key = entry["key"]
        if not isinstance(key, str) or key in out:
            return None
        out[key] = entry["value"]
    return out


def _put(ctx: Any, keys: list[Any], value: Any) -> dict[str, Any] | None:
    if type(ctx) is not dict or not keys or not isinstance(keys[0], str):
        return None
    key = keys[0]
    out = dict(ctx)
    if len(keys) == 1:
        out[key] = value
        return out
    nested = _put(ctx.get(key), keys[1:], value)
    if nested is None:
        return None
    out[key] = nested
    return out


@builtin(FUNCTIONS, "context put", ["context", "key", "value"], ["context", "keys", "value"])
def context_put(ctx: Any, key: Any, value: Any) -> dict[str, Any] | None:
    """``context put(context, key, value)`` / ``context put(context, keys, value)``."""
    if type(key) is list:
        return _put(ctx, key, value)
    if not isinstance(key, str):
        return None
    return _put(ctx, [key], value)


def _context_put_key(ctx: Any, key: Any, value: Any) -> dict[str, Any] | None:
    """Named ``key:`` takes one key only: a list there is an error (TCK 1146 nested008)."""
    return _put(ctx, [key], value) if isinstance(key, str) else None


# Named invocation tells the two signatures apart; positional calls cannot, so they accept both.
FUNCTIONS["context put"].meta["signature_fns"] = [_context_put_key, context_put]


@builtin(FUNCTIONS, "context merge", ["contexts"])
def context_merge(contexts: Any) -> dict[str, Any] | None:
    """``context merge(contexts)``: later entries win (shallow)."""
    items = as_list(contexts)
    if items is None:
        return None
    out: dict[str, Any] = {}
    for item in items:
        if type(item) is not dict:
            return None
        out.update(item)
    return out
