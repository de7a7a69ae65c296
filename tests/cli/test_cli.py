"""The ``accord`` command line: wiring, errors, JSON in and out.

``accord feel`` tests need the FEEL engine; ``dmn eval``/``check``/``tck`` tests use a fake
model put in place of ``accord.dmn.load``/``check``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import accord.dmn
from accord.cli import jsonout
from accord.cli.main import app
from accord.errors import DmnXmlError, FeelSyntaxError
from accord.feel.values import FeelFunction, Range, YearsMonthsDuration

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


# --------------------------------------------------------------------------- basics


def test_help() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "dmn" in result.output and "feel" in result.output
    for command in (["dmn", "--help"], ["dmn", "tck", "--help"], ["dmn", "eval", "--help"],
                    ["dmn", "check", "--help"], ["feel", "--help"]):
        assert run(*command).exit_code == 0, command


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("accord ")


# --------------------------------------------------------------------------- feel


def test_feel_evaluates() -> None:
    result = run("feel", "1 + 1")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2"


def test_feel_with_context_keeps_decimals_exact() -> None:
    result = run("feel", "x + 0.2", "--context", '{"x": 0.1}')
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0.3"


def test_feel_syntax_error_is_one_clean_line() -> None:
    result = run("feel", "1 +")
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("text", "position"), [
    ('{"x": 1,}', "line 1, column 9"),
    ('{"x": 1', "line 1, column 8"),
    ('{\n  "x": 1\n  "y": 2\n}', "line 3, column 3"),
])
def test_bad_json_names_the_position(text: str, position: str) -> None:
    result = run("feel", "x", "--context", text)
    assert result.exit_code == 2
    assert "invalid JSON in --context" in result.output
    assert position in result.output
    assert "Traceback" not in result.output


def test_json_must_be_an_object_without_nan() -> None:
    result = run("feel", "x", "--context", "[1]")
    assert result.exit_code == 2 and "must be a JSON object" in result.output
    result = run("feel", "x", "--context", '{"x": NaN}')
    assert result.exit_code == 2 and "NaN" in result.output


# --------------------------------------------------------------------------- dmn eval


@dataclass
class Message:
    severity: str
    element_id: str
    text: str


@dataclass
class FakeResult:
    value: Any
    outputs: dict[str, Any]
    messages: list[Any] = field(default_factory=list)
    trace: Any = None


class FakeModel:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Mapping[str, Any], bool]] = []

    def evaluate(self, decision: str, inputs: Mapping[str, Any], *,
                 trace: bool = False) -> FakeResult:
        self.calls.append((decision, inputs, trace))
        value = {"total": inputs["a"] + inputs["b"], "when": dt.date(2024, 2, 29)}
        return FakeResult(value, {decision: value, "helper": Decimal("1E+2")},
                          [Message("warning", "d1", "careful")], {"table": ["rule-1"]})

    def evaluate_service(self, name: str, inputs: Mapping[str, Any], *,
                         trace: bool = False) -> FakeResult:
        self.calls.append((name, inputs, trace))
        return FakeResult("served", {"out": "served"})


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeModel:
    fake = FakeModel()

    def load(path: Path) -> FakeModel:
        if Path(path).name == "bad.dmn":
            raise DmnXmlError("malformed DMN", file=str(path), line=3)
        return fake

    monkeypatch.setattr(accord.dmn, "load", load, raising=False)
    (tmp_path / "model.dmn").write_text("<definitions/>", encoding="utf-8")
    (tmp_path / "bad.dmn").write_text("<definitions", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return fake


def test_eval_prints_exact_json(model: FakeModel) -> None:
    result = run("dmn", "eval", "model.dmn", "--decision", "Sum",
                 "--input", '{"a": 0.1, "b": 0.2}')
    assert result.exit_code == 0, result.output
    assert json.loads(result.output, parse_float=Decimal) == {
        "decision": "Sum",
        "value": {"total": Decimal("0.3"), "when": "2024-02-29"},
        "messages": [{"severity": "warning", "element_id": "d1", "text": "careful"}],
    }
    assert '"total": 0.3' in result.output
    decision, inputs, trace = model.calls[0]
    assert (decision, trace) == ("Sum", False)
    assert inputs == {"a": Decimal("0.1"), "b": Decimal("0.2")}
    assert all(type(v) is Decimal for v in inputs.values())


def test_eval_input_file_trace_and_service(model: FakeModel, tmp_path: Path) -> None:
    (tmp_path / "in.json").write_text('{"a": 1, "b": 2}', encoding="utf-8")
    result = run("dmn", "eval", "model.dmn", "-d", "Sum", "--input-file", "in.json",
                 "--input", '{"b": 5}', "--trace")
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["value"]["total"] == 6
    assert output["outputs"]["helper"] == 100
    assert output["trace"] == {"table": ["rule-1"]}
    assert model.calls[0][2] is True
    result = run("dmn", "eval", "model.dmn", "--service", "svc")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["value"] == "served"


def test_eval_errors(model: FakeModel, tmp_path: Path) -> None:
    result = run("dmn", "eval", "model.dmn")
    assert result.exit_code == 2 and "exactly one of --decision or --service" in result.output
    result = run("dmn", "eval", "model.dmn", "-d", "x", "--input", "{bad")
    assert result.exit_code == 2 and "line 1, column 2" in result.output
    (tmp_path / "bad.json").write_text('{\n"a": }', encoding="utf-8")
    result = run("dmn", "eval", "model.dmn", "-d", "x", "--input-file", "bad.json")
    assert result.exit_code == 2 and "bad.json" in result.output
    assert "line 2, column 6" in result.output
    result = run("dmn", "eval", "missing.dmn", "-d", "x")
    assert result.exit_code == 2 and "no such file" in result.output
    result = run("dmn", "eval", "bad.dmn", "-d", "x")
    assert result.exit_code == 2
    assert result.output.strip() == "error: malformed DMN (file bad.dmn, line 3)"


# --------------------------------------------------------------------------- dmn check

Problem = namedtuple("Problem", "severity element_id element message")


def test_check_reports_problems(tmp_path: Path) -> None:
    ns = "https://www.omg.org/spec/DMN/20191111/MODEL/"
    good = tmp_path / "good.dmn"
    good.write_text(f'<definitions xmlns="{ns}" id="g" name="g" namespace="urn:g">'
                    '<decision id="d1" name="D"><literalExpression><text>1 + 1</text>'
                    "</literalExpression></decision></definitions>")
    result = run("dmn", "check", str(good))
    assert result.exit_code == 0 and "0 error(s), 0 other problem(s)" in result.output
    bad = tmp_path / "bad.dmn"
    bad.write_text(f'<definitions xmlns="{ns}" id="b" name="b" namespace="urn:b">'
                   '<inputData id="i1" name="x"><variable name="x" typeRef="tNope"/></inputData>'
                   '<decision id="d1" name="D"><literalExpression><text>x +</text>'
                   '</literalExpression></decision><decision id="d2" name="E"/></definitions>')
    result = run("dmn", "check", str(bad))
    assert result.exit_code == 1
    assert "[decision 'D' d1]" in result.output and "line 1, column 4" in result.output
    assert "unknown type 'tNope'" in result.output
    assert "warning" in result.output and "has no decision logic" in result.output
    assert "2 error(s), 1 other problem(s)" in result.output
    broken = tmp_path / "broken.dmn"
    broken.write_text("<definitions")
    result = run("dmn", "check", str(broken))
    assert result.exit_code == 1 and "line 1" in result.output
    assert run("dmn", "check", str(tmp_path / "missing.dmn")).exit_code == 2


# --------------------------------------------------------------------------- dmn tck

NS_ATTRS = ('xmlns="http://www.omg.org/spec/DMN/20160719/testcase" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema"')


def make_tck(root: Path) -> None:
    folder = root / "TestCases" / "compliance-level-2" / "0001-sum"
    folder.mkdir(parents=True)
    (folder / "0001-sum.dmn").write_text("<definitions/>", encoding="utf-8")
    cases = "".join(
        f'<testCase id="00{n}"><inputNode name="a"><value xsi:type="xsd:decimal">{n}</value>'
        '</inputNode><inputNode name="b"><value xsi:type="xsd:decimal">1</value></inputNode>'
        f'<resultNode name="Sum"><expected><component name="total"><value xsi:type="xsd:decimal">'
        f'{expected}</value></component><component name="when"><value xsi:type="xsd:date">'
        '2024-02-29</value></component></expected></resultNode></testCase>'
        for n, expected in ((1, 2), (2, 4)))
    (folder / "0001-sum-test-01.xml").write_text(
        f"<testCases {NS_ATTRS}><modelName>0001-sum.dmn</modelName>{cases}</testCases>",
        encoding="utf-8")


def test_tck_command(model: FakeModel, tmp_path: Path) -> None:
    make_tck(tmp_path / "tck")
    out = tmp_path / "results.csv"
    result = run("dmn", "tck", "tck", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "compliance-level-2" in result.output
    assert out.read_text(encoding="utf-8").splitlines() == [
        '"compliance-level-2/0001-sum","0001-sum-test-01","001","SUCCESS",""',
        '"compliance-level-2/0001-sum","0001-sum-test-01","002","ERROR",'
        '"node Sum: expected 4 at total, got 3"',
    ]
    known = tmp_path / "known.txt"
    result = run("dmn", "tck", "tck", "--out", str(out), "--known", str(known))
    assert result.exit_code == 1
    assert "new failure: compliance-level-2/0001-sum/0001-sum-test-01#002" in result.output
    result = run("dmn", "tck", "tck", "--out", str(out), "--level", "2",
                 "--update-known", str(known))
    assert result.exit_code == 0
    assert "wrote 1 known failures" in result.output
    result = run("dmn", "tck", "tck", "--out", str(out), "--known", str(known))
    assert result.exit_code == 0, result.output


def test_tck_command_errors(tmp_path: Path) -> None:
    result = run("dmn", "tck", str(tmp_path / "nothing"), "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 2 and "no TCK test cases" in result.output
    make_tck(tmp_path / "tck")
    result = run("dmn", "tck", str(tmp_path / "tck"), "--out", str(tmp_path / "r.csv"),
                 "--level", "7")
    assert result.exit_code == 2 and "unknown level" in result.output


# --------------------------------------------------------------------------- JSON output


def test_jsonout_numbers_are_exact() -> None:
    assert jsonout.dumps(Decimal("0.1")) == "0.1"
    assert jsonout.dumps(Decimal("1E+2")) == "100"
    assert jsonout.dumps(Decimal("-0.000")) == "-0.000"
    big = Decimal("123456789012345678901234567890.123456789")
    assert jsonout.dumps(big) == "123456789012345678901234567890.123456789"
    assert json.loads(jsonout.dumps(Decimal("1E+100"))) == 1e100
    assert jsonout.dumps(Decimal("NaN")) == "null"
    assert jsonout.dumps([True, None, "é"], indent=None) == '[true,null,"é"]'


def test_jsonout_temporal_and_other_feel_values() -> None:
    utc = dt.UTC
    value = {
        "date": dt.date(2024, 1, 31),
        "time": dt.time(10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        "utc": dt.datetime(2024, 1, 31, 10, 30, 0, 500000, tzinfo=utc),
        "local": dt.datetime(2024, 1, 31, 10, 30),
        "dtd": dt.timedelta(days=1, hours=2),
        "ymd": YearsMonthsDuration(14),
        "range": Range(True, Decimal(1), Decimal(10), False),
        "gt": Range(False, Decimal(5), None, False),
        "fn": FeelFunction("f", ["x"], lambda x: x),
        "empty": {},
        "nothing": [],
    }
    assert json.loads(jsonout.dumps(value)) == {
        "date": "2024-01-31",
        "time": "10:30:00+01:00",
        "utc": "2024-01-31T10:30:00.500000Z",
        "local": "2024-01-31T10:30:00",
        "dtd": "P1DT2H",
        "ymd": "P1Y2M",
        "range": "[1..10)",
        "gt": "> 5",
        "fn": "<function>",
        "empty": {},
        "nothing": [],
    }


def test_error_messages_are_single_lines() -> None:
    error = FeelSyntaxError("unexpected end", "1 +\n", 4, "an expression")
    assert "\n" not in str(error)
