"""Reading DMN 1.1 - 1.5 XML into the :mod:`accord.dmn.model` dataclasses.

Reading is safe: the size is checked before parsing, and DTDs, entity declarations and
external references are refused (defusedxml). Every problem raises
:class:`~accord.errors.DmnXmlError` (the file is not readable XML, is unsafe, too large or not a
DMN ``definitions`` document) or :class:`~accord.errors.DmnModelError` (the XML is not a valid
model); messages name the element, its id or name, and its line.

Example:
    >>> defs = read_dmn('''<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
    ...     name="m" namespace="urn:m"><decision id="d" name="Greeting">
    ...     <literalExpression><text>"Hello"</text></literalExpression>
    ...     </decision></definitions>''')
    >>> defs.decisions[0].expression.text
    '"Hello"'
"""

from __future__ import annotations

from pathlib import Path

from accord.dmn.model import (
    AuthorityRequirement,
    BusinessKnowledgeModel,
    Decision,
    DecisionService,
    Definitions,
    FunctionDefinition,
    FunctionItem,
    Import,
    InformationItem,
    InformationRequirement,
    InputData,
    ItemDefinition,
    KnowledgeRequirement,
)
from accord.dmn.xml_expressions import (
    ElementReader,
    ReadContext,
    href_of,
    preserve,
    read_function_definition,
    read_information_item,
    read_unary_tests,
)
from accord.dmn.xml_source import MAX_BYTES, MODEL_NS, XmlNode, load_source, parse_xml
from accord.errors import DmnXmlError

__all__ = ["MAX_BYTES", "read_dmn"]

# Children of a decision the model keeps only as preserved XML (tDecision, DMN 1.5 XSD).
_DECISION_EXTRAS = ("supportedObjective", "impactedPerformanceIndicator", "decisionMaker",
                    "decisionOwner", "usingProcess", "usingTask")


def read_dmn(source: str | bytes | Path, *, filename: str | None = None,
             max_bytes: int = MAX_BYTES) -> Definitions:
    """Read a DMN 1.1 - 1.5 document.

    Args:
        source: XML text (``str``), XML bytes, or a :class:`~pathlib.Path` to a file.
        filename: the name to use in error messages (defaults to the path).
        max_bytes: documents larger than this are refused before parsing.

    Raises:
        DmnXmlError: unreadable, malformed, unsafe (DTD/entities), too large, or not DMN.
        DmnModelError: well-formed XML that is not a valid DMN model.
    """
    if isinstance(source, str) and source.strip() and "<" not in source and "\n" not in source:
        raise DmnXmlError("not XML: a str is read as XML text; pass a pathlib.Path to read "
                          "a file", file=filename, line=1)
    data, filename = load_source(source, filename, max_bytes)
    parsed = parse_xml(data, filename=filename)
    root = parsed.root
    if root.local_name != "definitions":
        raise DmnXmlError(f"root element is <{root.local_name}>, not a DMN <definitions>",
                          file=filename, line=root.line, element=root.local_name)
    if parsed.version is None:
        raise DmnXmlError(
            f"<definitions> is in namespace {parsed.root_namespace!r}, not a DMN 1.1-1.5 "
            "model namespace", file=filename, line=root.line, element="definitions")
    ctx = ReadContext(filename=filename, version=parsed.version)
    return _read_definitions(ctx, root, parsed.namespaces)


def _read_definitions(ctx: ReadContext, node: XmlNode,
                      namespaces: tuple[tuple[str, str], ...]) -> Definitions:
    r = ElementReader(ctx, node)
    name = r.required("name")
    namespace = r.required("namespace")
    ctx.model_namespace = namespace
    import_nodes = r.take("import")
    ctx.import_names = {
        child.attrib["namespace"]: child.attrib["name"]
        for child in import_nodes if "namespace" in child.attrib and "name" in child.attrib
    }
    imports = tuple(_read_import(ctx, child) for child in import_nodes)
    item_definitions = tuple(_read_item_definition(ctx, c) for c in r.take("itemDefinition"))
    decisions: list[Decision] = []
    bkms: list[BusinessKnowledgeModel] = []
    services: list[DecisionService] = []
    input_data: list[InputData] = []
    children, r.children = r.children, []
    for child in children:
        match child.local_name:
            case "decision":
                decisions.append(_read_decision(ctx, child))
            case "businessKnowledgeModel":
                bkms.append(_read_bkm(ctx, child))
            case "decisionService":
                services.append(_read_decision_service(ctx, child))
            case "inputData":
                input_data.append(_read_input_data(ctx, child))
            case _:
                pass  # kept in ``extra`` below
    attributes = {key: r.attr(key) for key in (
        "expressionLanguage", "typeLanguage", "exporter", "exporterVersion")}
    base = r.base()
    # The DMN children the model does not represent (knowledge sources, text annotations ...)
    # and foreign ones (the DMNDI diagram) are kept together, in document order.
    extra = tuple(preserve(c) for c in node.children
                  if c.namespace != MODEL_NS or c.local_name not in _MODELLED_CHILDREN)
    return Definitions(
        name=name,
        namespace=namespace,
        expression_language=attributes["expressionLanguage"],
        type_language=attributes["typeLanguage"],
        exporter=attributes["exporter"],
        exporter_version=attributes["exporterVersion"],
        imports=imports,
        item_definitions=item_definitions,
        input_data=tuple(input_data),
        decisions=tuple(decisions),
        bkms=tuple(bkms),
        decision_services=tuple(services),
        extra=extra,
        namespaces=namespaces,
        dmn_version=ctx.version,
        id=base["id"],
        label=base["label"],
        description=base["description"],
        extension_elements=base["extension_elements"],
        extra_attributes=base["extra_attributes"],
    )


_MODELLED_CHILDREN = frozenset({
    "description", "extensionElements", "import", "itemDefinition", "decision",
    "businessKnowledgeModel", "decisionService", "inputData",
})


def _read_import(ctx: ReadContext, node: XmlNode) -> Import:
    r = ElementReader(ctx, node)
    return Import(namespace=r.required("namespace"), name=r.attr("name") or "",
                  location_uri=r.attr("locationURI"), import_type=r.attr("importType"),
                  **r.base())


def _read_item_definition(ctx: ReadContext, node: XmlNode) -> ItemDefinition:
    r = ElementReader(ctx, node)
    type_ref = r.take_text("typeRef")
    allowed = r.take_one("allowedValues")
    constraint = r.take_one("typeConstraint")
    function_item = r.take_one("functionItem")
    return ItemDefinition(
        name=r.required("name"),
        type_ref=ctx.type_ref(None if type_ref is None else type_ref.strip(), node),
        type_language=r.attr("typeLanguage"),
        is_collection=_boolean(r, "isCollection"),
        allowed_values=None if allowed is None else read_unary_tests(ctx, allowed),
        type_constraint=None if constraint is None else read_unary_tests(ctx, constraint),
        item_components=tuple(_read_item_definition(ctx, c) for c in r.take("itemComponent")),
        function_item=None if function_item is None else _read_function_item(ctx, function_item),
        **r.base(),
    )


def _boolean(r: ElementReader, name: str) -> bool:
    value = r.attr(name)
    if value is None:
        return False
    if value.strip() in ("true", "1"):
        return True
    if value.strip() in ("false", "0"):
        return False
    raise r.error(f"attribute {name} is {value!r}, not a boolean")


def _read_function_item(ctx: ReadContext, node: XmlNode) -> FunctionItem:
    r = ElementReader(ctx, node)
    parameters = tuple(read_information_item(ctx, c) for c in r.take("parameters"))
    return FunctionItem(parameters=parameters, output_type_ref=r.type_ref("outputTypeRef"),
                        **r.base())


def _variable(ctx: ReadContext, r: ElementReader) -> InformationItem | None:
    variable = r.take_one("variable")
    return None if variable is None else read_information_item(ctx, variable)


def _read_input_data(ctx: ReadContext, node: XmlNode) -> InputData:
    r = ElementReader(ctx, node)
    return InputData(name=r.required("name"), variable=_variable(ctx, r), **r.base())


def _one_href(ctx: ReadContext, r: ElementReader, names: tuple[str, ...]) -> dict[str, str]:
    found = {name: href_of(ctx, child) for name in names for child in r.take(name)}
    if len(found) != 1:
        raise r.error(f"expected exactly one of {', '.join('<' + n + '>' for n in names)}")
    return found


def _read_information_requirement(ctx: ReadContext, node: XmlNode) -> InformationRequirement:
    r = ElementReader(ctx, node)
    found = _one_href(ctx, r, ("requiredDecision", "requiredInput"))
    return InformationRequirement(required_decision=found.get("requiredDecision"),
                                  required_input=found.get("requiredInput"), **r.base())


def _read_knowledge_requirement(ctx: ReadContext, node: XmlNode) -> KnowledgeRequirement:
    r = ElementReader(ctx, node)
    found = _one_href(ctx, r, ("requiredKnowledge",))
    return KnowledgeRequirement(required_knowledge=found["requiredKnowledge"], **r.base())


def _read_authority_requirement(ctx: ReadContext, node: XmlNode) -> AuthorityRequirement:
    r = ElementReader(ctx, node)
    found = _one_href(ctx, r, ("requiredDecision", "requiredInput", "requiredAuthority"))
    return AuthorityRequirement(required_decision=found.get("requiredDecision"),
                                required_input=found.get("requiredInput"),
                                required_authority=found.get("requiredAuthority"), **r.base())


def _authority(ctx: ReadContext, r: ElementReader) -> tuple[AuthorityRequirement, ...]:
    return tuple(_read_authority_requirement(ctx, c) for c in r.take("authorityRequirement"))


def _knowledge(ctx: ReadContext, r: ElementReader) -> tuple[KnowledgeRequirement, ...]:
    return tuple(_read_knowledge_requirement(ctx, c) for c in r.take("knowledgeRequirement"))


def _read_decision(ctx: ReadContext, node: XmlNode) -> Decision:
    r = ElementReader(ctx, node)
    name = r.required("name")
    question = r.take_text("question")
    allowed_answers = r.take_text("allowedAnswers")
    variable = _variable(ctx, r)
    information = tuple(
        _read_information_requirement(ctx, c) for c in r.take("informationRequirement"))
    knowledge = _knowledge(ctx, r)
    authority = _authority(ctx, r)
    kept = [preserve(c) for local in _DECISION_EXTRAS for c in r.take(local)]
    expression = r.expression()
    base = r.base()
    base["extra_elements"] = (*base["extra_elements"], *kept)
    return Decision(
        name=name, variable=variable, question=question, allowed_answers=allowed_answers,
        information_requirements=information, knowledge_requirements=knowledge,
        authority_requirements=authority, expression=expression, **base)


def _read_bkm(ctx: ReadContext, node: XmlNode) -> BusinessKnowledgeModel:
    r = ElementReader(ctx, node)
    name = r.required("name")
    variable = _variable(ctx, r)
    logic_node = r.take_one("encapsulatedLogic")
    logic: FunctionDefinition | None = None
    if logic_node is not None:
        logic = read_function_definition(ctx, logic_node)
    return BusinessKnowledgeModel(
        name=name, variable=variable, encapsulated_logic=logic,
        knowledge_requirements=_knowledge(ctx, r), authority_requirements=_authority(ctx, r),
        **r.base())


def _read_decision_service(ctx: ReadContext, node: XmlNode) -> DecisionService:
    r = ElementReader(ctx, node)
    return DecisionService(
        name=r.required("name"),
        variable=_variable(ctx, r),
        output_decisions=tuple(r.take_href("outputDecision")),
        encapsulated_decisions=tuple(r.take_href("encapsulatedDecision")),
        input_decisions=tuple(r.take_href("inputDecision")),
        input_data=tuple(r.take_href("inputData")),
        **r.base(),
    )
