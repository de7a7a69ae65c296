"""FEEL, the expression language of DMN 1.5 (chapter 10): parse, compile, evaluate.

>>> from accord.feel import evaluate
>>> evaluate('if x > 5 then "big" else "small"', {"x": 7})
'big'
"""

from accord.feel.compiler import (
    compile_expression,
    compile_unary_tests,
    evaluate,
)
from accord.feel.parser import parse_expression, parse_unary_tests
from accord.feel.values import FeelFunction, Range, YearsMonthsDuration, from_python

__all__ = [
    "FeelFunction",
    "Range",
    "YearsMonthsDuration",
    "compile_expression",
    "compile_unary_tests",
    "evaluate",
    "from_python",
    "parse_expression",
    "parse_unary_tests",
]
