"""The public API is explicit: adding or removing a name is a decision, made here."""

from __future__ import annotations

import subprocess
import sys

import accord

EXPECTED = {
    "AccordError", "ConfigError", "DmnError", "DmnEvaluationError", "DmnModelError",
    "DmnXmlError", "FeelError", "FeelFunction", "FeelSqlError", "FeelSyntaxError", "Message",
    "Model", "Problem", "Range", "Result", "YearsMonthsDuration", "__version__", "check",
    "compile_expression", "compile_unary_tests", "evaluate", "load", "loads",
    "parse_expression", "parse_unary_tests", "read_dmn", "write_dmn",
}


def test_public_names_are_pinned() -> None:
    assert set(accord.__all__) == EXPECTED
    for name in accord.__all__:
        assert hasattr(accord, name), name


def test_errors_form_one_tree() -> None:
    for name in accord.__all__:
        value = getattr(accord, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, accord.AccordError), name


def test_import_accord_pulls_in_no_heavy_optional_dependency() -> None:
    code = ("import sys, accord; heavy = {'duckdb', 'pyarrow', 'pyspark', 'redis', 'psycopg',"
            " 'sqlglot', 'zen'} & set(sys.modules); print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
