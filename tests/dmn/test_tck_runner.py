"""The DMN TCK runner: reading test files, comparing values, CSV, known failures, full runs.

Everything here runs against a fake model object; the real engine is exercised by
tests/conformance/test_tck.py.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET

from accord.dmn import tck
from accord.dmn.tck import (
    ERROR,
    IGNORED,
    SUCCESS,
    CaseResult,
    InputNode,
    ResultNode,
    TckCase,
    evaluate_case,
    fixed,
    format_csv_line,
    new_failures,
    parse_test_file,
    read_known_failures,
    read_known_failures_file,
    run_tck,
    summarise,
    write_known_failures,
    write_results_csv,
)
from accord.dmn.tck_values import TckValueError, compare, read_value
from accord.errors import DmnEvaluationError, DmnXmlError
from accord.feel.values import YearsMonthsDuration
from accord.feel.wide import WideTime

NS = "http://www.omg.org/spec/DMN/20160719/testcase"
XMLNS = (f'xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
         'xmlns:xsd="http://www.w3.org/2001/XMLSchema"')
TCK_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "dmn-tck"


def value_of(inner: str) -> Any:
    """The FEEL value of ``<expected>inner</expected>``."""
    return read_value(SafeET.fromstring(f"<expected {XMLNS}>{inner}</expected>"))


def typed(xsd_type: str, text: str) -> Any:
    return value_of(f'<value xsi:type="xsd:{xsd_type}">{text}</value>')


# --------------------------------------------------------------------------- reading values

UTC = dt.UTC


def tz(hours: int, minutes: int = 0) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours, minutes=minutes))


@pytest.mark.parametrize(("xsd_type", "text", "expected"), [
    ("decimal", "18", Decimal("18")),
    ("decimal", "-0.0375", Decimal("-0.0375")),
    ("decimal", " 7 ", Decimal("7")),
    ("double", "1.0E+2", Decimal("100")),
    ("double", "2878.6935494327668", Decimal("2878.6935494327668")),
    ("float", "1.5", Decimal("1.5")),
    ("int", "42", Decimal(42)),
    ("integer", "-3", Decimal(-3)),
    ("long", "9999999999999", Decimal("9999999999999")),
    ("string", "Approved", "Approved"),
    ("string", "  spaced  ", "  spaced  "),
    ("boolean", "true", True),
    ("boolean", "false", False),
    ("boolean", "1", True),
    ("boolean", "0", False),
    ("date", "2017-01-01", dt.date(2017, 1, 1)),
    ("time", "10:20:00", dt.time(10, 20)),
    ("time", "10:20:00Z", dt.time(10, 20, tzinfo=UTC)),
    ("time", "09:15:30+11:00", dt.time(9, 15, 30, tzinfo=tz(11))),
    ("time", "11:59:00-02:01", dt.time(11, 59, tzinfo=tz(-2, -1))),
    ("time", "11:22:33.123456789", WideTime(11, 22, 33, 123456789)),
    ("time", "12:59:01.3-01:00", dt.time(12, 59, 1, 300000, tzinfo=tz(-1))),
    ("dateTime", "2017-12-31T11:22:33", dt.datetime(2017, 12, 31, 11, 22, 33)),
    ("dateTime", "2017-09-05T09:15:30.123456Z",
     dt.datetime(2017, 9, 5, 9, 15, 30, 123456, tzinfo=UTC)),
    ("dateTime", "2017-12-31T11:22:33.456+01:35",
     dt.datetime(2017, 12, 31, 11, 22, 33, 456000, tzinfo=tz(1, 35))),
    ("dateTime", "2018-12-10T10:30:00@Europe/Paris",
     dt.datetime(2018, 12, 10, 10, 30, tzinfo=__import__("zoneinfo").ZoneInfo("Europe/Paris"))),
    ("duration", "P1D", dt.timedelta(days=1)),
    ("duration", "PT1H2M", dt.timedelta(hours=1, minutes=2)),
    ("duration", "-P1DT2H", -dt.timedelta(days=1, hours=2)),
    ("duration", "P1DT2H3M4.123456789S",
     dt.timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=123456)),
    ("duration", "PT0.999S", dt.timedelta(microseconds=999000)),
    ("duration", "P0D", dt.timedelta(0)),
    ("duration", "PT0S", dt.timedelta(0)),
    ("duration", "P9498D", dt.timedelta(days=9498)),
    ("duration", "P1Y2M", YearsMonthsDuration(14)),
    ("duration", "-P10Y", YearsMonthsDuration(-120)),
    ("duration", "P11M", YearsMonthsDuration(11)),
    ("duration", "P0M", YearsMonthsDuration(0)),
    ("duration", "P1Y0M", YearsMonthsDuration(12)),
    ("duration", "P99999999Y", YearsMonthsDuration(99999999 * 12)),
])
def test_simple_values(xsd_type: str, text: str, expected: Any) -> None:
    value = typed(xsd_type, text)
    assert value == expected
    assert type(value) is type(expected)
    if isinstance(expected, dt.time | dt.datetime):
        assert value.utcoffset() == expected.utcoffset()


def test_decimal_keeps_its_exact_text() -> None:
    value = typed("decimal", "1.0E+2")
    assert str(value) == "1.0E+2"
    assert str(typed("decimal", "0.10")) == "0.10"


def test_any_xsd_prefix_is_accepted() -> None:
    assert value_of('<value xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                    'xsi:type="xs:decimal">3</value>') == Decimal(3)


def test_nil_untyped_and_empty() -> None:
    assert value_of('<value xsi:nil="true"/>') is None
    assert value_of("") is None
    assert value_of("<value>plain</value>") == "plain"
    assert typed("string", "") == ""


@pytest.mark.parametrize(("xsd_type", "text"), [
    ("date", "-1000000000-01-01"),  # year outside FEEL's range
    ("date", "2017-02-30"),
    ("date", "2017-01-01Z"),
    ("dateTime", "-2017-12-31T25:22:33"),
    ("dateTime", "2017-12-31"),
    ("time", "25:00:00"),
    ("time", "10:20:00+1"),
    ("duration", "P"),
    ("duration", "PT"),
    ("duration", "P1DT"),
    ("duration", "P1Y2D"),  # FEEL has no such duration
    ("decimal", "abc"),
    ("double", "NaN"),
    ("double", "INF"),
    ("boolean", "yes"),
    ("anyURI", "http://example.com"),
])
def test_unreadable_values(xsd_type: str, text: str) -> None:
    with pytest.raises(TckValueError):
        typed(xsd_type, text)


def test_components_lists_and_nesting() -> None:
    value = value_of("""
        <component name="name"><value xsi:type="xsd:string">Ann</value></component>
        <component name="age"><value xsi:type="xsd:decimal">30</value></component>
        <component name="none"><value xsi:nil="true"/></component>
        <component name="nilled" xsi:nil="true"/>
        <component name="tags">
          <list>
            <item><value xsi:type="xsd:string">a</value></item>
            <item><value xsi:nil="true"/></item>
            <item><list><item><value xsi:type="xsd:boolean">true</value></item></list></item>
          </list>
        </component>
        <component name="address">
          <component name="city"><value xsi:type="xsd:string">Paris</value></component>
        </component>
    """)
    assert value == {
        "name": "Ann", "age": Decimal(30), "none": None, "nilled": None,
        "tags": ["a", None, [True]],
        "address": {"city": "Paris"},
    }
    assert list(value) == ["name", "age", "none", "nilled", "tags", "address"]


def test_lists() -> None:
    assert value_of("<list/>") == []
    assert value_of('<list xsi:nil="true"/>') is None
    assert value_of("""<list>
        <item><component name="a"><value xsi:type="xsd:decimal">1</value></component></item>
        <item><component name="a"><value xsi:type="xsd:decimal">2</value></component></item>
    </list>""") == [{"a": Decimal(1)}, {"a": Decimal(2)}]


def test_malformed_value_structures() -> None:
    with pytest.raises(TckValueError):
        value_of('<value xsi:type="xsd:string">a</value><value xsi:type="xsd:string">b</value>')
    with pytest.raises(TckValueError):
        value_of('<component><value xsi:type="xsd:string">a</value></component>')
    with pytest.raises(TckValueError):
        value_of('<component name="a"/><component name="a"/>')


# --------------------------------------------------------------------------- comparing values


def test_numbers_compare_numerically() -> None:
    assert compare(Decimal("1"), Decimal("1.0")) is None
    assert compare(Decimal("100"), Decimal("1E+2")) is None
    assert compare(Decimal("1"), Decimal("1.01")) is not None
    assert compare(Decimal("1"), True) is not None
    assert compare(True, Decimal("1")) is not None
    assert compare(Decimal("1"), "1") is not None
    assert compare(Decimal("1"), 1) is not None  # FEEL numbers are Decimal, never int


def test_long_decimals_allow_the_runner_tolerance() -> None:
    # TCK 0009: expected from binary doubles; exact decimal result differs at 1E-11.
    expected = Decimal("662.707359373292")
    assert compare(expected, Decimal("662.7073593732659271562143285576524")) is None
    assert compare(Decimal("1.23456789"), Decimal("1.234567895")) is None
    assert compare(Decimal("1.23456789"), Decimal("1.23456790")) is not None  # 1E-8 apart
    # Short expected values get no tolerance at all.
    assert compare(Decimal("0.5"), Decimal("0.50000000001")) is not None
    assert compare(Decimal("1"), Decimal("0.9999999999999999999999999999999999")) is not None
    assert compare(Decimal("1.00000000"), Decimal("NaN")) is not None


def test_scalars_compare_by_type_and_value() -> None:
    assert compare("a", "a") is None
    assert compare("a", "A") is not None
    assert compare(True, True) is None
    assert compare(False, None) is not None
    assert compare(dt.date(2020, 1, 1), dt.date(2020, 1, 1)) is None
    assert compare(dt.date(2020, 1, 1), dt.datetime(2020, 1, 1)) is not None
    assert compare(dt.datetime(2020, 1, 1), dt.date(2020, 1, 1)) is not None
    assert compare(dt.timedelta(0), YearsMonthsDuration(0)) is not None
    assert compare(YearsMonthsDuration(14), YearsMonthsDuration(14)) is None
    assert compare(YearsMonthsDuration(14), YearsMonthsDuration(13)) is not None
    assert compare(dt.timedelta(days=1), dt.timedelta(hours=24)) is None


def test_times_compare_value_and_offset() -> None:
    plus1 = tz(1)
    assert compare(dt.time(10, 0, tzinfo=plus1), dt.time(10, 0, tzinfo=plus1)) is None
    # same instant, other offset: not the same FEEL value
    assert compare(dt.time(10, 0, tzinfo=plus1), dt.time(9, 0, tzinfo=UTC)) is not None
    assert compare(dt.time(10, 0), dt.time(10, 0, tzinfo=UTC)) is not None
    assert compare(dt.datetime(2020, 1, 1, 10, tzinfo=UTC),
                   dt.datetime(2020, 1, 1, 10, tzinfo=tz(0))) is None
    assert compare(dt.datetime(2020, 1, 1, 10), dt.datetime(2020, 1, 1, 10, tzinfo=UTC)) \
        is not None


def test_null_expected() -> None:
    assert compare(None, None) is None
    assert compare(None, Decimal(0)) == "expected null, got 0"
    assert compare(Decimal(0), None) == "expected 0, got null"


def test_lists_compare_element_wise() -> None:
    assert compare([Decimal(1), "a"], [Decimal("1.0"), "a"]) is None
    message = compare([Decimal(1), Decimal(2)], [Decimal(1)])
    assert message is not None and "list of 2" in message
    message = compare([Decimal(1), Decimal(2)], [Decimal(1), Decimal(3)])
    assert message == "expected 2 at [1], got 3"
    assert compare([], []) is None
    assert compare([Decimal(1)], Decimal(1)) is not None  # no singleton-list leniency


def test_contexts_need_exactly_the_expected_keys() -> None:
    assert compare({"a": Decimal(1)}, {"a": Decimal("1.00")}) is None
    missing = compare({"a": Decimal(1), "b": None}, {"a": Decimal(1)})
    assert missing is not None and "missing 'b'" in missing
    extra = compare({"a": Decimal(1)}, {"a": Decimal(1), "c": None})
    assert extra is not None and "unexpected 'c'" in extra
    nested = compare({"p": {"q": [Decimal(1)]}}, {"p": {"q": [Decimal(2)]}})
    assert nested == "expected 1 at p.q[0], got 2"
    assert compare({}, []) is not None


# --------------------------------------------------------------------------- a fake model


@dataclass
class FakeResult:
    value: Any
    outputs: dict[str, Any]
    messages: list[Any] = field(default_factory=list)


@dataclass
class FakeModel:
    """Decisions are functions of the inputs; services return their output decisions."""

    decisions: dict[str, Callable[[Mapping[str, Any]], Any]] = field(default_factory=dict)
    services: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = field(
        default_factory=dict)
    namespace: str | None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def evaluate(self, decision: str, inputs: Mapping[str, Any], *,
                 trace: bool = False) -> FakeResult:
        self.calls.append((decision, dict(inputs)))
        if decision not in self.decisions:
            raise DmnEvaluationError(f"no decision named {decision!r}")
        value = self.decisions[decision](inputs)
        return FakeResult(value, {decision: value})

    def evaluate_service(self, name: str, inputs: Mapping[str, Any], *,
                         trace: bool = False) -> FakeResult:
        self.calls.append((name, dict(inputs)))
        outputs = self.services[name](inputs)
        value = next(iter(outputs.values())) if len(outputs) == 1 else dict(outputs)
        return FakeResult(value, dict(outputs))


def node(name: str, expected: Any = None, *, error: bool = False) -> ResultNode:
    return ResultNode(name, "decision", error, expected)


def test_error_result_expects_null() -> None:
    model = FakeModel({"d": lambda i: None, "e": lambda i: Decimal(1)})
    assert evaluate_case(TckCase("1", results=(node("d", error=True),)), model) == (SUCCESS, "")
    status, comment = evaluate_case(TckCase("2", results=(node("e", error=True),)), model)
    assert status == ERROR
    assert comment == "node e: expected an error (null), got 1"


def test_every_result_node_must_match() -> None:
    model = FakeModel({"a": lambda i: i["x"] + 1, "b": lambda i: "no"})
    case = TckCase("1", inputs=(InputNode("x", value=Decimal(1)),),
                   results=(node("a", Decimal(2)), node("b", "yes")))
    assert evaluate_case(case, model) == (ERROR, "node b: expected 'yes', got 'no'")
    assert model.calls == [("a", {"x": Decimal(1)}), ("b", {"x": Decimal(1)})]


def test_exceptions_become_errors_per_node() -> None:
    def boom(inputs: Mapping[str, Any]) -> Any:
        raise ZeroDivisionError("bad")

    model = FakeModel({"a": boom, "b": lambda i: None})
    case = TckCase("1", results=(node("a", error=True), node("missing"), node("b")))
    status, comment = evaluate_case(case, model)
    assert status == ERROR
    assert "node a: ZeroDivisionError: bad" in comment
    assert "node missing: DmnEvaluationError: no decision named 'missing'" in comment


def test_decision_service_cases() -> None:
    model = FakeModel(services={
        "one": lambda i: {"d1": "foo " + i["in"]},
        "two": lambda i: {"d1": "x", "d2": "y"},
    })
    one = TckCase("1", "decisionService", "one", inputs=(InputNode("in", value="baz"),),
                  results=(ResultNode("d1", None, False, "foo baz"),))
    assert evaluate_case(one, model) == (SUCCESS, "")
    two = TckCase("2", "decisionService", "two",
                  results=(ResultNode("d1", None, False, "x"), ResultNode("d2", None, False, "y"),
                           ResultNode("d3", None, False, "z")))
    status, comment = evaluate_case(two, model)
    assert status == ERROR
    assert comment == "node d3: the decision service result has no output 'd3'"
    no_name = TckCase("3", "decisionService", None, results=(node("d1"),))
    assert evaluate_case(no_name, model)[0] == ERROR


def test_single_output_service_value_wins_over_raw_output() -> None:
    class Coercing(FakeModel):
        def evaluate_service(self, name: str, inputs: Mapping[str, Any], *,
                             trace: bool = False) -> FakeResult:
            return FakeResult(None, {"d": Decimal(1000)})  # output type made it null

    case = TckCase("1", "decisionService", "svc", results=(ResultNode("d", None, True, None),))
    assert evaluate_case(case, Coercing()) == (SUCCESS, "")


def test_unreadable_values_and_unknown_types_are_errors() -> None:
    model = FakeModel({"d": lambda i: None})
    bad_input = TckCase("1", inputs=(InputNode("x", problem="year -1"),), results=(node("d"),))
    assert evaluate_case(bad_input, model) == (ERROR, "input x: cannot read value: year -1")
    bad_expected = TckCase("2", results=(ResultNode("d", None, False, None, "year -1"),))
    assert evaluate_case(bad_expected, model)[0] == ERROR
    assert evaluate_case(TckCase("3", "bkm", results=(node("d"),)), model)[0] == ERROR
    assert evaluate_case(TckCase("4"), model) == (ERROR, "test case has no resultNode")


def test_namespaced_inputs() -> None:
    model = FakeModel({"d": lambda i: dict(i)}, namespace="urn:own")
    case = TckCase("1", inputs=(InputNode("a", "urn:other", "x"), InputNode("b", "urn:own", "y"),
                                InputNode("c", None, "z")),
                   results=(node("d", {"{urn:other}a": "x", "b": "y", "c": "z"}),))
    assert evaluate_case(case, model) == (SUCCESS, "")


def test_namespaced_inputs_follow_import_paths() -> None:
    model_a = FakeModel(namespace="urn:a")
    model_b = FakeModel(namespace="urn:b")
    model_b.imports = {"modelA": model_a}  # type: ignore[attr-defined]
    model_b2 = FakeModel(namespace="urn:b2")
    model_b2.imports = {"modelA": model_a}  # type: ignore[attr-defined]
    top = FakeModel({"d": lambda i: dict(i)}, namespace="urn:c")
    top.imports = {"Model B": model_b, "Model B2": model_b2}  # type: ignore[attr-defined]
    case = TckCase("1", inputs=(InputNode("Person name", "urn:a", "John"),),
                   results=(node("d", {"Model B": {"modelA": {"Person name": "John"}},
                                       "Model B2": {"modelA": {"Person name": "John"}}}),))
    assert evaluate_case(case, top) == (SUCCESS, "")


# --------------------------------------------------------------------------- test files


def tck_xml(cases: str, model: str = "model.dmn") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testCases {XMLNS}>\n'
            f"<modelName>{model}</modelName>\n{cases}\n</testCases>\n")


def test_parse_test_file(tmp_path: Path) -> None:
    folder = tmp_path / "compliance-level-3" / "0085-ds"
    folder.mkdir(parents=True)
    path = folder / "0085-ds-test-01.xml"
    path.write_text(tck_xml("""
      <testCase id="002" invocableName="svc" type="decisionService" name="n">
        <description> Direct invocation </description>
        <inputNode name="in" namespace="urn:x"><value xsi:type="xsd:string">baz</value></inputNode>
        <resultNode name="d" errorResult="true"><expected><value xsi:nil="true"/></expected>
        </resultNode>
      </testCase>
      <!-- <testCase id="ignored"/> -->
      <testCase>
        <resultNode name="e" type="decision"><expected>
          <value xsi:type="xsd:date">-1000000000-01-01</value></expected></resultNode>
      </testCase>"""), encoding="utf-8")
    parsed = parse_test_file(path)
    assert (parsed.level, parsed.folder, parsed.stem, parsed.model_name) == (
        "compliance-level-3", "0085-ds", "0085-ds-test-01", "model.dmn")
    first, second = parsed.cases
    assert first == TckCase("002", "decisionService", "svc", "n", "Direct invocation",
                            (InputNode("in", "urn:x", "baz"),),
                            (ResultNode("d", None, True, None),))
    assert second.id == "#2"
    assert second.results[0].problem is not None and "-1000000000" in second.results[0].problem


@pytest.mark.parametrize("text", [
    "<testCases><unclosed></testCases>",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><testCases>&a;</testCases>',
    f"<other {XMLNS}/>",
])
def test_bad_test_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x-test-01.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DmnXmlError):
        parse_test_file(path)


@pytest.mark.skipif(not TCK_DIR.is_dir(), reason=f"no DMN TCK at {TCK_DIR}")
def test_every_real_tck_file_parses() -> None:
    counts = dict.fromkeys(tck.LEVELS, 0)
    nodes = 0
    for level, path in tck.discover(TCK_DIR):
        parsed = parse_test_file(path, level=level)
        counts[level] += len(parsed.cases)
        nodes += sum(len(case.results) for case in parsed.cases)
    # TCK README: 116 + 3,275 test cases, 3,495 result nodes
    assert counts == {"compliance-level-2": 116, "compliance-level-3": 3275}
    assert nodes == 3495


# --------------------------------------------------------------------------- CSV


def test_csv_line_matches_the_tck_format() -> None:
    ok = CaseResult("compliance-level-2", "0004-simpletable-U", "0004-simpletable-U-test-01",
                    "001", SUCCESS)
    assert format_csv_line(ok) == (
        '"compliance-level-2/0004-simpletable-U","0004-simpletable-U-test-01","001",'
        '"SUCCESS",""\n')
    bad = CaseResult("compliance-level-3", "f", "f-test-01", "x", ERROR,
                     'node d: expected "a", got\n"b"')
    assert format_csv_line(bad) == (
        '"compliance-level-3/f","f-test-01","x","ERROR","node d: expected \'a\', got \'b\'"\n')


def test_write_results_csv(tmp_path: Path) -> None:
    results = [CaseResult("l", "f", "f-test-01", str(i), SUCCESS) for i in range(3)]
    out = tmp_path / "tck_results.csv"
    write_results_csv(results, out)
    data = out.read_bytes()
    assert data.count(b"\n") == 3 and b"\r" not in data
    assert data.startswith(b'"l/f","f-test-01","0","SUCCESS",""\n')


def test_summarise() -> None:
    results = [
        CaseResult("compliance-level-2", "a", "a-test-01", "1", SUCCESS),
        CaseResult("compliance-level-2", "a", "a-test-01", "2", ERROR, "x"),
        CaseResult("compliance-level-3", "b", "b-test-01", "1", IGNORED),
    ]
    assert summarise(results) == {
        "compliance-level-2": {"total": 2, SUCCESS: 1, ERROR: 1, IGNORED: 0},
        "compliance-level-3": {"total": 1, SUCCESS: 0, ERROR: 0, IGNORED: 1},
        "total": {"total": 3, SUCCESS: 1, ERROR: 1, IGNORED: 1},
    }


# --------------------------------------------------------------------------- known failures


def result(key_case: str, status: str) -> CaseResult:
    return CaseResult("compliance-level-3", "0001-f", "0001-f-test-01", key_case, status)


def test_known_failures_diff(tmp_path: Path) -> None:
    known_file = tmp_path / "known.txt"
    known_file.write_text(
        "# header comment\n\n"
        "compliance-level-3/0001-f/0001-f-test-01#001  engine lacks X\n"
        "compliance-level-3/0001-f/0001-f-test-01#002\n"
        "compliance-level-3/0099-other/0099-other-test-01#001\n", encoding="utf-8")
    known = read_known_failures(known_file)
    assert len(known) == 3
    assert read_known_failures_file(known_file)[
        "compliance-level-3/0001-f/0001-f-test-01#001"] == "engine lacks X"
    results = [result("001", ERROR), result("002", SUCCESS), result("003", ERROR),
               result("004", SUCCESS)]
    assert new_failures(results, known) == ["compliance-level-3/0001-f/0001-f-test-01#003"]
    assert fixed(results, known) == ["compliance-level-3/0001-f/0001-f-test-01#002"]
    assert read_known_failures(tmp_path / "absent.txt") == set()


def test_write_known_failures_keeps_uncovered_entries_and_comments(tmp_path: Path) -> None:
    known_file = tmp_path / "known.txt"
    known_file.write_text(
        "compliance-level-3/0001-f/0001-f-test-01#001  engine lacks X\n"
        "compliance-level-3/0001-f/0001-f-test-01#002\n"
        "compliance-level-3/0099-other/0099-other-test-01#001\n", encoding="utf-8")
    keys = write_known_failures([result("001", ERROR), result("002", SUCCESS),
                                 result("003", ERROR)], known_file)
    assert keys == ["compliance-level-3/0001-f/0001-f-test-01#001",
                    "compliance-level-3/0001-f/0001-f-test-01#003",
                    "compliance-level-3/0099-other/0099-other-test-01#001"]
    text = known_file.read_text(encoding="utf-8")
    assert text.startswith("#")
    assert "#001  engine lacks X\n" in text
    assert read_known_failures(known_file) == set(keys)


def test_committed_known_failures_file_is_sorted() -> None:
    path = Path(__file__).resolve().parents[1] / "conformance" / "tck_known_failures.txt"
    keys = list(read_known_failures_file(path))
    assert keys == sorted(keys)
    assert all("/" in k and "#" in k for k in keys)


# --------------------------------------------------------------------------- full runs


def make_tree(root: Path) -> None:
    """A tiny TCK: level 2 with two folders, level 3 with one folder and a broken file."""
    def add(level: str, folder: str, name: str, cases: str, model: str) -> None:
        directory = root / "TestCases" / level / folder
        directory.mkdir(parents=True, exist_ok=True)
        (directory / model).write_text("<definitions/>", encoding="utf-8")
        (directory / name).write_text(tck_xml(cases, model), encoding="utf-8")

    decimal = '<value xsi:type="xsd:decimal">{}</value>'
    add("compliance-level-2", "0001-add", "0001-add-test-01.xml", f"""
      <testCase id="002"><inputNode name="x">{decimal.format(2)}</inputNode>
        <resultNode name="plus one"><expected>{decimal.format(3)}</expected></resultNode>
      </testCase>
      <testCase id="001"><inputNode name="x">{decimal.format(1)}</inputNode>
        <resultNode name="plus one"><expected>{decimal.format("2.0")}</expected></resultNode>
      </testCase>""", "0001-add.dmn")
    add("compliance-level-2", "0001-add", "0001-add-test-02.xml", f"""
      <testCase id="001"><inputNode name="x">{decimal.format(5)}</inputNode>
        <resultNode name="plus one"><expected>{decimal.format(7)}</expected></resultNode>
      </testCase>""", "0001-add.dmn")
    add("compliance-level-2", "0002-broken-model", "0002-broken-model-test-01.xml", """
      <testCase id="001"><resultNode name="d"><expected><value xsi:nil="true"/></expected>
      </resultNode></testCase>""", "0002-broken-model.dmn")
    add("compliance-level-3", "0050-service", "0050-service-test-01.xml", """
      <testCase id="001" type="decisionService" invocableName="svc">
        <inputNode name="in"><value xsi:type="xsd:string">b</value></inputNode>
        <resultNode name="out"><expected><value xsi:type="xsd:string">a b</value></expected>
        </resultNode></testCase>""", "0050-service.dmn")
    broken = root / "TestCases" / "compliance-level-3" / "0050-service" / "0050-service-test-02.xml"
    broken.write_text("<testCases>", encoding="utf-8")


def fake_loader(calls: list[Path]) -> Callable[[Path], Any]:
    def load(path: Path) -> Any:
        calls.append(path)
        if path.name == "0002-broken-model.dmn":
            raise DmnXmlError("not DMN", file=str(path))
        if path.name == "0001-add.dmn":
            return FakeModel({"plus one": lambda i: i["x"] + 1})
        return FakeModel(services={"svc": lambda i: {"out": "a " + i["in"]}})
    return load


def test_run_tck_over_a_fake_tree(tmp_path: Path) -> None:
    make_tree(tmp_path)
    calls: list[Path] = []
    seen: list[tuple[int, int]] = []
    results = run_tck(tmp_path, loader=fake_loader(calls),
                      progress=lambda done, total, r: seen.append((done, total)))
    rows = [(r.key, r.status) for r in results]
    assert rows == [
        ("compliance-level-2/0001-add/0001-add-test-01#001", SUCCESS),
        ("compliance-level-2/0001-add/0001-add-test-01#002", SUCCESS),
        ("compliance-level-2/0001-add/0001-add-test-02#001", ERROR),
        ("compliance-level-2/0002-broken-model/0002-broken-model-test-01#001", ERROR),
        ("compliance-level-3/0050-service/0050-service-test-01#001", SUCCESS),
        ("compliance-level-3/0050-service/0050-service-test-02#", ERROR),
    ]
    by_key = {r.key: r for r in results}
    assert by_key["compliance-level-2/0001-add/0001-add-test-02#001"].comment == (
        "node plus one: expected 7, got 6")
    assert by_key["compliance-level-2/0002-broken-model/0002-broken-model-test-01#001"] \
        .comment.startswith("cannot load model 0002-broken-model.dmn: DmnXmlError: not DMN")
    assert "cannot read test file" in by_key[
        "compliance-level-3/0050-service/0050-service-test-02#"].comment
    # one load per model file, shared by the test files that name it
    assert [p.name for p in calls] == ["0001-add.dmn", "0002-broken-model.dmn",
                                       "0050-service.dmn"]
    assert seen == [(i, 6) for i in range(1, 7)]
    assert summarise(results)["compliance-level-2"] == {
        "total": 4, SUCCESS: 2, ERROR: 2, IGNORED: 0}

    out = tmp_path / "tck_results.csv"
    write_results_csv(results, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '"compliance-level-2/0001-add","0001-add-test-01","001","SUCCESS",""'
    assert len(lines) == 6


def test_run_tck_filters(tmp_path: Path) -> None:
    make_tree(tmp_path)
    loader = fake_loader([])
    only_level3 = run_tck(tmp_path / "TestCases", levels=("compliance-level-3",), loader=loader)
    assert {r.folder for r in only_level3} == {"0050-service"}
    assert {r.folder for r in run_tck(tmp_path, only="0001", loader=loader)} == {"0001-add"}
    assert {r.folder for r in run_tck(tmp_path, only="000[12]-*", loader=loader)} == {
        "0001-add", "0002-broken-model"}
    assert run_tck(tmp_path, only="nothing", loader=loader) == []


def test_run_tck_times_out_slow_cases(tmp_path: Path) -> None:
    make_tree(tmp_path)

    def slow(inputs: Mapping[str, Any]) -> Any:
        time.sleep(5)
        return None

    started = time.monotonic()
    results = run_tck(tmp_path, only="0001-add",
                      loader=lambda path: FakeModel({"plus one": slow}), timeout=0.1)
    assert time.monotonic() - started < 3
    assert {r.comment for r in results} == {"timed out after 0.1s"}


def test_module_main_update_and_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(tmp_path)
    monkeypatch.setattr(tck, "_default_loader", lambda: fake_loader([]))
    known = tmp_path / "known.txt"
    out = tmp_path / "r.csv"
    assert tck.main([str(tmp_path), "--known", str(known), "--out", str(out)]) == 1
    assert "NEW FAILURE" in capsys.readouterr().out
    assert tck.main([str(tmp_path), "--known", str(known), "--update-known-failures"]) == 0
    assert len(read_known_failures(known)) == 3
    assert tck.main([str(tmp_path), "--known", str(known)]) == 0
    assert out.read_text(encoding="utf-8").count("\n") == 6
    assert tck.main([str(tmp_path / "absent")]) == 2
