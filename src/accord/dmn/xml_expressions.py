"""Reading boxed expressions (DMN 1.5 clauses 7.3, 8, 10, 11) from parsed DMN XML.

Also holds the pieces the DRG reader shares: :class:`ReadContext` (file, version, error
construction, ``typeRef`` normalisation) and :class:`ElementReader` (consumes the attributes and
children of one element, keeping whatever it does not understand for round trips).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict, TypeVar

from accord.dmn.model import (
    Aggregation,
    Binding,
    Conditional,
    Context,
    ContextEntry,
    DecisionTable,
    Every,
    Expression,
    Filter,
    For,
    FunctionDefinition,
    FunctionKind,
    HitPolicy,
    InformationItem,
    InputClause,
    Invocation,
    ListExpression,
    LiteralExpression,
    OutputClause,
    Relation,
    Rule,
    RuleAnnotationClause,
    Some,
    UnaryTests,
    XmlElement,
)
from accord.dmn.xml_source import MODEL_NS, XmlNode
from accord.errors import DmnModelError

__all__ = ["ElementReader", "ReadContext", "read_expression"]

_FEEL_TYPE_NAMESPACES = frozenset({
    "http://www.omg.org/spec/FEEL/20140401",
    "http://www.w3.org/2001/XMLSchema",
})
# DMN 1.1 typeRefs are QNames and cannot hold spaces; these are the FEEL names they stand for.
_DMN11_TYPE_ALIASES = {
    "dateTime": "date and time",
    "dayTimeDuration": "days and time duration",
    "yearMonthDuration": "years and months duration",
    "decimal": "number",
}


@dataclass(slots=True)
class ReadContext:
    """What the readers need to know about the document being read."""

    filename: str | None
    version: str
    model_namespace: str = ""
    import_names: dict[str, str] = field(default_factory=dict)  # namespace -> import name

    def where(self, node: XmlNode) -> str:
        ident = node.attrib.get("id") or node.attrib.get("name")
        element = f"<{node.local_name}" + (f" '{ident}'" if ident else "") + ">"
        place = f"line {node.line}"
        if self.filename:
            place = f"{self.filename}, {place}"
        return f"{element} at {place}"

    def error(self, message: str, node: XmlNode) -> DmnModelError:
        """A DmnModelError naming the element, its id or name and its line."""
        return DmnModelError(
            f"{message}: {self.where(node)}",
            element_id=node.attrib.get("id") or node.attrib.get("name"),
            element=node.local_name,
        )

    def type_ref(self, value: str | None, node: XmlNode) -> str | None:
        """Normalise a typeRef: DMN 1.1 QNames (``feel:string``) become FEEL type names."""
        if value is None or self.version != "1.1" or ":" not in value:
            return value
        prefix, _, local = value.partition(":")
        uri = node.nsmap.get(prefix)
        if uri is None:
            return value
        if uri in _FEEL_TYPE_NAMESPACES:
            return _DMN11_TYPE_ALIASES.get(local, local)
        if uri in self.import_names:
            return f"{self.import_names[uri]}.{local}"
        return local


class BaseFields(TypedDict):
    id: str | None
    label: str | None
    description: str | None
    extension_elements: XmlElement | None
    extra_attributes: tuple[tuple[str, str], ...]
    extra_elements: tuple[XmlElement, ...]


def preserve(node: XmlNode) -> XmlElement:
    """The verbatim copy of an element kept for round trips."""
    return XmlElement(
        tag=node.tag,
        attributes=tuple(node.attrib.items()),
        text=node.text if node.text and node.text.strip() else None,
        children=tuple(preserve(child) for child in node.children),
        tail=node.tail if node.tail and node.tail.strip() else None,
    )


def _dmn(local: str) -> str:
    return f"{{{MODEL_NS}}}{local}"


_DESCRIPTION = _dmn("description")
_EXTENSION_ELEMENTS = _dmn("extensionElements")


class ElementReader:
    """Consumes one element: ``attr``/``child`` calls take what the model represents and
    :meth:`base` returns the common fields plus everything left over."""

    def __init__(self, ctx: ReadContext, node: XmlNode) -> None:
        self.ctx = ctx
        self.node = node
        self._attrs = dict(node.attrib)
        self._description: str | None = None
        self._extension: XmlElement | None = None
        self._extra: list[XmlElement] = []
        self.children: list[XmlNode] = []
        for child in node.children:
            if child.tag == _DESCRIPTION:
                self._description = child.text or ""
            elif child.tag == _EXTENSION_ELEMENTS:
                self._extension = preserve(child)
            elif child.namespace != MODEL_NS:
                self._extra.append(preserve(child))
            else:
                self.children.append(child)

    def error(self, message: str, node: XmlNode | None = None) -> DmnModelError:
        return self.ctx.error(message, node or self.node)

    def attr(self, name: str) -> str | None:
        return self._attrs.pop(name, None)

    def required(self, name: str) -> str:
        value = self._attrs.pop(name, None)
        if value is None:
            raise self.error(f"missing required attribute '{name}'")
        return value

    def type_ref(self, name: str = "typeRef") -> str | None:
        return self.ctx.type_ref(self.attr(name), self.node)

    def take(self, local: str) -> list[XmlNode]:
        """Remove and return the children named ``local`` (DMN namespace)."""
        tag = _dmn(local)
        taken = [c for c in self.children if c.tag == tag]
        if taken:
            self.children = [c for c in self.children if c.tag != tag]
        return taken

    def take_one(self, local: str) -> XmlNode | None:
        taken = self.take(local)
        if len(taken) > 1:
            raise self.error(f"more than one <{local}>", taken[1])
        return taken[0] if taken else None

    def take_text(self, local: str) -> str | None:
        child = self.take_one(local)
        return None if child is None else child.text or ""

    def take_href(self, local: str) -> list[str]:
        return [href_of(self.ctx, child) for child in self.take(local)]

    def expression(self, *, required: bool = False) -> Expression | None:
        """Read the one remaining child as the element's expression."""
        candidates, self.children = self.children, []
        if len(candidates) > 1:
            raise self.error(
                f"more than one expression (<{candidates[0].local_name}>, "
                f"<{candidates[1].local_name}>)", candidates[1])
        if not candidates:
            if required:
                raise self.error("missing expression")
            return None
        return read_expression(self.ctx, candidates[0])

    def base(self) -> BaseFields:
        """The common fields; call last, after taking the known attributes and children."""
        ident = self._attrs.pop("id", None)
        label = self._attrs.pop("label", None)
        extra = self._extra + [preserve(child) for child in self.children]
        self.children = []
        return BaseFields(
            id=ident,
            label=label,
            description=self._description,
            extension_elements=self._extension,
            extra_attributes=tuple(self._attrs.items()),
            extra_elements=tuple(extra),
        )


def href_of(ctx: ReadContext, node: XmlNode) -> str:
    href = node.attrib.get("href")
    if href is None:
        raise ctx.error("missing required attribute 'href'", node)
    return href


def read_information_item(ctx: ReadContext, node: XmlNode) -> InformationItem:
    r = ElementReader(ctx, node)
    return InformationItem(name=r.required("name"), type_ref=r.type_ref(), **r.base())


def read_unary_tests(ctx: ReadContext, node: XmlNode) -> UnaryTests:
    r = ElementReader(ctx, node)
    return UnaryTests(text=r.take_text("text") or "", type_ref=r.type_ref(),
                      expression_language=r.attr("expressionLanguage"), **r.base())


def read_literal(ctx: ReadContext, node: XmlNode) -> LiteralExpression:
    r = ElementReader(ctx, node)
    return LiteralExpression(text=r.take_text("text") or "", type_ref=r.type_ref(),
                             expression_language=r.attr("expressionLanguage"), **r.base())


_E = TypeVar("_E", HitPolicy, Aggregation, FunctionKind)


def _enum_attr(r: ElementReader, name: str, kind: type[_E]) -> _E | None:
    value = r.attr(name)
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in kind)
        raise r.error(f"unknown {name} {value!r} (expected one of {allowed})") from None


def _read_input_clause(ctx: ReadContext, node: XmlNode) -> InputClause:
    r = ElementReader(ctx, node)
    expression = r.take_one("inputExpression")
    if expression is None:
        raise r.error("missing <inputExpression>")
    values = r.take_one("inputValues")
    return InputClause(
        input_expression=read_literal(ctx, expression),
        input_values=None if values is None else read_unary_tests(ctx, values),
        **r.base(),
    )


def _read_output_clause(ctx: ReadContext, node: XmlNode) -> OutputClause:
    r = ElementReader(ctx, node)
    values = r.take_one("outputValues")
    default = r.take_one("defaultOutputEntry")
    return OutputClause(
        name=r.attr("name"),
        type_ref=r.type_ref(),
        output_values=None if values is None else read_unary_tests(ctx, values),
        default_output_entry=None if default is None else read_literal(ctx, default),
        **r.base(),
    )


def _read_rule(ctx: ReadContext, node: XmlNode, table: XmlNode,
               counts: tuple[int, int, int]) -> Rule:
    r = ElementReader(ctx, node)
    inputs = tuple(read_unary_tests(ctx, child) for child in r.take("inputEntry"))
    outputs = tuple(read_literal(ctx, child) for child in r.take("outputEntry"))
    annotations = tuple(
        ElementReader(ctx, child).take_text("text") or "" for child in r.take("annotationEntry"))
    n_inputs, n_outputs, n_annotations = counts
    for what, count, expected, optional in (
        ("input entries", len(inputs), n_inputs, False),
        ("output entries", len(outputs), n_outputs, False),
        ("annotation entries", len(annotations), n_annotations, True),
    ):
        if count != expected and not (optional and count == 0):
            raise r.error(f"rule has {count} {what} but its decision table "
                          f"({ctx.where(table)}) has {expected}")
    return Rule(input_entries=inputs, output_entries=outputs, annotation_entries=annotations,
                **r.base())


def read_decision_table(ctx: ReadContext, node: XmlNode) -> DecisionTable:
    r = ElementReader(ctx, node)
    hit_policy = _enum_attr(r, "hitPolicy", HitPolicy) or HitPolicy.UNIQUE
    aggregation = _enum_attr(r, "aggregation", Aggregation)
    inputs = tuple(_read_input_clause(ctx, child) for child in r.take("input"))
    outputs = tuple(_read_output_clause(ctx, child) for child in r.take("output"))
    if not outputs:
        raise r.error("decision table has no <output>")
    annotations = tuple(
        RuleAnnotationClause(name=child.attrib.get("name", "")) for child in r.take("annotation"))
    counts = (len(inputs), len(outputs), len(annotations))
    rules = tuple(_read_rule(ctx, child, node, counts) for child in r.take("rule"))
    return DecisionTable(
        hit_policy=hit_policy,
        aggregation=aggregation,
        preferred_orientation=r.attr("preferredOrientation"),
        output_label=r.attr("outputLabel"),
        type_ref=r.type_ref(),
        inputs=inputs,
        outputs=outputs,
        annotations=annotations,
        rules=rules,
        **r.base(),
    )


def _read_context_entry(ctx: ReadContext, node: XmlNode) -> ContextEntry:
    r = ElementReader(ctx, node)
    variable = r.take_one("variable")
    value = r.expression(required=True)
    assert value is not None
    return ContextEntry(
        variable=None if variable is None else read_information_item(ctx, variable),
        value=value,
        **r.base(),
    )


def read_context(ctx: ReadContext, node: XmlNode) -> Context:
    r = ElementReader(ctx, node)
    entries = tuple(_read_context_entry(ctx, child) for child in r.take("contextEntry"))
    return Context(entries=entries, type_ref=r.type_ref(), **r.base())


def _read_items(ctx: ReadContext, r: ElementReader) -> tuple[Expression, ...]:
    items, r.children = r.children, []
    return tuple(read_expression(ctx, child) for child in items)


def read_list(ctx: ReadContext, node: XmlNode) -> ListExpression:
    r = ElementReader(ctx, node)
    return ListExpression(items=_read_items(ctx, r), type_ref=r.type_ref(), **r.base())


def read_relation(ctx: ReadContext, node: XmlNode) -> Relation:
    r = ElementReader(ctx, node)
    columns = tuple(read_information_item(ctx, child) for child in r.take("column"))
    rows = tuple(read_list(ctx, child) for child in r.take("row"))
    for row in rows:
        if len(row.items) != len(columns):
            raise r.error(f"relation row {row.id or ''} has {len(row.items)} cells but the "
                          f"relation has {len(columns)} columns".replace("  ", " "))
    return Relation(columns=columns, rows=rows, type_ref=r.type_ref(), **r.base())


def _read_binding(ctx: ReadContext, node: XmlNode) -> Binding:
    r = ElementReader(ctx, node)
    parameter = r.take_one("parameter")
    if parameter is None:
        raise r.error("binding without <parameter>")
    return Binding(parameter=read_information_item(ctx, parameter), expression=r.expression())


def read_invocation(ctx: ReadContext, node: XmlNode) -> Invocation:
    r = ElementReader(ctx, node)
    bindings = tuple(_read_binding(ctx, child) for child in r.take("binding"))
    return Invocation(called_function=r.expression(), bindings=bindings, type_ref=r.type_ref(),
                      **r.base())


def read_function_definition(ctx: ReadContext, node: XmlNode) -> FunctionDefinition:
    r = ElementReader(ctx, node)
    parameters = tuple(read_information_item(ctx, child) for child in r.take("formalParameter"))
    kind = _enum_attr(r, "kind", FunctionKind) or FunctionKind.FEEL
    return FunctionDefinition(kind=kind, parameters=parameters, body=r.expression(),
                              type_ref=r.type_ref(), **r.base())


class _Parts:
    """The wrapper children (``if``, ``in``, ``return`` ...) of a DMN 1.4 expression."""

    def __init__(self, r: ElementReader, names: tuple[str, ...]) -> None:
        self.expressions: dict[str, Expression] = {}
        attributes: list[tuple[str, str, str]] = []
        for name in names:
            wrapper = r.take_one(name)
            if wrapper is None:
                raise r.error(f"missing <{name}>")
            attributes.extend((name, key, value) for key, value in wrapper.attrib.items())
            inner = ElementReader(r.ctx, wrapper)
            expression = inner.expression(required=True)
            assert expression is not None
            self.expressions[name] = expression
        self.attributes = tuple(attributes)


def read_conditional(ctx: ReadContext, node: XmlNode) -> Conditional:
    r = ElementReader(ctx, node)
    parts = _Parts(r, ("if", "then", "else"))
    e = parts.expressions
    return Conditional(if_=e["if"], then=e["then"], else_=e["else"],
                       child_attributes=parts.attributes, type_ref=r.type_ref(), **r.base())


def read_for(ctx: ReadContext, node: XmlNode) -> For:
    r = ElementReader(ctx, node)
    parts = _Parts(r, ("in", "return"))
    return For(iterator_variable=r.required("iteratorVariable"), in_=parts.expressions["in"],
               return_=parts.expressions["return"], child_attributes=parts.attributes,
               type_ref=r.type_ref(), **r.base())


def read_some(ctx: ReadContext, node: XmlNode) -> Some:
    r = ElementReader(ctx, node)
    parts = _Parts(r, ("in", "satisfies"))
    return Some(iterator_variable=r.required("iteratorVariable"), in_=parts.expressions["in"],
                satisfies=parts.expressions["satisfies"], child_attributes=parts.attributes,
                type_ref=r.type_ref(), **r.base())


def read_every(ctx: ReadContext, node: XmlNode) -> Every:
    r = ElementReader(ctx, node)
    parts = _Parts(r, ("in", "satisfies"))
    return Every(iterator_variable=r.required("iteratorVariable"), in_=parts.expressions["in"],
                 satisfies=parts.expressions["satisfies"], child_attributes=parts.attributes,
                 type_ref=r.type_ref(), **r.base())


def read_filter(ctx: ReadContext, node: XmlNode) -> Filter:
    r = ElementReader(ctx, node)
    parts = _Parts(r, ("in", "match"))
    return Filter(in_=parts.expressions["in"], match=parts.expressions["match"],
                  child_attributes=parts.attributes, type_ref=r.type_ref(), **r.base())


_EXPRESSION_READERS: dict[str, Callable[[ReadContext, XmlNode], Expression]] = {
    "literalExpression": read_literal,
    "decisionTable": read_decision_table,
    "context": read_context,
    "relation": read_relation,
    "list": read_list,
    "invocation": read_invocation,
    "functionDefinition": read_function_definition,
    "conditional": read_conditional,
    "for": read_for,
    "some": read_some,
    "every": read_every,
    "filter": read_filter,
}


def read_expression(ctx: ReadContext, node: XmlNode) -> Expression:
    """Read any boxed expression element; an unknown element is a DmnModelError."""
    reader = _EXPRESSION_READERS.get(node.local_name) if node.namespace == MODEL_NS else None
    if reader is None:
        known = ", ".join(sorted(_EXPRESSION_READERS))
        raise ctx.error(f"unknown expression element <{node.local_name}> (expected one of "
                        f"{known})", node)
    return reader(ctx, node)
