"""Safe XML parsing for DMN files: a small node tree with line numbers and namespace scopes.

Parsing goes through ``defusedxml``'s expat parser with DTDs, entity declarations and external
references forbidden, after a size check. A custom parser target builds :class:`XmlNode` trees
recording, for each element, the line of its start tag (read from expat while the start tag
is reported) and the namespace declarations in scope.

The element and attribute namespaces of every DMN version (model and DMNDI) are mapped to the
DMN 1.5 ones while building, so the rest of the reader deals with one namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree

from accord.errors import DmnXmlError

__all__ = [
    "DC_NS",
    "DI_NS",
    "DMNDI_NS",
    "DMNDI_NS_BY_VERSION",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MODEL_NS",
    "MODEL_NS_BY_VERSION",
    "ParsedXml",
    "XmlNode",
    "load_source",
    "parse_xml",
]

#: Default size limit of a DMN file.
MAX_BYTES = 16 * 1024 * 1024
#: Deepest element nesting accepted; real models stay far below, and the readers, the writer
#: and dataclass equality recurse once (or a few times) per level.
MAX_DEPTH = 200

MODEL_NS_BY_VERSION = {
    "1.1": "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "1.2": "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "1.3": "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "1.4": "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "1.5": "https://www.omg.org/spec/DMN/20230324/MODEL/",
}
DMNDI_NS_BY_VERSION = {
    "1.2": "http://www.omg.org/spec/DMN/20180521/DMNDI/",
    "1.3": "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "1.4": "https://www.omg.org/spec/DMN/20211108/DMNDI/",
    "1.5": "https://www.omg.org/spec/DMN/20230324/DMNDI/",
}
#: The canonical (DMN 1.5) namespaces used inside the reader and in preserved XML.
MODEL_NS = MODEL_NS_BY_VERSION["1.5"]
DMNDI_NS = DMNDI_NS_BY_VERSION["1.5"]
DC_NS = "http://www.omg.org/spec/DMN/20180521/DC/"
DI_NS = "http://www.omg.org/spec/DMN/20180521/DI/"

_VERSION_BY_MODEL_NS = {uri: version for version, uri in MODEL_NS_BY_VERSION.items()}
_CANONICAL_NS = (dict.fromkeys(MODEL_NS_BY_VERSION.values(), MODEL_NS)
                 | dict.fromkeys(DMNDI_NS_BY_VERSION.values(), DMNDI_NS))


def canonical_ns(uri: str) -> str:
    """The DMN 1.5 namespace for any version's model/DMNDI namespace; other URIs unchanged."""
    return _CANONICAL_NS.get(uri, uri)


def _canonical_name(name: str) -> str:
    if name.startswith("{"):
        uri, _, local = name[1:].partition("}")
        mapped = _CANONICAL_NS.get(uri)
        if mapped is not None:
            return f"{{{mapped}}}{local}"
    return name


@dataclass(slots=True, eq=False)
class XmlNode:
    """A parsed element. ``tag`` and attribute names are Clark names, namespaces canonical."""

    tag: str
    attrib: dict[str, str]
    line: int
    nsmap: dict[str, str]
    children: list[XmlNode] = field(default_factory=list)
    text: str | None = None
    tail: str | None = None

    @property
    def local_name(self) -> str:
        return self.tag.rpartition("}")[2]

    @property
    def namespace(self) -> str:
        return self.tag[1:].partition("}")[0] if self.tag.startswith("{") else ""


@dataclass(slots=True)
class ParsedXml:
    root: XmlNode
    root_namespace: str  # as written in the file, before canonicalisation
    version: str | None  # DMN version of root_namespace, None when not a DMN namespace
    namespaces: tuple[tuple[str, str], ...]  # (prefix, canonical uri), root's first


class _Builder:
    """Parser target building :class:`XmlNode` trees (see ``xml.etree`` XMLParser targets)."""

    def __init__(self, filename: str | None) -> None:
        self.filename = filename
        self.line: Callable[[], int] = lambda: 0  # set once the expat parser exists
        self._stack: list[XmlNode] = []
        self._pending_ns: dict[str, str] = {}
        self._text: list[str] = []
        self._last: XmlNode | None = None  # element whose text/tail receives character data
        self._last_closed = False
        self.root: XmlNode | None = None
        self.root_namespace = ""
        self.declarations: dict[str, str] = {}  # prefix -> uri, first declaration wins

    def start_ns(self, prefix: str, uri: str) -> None:
        self._pending_ns[prefix] = canonical_ns(uri)
        self.declarations.setdefault(prefix, canonical_ns(uri))

    def end_ns(self, prefix: str) -> None:
        return None

    def _flush(self) -> None:
        if self._last is not None and self._text:
            text = "".join(self._text)
            if self._last_closed:
                self._last.tail = text
            else:
                self._last.text = text
        self._text = []

    def start(self, tag: str, attrib: dict[str, str]) -> XmlNode:
        self._flush()
        if len(self._stack) >= MAX_DEPTH:
            raise DmnXmlError(f"elements are nested more than {MAX_DEPTH} deep",
                              file=self.filename, line=self.line(), element=tag.rpartition("}")[2])
        parent = self._stack[-1] if self._stack else None
        nsmap = parent.nsmap if parent is not None else {}
        if self._pending_ns:
            nsmap = nsmap | self._pending_ns
        node = XmlNode(
            tag=_canonical_name(tag),
            attrib={_canonical_name(k): v for k, v in attrib.items()},
            line=self.line(),
            nsmap=nsmap,
        )
        if parent is None:
            self.root = node
            self.root_namespace = tag[1:].partition("}")[0] if tag.startswith("{") else ""
        else:
            parent.children.append(node)
        self._pending_ns = {}
        self._stack.append(node)
        self._last, self._last_closed = node, False
        return node

    def end(self, tag: str) -> XmlNode:
        self._flush()
        node = self._stack.pop()
        self._last, self._last_closed = node, True
        return node

    def data(self, text: str) -> None:
        self._text.append(text)

    def close(self) -> XmlNode | None:
        return self.root


def load_source(source: str | bytes | Path, filename: str | None,
                max_bytes: int) -> tuple[str | bytes, str | None]:
    """Return the XML data of ``source`` and the file name to report, enforcing ``max_bytes``.

    A ``str`` is XML text, ``bytes`` are XML bytes and a :class:`~pathlib.Path` is a file.
    """
    if isinstance(source, Path):
        filename = filename or str(source)
        try:
            size = source.stat().st_size
            if size > max_bytes:
                raise DmnXmlError(f"DMN file is too large: {size} bytes, limit {max_bytes}",
                                  file=filename)
            with source.open("rb") as handle:
                data: str | bytes = handle.read(max_bytes + 1)
        except OSError as exc:
            raise DmnXmlError(f"cannot read DMN file: {exc.strerror or exc}",
                              file=filename) from exc
        size = len(data)
    elif isinstance(source, bytes):
        data, size = source, len(source)
    else:
        data = source
        # A character is at least one byte: a cheap bound before encoding.
        size = len(source) if len(source) > max_bytes else len(source.encode("utf-8"))
    if size > max_bytes:
        raise DmnXmlError(f"DMN document is too large: {size} bytes, limit {max_bytes}",
                          file=filename)
    return data, filename


def parse_xml(data: str | bytes, *, filename: str | None = None) -> ParsedXml:
    """Parse XML safely into an :class:`XmlNode` tree; every failure is a DmnXmlError."""
    builder = _Builder(filename)
    parser = defusedxml.ElementTree.DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    expat = parser.parser
    builder.line = lambda: int(expat.CurrentLineNumber)
    try:
        parser.feed(data)
        parser.close()
    except ParseError as exc:
        line, column = exc.position
        raise DmnXmlError(f"malformed XML at line {line}, column {column + 1}: {exc}",
                          file=filename, line=line) from exc
    except defusedxml.DTDForbidden as exc:
        raise DmnXmlError("DTDs (DOCTYPE declarations) are not allowed in DMN files",
                          file=filename, line=int(expat.CurrentLineNumber)) from exc
    except defusedxml.EntitiesForbidden as exc:
        raise DmnXmlError(f"entity declarations are not allowed in DMN files ({exc.name})",
                          file=filename, line=int(expat.CurrentLineNumber)) from exc
    except defusedxml.ExternalReferenceForbidden as exc:
        raise DmnXmlError("external references are not allowed in DMN files",
                          file=filename, line=int(expat.CurrentLineNumber)) from exc
    except defusedxml.DefusedXmlException as exc:  # pragma: no cover - future defusedxml kinds
        raise DmnXmlError(f"unsafe XML: {exc}", file=filename,
                          line=int(expat.CurrentLineNumber)) from exc
    root = builder.root
    if root is None:  # pragma: no cover - expat reports "no element found" first
        raise DmnXmlError("empty XML document", file=filename)
    return ParsedXml(
        root=root,
        root_namespace=builder.root_namespace,
        version=_VERSION_BY_MODEL_NS.get(builder.root_namespace),
        namespaces=tuple(builder.declarations.items()),
    )
