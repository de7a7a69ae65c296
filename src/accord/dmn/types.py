"""Item definitions as runtime types: conformance checks and coercion (DMN 1.5 clause 7.3,
conversions of clause 10.3.2.9.4).

A :class:`FeelType` answers two questions about a value: does it conform, and what value does
a decision or input of this type hold (the value itself, the element of a singleton list, the
value wrapped in a list, or null when it does not conform).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.dmn.model import ItemDefinition
from accord.feel.compiler import compile_unary_tests
from accord.feel.instance_of import BUILTIN_TYPES

_FEEL_PREFIXES = ("feel:", "FEEL:")
# DMN 1.1 and XML Schema spellings of FEEL types.
_ALIASES = {
    "dateTime": "date and time",
    "dayTimeDuration": "days and time duration",
    "yearMonthDuration": "years and months duration",
    "integer": "number",
    "decimal": "number",
    "double": "number",
    "Any": "Any",
}


@dataclass(slots=True)
class FeelType:
    """A resolved type: a built-in base, a structure, or a collection of another type."""

    name: str
    base: str | None = None
    is_collection: bool = False
    element: FeelType | None = None
    components: dict[str, FeelType] | None = None
    allowed: Callable[[Any, Mapping[str, Any]], Any] | None = None
    function: bool = False
    alias_of: FeelType | None = field(default=None, repr=False)
    #: the allowed values' unary tests as written (for JSON Schema and messages)
    allowed_text: str | None = None
    _check: Callable[[Any], bool] | None = field(default=None, repr=False, compare=False)

    def conforms(self, value: Any, constraints: bool = True) -> bool:
        """True when ``value`` (not null) is an instance of this type.

        With ``constraints=False`` allowed values are not checked: ``instance of`` asks about
        the type only (TCK 0070: ``256 instance of t255`` is true for ``number [0..255]``).
        """
        if not constraints:
            return self._conforms_type(value)
        return self._checker()(value)

    def _checker(self) -> Callable[[Any], bool]:
        check = self._check
        if check is None:
            # Built on first use: a registry finishes its types (recursive ones through a
            # placeholder) before any value is checked. While it is built, a recursive
            # reference goes through the finished checker at call time.
            self._check = lambda value: self._checker()(value)
            check = self._check = self._build_check()
        return check

    def _build_check(self) -> Callable[[Any], bool]:
        """A function checking values against this type, allowed values included.

        Conformance runs for every value a decision, input, context entry or BKM parameter
        takes, often over lists of contexts: one closure per type, specialised to what the
        type is, costs a fraction of walking the type's attributes for every value.
        """
        allowed_ok = self._allowed_ok if self.allowed is not None else None
        if self.alias_of is not None:
            inner = self.alias_of._checker()
            if allowed_ok is None:
                return inner
            return lambda v: v is None or (inner(v) and allowed_ok(v))
        if self.is_collection:
            return _list_check(self.element._checker() if self.element is not None else None)
        if self.components is not None:
            return _context_check([(key, c._checker()) for key, c in self.components.items()])
        predicate = BUILTIN_TYPES.get(self.base) if self.base is not None else None
        if allowed_ok is None:
            return (lambda v: True) if predicate is None else (
                lambda v: v is None or predicate(v))
        return lambda v: v is None or (
            (predicate is None or predicate(v)) and allowed_ok(v))

    def _conforms_type(self, value: Any) -> bool:
        """Conformance to the type alone, allowed values not checked."""
        if value is None:
            return True
        if self.alias_of is not None:
            return self.alias_of._conforms_type(value)
        if self.is_collection:
            if not isinstance(value, list):
                return False
            element = self.element
            return element is None or all(element._conforms_type(v) for v in value)
        if self.components is not None:
            if not isinstance(value, dict):
                return False
            # every component must be present (TCK 0082): a context lacking one is another type
            return all(key in value and comp._conforms_type(value[key])
                       for key, comp in self.components.items())
        if self.base is not None:
            predicate = BUILTIN_TYPES.get(self.base)
            if predicate is not None and not predicate(value):
                return False
        return True

    def _allowed_ok(self, value: Any) -> bool:
        if self.allowed is None:
            return True
        if isinstance(value, list) and not self.is_collection:
            return False
        return self.allowed(value, {}) is True

    def coerce(self, value: Any) -> Any:
        """The value a variable of this type holds, or ``None`` if ``value`` does not conform.

        Singleton lists unwrap to their element, and a lone value wraps into a list where a
        collection is expected (clause 10.3.2.9.4).
        """
        if value is None or self.base == "Any":
            return value
        if self.conforms(value):
            return value
        if isinstance(value, list) and len(value) == 1 and not self._is_list_type():
            element = value[0]  # one level only: [[10]] is not a number (TCK 0082 invoke_005)
            return element if self.conforms(element) else None
        if self._is_list_type() and not isinstance(value, list):
            wrapped = [value]
            if self.conforms(wrapped):
                return wrapped
        return None

    def _is_list_type(self) -> bool:
        if self.alias_of is not None:
            return self.alias_of._is_list_type()
        return self.is_collection or self.base == "list"


def _list_check(element: Callable[[Any], bool] | None) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if value is None:
            return True
        if not isinstance(value, list):
            return False
        if element is not None:
            for item in value:
                if item is not None and not element(item):
                    return False
        return True

    return check


def _context_check(components: list[tuple[str, Callable[[Any], bool]]]
                   ) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if value is None:
            return True
        if not isinstance(value, dict):
            return False
        # every component must be present (TCK 0082): a context lacking one is another type
        for key, conforms in components:
            if key not in value:
                return False
            item = value[key]
            if item is not None and not conforms(item):
                return False
        return True

    return check


ANY = FeelType("Any", base="Any")


class TypeRegistry:
    """Resolves ``typeRef`` names against a model's item definitions and the FEEL built-ins."""

    def __init__(self, item_definitions: tuple[ItemDefinition, ...] = (),
                 imported: Mapping[str, TypeRegistry] | None = None) -> None:
        self._definitions = {d.name: d for d in item_definitions}
        self._resolved: dict[str, FeelType] = {}
        self._imported = dict(imported or {})

    def resolve(self, type_ref: str | None) -> FeelType | None:
        """The type named ``type_ref``, or ``None`` when absent or unknown."""
        if not type_ref:
            return None
        name = type_ref
        for prefix in _FEEL_PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix):]
        if name in self._resolved:
            return self._resolved[name]
        if name in self._definitions:
            placeholder = FeelType(name)
            self._resolved[name] = placeholder  # recursive types resolve to the placeholder
            built = self._build(self._definitions[name])
            for attr in ("base", "is_collection", "element", "components", "allowed",
                         "function", "alias_of", "allowed_text"):
                setattr(placeholder, attr, getattr(built, attr))
            return placeholder
        base = _ALIASES.get(name, name)
        if base in BUILTIN_TYPES:
            feel_type = FeelType(name, base=base)
            self._resolved[name] = feel_type
            return feel_type
        prefix, dot, rest = name.partition(".")
        if dot and prefix in self._imported:
            return self._imported[prefix].resolve(rest)
        return None

    def predicate(self, name: str) -> Callable[[Any], bool] | None:
        """For ``instance of``: a predicate for an item definition name."""
        feel_type = self.resolve(name)
        if feel_type is None:
            return None
        return lambda value: value is not None and feel_type.conforms(value, constraints=False)

    def _build(self, definition: ItemDefinition) -> FeelType:
        allowed = None
        text = None
        constraint = definition.allowed_values or definition.type_constraint
        if constraint is not None and constraint.text.strip():
            allowed = compile_unary_tests(constraint.text)
            text = constraint.text.strip()
        if definition.function_item is not None:
            element = FeelType(definition.name, base="function")
        elif definition.item_components:
            element = FeelType(definition.name, components={
                c.name: self._build(c) for c in definition.item_components})
        elif definition.type_ref:
            referenced = self.resolve(definition.type_ref) or ANY
            element = FeelType(definition.name, alias_of=referenced)
        else:
            element = FeelType(definition.name, base="Any")
        if definition.is_collection:
            # allowed values of a collection constrain its elements (DMN 1.5 clause 7.3.2)
            if element.alias_of is not None:
                element.allowed, element.allowed_text = allowed, text
            elif allowed is not None:
                element = FeelType(definition.name, alias_of=element, allowed=allowed,
                                   allowed_text=text)
            return FeelType(definition.name, is_collection=True, element=element)
        if allowed is not None:
            if element.alias_of is not None or element.base is not None:
                element.allowed, element.allowed_text = allowed, text
            else:
                element = FeelType(definition.name, alias_of=element, allowed=allowed,
                                   allowed_text=text)
        return element
