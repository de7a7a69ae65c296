"""Writing a :class:`~accord.dmn.model.Definitions` as DMN 1.3 (default), 1.4 or 1.5 XML.

The output has the structure Camunda Modeler and dmn-js write and read: the DMN model
namespace as default namespace, ``dmndi``/``dc``/``di`` prefixes for the diagram, vendor
namespaces (``camunda``, ``modeler`` ...) with their original prefixes. Preserved XML (DMNDI
diagram, ``extensionElements``, vendor attributes, knowledge sources ...) is written back.

Children are written in the order of the XSD sequences of the DMN version written:

* every element: ``description``, ``extensionElements``, then its own children;
* ``definitions``: ``import``, ``itemDefinition``, DRG elements (decisions, BKMs, decision
  services, input data, then preserved knowledge sources), artifacts (``textAnnotation``,
  ``association``, ``group``), ``elementCollection``, business context elements,
  ``dmndi:DMNDI``;
* ``itemDefinition``: ``typeRef``, ``allowedValues``, ``typeConstraint`` (1.5),
  ``itemComponent``, ``functionItem``;
* ``decision``: ``question``, ``allowedAnswers``, ``variable``, ``informationRequirement``,
  ``knowledgeRequirement``, ``authorityRequirement``, preserved ``supportedObjective`` ...
  ``usingTask``, the expression;
* ``businessKnowledgeModel``: ``variable``, ``encapsulatedLogic``, ``knowledgeRequirement``,
  ``authorityRequirement``;
* ``decisionService``: ``variable``, ``outputDecision``, ``encapsulatedDecision``,
  ``inputDecision``, ``inputData``;
* ``decisionTable``: ``input``, ``output``, ``annotation``, ``rule``; ``input``:
  ``inputExpression``, ``inputValues``; ``output``: ``outputValues``, ``defaultOutputEntry``;
  ``rule``: ``inputEntry``, ``outputEntry``, ``annotationEntry``;
* ``functionDefinition``: ``formalParameter``, body; ``invocation``: called expression,
  ``binding``; ``binding``: ``parameter``, expression; ``relation``: ``column``, ``row``;
  ``contextEntry``: ``variable``, expression.

``conditional``, ``for``, ``some``, ``every`` and ``filter`` exist from DMN 1.4 and
``typeConstraint`` from DMN 1.5: writing them for an older version raises DmnModelError.

Example:
    >>> from accord.dmn.model import Decision, Definitions, LiteralExpression
    >>> defs = Definitions(name="m", namespace="urn:m", decisions=(
    ...     Decision(id="d", name="d", expression=LiteralExpression(text="1")),))
    >>> print(write_dmn(defs).splitlines()[1])
    <definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" name="m" namespace="urn:m">
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accord.dmn.model import (
    AuthorityRequirement,
    Binding,
    BusinessKnowledgeModel,
    Conditional,
    Context,
    Decision,
    DecisionService,
    DecisionTable,
    Definitions,
    DmnElement,
    Every,
    Expression,
    Filter,
    For,
    FunctionDefinition,
    FunctionItem,
    FunctionKind,
    HitPolicy,
    Import,
    InformationItem,
    InformationRequirement,
    InputClause,
    InputData,
    Invocation,
    ItemDefinition,
    KnowledgeRequirement,
    ListExpression,
    LiteralExpression,
    OutputClause,
    Relation,
    Rule,
    Some,
    UnaryTests,
    XmlElement,
)
from accord.dmn.xml_serialize import OutNode, from_preserved, serialize
from accord.dmn.xml_source import DMNDI_NS, DMNDI_NS_BY_VERSION, MODEL_NS, MODEL_NS_BY_VERSION
from accord.errors import DmnModelError

__all__ = ["WRITABLE_VERSIONS", "write_dmn"]

WRITABLE_VERSIONS = ("1.3", "1.4", "1.5")
_MIN_VERSION = {"conditional": "1.4", "for": "1.4", "some": "1.4", "every": "1.4",
                "filter": "1.4", "typeConstraint": "1.5"}

# Rank of the preserved children of definitions in the XSD sequence.
_EXTRA_RANK = {"knowledgeSource": 0, "textAnnotation": 1, "association": 1, "group": 1,
               "elementCollection": 2, "performanceIndicator": 3, "organizationUnit": 3}


_Requirement = InformationRequirement | KnowledgeRequirement | AuthorityRequirement


def _dmn(local: str) -> str:
    return f"{{{MODEL_NS}}}{local}"


def _bool(value: bool) -> str | None:
    return "true" if value else None


def write_dmn(defs: Definitions, version: str = "1.3") -> str:
    """Write ``defs`` as DMN XML of ``version`` ("1.3", "1.4" or "1.5").

    Raises:
        DmnModelError: the model uses an element that ``version`` does not have, or
            ``version`` is not writable.
    """
    if version not in WRITABLE_VERSIONS:
        raise DmnModelError(f"cannot write DMN {version}; writable versions: "
                            f"{', '.join(WRITABLE_VERSIONS)}")
    root = _Writer(version).definitions(defs)
    model_ns, dmndi_ns = MODEL_NS_BY_VERSION[version], DMNDI_NS_BY_VERSION[version]
    return serialize(root, remap={MODEL_NS: model_ns, DMNDI_NS: dmndi_ns},
                     default_ns=model_ns, preferred=defs.namespaces,
                     special={dmndi_ns: "dmndi"})


class _Writer:
    def __init__(self, version: str) -> None:
        self.version = version
        self.owner: DmnElement | None = None  # the DRG element being written, for messages

    # ----------------------------------------------------------------- helpers

    def check(self, local: str, element: DmnElement) -> None:
        minimum = _MIN_VERSION.get(local)
        if minimum is not None and self.version < minimum:
            owner = self.owner
            where = f" in {type(owner).__name__} {getattr(owner, 'name', '')!r}" if owner else ""
            raise DmnModelError(
                f"<{local}> exists from DMN {minimum}; cannot write it as DMN "
                f"{self.version}{where} (write version='1.5')",
                element_id=element.id or (owner.id if owner else None), element=local)

    def element(self, local: str, obj: DmnElement, *attrs: tuple[str, str | None]) -> OutNode:
        """An element with ``id``, ``label``, ``attrs``, vendor attributes, description and
        extension elements; the caller adds the specific children, then :meth:`finish`."""
        node = OutNode(_dmn(local), [("id", obj.id), ("label", obj.label), *attrs,
                                     *obj.extra_attributes])
        if obj.description is not None:
            node.add(OutNode(_dmn("description"), text=obj.description))
        if obj.extension_elements is not None:
            node.add(from_preserved(obj.extension_elements))
        return node

    @staticmethod
    def preserved(node: OutNode, elements: tuple[XmlElement, ...]) -> OutNode:
        for element in elements:
            node.add(from_preserved(element))
        return node

    def finish(self, node: OutNode, obj: DmnElement) -> OutNode:
        return self.preserved(node, obj.extra_elements)

    @staticmethod
    def text(parent: OutNode, local: str, text: str | None) -> None:
        if text is not None:
            parent.add(OutNode(_dmn(local), text=text))

    def href(self, parent: OutNode, local: str, href: str | None) -> None:
        if href is not None:
            parent.add(OutNode(_dmn(local), [("href", href)]))

    # ----------------------------------------------------------------- DRG

    def definitions(self, defs: Definitions) -> OutNode:
        node = self.element(
            "definitions", defs, ("name", defs.name), ("namespace", defs.namespace),
            ("expressionLanguage", defs.expression_language),
            ("typeLanguage", defs.type_language), ("exporter", defs.exporter),
            ("exporterVersion", defs.exporter_version))
        for imp in defs.imports:
            node.add(self.import_(imp))
        for item in defs.item_definitions:
            node.add(self.item_definition("itemDefinition", item))
        for decision in defs.decisions:
            node.add(self.decision(decision))
        for bkm in defs.bkms:
            node.add(self.bkm(bkm))
        for service in defs.decision_services:
            node.add(self.decision_service(service))
        for data in defs.input_data:
            node.add(self.input_data(data))

        def rank(element: XmlElement) -> int:
            if element.tag.startswith(f"{{{MODEL_NS}}}"):
                return _EXTRA_RANK.get(element.local_name, 4)
            return 6 if element.tag.startswith(f"{{{DMNDI_NS}}}") else 5

        self.preserved(node, tuple(sorted(defs.extra, key=rank)))
        return self.finish(node, defs)

    def import_(self, imp: Import) -> OutNode:
        node = self.element("import", imp, ("name", imp.name), ("namespace", imp.namespace),
                            ("locationURI", imp.location_uri), ("importType", imp.import_type))
        return self.finish(node, imp)

    def item_definition(self, local: str, item: ItemDefinition) -> OutNode:
        node = self.element(local, item, ("name", item.name),
                            ("typeLanguage", item.type_language),
                            ("isCollection", _bool(item.is_collection)))
        self.text(node, "typeRef", item.type_ref)
        node.add(self.unary_tests("allowedValues", item.allowed_values))
        if item.type_constraint is not None:
            self.check("typeConstraint", item)
            node.add(self.unary_tests("typeConstraint", item.type_constraint))
        for component in item.item_components:
            node.add(self.item_definition("itemComponent", component))
        if item.function_item is not None:
            node.add(self.function_item(item.function_item))
        return self.finish(node, item)

    def function_item(self, item: FunctionItem) -> OutNode:
        node = self.element("functionItem", item, ("outputTypeRef", item.output_type_ref))
        for parameter in item.parameters:
            node.add(self.information_item("parameters", parameter))
        return self.finish(node, item)

    def information_item(self, local: str, item: InformationItem | None) -> OutNode | None:
        if item is None:
            return None
        node = self.element(local, item, ("name", item.name), ("typeRef", item.type_ref))
        return self.finish(node, item)

    def input_data(self, data: InputData) -> OutNode:
        node = self.element("inputData", data, ("name", data.name))
        node.add(self.information_item("variable", data.variable))
        return self.finish(node, data)

    def requirement(self, requirement: _Requirement) -> OutNode:
        match requirement:
            case InformationRequirement():
                node = self.element("informationRequirement", requirement)
                self.href(node, "requiredDecision", requirement.required_decision)
                self.href(node, "requiredInput", requirement.required_input)
            case KnowledgeRequirement():
                node = self.element("knowledgeRequirement", requirement)
                self.href(node, "requiredKnowledge", requirement.required_knowledge)
            case AuthorityRequirement():
                node = self.element("authorityRequirement", requirement)
                self.href(node, "requiredDecision", requirement.required_decision)
                self.href(node, "requiredInput", requirement.required_input)
                self.href(node, "requiredAuthority", requirement.required_authority)
        return self.finish(node, requirement)

    def decision(self, decision: Decision) -> OutNode:
        self.owner = decision
        node = self.element("decision", decision, ("name", decision.name))
        self.text(node, "question", decision.question)
        self.text(node, "allowedAnswers", decision.allowed_answers)
        node.add(self.information_item("variable", decision.variable))
        requirements: tuple[_Requirement, ...] = (
            *decision.information_requirements, *decision.knowledge_requirements,
            *decision.authority_requirements)
        for requirement in requirements:
            node.add(self.requirement(requirement))
        # The preserved children of a decision (supportedObjective ... usingTask, vendor
        # elements) sit before the expression, where the XSD puts the DMN ones.
        self.finish(node, decision)
        if decision.expression is not None:
            node.add(self.expression(decision.expression))
        self.owner = None
        return node

    def bkm(self, bkm: BusinessKnowledgeModel) -> OutNode:
        self.owner = bkm
        node = self.element("businessKnowledgeModel", bkm, ("name", bkm.name))
        node.add(self.information_item("variable", bkm.variable))
        if bkm.encapsulated_logic is not None:
            node.add(self.function_definition(bkm.encapsulated_logic, "encapsulatedLogic"))
        requirements: tuple[_Requirement, ...] = (
            *bkm.knowledge_requirements, *bkm.authority_requirements)
        for requirement in requirements:
            node.add(self.requirement(requirement))
        self.owner = None
        return self.finish(node, bkm)

    def decision_service(self, service: DecisionService) -> OutNode:
        node = self.element("decisionService", service, ("name", service.name))
        node.add(self.information_item("variable", service.variable))
        for local, hrefs in (("outputDecision", service.output_decisions),
                             ("encapsulatedDecision", service.encapsulated_decisions),
                             ("inputDecision", service.input_decisions),
                             ("inputData", service.input_data)):
            for href in hrefs:
                self.href(node, local, href)
        return self.finish(node, service)

    # ----------------------------------------------------------------- expressions

    def expression(self, expression: Expression, local: str | None = None) -> OutNode:
        writer, default_local = _EXPRESSION_WRITERS[type(expression)]
        node: OutNode = writer(self, expression, local or default_local)
        return node

    def expression_element(self, local: str, expression: DmnElement,
                           *attrs: tuple[str, str | None]) -> OutNode:
        self.check(local, expression)
        type_ref = getattr(expression, "type_ref", None)
        return self.element(local, expression, ("typeRef", type_ref), *attrs)

    def literal(self, expression: LiteralExpression | UnaryTests, local: str) -> OutNode:
        node = self.expression_element(
            local, expression, ("expressionLanguage", expression.expression_language))
        self.text(node, "text", expression.text)
        return self.finish(node, expression)

    def unary_tests(self, local: str, tests: UnaryTests | None) -> OutNode | None:
        return None if tests is None else self.literal(tests, local)

    def decision_table(self, table: DecisionTable, local: str) -> OutNode:
        hit_policy = None if table.hit_policy is HitPolicy.UNIQUE else table.hit_policy.value
        node = self.expression_element(
            local, table, ("hitPolicy", hit_policy),
            ("aggregation", table.aggregation.value if table.aggregation else None),
            ("preferredOrientation", table.preferred_orientation),
            ("outputLabel", table.output_label))
        for clause in table.inputs:
            node.add(self.input_clause(clause))
        for output in table.outputs:
            node.add(self.output_clause(output))
        for annotation in table.annotations:
            node.add(OutNode(_dmn("annotation"), [("name", annotation.name)]))
        for rule in table.rules:
            node.add(self.rule(rule))
        return self.finish(node, table)

    def input_clause(self, clause: InputClause) -> OutNode:
        node = self.element("input", clause)
        node.add(self.literal(clause.input_expression, "inputExpression"))
        node.add(self.unary_tests("inputValues", clause.input_values))
        return self.finish(node, clause)

    def output_clause(self, clause: OutputClause) -> OutNode:
        node = self.element("output", clause, ("name", clause.name),
                            ("typeRef", clause.type_ref))
        node.add(self.unary_tests("outputValues", clause.output_values))
        if clause.default_output_entry is not None:
            node.add(self.literal(clause.default_output_entry, "defaultOutputEntry"))
        return self.finish(node, clause)

    def rule(self, rule: Rule) -> OutNode:
        node = self.element("rule", rule)
        for entry in rule.input_entries:
            node.add(self.literal(entry, "inputEntry"))
        for output in rule.output_entries:
            node.add(self.literal(output, "outputEntry"))
        for annotation in rule.annotation_entries:
            entry_node = OutNode(_dmn("annotationEntry"))
            self.text(entry_node, "text", annotation)
            node.add(entry_node)
        return self.finish(node, rule)

    def context(self, context: Context, local: str) -> OutNode:
        node = self.expression_element(local, context)
        for entry in context.entries:
            entry_node = self.element("contextEntry", entry)
            entry_node.add(self.information_item("variable", entry.variable))
            entry_node.add(self.expression(entry.value))
            node.add(self.finish(entry_node, entry))
        return self.finish(node, context)

    def list_(self, expression: ListExpression, local: str) -> OutNode:
        node = self.expression_element(local, expression)
        for item in expression.items:
            node.add(self.expression(item))
        return self.finish(node, expression)

    def relation(self, relation: Relation, local: str) -> OutNode:
        node = self.expression_element(local, relation)
        for column in relation.columns:
            node.add(self.information_item("column", column))
        for row in relation.rows:
            node.add(self.list_(row, "row"))
        return self.finish(node, relation)

    def binding(self, binding: Binding) -> OutNode:
        node = OutNode(_dmn("binding"))
        node.add(self.information_item("parameter", binding.parameter))
        if binding.expression is not None:
            node.add(self.expression(binding.expression))
        return node

    def invocation(self, invocation: Invocation, local: str) -> OutNode:
        node = self.expression_element(local, invocation)
        if invocation.called_function is not None:
            node.add(self.expression(invocation.called_function))
        for binding in invocation.bindings:
            node.add(self.binding(binding))
        return self.finish(node, invocation)

    def function_definition(self, function: FunctionDefinition, local: str) -> OutNode:
        kind = None if function.kind is FunctionKind.FEEL else function.kind.value
        node = self.expression_element(local, function, ("kind", kind))
        for parameter in function.parameters:
            node.add(self.information_item("formalParameter", parameter))
        if function.body is not None:
            node.add(self.expression(function.body))
        return self.finish(node, function)

    def parts(self, local: str, expression: Conditional | For | Some | Every | Filter,
              *attrs: tuple[str, str | None], **parts: Expression) -> OutNode:
        node = self.expression_element(local, expression, *attrs)
        for name, part in parts.items():
            wrapper_local = name.rstrip("_")
            wrapper = OutNode(_dmn(wrapper_local), [
                (key, value) for child, key, value in expression.child_attributes
                if child == wrapper_local])
            wrapper.add(self.expression(part))
            node.add(wrapper)
        return self.finish(node, expression)

    def conditional(self, e: Conditional, local: str) -> OutNode:
        return self.parts(local, e, if_=e.if_, then=e.then, else_=e.else_)

    def for_(self, e: For, local: str) -> OutNode:
        return self.parts(local, e, ("iteratorVariable", e.iterator_variable), in_=e.in_,
                          return_=e.return_)

    def quantified(self, e: Some | Every, local: str) -> OutNode:
        return self.parts(local, e, ("iteratorVariable", e.iterator_variable), in_=e.in_,
                          satisfies=e.satisfies)

    def filter_(self, e: Filter, local: str) -> OutNode:
        return self.parts(local, e, in_=e.in_, match=e.match)


_EXPRESSION_WRITERS: dict[type[Any], tuple[Callable[[_Writer, Any, str], OutNode], str]] = {
    LiteralExpression: (_Writer.literal, "literalExpression"),
    DecisionTable: (_Writer.decision_table, "decisionTable"),
    Context: (_Writer.context, "context"),
    Relation: (_Writer.relation, "relation"),
    ListExpression: (_Writer.list_, "list"),
    Invocation: (_Writer.invocation, "invocation"),
    FunctionDefinition: (_Writer.function_definition, "functionDefinition"),
    Conditional: (_Writer.conditional, "conditional"),
    For: (_Writer.for_, "for"),
    Some: (_Writer.quantified, "some"),
    Every: (_Writer.quantified, "every"),
    Filter: (_Writer.filter_, "filter"),
}
