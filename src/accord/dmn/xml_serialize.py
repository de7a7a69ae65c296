"""Serialising an element tree to indented XML text with chosen namespace prefixes.

The DMN writer builds :class:`OutNode` trees whose tags and attribute names are Clark names in
the canonical (DMN 1.5) namespaces; :func:`serialize` maps those to the namespaces of the DMN
version being written, picks prefixes (the DMN model namespace as default namespace, the file's
own prefixes where known, then ``dmndi``/``dc``/``di``/``camunda``/``modeler``) and writes the
document in the layout Camunda Modeler uses (two-space indentation, ``<x />``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from accord.dmn.model import XmlElement

__all__ = ["OutNode", "from_preserved", "serialize"]

XML_NS = "http://www.w3.org/XML/1998/namespace"
_WELL_KNOWN_PREFIXES = {
    "http://www.omg.org/spec/DMN/20180521/DC/": "dc",
    "http://www.omg.org/spec/DMN/20180521/DI/": "di",
    "http://camunda.org/schema/1.0/dmn": "camunda",
    "http://camunda.org/schema/modeler/1.0": "modeler",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
    "http://www.w3.org/2001/XMLSchema": "xsd",
}


class OutNode:
    """An element to write: Clark-name tag, ordered attributes, text, children, tail."""

    __slots__ = ("attrs", "children", "tag", "tail", "text")

    def __init__(self, tag: str, attrs: Iterable[tuple[str, str | None]] = (),
                 text: str | None = None) -> None:
        self.tag = tag
        self.attrs = [(k, v) for k, v in attrs if v is not None]
        self.text = text
        self.children: list[OutNode] = []
        self.tail: str | None = None

    def add(self, child: OutNode | None) -> OutNode | None:
        if child is not None:
            self.children.append(child)
        return child


def from_preserved(element: XmlElement) -> OutNode:
    node = OutNode(element.tag, element.attributes, element.text)
    node.tail = element.tail
    node.children = [from_preserved(child) for child in element.children]
    return node


def _split(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        uri, _, local = name[1:].partition("}")
        return uri, local
    return "", name


def _walk(node: OutNode) -> Iterator[OutNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


class _Prefixes:
    def __init__(self, remap: Mapping[str, str], default_ns: str,
                 preferred: Iterable[tuple[str, str]], special: Mapping[str, str]) -> None:
        self.remap = remap
        self.declarations: list[tuple[str, str]] = [("", default_ns)]
        self.element_prefix: dict[str, str] = {default_ns: ""}
        self.attribute_prefix: dict[str, str] = {XML_NS: "xml"}
        self.taken = {"", "xml", "xmlns"}
        self.preferred = dict(_WELL_KNOWN_PREFIXES) | dict(special)
        for prefix, uri in preferred:
            target = remap.get(uri, uri)
            if prefix and prefix not in self.taken and target not in self.element_prefix:
                self._declare(prefix, target)

    def _declare(self, prefix: str, uri: str) -> str:
        self.declarations.append((prefix, uri))
        self.taken.add(prefix)
        self.element_prefix.setdefault(uri, prefix)
        if prefix:
            self.attribute_prefix.setdefault(uri, prefix)
        return prefix

    def _new(self, uri: str) -> str:
        prefix = self.preferred.get(uri, "ns0")
        counter = 0
        while prefix in self.taken:
            counter += 1
            prefix = f"{self.preferred.get(uri, 'ns')}{counter}"
        return self._declare(prefix, uri)

    def element(self, name: str) -> str:
        uri, local = _split(name)
        if not uri:
            return local
        uri = self.remap.get(uri, uri)
        prefix = self.element_prefix.get(uri)
        if prefix is None:
            prefix = self._new(uri)
        return f"{prefix}:{local}" if prefix else local

    def attribute(self, name: str) -> str:
        uri, local = _split(name)
        if not uri:
            return local
        uri = self.remap.get(uri, uri)
        prefix = self.attribute_prefix.get(uri)
        if prefix is None:
            prefix = self._new(uri)
            self.attribute_prefix[uri] = prefix
        return f"{prefix}:{local}"


def _escape_text(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _escape_attribute(value: str) -> str:
    return (_escape_text(value).replace('"', "&quot;").replace("\n", "&#10;")
            .replace("\t", "&#9;"))


def serialize(root: OutNode, *, remap: Mapping[str, str], default_ns: str,
              preferred: Iterable[tuple[str, str]] = (),
              special: Mapping[str, str] | None = None) -> str:
    """Write ``root`` as an XML document.

    Args:
        remap: canonical namespace URI -> the URI to write.
        default_ns: the (remapped) namespace written as the default namespace.
        preferred: (prefix, uri) declarations to reuse, e.g. the source file's.
        special: extra uri -> preferred prefix, e.g. the DMNDI namespace -> ``dmndi``.
    """
    prefixes = _Prefixes(remap, default_ns, preferred, special or {})
    # Name every element and attribute first so that all declarations are known for the root.
    # An element in no namespace must undeclare the default namespace it would inherit.
    names = {id(node): (prefixes.element(node.tag),
                        [("xmlns", "")] * (not node.tag.startswith("{"))
                        + [(prefixes.attribute(k), v) for k, v in node.attrs])
             for node in _walk(root)}
    declarations = "".join(
        f' xmlns{":" + prefix if prefix else ""}="{_escape_attribute(uri)}"'
        for prefix, uri in prefixes.declarations)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    _emit(root, 0, names, lines, declarations)
    return "\n".join(lines) + "\n"


def _open_tag(node: OutNode, names: dict[int, tuple[str, list[tuple[str, str]]]],
              extra: str) -> tuple[str, str]:
    name, attrs = names[id(node)]
    text = "".join(f' {key}="{_escape_attribute(value)}"' for key, value in attrs)
    return name, f"<{name}{extra}{text}"


def _compact(node: OutNode, names: dict[int, tuple[str, list[tuple[str, str]]]],
             extra: str = "") -> str:
    name, opening = _open_tag(node, names, extra)
    if not node.children and node.text is None:
        body = f"{opening} />"
    else:
        inner = "".join(_compact(child, names) for child in node.children)
        body = f"{opening}>{_escape_text(node.text or '')}{inner}</{name}>"
    return body + _escape_text(node.tail or "")


def _emit(node: OutNode, depth: int, names: dict[int, tuple[str, list[tuple[str, str]]]],
          lines: list[str], extra: str = "") -> None:
    indent = "  " * depth
    mixed = (node.text is not None and node.text.strip()) or any(
        child.tail for child in node.children)
    if not node.children or mixed:
        # Text-only or mixed content is written on one line, exactly.
        lines.append(indent + _compact(node, names, extra).removesuffix(
            _escape_text(node.tail or "")))
        return
    name, opening = _open_tag(node, names, extra)
    lines.append(f"{indent}{opening}>")
    for child in node.children:
        _emit(child, depth + 1, names, lines)
    lines.append(f"{indent}</{name}>")
