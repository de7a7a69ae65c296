"""Reading and writing DMN XML: the TCK models, a Camunda Modeler 5 file, unsafe and bad input."""

from __future__ import annotations

import collections
import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from accord.dmn.model import (
    Aggregation,
    Conditional,
    Decision,
    DecisionTable,
    Definitions,
    Every,
    Filter,
    For,
    HitPolicy,
    ItemDefinition,
    LiteralExpression,
    Some,
    UnaryTests,
    is_feel,
    iter_expressions,
    split_href,
)
from accord.dmn.xml_reader import read_dmn
from accord.dmn.xml_source import canonical_ns
from accord.dmn.xml_writer import write_dmn
from accord.errors import DmnModelError, DmnXmlError

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[2]
TCK_ROOT = REPO_ROOT.parent / "shared" / "dmn-tck" / "TestCases"
TCK_FILES = sorted(TCK_ROOT.rglob("*.dmn")) if TCK_ROOT.is_dir() else []
TCK_PARAMS = [pytest.param(path, id=path.name) for path in TCK_FILES] or [
    pytest.param(None, id="tck-missing",
                 marks=pytest.mark.skip(reason=f"DMN TCK not found at {TCK_ROOT}"))]

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMNDI13 = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DMN15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"
MODELER = "http://camunda.org/schema/modeler/1.0"
CAMUNDA = "http://camunda.org/schema/1.0/dmn"


def _minimal(body: str, ns: str = DMN13) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<definitions xmlns="{ns}" id="defs" name="m" namespace="urn:m">\n{body}\n'
            f'</definitions>\n')


# ------------------------------------------------------------------ structural DMN 1.3 check

# The DMN 1.3 XSD sequences of the elements the writer produces: each entry is the ordered list
# of groups of child names allowed in that position (a group is a set: a choice or a
# substitution group). "description" and "extensionElements" (tDMNElement) come first.
_D = [{"description"}, {"extensionElements"}]
_EXPR = {"literalExpression", "decisionTable", "context", "relation", "list", "invocation",
         "functionDefinition"}
_TEXT = [*_D, {"text", "importedValues"}]
_INFO = list(_D)
SCHEMA_ORDER_13: dict[str, list[set[str]]] = {
    "definitions": [*_D, {"import"}, {"itemDefinition"},
                    {"decision", "businessKnowledgeModel", "decisionService", "inputData",
                     "knowledgeSource"},
                    {"textAnnotation", "association", "group"}, {"elementCollection"},
                    {"performanceIndicator", "organizationUnit"}, {"dmndi:DMNDI"}],
    "import": list(_D),
    "itemDefinition": [*_D, {"typeRef"}, {"allowedValues"}, {"itemComponent"},
                       {"functionItem"}],
    "itemComponent": [*_D, {"typeRef"}, {"allowedValues"}, {"itemComponent"},
                      {"functionItem"}],
    "functionItem": [*_D, {"parameters"}],
    "decision": [*_D, {"question"}, {"allowedAnswers"}, {"variable"},
                 {"informationRequirement"}, {"knowledgeRequirement"},
                 {"authorityRequirement"}, {"supportedObjective"},
                 {"impactedPerformanceIndicator"}, {"decisionMaker"}, {"decisionOwner"},
                 {"usingProcess"}, {"usingTask"}, _EXPR],
    "inputData": [*_D, {"variable"}],
    "businessKnowledgeModel": [*_D, {"variable"}, {"encapsulatedLogic"},
                               {"knowledgeRequirement"}, {"authorityRequirement"}],
    "decisionService": [*_D, {"variable"}, {"outputDecision"}, {"encapsulatedDecision"},
                        {"inputDecision"}, {"inputData"}],
    "knowledgeSource": [*_D, {"authorityRequirement"}, {"type"}, {"owner"}],
    "informationRequirement": [*_D, {"requiredDecision", "requiredInput"}],
    "knowledgeRequirement": [*_D, {"requiredKnowledge"}],
    "authorityRequirement": [*_D, {"requiredDecision", "requiredInput", "requiredAuthority"}],
    "literalExpression": _TEXT, "inputExpression": _TEXT, "outputEntry": _TEXT,
    "defaultOutputEntry": _TEXT,
    "inputEntry": [*_D, {"text"}], "inputValues": [*_D, {"text"}],
    "outputValues": [*_D, {"text"}], "allowedValues": [*_D, {"text"}],
    "decisionTable": [*_D, {"input"}, {"output"}, {"annotation"}, {"rule"}],
    "input": [*_D, {"inputExpression"}, {"inputValues"}],
    "output": [*_D, {"outputValues"}, {"defaultOutputEntry"}],
    "annotation": [],
    "rule": [*_D, {"inputEntry"}, {"outputEntry"}, {"annotationEntry"}],
    "annotationEntry": [{"text"}],
    "context": [*_D, {"contextEntry"}],
    "contextEntry": [*_D, {"variable"}, _EXPR],
    "relation": [*_D, {"column"}, {"row"}],
    "list": [*_D, _EXPR], "row": [*_D, _EXPR],
    "invocation": [*_D, _EXPR, {"binding"}],
    "binding": [{"parameter"}, _EXPR],
    "functionDefinition": [*_D, {"formalParameter"}, _EXPR],
    "encapsulatedLogic": [*_D, {"formalParameter"}, _EXPR],
    "variable": _INFO, "parameter": _INFO, "parameters": _INFO, "column": _INFO,
    "formalParameter": _INFO,
    "textAnnotation": [*_D, {"text"}],
    "association": [*_D, {"sourceRef"}, {"targetRef"}],
}
_LEAVES = {"text", "typeRef", "question", "allowedAnswers", "description", "requiredDecision",
           "requiredInput", "requiredAuthority", "requiredKnowledge", "outputDecision",
           "encapsulatedDecision", "inputDecision", "sourceRef", "targetRef", "type", "owner"}


def _local(tag: str) -> str:
    uri, _, local = tag[1:].partition("}")
    return "dmndi:" + local if uri == DMNDI13 else local


def check_dmn13_structure(xml: str) -> ET.Element:
    """Check what the DMN 1.3 XSD would: namespace, allowed children and their order."""
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == f"{{{DMN13}}}definitions"

    def check(element: ET.Element, parent: str | None) -> None:
        name = _local(element.tag)
        if not element.tag.startswith(f"{{{DMN13}}}") or name == "extensionElements":
            return  # DMNDI / vendor content: not constrained by the DMN model schema
        if name == "inputData" and parent == "decisionService":
            order: list[set[str]] = []  # a reference here (tDMNElementReference)
        elif name in _LEAVES:
            order = []
        else:
            assert name in SCHEMA_ORDER_13, f"unexpected element <{name}>"
            order = SCHEMA_ORDER_13[name]
        position = 0
        for child in element:
            child_name = _local(child.tag)
            if not child.tag.startswith(("{" + DMN13, "{" + DMNDI13)):
                continue
            indices = [i for i, group in enumerate(order) if child_name in group]
            assert indices, f"<{child_name}> not allowed in <{name}>"
            assert indices[-1] >= position, f"<{child_name}> out of order in <{name}>"
            position = max(position, indices[0])
            check(child, name)

    check(root, None)
    return root


def infoset(root: ET.Element) -> collections.Counter[tuple[str, tuple[tuple[str, str], ...], str]]:
    """Elements by path, attributes and text: what must survive a round trip (defaults,
    whitespace between elements, document order of DRG elements and comments need not)."""
    defaults = {("hitPolicy", "UNIQUE"), ("isCollection", "false"), ("kind", "FEEL")}

    def canon(name: str) -> str:
        if name.startswith("{"):
            uri, _, local = name[1:].partition("}")
            return f"{{{canonical_ns(uri)}}}{local}"
        return name

    counts: collections.Counter[tuple[str, tuple[tuple[str, str], ...], str]] = (
        collections.Counter())

    def walk(element: ET.Element, path: str) -> None:
        path = f"{path}/{canon(element.tag)}"
        attributes = tuple(sorted((canon(k), v) for k, v in element.attrib.items()
                                  if (k, v) not in defaults))
        text = (element.text or "").strip() if len(element) == 0 else ""
        counts[(path, attributes, text)] += 1
        for child in element:
            walk(child, path)

    walk(root, "")
    return counts


def _uses_dmn14(defs: Definitions) -> bool:
    expressions = [e for d in defs.decisions for e in iter_expressions(d.expression)]
    expressions += [e for b in defs.bkms for e in iter_expressions(b.encapsulated_logic)]
    return any(isinstance(e, Conditional | For | Some | Every | Filter) for e in expressions)


def _uses_dmn15(defs: Definitions) -> bool:
    def walk(items: tuple[ItemDefinition, ...]) -> bool:
        return any(i.type_constraint is not None or walk(i.item_components) for i in items)
    return walk(defs.item_definitions)


# ------------------------------------------------------------------ (1), (2): the DMN TCK


@pytest.mark.conformance
def test_tck_is_complete() -> None:
    if not TCK_FILES:
        pytest.skip(f"DMN TCK not found at {TCK_ROOT}")
    assert len(TCK_FILES) >= 150


@pytest.mark.conformance
@pytest.mark.parametrize("path", TCK_PARAMS)
def test_tck_model_reads(path: Path) -> None:
    defs = read_dmn(path)
    assert defs.name and defs.namespace
    assert defs.decisions or defs.bkms or defs.decision_services


@pytest.mark.conformance
@pytest.mark.parametrize("path", TCK_PARAMS)
def test_tck_model_round_trips_as_dmn15(path: Path) -> None:
    defs = read_dmn(path)
    written = write_dmn(defs, version="1.5")
    assert read_dmn(written) == defs
    # Nothing is lost on the way: the same elements, attributes and texts.
    assert infoset(ET.fromstring(written.encode())) == infoset(ET.parse(path).getroot())


@pytest.mark.conformance
@pytest.mark.parametrize("path", TCK_PARAMS)
def test_tck_model_as_dmn13(path: Path) -> None:
    defs = read_dmn(path)
    if _uses_dmn14(defs) or _uses_dmn15(defs):
        with pytest.raises(DmnModelError, match=r"cannot write it as DMN 1\.3"):
            write_dmn(defs, version="1.3")
        return
    written = write_dmn(defs)
    check_dmn13_structure(written)
    assert read_dmn(written) == defs


# ------------------------------------------------------------------ (3): Camunda Modeler 5


def test_camunda_modeler_file_reads() -> None:
    defs = read_dmn(FIXTURES / "camunda-modeler-5.dmn")
    assert defs.dmn_version == "1.3"
    assert (defs.name, defs.namespace, defs.exporter) == (
        "Dish Decisions", "http://camunda.org/schema/1.0/dmn", "Camunda Modeler")
    assert (f"{{{MODELER}}}executionPlatform", "Camunda Cloud") in defs.extra_attributes
    dish, season = defs.decisions
    assert dish.description == "Which dish to serve, by season and number of guests."
    assert dish.required_decisions == ("#Decision_Season",)
    assert dish.required_inputs == ("#InputData_Guests",)
    table = dish.expression
    assert isinstance(table, DecisionTable)
    assert table.hit_policy is HitPolicy.FIRST and table.id == "DecisionTable_0dish"
    assert [i.input_expression.text for i in table.inputs] == ["season", "guestCount"]
    assert [i.input_expression.type_ref for i in table.inputs] == ["string", "number"]
    assert [(o.name, o.type_ref) for o in table.outputs] == [("dish", "string")]
    assert [r.id for r in table.rules] == [
        "DecisionRule_0fall", "DecisionRule_1winter", "DecisionRule_2other"]
    assert table.rules[0].description == "Spareribs when it gets colder"
    assert [e.text for e in table.rules[0].input_entries] == ['"Fall"', "<= 8"]
    assert table.rules[0].input_entries[1].id == "UnaryTests_1fall"
    assert table.rules[1].input_entries[1].text == ""
    assert table.rules[2].description == "Anything else: something light & quick"
    assert season.variable is not None and season.variable.type_ref == "string"
    assert isinstance(season.expression, LiteralExpression)
    assert season.expression.text.startswith("if month in [3..5]")
    assert [d.name for d in defs.input_data] == ["Guest count", "Month"]
    assert [e.local_name for e in defs.extra] == ["textAnnotation", "association", "DMNDI"]


def test_camunda_modeler_file_round_trips_as_dmn13() -> None:
    defs = read_dmn(FIXTURES / "camunda-modeler-5.dmn")
    written = write_dmn(defs, version="1.3")
    assert read_dmn(written) == defs
    root = check_dmn13_structure(written)
    source = ET.parse(FIXTURES / "camunda-modeler-5.dmn").getroot()
    assert infoset(root) == infoset(source)
    # The diagram is written back with its shapes, bounds and waypoints.
    diagram = root.find(f"{{{DMNDI13}}}DMNDI/{{{DMNDI13}}}DMNDiagram")
    assert diagram is not None
    assert len(diagram.findall(f"{{{DMNDI13}}}DMNShape")) == 5
    edge = diagram.find(f"{{{DMNDI13}}}DMNEdge[@dmnElementRef='InformationRequirement_1season']")
    assert edge is not None
    assert len(edge.findall("{http://www.omg.org/spec/DMN/20180521/DI/}waypoint")) == 3
    # Camunda's own layout: default namespace, its prefixes, vendor attributes kept.
    header = written.splitlines()[1]
    for declaration in (f'xmlns="{DMN13}"', f'xmlns:dmndi="{DMNDI13}"',
                        'xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/"',
                        'xmlns:di="http://www.omg.org/spec/DMN/20180521/DI/"',
                        f'xmlns:modeler="{MODELER}"',
                        'modeler:executionPlatform="Camunda Cloud"'):
        assert declaration in header
    assert '<decisionTable id="DecisionTable_0dish" hitPolicy="FIRST">' in written
    assert "<text>&lt;= 8</text>" in written
    assert '<dc:Bounds height="80" width="180" x="160" y="100" />' in written


def test_camunda_modeler_file_is_written_back_byte_for_byte() -> None:
    source = (FIXTURES / "camunda-modeler-5.dmn").read_text(encoding="utf-8")
    assert write_dmn(read_dmn(source)) == source


def test_written_file_is_stable() -> None:
    once = write_dmn(read_dmn(FIXTURES / "camunda-modeler-5.dmn"))
    assert write_dmn(read_dmn(once)) == once


# ------------------------------------------------------------------ other versions


def test_dmn11_typerefs_are_normalised_and_vendor_attributes_kept() -> None:
    defs = read_dmn(FIXTURES / "camunda7-dmn11.dmn")
    assert defs.dmn_version == "1.1"
    amount, order = defs.item_definitions
    assert amount.type_ref == "number"
    assert amount.allowed_values == UnaryTests(text=">= 0")
    assert [c.type_ref for c in order.item_components] == ["date and time", "tAmount"]
    (decision,) = defs.decisions
    assert (f"{{{CAMUNDA}}}historyTimeToLive", "30") in decision.extra_attributes
    table = decision.expression
    assert isinstance(table, DecisionTable)
    assert (table.hit_policy, table.aggregation) == (HitPolicy.COLLECT, Aggregation.MAX)
    assert table.inputs[0].input_expression.type_ref == "string"
    assert table.inputs[0].extra_attributes == ((f"{{{CAMUNDA}}}inputVariable", "c"),)
    assert table.outputs[0].type_ref == "number"
    written = write_dmn(defs)
    check_dmn13_structure(written)
    assert 'xmlns:camunda="http://camunda.org/schema/1.0/dmn"' in written
    assert 'camunda:inputVariable="c"' in written
    assert read_dmn(written) == defs


@pytest.mark.parametrize(("version", "ns"), [
    ("1.2", "http://www.omg.org/spec/DMN/20180521/MODEL/"),
    ("1.3", DMN13),
    ("1.4", "https://www.omg.org/spec/DMN/20211108/MODEL/"),
    ("1.5", DMN15),
])
def test_each_dmn_namespace_reads(version: str, ns: str) -> None:
    defs = read_dmn(_minimal(
        '<decision id="d" name="Is it?"><variable name="Is it?" typeRef="boolean"/>'
        '<literalExpression><text>true</text></literalExpression></decision>', ns))
    assert defs.dmn_version == version
    assert defs.decisions[0].name == "Is it?"
    assert read_dmn(write_dmn(defs)) == defs


def test_boxed_expressions_of_dmn14_round_trip_as_dmn15_only() -> None:
    defs = read_dmn(_minimal(
        '<decision id="d" name="d"><conditional id="c">'
        '<if><literalExpression><text>x &gt; 1</text></literalExpression></if>'
        '<then><for iteratorVariable="i"><in typeRef="number"><list>'
        '<literalExpression><text>1</text></literalExpression></list></in>'
        '<return><literalExpression><text>i</text></literalExpression></return></for></then>'
        '<else><filter><in><literalExpression><text>[1,2]</text></literalExpression></in>'
        '<match><literalExpression><text>item &gt; 1</text></literalExpression></match>'
        '</filter></else></conditional></decision>', DMN15))
    expression = defs.decisions[0].expression
    assert isinstance(expression, Conditional)
    assert isinstance(expression.then, For) and expression.then.iterator_variable == "i"
    assert expression.then.child_attributes == (("in", "typeRef", "number"),)
    assert isinstance(expression.else_, Filter)
    assert [type(e).__name__ for e in iter_expressions(expression)] == [
        "Conditional", "LiteralExpression", "For", "ListExpression", "LiteralExpression",
        "LiteralExpression", "Filter", "LiteralExpression", "LiteralExpression"]
    assert read_dmn(write_dmn(defs, version="1.5")) == defs
    with pytest.raises(DmnModelError, match=r"<conditional> exists from DMN 1\.4") as info:
        write_dmn(defs, version="1.3")
    assert info.value.element_id == "c"


def test_split_href() -> None:
    assert split_href("#d1") == ("", "d1")
    assert split_href("http://x/y#d1") == ("http://x/y", "d1")
    defs = Definitions(name="m", namespace="urn:m",
                       decisions=(Decision(id="d1", name="D"),))
    assert defs.element_by_href("#d1") is defs.decisions[0]
    assert defs.element_by_href("urn:m#d1") is defs.decisions[0]
    assert defs.element_by_href("urn:other#d1") is None


def test_model_is_frozen_and_hashable() -> None:
    expression = LiteralExpression(text="1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        expression.text = "2"  # type: ignore[misc]
    assert hash(read_dmn(FIXTURES / "camunda-modeler-5.dmn")) is not None


# ------------------------------------------------------------------ (4): unsafe and bad input

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" name="&lol3;"
  namespace="urn:x"/>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" name="&xxe;"
  namespace="urn:x"/>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE definitions SYSTEM "http://example.com/evil.dtd">
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" name="x" namespace="urn:x"/>
"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD],
                         ids=["billion-laughs", "external-entity", "external-dtd"])
def test_dtds_and_entities_are_refused(xml: str) -> None:
    with pytest.raises(DmnXmlError, match="DTDs") as info:
        read_dmn(xml, filename="evil.dmn")
    assert info.value.line == 2
    assert "evil.dmn" in str(info.value) and "line 2" in str(info.value)


def test_oversized_input_is_refused_before_parsing(tmp_path: Path) -> None:
    text = _minimal("<!--" + "x" * 2000 + "-->")
    with pytest.raises(DmnXmlError, match="too large"):
        read_dmn(text, max_bytes=1000)
    with pytest.raises(DmnXmlError, match="too large"):
        read_dmn(text.encode(), max_bytes=1000)
    path = tmp_path / "big.dmn"
    path.write_text(text)
    with pytest.raises(DmnXmlError, match="too large") as info:
        read_dmn(path, max_bytes=1000)
    assert info.value.file == str(path)
    assert read_dmn(path).name == "m"


def test_missing_file() -> None:
    with pytest.raises(DmnXmlError, match="cannot read DMN file"):
        read_dmn(Path("/nonexistent/model.dmn"))


@pytest.mark.parametrize(("xml", "line", "column"), [
    (b"not xml at all", 1, 1),
    ("", 1, 1),
    ("  \n", 2, 1),
    ('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/">\n'
     "  <decision>\n  </decisoin>\n</definitions>", 3, 5),
])
def test_malformed_xml_names_line_and_column(xml: str | bytes, line: int, column: int) -> None:
    with pytest.raises(DmnXmlError, match=f"line {line}, column {column}") as info:
        read_dmn(xml)
    assert info.value.line == line


def test_a_path_passed_as_str_gets_a_hint() -> None:
    with pytest.raises(DmnXmlError, match=r"pass a pathlib\.Path"):
        read_dmn("models/dish.dmn")


def test_wrong_root_element() -> None:
    with pytest.raises(DmnXmlError, match=r"root element is <model>") as info:
        read_dmn('<?xml version="1.0"?>\n<model xmlns="urn:other"/>')
    assert (info.value.element, info.value.line) == ("model", 2)


def test_definitions_in_a_foreign_namespace() -> None:
    with pytest.raises(DmnXmlError, match=r"not a DMN 1\.1\-1\.5 model namespace"):
        read_dmn('<definitions xmlns="urn:other" name="x" namespace="urn:x"/>')


TABLE = """<decision id="dish" name="Dish">
  <decisionTable id="table1" {attributes}>
    <input id="in1"><inputExpression typeRef="string"><text>season</text></inputExpression>
    </input>
    <output id="out1" name="dish" typeRef="string"/>
    <rule id="rule1">
      <inputEntry id="ie1"><text>"Fall"</text></inputEntry>
      {extra}<outputEntry id="oe1"><text>"Stew"</text></outputEntry>
    </rule>
  </decisionTable>
</decision>"""


def test_unknown_hit_policy_names_the_table_and_line() -> None:
    with pytest.raises(DmnModelError, match="unknown hitPolicy 'SOMETIMES'") as info:
        read_dmn(_minimal(TABLE.format(attributes='hitPolicy="SOMETIMES"', extra="")),
                 filename="dish.dmn")
    assert info.value.element_id == "table1"
    assert "<decisionTable 'table1'> at dish.dmn, line 4" in str(info.value)


def test_unknown_aggregation() -> None:
    xml = _minimal(TABLE.format(attributes='hitPolicy="COLLECT" aggregation="AVG"', extra=""))
    with pytest.raises(DmnModelError, match="unknown aggregation 'AVG'") as info:
        read_dmn(xml)
    assert info.value.element_id == "table1"


def test_rule_with_wrong_number_of_entries() -> None:
    extra = '<inputEntry id="ie2"><text>-</text></inputEntry>\n      '
    with pytest.raises(DmnModelError, match="rule has 2 input entries") as info:
        read_dmn(_minimal(TABLE.format(attributes="", extra=extra)))
    assert info.value.element_id == "rule1"
    assert "<rule 'rule1'> at line 8" in str(info.value)
    assert "table1" in str(info.value)


def test_missing_required_attribute() -> None:
    with pytest.raises(DmnModelError, match="missing required attribute 'name'") as info:
        read_dmn(_minimal('<inputData id="in1"/>'))
    assert info.value.element_id == "in1"
    assert "line 3" in str(info.value)


def test_unknown_expression_element() -> None:
    with pytest.raises(DmnModelError, match="unknown expression element <spreadsheet>") as info:
        read_dmn(_minimal('<decision id="d" name="d"><spreadsheet id="s"/></decision>'))
    assert info.value.element_id == "s"


def test_context_entry_without_expression() -> None:
    with pytest.raises(DmnModelError, match="missing expression"):
        read_dmn(_minimal('<decision id="d" name="d"><context><contextEntry>'
                          '<variable name="a"/></contextEntry></context></decision>'))


def test_unknown_write_version() -> None:
    with pytest.raises(DmnModelError, match=r"cannot write DMN 1\.1"):
        write_dmn(Definitions(name="m", namespace="urn:m"), version="1.1")


def test_type_constraint_needs_dmn15() -> None:
    defs = Definitions(name="m", namespace="urn:m", item_definitions=(
        ItemDefinition(name="t", type_ref="number", type_constraint=UnaryTests(text="> 0")),))
    assert read_dmn(write_dmn(defs, version="1.5")) == defs
    with pytest.raises(DmnModelError, match="typeConstraint"):
        write_dmn(defs, version="1.4")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(DmnXmlError, match="nested more than 200 deep") as info:
        read_dmn(_minimal("<decision name='d'>" + "<list>" * 300), filename="deep.dmn")
    assert info.value.file == "deep.dmn"


def test_preserved_xml_and_awkward_text_survive() -> None:
    defs = read_dmn(_minimal(
        '<decision id="d" name="Tab&#9;and&#10;newline" xmlns:v="urn:vendor" v:flag="a&#10;b">'
        '<extensionElements><v:meta v:k="1">x &amp; y<v:sub/>tail</v:meta><plain xmlns="" a="1"/>'
        '</extensionElements>'
        '<literalExpression><text>"&lt;&gt;&amp;&#13;"</text></literalExpression></decision>'
        '<knowledgeSource id="ks" name="Policy"/>'))
    decision = defs.decisions[0]
    assert decision.name == "Tab\tand\nnewline"
    assert decision.extra_attributes == (("{urn:vendor}flag", "a\nb"),)
    assert decision.extension_elements is not None
    meta, plain = decision.extension_elements.children
    assert (meta.tag, meta.text, meta.children[0].tail) == ("{urn:vendor}meta", "x & y", "tail")
    assert plain.tag == "plain"
    assert isinstance(decision.expression, LiteralExpression)
    assert decision.expression.text == '"<>&\r"'
    assert [e.local_name for e in defs.extra] == ["knowledgeSource"]
    written = write_dmn(defs)
    check_dmn13_structure(written)
    assert read_dmn(written) == defs


def test_is_feel() -> None:
    assert is_feel(None)
    assert is_feel("https://www.omg.org/spec/DMN/20191111/FEEL/")
    assert is_feel("http://www.omg.org/spec/FEEL/20140401")
    assert not is_feel("http://www.w3.org/1999/XSL/Transform")
