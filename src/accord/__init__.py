"""Accord: an open-source customer decision hub.

The public API, re-exported here; everything else is internal and may change.

>>> import accord
>>> accord.evaluate("1 + 1")
Decimal('2')
"""

from importlib.metadata import PackageNotFoundError, version

from accord.dmn import Message, Model, Problem, Result, check, load, loads, read_dmn, write_dmn
from accord.errors import (
    AccordError,
    ConfigError,
    DmnError,
    DmnEvaluationError,
    DmnModelError,
    DmnXmlError,
    FeelError,
    FeelSqlError,
    FeelSyntaxError,
)
from accord.feel import (
    FeelFunction,
    Range,
    YearsMonthsDuration,
    compile_expression,
    compile_unary_tests,
    evaluate,
    parse_expression,
    parse_unary_tests,
)

try:
    __version__ = version("accord")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "AccordError",
    "ConfigError",
    "DmnError",
    "DmnEvaluationError",
    "DmnModelError",
    "DmnXmlError",
    "FeelError",
    "FeelFunction",
    "FeelSqlError",
    "FeelSyntaxError",
    "Message",
    "Model",
    "Problem",
    "Range",
    "Result",
    "YearsMonthsDuration",
    "__version__",
    "check",
    "compile_expression",
    "compile_unary_tests",
    "evaluate",
    "load",
    "loads",
    "parse_expression",
    "parse_unary_tests",
    "read_dmn",
    "write_dmn",
]
