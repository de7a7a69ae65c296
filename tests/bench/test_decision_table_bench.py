"""The decision-table benchmark's correctness core on a small size (no speed assertions)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import _tables as tables  # noqa: E402
import decision_table  # noqa: E402

N_INPUTS = 2_000


@pytest.fixture(scope="module")
def rules() -> list[tables.Rule]:
    return tables.build_rules()


@pytest.fixture(scope="module")
def inputs() -> list[dict[str, object]]:
    return tables.build_inputs(N_INPUTS)


def test_table_shape_is_deterministic(rules: list[tables.Rule]) -> None:
    assert len(rules) == 50
    assert all(len(rule.cells) == 6 for rule in rules)
    assert len(tables.INPUTS) == 6
    assert rules == tables.build_rules()
    xml = tables.dmn_xml(rules)
    assert xml.count("<rule ") == 50
    assert xml.count("<input ") == 6
    assert 'hitPolicy="FIRST"' in xml
    kinds = {cell[0] for rule in rules for cell in rule.cells}
    assert {"any", "eq", "in", "not", "range", "ge", "lt"} <= kinds


def test_inputs_are_integral_and_in_domain(inputs: list[dict[str, object]]) -> None:
    for row in inputs[:200]:
        for inp in tables.INPUTS:
            value = row[inp.name]
            if inp.type_ref == "number":
                assert type(value) is int
                assert inp.low <= value <= inp.high
            else:
                assert value in inp.values


def test_accord_agrees_with_ifelif(rules: list[tables.Rule],
                                   inputs: list[dict[str, object]]) -> None:
    xml = tables.dmn_xml(rules)
    engines = [decision_table.make_accord(xml), decision_table.make_ifelif(rules)]
    reports = decision_table.check_agreement(engines, inputs)
    assert reports == []
    assert engines[1].checked == N_INPUTS
    outputs = [engines[0].fn(x) for x in inputs]
    assert None in outputs  # some customers get no offer
    assert len({o for o in outputs if o is not None}) > 30  # most rules fire


def test_zen_agrees_with_accord(rules: list[tables.Rule],
                                inputs: list[dict[str, object]]) -> None:
    pytest.importorskip("zen")
    engines = [decision_table.make_accord(tables.dmn_xml(rules)), *decision_table.make_zen(rules)]
    assert decision_table.check_agreement(engines, inputs) == []
    assert [e.checked for e in engines[1:]] == [N_INPUTS, N_INPUTS]


@pytest.mark.slow  # importing pyDMNrules takes ~13 s (pySFeel builds its parser)
def test_pydmnrules_agrees_with_accord(rules: list[tables.Rule],
                                       inputs: list[dict[str, object]]) -> None:
    pytest.importorskip("pyDMNrules")
    xml = tables.dmn_xml(rules)
    engines = [decision_table.make_accord(xml), decision_table.make_pydmnrules(xml, subset=150)]
    assert decision_table.check_agreement(engines, inputs) == []
    assert engines[1].checked == 150


def test_sql_case_agrees_with_accord(rules: list[tables.Rule]) -> None:
    duckdb = pytest.importorskip("duckdb")
    accord = decision_table.make_accord(tables.dmn_xml(rules)).fn
    names = [inp.name for inp in tables.INPUTS]
    con = duckdb.connect()
    con.execute(f"CREATE TABLE customers AS {tables.duckdb_rows_sql(N_INPUTS)}")
    rows = con.execute(f"SELECT {', '.join(repr(n).replace(chr(39), chr(34)) for n in names)}, "
                       f"{tables.sql_case(rules)} FROM customers").fetchall()
    assert len(rows) == N_INPUTS
    for row in rows:
        assert accord(dict(zip(names, row[:-1], strict=True))) == row[-1]


def test_accord_sql_agrees_with_handwritten_sql(rules: list[tables.Rule]) -> None:
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("accord.dmn.sql")
    generated, source = decision_table.accord_sql(tables.dmn_xml(rules))
    assert generated is not None, source
    con = duckdb.connect()
    con.execute(f"CREATE TABLE customers AS {tables.duckdb_rows_sql(N_INPUTS)}")
    differ = con.execute(f"SELECT count(*) FROM customers WHERE ({generated}) "
                         f"IS DISTINCT FROM ({tables.sql_case(rules)})").fetchone()
    assert differ == (0,)
