"""The DMN model: typed, frozen dataclasses for a DMN ``definitions`` document.

The classes follow the DMN 1.5 metamodel (clause 6-10 and the XSD types ``tDecision``,
``tDecisionTable`` ...) closely enough that every DMN 1.1 - 1.5 file the reader accepts maps
onto them, and the writer can produce DMN 1.3 / 1.5 XML from them again.

Conventions:

* Names are kept exactly as in the XML (they may contain spaces, ``?``, ``-``, ``/``, ``.``).
* Collections are tuples, so models are hashable and compare by value.
* References (``href``) are kept raw: ``"#id"`` for the same model, ``"namespace#id"`` for an
  imported one; :func:`split_href` splits them.
* Whatever the model does not interpret is preserved for round trips: vendor attributes
  (``extra_attributes``, Clark notation ``{uri}local``), ``extensionElements``, and elements
  the model does not represent (``extra_elements``, ``Definitions.extra`` for DMNDI diagrams,
  knowledge sources, text annotations, associations ...), as :class:`XmlElement` trees.
* Text content (``<text>``, ``<description>``) is kept verbatim, whitespace included.

Example:
    >>> from accord.dmn.model import LiteralExpression, split_href
    >>> LiteralExpression(text="a + b").text
    'a + b'
    >>> split_href("http://example.com/model#d1")
    ('http://example.com/model', 'd1')
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeAlias

__all__ = [
    "FEEL_NAMESPACES",
    "Aggregation",
    "AuthorityRequirement",
    "Binding",
    "BusinessKnowledgeModel",
    "Conditional",
    "Context",
    "ContextEntry",
    "Decision",
    "DecisionService",
    "DecisionTable",
    "Definitions",
    "DmnElement",
    "DrgElement",
    "Every",
    "Expression",
    "ExpressionBase",
    "Filter",
    "For",
    "FunctionDefinition",
    "FunctionItem",
    "FunctionKind",
    "HitPolicy",
    "Import",
    "InformationItem",
    "InformationRequirement",
    "InputClause",
    "InputData",
    "Invocation",
    "ItemDefinition",
    "KnowledgeRequirement",
    "ListExpression",
    "LiteralExpression",
    "OutputClause",
    "Relation",
    "Rule",
    "RuleAnnotationClause",
    "Some",
    "UnaryTests",
    "XmlElement",
    "is_feel",
    "iter_expressions",
    "split_href",
]

#: Expression-language URIs that mean FEEL, one per DMN version (1.1 - 1.5).
FEEL_NAMESPACES = frozenset({
    "http://www.omg.org/spec/FEEL/20140401",
    "http://www.omg.org/spec/DMN/20180521/FEEL/",
    "https://www.omg.org/spec/DMN/20191111/FEEL/",
    "https://www.omg.org/spec/DMN/20211108/FEEL/",
    "https://www.omg.org/spec/DMN/20230324/FEEL/",
})


_FEEL_URIS = frozenset(uri.rstrip("/") for uri in FEEL_NAMESPACES)


def is_feel(expression_language: str | None) -> bool:
    """True when an ``expressionLanguage`` is absent (FEEL by default) or names FEEL."""
    return expression_language is None or expression_language.rstrip("/") in _FEEL_URIS


def split_href(href: str) -> tuple[str, str]:
    """Split a DMN ``href`` into ``(namespace, id)``; the namespace is ``""`` for this model.

    >>> split_href("#decision_1")
    ('', 'decision_1')
    >>> split_href("bare_id")
    ('', 'bare_id')
    """
    namespace, sep, ident = href.rpartition("#")
    if not sep:
        return "", href
    return namespace, ident


# --------------------------------------------------------------------------- preserved XML


@dataclass(frozen=True, slots=True)
class XmlElement:
    """An XML element kept verbatim for round trips (DMNDI, extension elements ...).

    ``tag`` and attribute names are in Clark notation (``{uri}local``). DMN model and DMNDI
    namespaces of any DMN version are stored as the DMN 1.5 ones; the writer maps them to the
    version it writes. Whitespace-only text and tails are dropped.
    """

    tag: str
    attributes: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    children: tuple[XmlElement, ...] = ()
    tail: str | None = None

    @property
    def local_name(self) -> str:
        return self.tag.rpartition("}")[2]


# --------------------------------------------------------------------------- enums


class HitPolicy(enum.Enum):
    """Decision table hit policies (DMN 1.5 clause 8.2.11); values are the XML spellings."""

    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"


class Aggregation(enum.Enum):
    """COLLECT aggregations (DMN 1.5 clause 8.2.11)."""

    SUM = "SUM"
    COUNT = "COUNT"
    MIN = "MIN"
    MAX = "MAX"


class FunctionKind(enum.Enum):
    """Function definition kinds (DMN 1.5 clause 10.2.2)."""

    FEEL = "FEEL"
    JAVA = "Java"
    PMML = "PMML"


# --------------------------------------------------------------------------- base classes


@dataclass(frozen=True, slots=True, kw_only=True)
class DmnElement:
    """Fields every DMN element (``tDMNElement``) may carry.

    ``extra_elements`` holds child elements the model does not represent (for a decision:
    ``supportedObjective``, ``decisionMaker`` ...; anywhere: foreign-namespace elements).
    """

    id: str | None = None
    label: str | None = None
    description: str | None = None
    extension_elements: XmlElement | None = None
    extra_attributes: tuple[tuple[str, str], ...] = ()
    extra_elements: tuple[XmlElement, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class InformationItem(DmnElement):
    """A typed name: a variable, a formal parameter, a relation column (``tInformationItem``)."""

    name: str
    type_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpressionBase(DmnElement):
    """Fields shared by all expressions (``tExpression``)."""

    type_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UnaryTests(ExpressionBase):
    """Unary tests text: a rule's input entry, allowed values, input/output values."""

    text: str = ""
    expression_language: str | None = None


# --------------------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True, kw_only=True)
class LiteralExpression(ExpressionBase):
    """Expression text, FEEL unless ``expression_language`` says otherwise."""

    text: str = ""
    expression_language: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InputClause(DmnElement):
    input_expression: LiteralExpression
    input_values: UnaryTests | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputClause(DmnElement):
    name: str | None = None
    type_ref: str | None = None
    output_values: UnaryTests | None = None
    default_output_entry: LiteralExpression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleAnnotationClause:
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule(DmnElement):
    input_entries: tuple[UnaryTests, ...] = ()
    output_entries: tuple[LiteralExpression, ...] = ()
    annotation_entries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionTable(ExpressionBase):
    hit_policy: HitPolicy = HitPolicy.UNIQUE
    aggregation: Aggregation | None = None
    preferred_orientation: str | None = None
    output_label: str | None = None
    inputs: tuple[InputClause, ...] = ()
    outputs: tuple[OutputClause, ...] = ()
    annotations: tuple[RuleAnnotationClause, ...] = ()
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextEntry(DmnElement):
    """A context entry; ``variable is None`` marks the final result entry."""

    variable: InformationItem | None
    value: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class Context(ExpressionBase):
    entries: tuple[ContextEntry, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ListExpression(ExpressionBase):
    items: tuple[Expression, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Relation(ExpressionBase):
    """A relation: ``rows`` are ``list`` expressions with one item per column."""

    columns: tuple[InformationItem, ...] = ()
    rows: tuple[ListExpression, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    """A parameter binding of an invocation; ``expression is None`` binds null."""

    parameter: InformationItem
    expression: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Invocation(ExpressionBase):
    """Invocation of ``called_function`` (usually a literal naming a BKM) with bindings."""

    called_function: Expression | None = None
    bindings: tuple[Binding, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionDefinition(ExpressionBase):
    kind: FunctionKind = FunctionKind.FEEL
    parameters: tuple[InformationItem, ...] = ()
    body: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _ChildExpressions(ExpressionBase):
    """Expressions whose parts sit in ``<if>``/``<in>``/... wrapper elements (DMN 1.4+).

    ``child_attributes`` keeps attributes of those wrappers (``id``, ``typeRef`` of ``in``) as
    ``(wrapper local name, attribute name, value)``.
    """

    child_attributes: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Conditional(_ChildExpressions):
    """``if if_ then then else else_`` (DMN 1.4 ``conditional``)."""

    if_: Expression
    then: Expression
    else_: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class For(_ChildExpressions):
    """``for iterator_variable in in_ return return_`` (DMN 1.4 ``for``)."""

    iterator_variable: str
    in_: Expression
    return_: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class Some(_ChildExpressions):
    """``some iterator_variable in in_ satisfies satisfies`` (DMN 1.4 ``some``)."""

    iterator_variable: str
    in_: Expression
    satisfies: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class Every(_ChildExpressions):
    """``every iterator_variable in in_ satisfies satisfies`` (DMN 1.4 ``every``)."""

    iterator_variable: str
    in_: Expression
    satisfies: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter(_ChildExpressions):
    """``in_[match]`` (DMN 1.4 ``filter``); ``item`` names the current element in ``match``."""

    in_: Expression
    match: Expression


Expression: TypeAlias = (
    LiteralExpression | DecisionTable | Context | Relation | ListExpression | Invocation
    | FunctionDefinition | Conditional | For | Some | Every | Filter
)


def iter_expressions(expression: Expression | None) -> Iterator[Expression]:
    """Yield ``expression`` and every expression nested in it, depth first."""
    if expression is None:
        return
    yield expression
    children: tuple[Expression | None, ...]
    match expression:
        case Context(entries=entries):
            children = tuple(entry.value for entry in entries)
        case Relation(rows=rows):
            children = rows
        case ListExpression(items=items):
            children = items
        case Invocation(called_function=called, bindings=bindings):
            children = (called, *(binding.expression for binding in bindings))
        case FunctionDefinition(body=body):
            children = (body,)
        case Conditional(if_=if_, then=then, else_=else_):
            children = (if_, then, else_)
        case For(in_=in_, return_=return_):
            children = (in_, return_)
        case Some(in_=in_, satisfies=satisfies) | Every(in_=in_, satisfies=satisfies):
            children = (in_, satisfies)
        case Filter(in_=in_, match=match_):
            children = (in_, match_)
        case _:
            children = ()
    for child in children:
        yield from iter_expressions(child)


# --------------------------------------------------------------------------- DRG


@dataclass(frozen=True, slots=True, kw_only=True)
class Import(DmnElement):
    namespace: str
    name: str = ""
    location_uri: str | None = None
    import_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionItem(DmnElement):
    """The signature of a function type (``tFunctionItem``)."""

    parameters: tuple[InformationItem, ...] = ()
    output_type_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemDefinition(DmnElement):
    """A type: a reference to another type, a structure of components, or a function type."""

    name: str
    type_ref: str | None = None
    type_language: str | None = None
    is_collection: bool = False
    allowed_values: UnaryTests | None = None
    type_constraint: UnaryTests | None = None
    item_components: tuple[ItemDefinition, ...] = ()
    function_item: FunctionItem | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InformationRequirement(DmnElement):
    """Exactly one of ``required_decision`` / ``required_input`` is a raw href."""

    required_decision: str | None = None
    required_input: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class KnowledgeRequirement(DmnElement):
    required_knowledge: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorityRequirement(DmnElement):
    required_decision: str | None = None
    required_input: str | None = None
    required_authority: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InputData(DmnElement):
    name: str
    variable: InformationItem | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision(DmnElement):
    name: str
    variable: InformationItem | None = None
    question: str | None = None
    allowed_answers: str | None = None
    information_requirements: tuple[InformationRequirement, ...] = ()
    knowledge_requirements: tuple[KnowledgeRequirement, ...] = ()
    authority_requirements: tuple[AuthorityRequirement, ...] = ()
    expression: Expression | None = None

    @property
    def required_decisions(self) -> tuple[str, ...]:
        """Raw hrefs of the decisions this decision requires."""
        return tuple(r.required_decision for r in self.information_requirements
                     if r.required_decision is not None)

    @property
    def required_inputs(self) -> tuple[str, ...]:
        """Raw hrefs of the input data this decision requires."""
        return tuple(r.required_input for r in self.information_requirements
                     if r.required_input is not None)

    @property
    def required_knowledge(self) -> tuple[str, ...]:
        """Raw hrefs of the BKMs / decision services this decision invokes."""
        return tuple(r.required_knowledge for r in self.knowledge_requirements)


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessKnowledgeModel(DmnElement):
    name: str
    variable: InformationItem | None = None
    encapsulated_logic: FunctionDefinition | None = None
    knowledge_requirements: tuple[KnowledgeRequirement, ...] = ()
    authority_requirements: tuple[AuthorityRequirement, ...] = ()

    @property
    def required_knowledge(self) -> tuple[str, ...]:
        return tuple(r.required_knowledge for r in self.knowledge_requirements)


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionService(DmnElement):
    """A decision service; the four lists hold raw hrefs."""

    name: str
    variable: InformationItem | None = None
    output_decisions: tuple[str, ...] = ()
    encapsulated_decisions: tuple[str, ...] = ()
    input_decisions: tuple[str, ...] = ()
    input_data: tuple[str, ...] = ()


DrgElement: TypeAlias = Decision | BusinessKnowledgeModel | DecisionService | InputData


@dataclass(frozen=True, slots=True, kw_only=True)
class Definitions(DmnElement):
    """A DMN model (the ``definitions`` root).

    ``extra`` holds the other children of ``definitions`` in document order (knowledge sources,
    text annotations, associations, groups, element collections, business context elements,
    the ``dmndi:DMNDI`` diagram). ``namespaces`` lists the file's namespace declarations
    (prefix, uri; the root's first, then the first of each prefix declared deeper);
    ``dmn_version`` is the version read ("1.1" ... "1.5"). Neither takes part in
    equality: they describe the file, not the model.
    """

    name: str
    namespace: str
    expression_language: str | None = None
    type_language: str | None = None
    exporter: str | None = None
    exporter_version: str | None = None
    imports: tuple[Import, ...] = ()
    item_definitions: tuple[ItemDefinition, ...] = ()
    input_data: tuple[InputData, ...] = ()
    decisions: tuple[Decision, ...] = ()
    bkms: tuple[BusinessKnowledgeModel, ...] = ()
    decision_services: tuple[DecisionService, ...] = ()
    extra: tuple[XmlElement, ...] = ()
    namespaces: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    dmn_version: str = field(default="1.3", compare=False)

    def drg_elements(self) -> Iterator[DrgElement]:
        """Decisions, BKMs, decision services and input data, in that order."""
        yield from self.decisions
        yield from self.bkms
        yield from self.decision_services
        yield from self.input_data

    def element_by_id(self, ident: str) -> DrgElement | None:
        """The DRG element with this id (without ``#``), or None."""
        return next((e for e in self.drg_elements() if e.id == ident), None)

    def element_by_href(self, href: str) -> DrgElement | None:
        """The DRG element an href points at, when it points into this model."""
        namespace, ident = split_href(href)
        if namespace and namespace != self.namespace:
            return None
        return self.element_by_id(ident)

    def decision_by_name(self, name: str) -> Decision | None:
        return next((d for d in self.decisions if d.name == name), None)
