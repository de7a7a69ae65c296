"""External Java functions on the allow-list, and named invocation of ``context put``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from accord.feel import evaluate


def java(cls: str, signature: str, params: str, call: str) -> Any:
    text = (f'{{f: function({params}) external {{java: {{class: "{cls}", '
            f'method signature: "{signature}"}}}}, r: {call}}}.r')
    return evaluate(text)


@pytest.mark.parametrize(("cls", "signature", "params", "call", "expected"), [
    ("java.lang.Double", "valueOf(java.lang.String)", "s", 'f("1234.56")', Decimal("1234.56")),
    ("java.lang.Float", "valueOf(java.lang.String)", "s", 'f(" -1e3 ")', Decimal("-1E+3")),
    ("java.lang.Double", "valueOf(java.lang.String)", "s", 'f("2.5d")', Decimal("2.5")),
    ("java.lang.Double", "valueOf(java.lang.String)", "s", 'f("twelve")', None),
    ("java.lang.Double", "valueOf(double)", "n", "f(7)", Decimal(7)),
    ("java.lang.String", "format(java.lang.String, [Ljava.lang.Object;)", "s, a",
     'f("foo %s", "bar")', "foo bar"),
    ("java.lang.String", "format(java.lang.String, [Ljava.lang.Object;)", "s, a",
     'f("%2$s-%1$s %d%%", "a", "b")', None),  # %d takes the first argument, a string
    ("java.lang.String", "format(java.lang.String, [Ljava.lang.Object;)", "s, a",
     'f("%s=%d%n", "x", 3)', "x=3\n"),
    ("java.lang.String", "format(java.lang.String, [Ljava.lang.Object;)", "s, a",
     'f("%d", 1.5)', None),
    ("java.lang.String", "format(java.lang.String, [Ljava.lang.Object;)", "s, a",
     'f("%x", 1)', None),  # only %s %d %n %% are supported
    ("java.lang.String", "format(java.lang.String)", "s", 'f("x")', None),
])
def test_allow_listed_methods(cls: str, signature: str, params: str, call: str,
                              expected: Any) -> None:
    assert java(cls, signature, params, call) == expected


def test_context_put_named_key_takes_one_key() -> None:
    base = "{x: 1, y: {a: 0}}"
    assert evaluate(f'context put(context: {base}, key: ["y", "a"], value: 2)') is None
    assert evaluate(f'context put(context: {base}, keys: ["y", "a"], value: 2)') == \
        {"x": Decimal(1), "y": {"a": Decimal(2)}}
    assert evaluate(f'context put(context: {base}, key: "z", value: 2)')["z"] == Decimal(2)
    assert evaluate(f'context put({base}, ["y", "a"], 2)')["y"] == {"a": Decimal(2)}
