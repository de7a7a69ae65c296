"""Evaluating DMN models: the API, traces, decision services, imports and bad input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from accord.dmn import Model, check, load, loads
from accord.dmn.table import TableTrace
from accord.errors import DmnEvaluationError, DmnModelError, DmnXmlError
from accord.testing import table_definitions

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def _offers() -> Model:
    return Model(table_definitions(
        "Offer", inputs={"Segment": "string", "Value": "number"},
        outputs={"Offer": "string"},
        rules=[(['"gold"', ">= 1000"], ['"vip"']), (['"gold"', "-"], ['"upgrade"']),
               (["-", "-"], ['"standard"'])],
        hit_policy="FIRST"))


def test_evaluate_returns_value_outputs_and_no_trace_by_default() -> None:
    result = _offers().evaluate("Offer", {"Segment": "gold", "Value": 1500})
    assert result.value == "vip"
    assert result.outputs == {"Offer": "vip"}
    assert result.trace is None and result.messages == []


def test_trace_lists_the_matched_rules_and_inputs() -> None:
    result = _offers().evaluate("Offer", {"Segment": "gold", "Value": 10}, trace=True)
    assert result.trace == [TableTrace("table_Offer", ("gold", Decimal(10)), ("rule_2",),
                                       "upgrade")]


def test_compiled_decision_matches_evaluate() -> None:
    model = _offers()
    fast = model.compile("Offer")
    for inputs in ({"Segment": "gold", "Value": 1500}, {"Segment": "x", "Value": 1.5},
                   {"Segment": None, "Value": None}, {}):
        assert fast(inputs) == model.evaluate("Offer", inputs).value


def test_input_of_the_wrong_type_is_null_and_reported() -> None:
    result = _offers().evaluate("Offer", {"Segment": "gold", "Value": "a lot"})
    assert result.value == "upgrade"  # Value is null: only the don't-care rule on it matches
    [message] = result.messages
    assert message.element_id == "input_1"
    assert "'Value'" in message.text and "string" in message.text and "number" in message.text


def test_unknown_decision_is_an_error_naming_it() -> None:
    with pytest.raises(DmnEvaluationError, match="no decision named 'Nope'"):
        _offers().evaluate("Nope", {})


def _model_xml(body: str, extra_ns: str = "") -> str:
    return (f'<definitions xmlns="{DMN13}" id="d" name="m" namespace="urn:m"{extra_ns}>'
            f"{body}</definitions>")


def test_feel_syntax_error_in_a_cell_names_rule_column_line_and_column() -> None:
    xml = _model_xml("""
      <inputData id="i" name="x"/>
      <decision id="dec" name="D">
        <informationRequirement><requiredInput href="#i"/></informationRequirement>
        <decisionTable id="tbl" hitPolicy="FIRST">
          <input id="in1"><inputExpression><text>x</text></inputExpression></input>
          <output id="out1"/>
          <rule id="r1"><inputEntry><text>&gt; (1 +</text></inputEntry>
            <outputEntry><text>1</text></outputEntry></rule>
        </decisionTable>
      </decision>""")
    model = loads(xml)
    with pytest.raises(DmnModelError) as caught:
        model.evaluate("D", {"x": 1})
    text = str(caught.value)
    assert "rule r1 input entry 1" in text and "line 1, column 7" in text
    assert caught.value.element_id == "tbl"
    [problem] = check(xml)
    assert problem.severity == "error" and problem.element == "decision 'D'"


def test_unknown_hit_policy_names_the_table() -> None:
    xml = _model_xml("""<decision id="dec" name="D">
        <decisionTable id="tbl" hitPolicy="SOMETIMES"><output id="o"/></decisionTable>
      </decision>""")
    with pytest.raises(DmnModelError, match="SOMETIMES") as caught:
        loads(xml)
    assert "tbl" in str(caught.value)


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(DmnXmlError) as caught:
        loads(f'<definitions xmlns="{DMN13}">\n<decision>\n</definitions>')
    assert caught.value.line == 3


def test_check_reports_every_problem() -> None:
    xml = _model_xml("""
      <inputData id="i" name="x"><variable name="x" typeRef="tUnknown"/></inputData>
      <decision id="a" name="A">
        <informationRequirement><requiredDecision href="#b"/></informationRequirement>
        <informationRequirement><requiredInput href="#missing"/></informationRequirement>
        <literalExpression><text>B + </text></literalExpression>
      </decision>
      <decision id="b" name="B">
        <informationRequirement><requiredDecision href="#a"/></informationRequirement>
        <decisionTable id="t" hitPolicy="FIRST" aggregation="SUM">
          <input id="in"><inputExpression><text>A</text></inputExpression></input>
          <output id="o"/>
        </decisionTable>
      </decision>""")
    messages = [str(p) for p in check(xml)]
    assert any("unknown type 'tUnknown'" in m for m in messages), messages
    assert any("'#missing' names no element" in m for m in messages), messages
    assert any("decision 'A'" in m and "expected an expression" in m for m in messages)
    assert any("needs hit policy COLLECT" in m for m in messages), messages
    assert any("requirement cycle: A -> B -> A" in m for m in messages), messages


def test_decision_service_evaluates_its_outputs(tmp_path: Path) -> None:
    xml = _model_xml("""
      <inputData id="i" name="n"><variable name="n" typeRef="number"/></inputData>
      <decision id="d1" name="Double">
        <variable name="Double" typeRef="number"/>
        <informationRequirement><requiredInput href="#i"/></informationRequirement>
        <literalExpression><text>n * 2</text></literalExpression>
      </decision>
      <decisionService id="s" name="Doubler">
        <outputDecision href="#d1"/><inputData href="#i"/>
      </decisionService>
      <decision id="d2" name="Use">
        <knowledgeRequirement><requiredKnowledge href="#s"/></knowledgeRequirement>
        <literalExpression><text>Doubler(21) + Doubler("x")</text></literalExpression>
      </decision>""")
    model = loads(xml)
    assert model.evaluate_service("Doubler", {"n": 4}).value == Decimal(8)
    assert model.evaluate("Use", {}).value is None  # "x" does not conform: the call is null
    model_file = tmp_path / "m.dmn"
    model_file.write_text(xml)
    assert load(model_file).evaluate_service("Doubler", {"n": 1}).outputs == {
        "Double": Decimal(2)}


def test_imported_decisions_and_types_by_qualified_name(tmp_path: Path) -> None:
    (tmp_path / "lib.dmn").write_text(
        f'<definitions xmlns="{DMN13}" id="l" name="lib" namespace="urn:lib">'
        '<itemDefinition name="tAge"><typeRef>number</typeRef>'
        "<allowedValues><text>[0..150]</text></allowedValues></itemDefinition>"
        '<businessKnowledgeModel id="greet" name="Greet"><encapsulatedLogic>'
        '<formalParameter name="who" typeRef="string"/>'
        '<literalExpression><text>"Hello " + who</text></literalExpression>'
        "</encapsulatedLogic></businessKnowledgeModel></definitions>")
    main = tmp_path / "main.dmn"
    main.write_text(_model_xml(
        '<import namespace="urn:lib" name="lib" importType="' + DMN13 + '"/>'
        '<inputData id="a" name="Age"><variable name="Age" typeRef="lib.tAge"/></inputData>'
        '<decision id="d" name="Hi"><informationRequirement><requiredInput href="#a"/>'
        '</informationRequirement><knowledgeRequirement>'
        '<requiredKnowledge href="urn:lib#greet"/></knowledgeRequirement>'
        '<literalExpression><text>lib.Greet(string(Age))</text></literalExpression>'
        "</decision>"))
    model = load(main)
    assert model.evaluate("Hi", {"Age": 30}).value == "Hello 30"
    result = model.evaluate("Hi", {"Age": 200})  # outside the imported type's allowed values
    assert result.value is None and result.messages


def test_missing_import_is_a_clear_error(tmp_path: Path) -> None:
    main = tmp_path / "main.dmn"
    main.write_text(_model_xml('<import namespace="urn:nowhere" name="x" importType="'
                               + DMN13 + '"/>'))
    with pytest.raises(DmnModelError, match=r"urn:nowhere.*not found"):
        load(main)
