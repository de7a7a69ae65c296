"""DMN TCK test files: reading ``*-test-*.xml`` safely and finding them in a TCK tree.

The schema is ``TestCases/testCases.xsd`` (namespace
``http://www.omg.org/spec/DMN/20160719/testcase``); values are read by
:mod:`accord.dmn.tck_values`. Re-exported by :mod:`accord.dmn.tck`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from accord.dmn.tck_values import TckValueError, local_name, read_value
from accord.errors import DmnXmlError

LEVELS: tuple[str, ...] = ("compliance-level-2", "compliance-level-3")

#: Largest test file read (the biggest TCK file, 0100-arithmetic, is under 1 MB).
MAX_TEST_FILE_BYTES = 32 * 1024 * 1024




@dataclass(frozen=True, slots=True)
class InputNode:
    """An ``inputNode``: a value for an input data (or a decision, for services)."""

    name: str
    namespace: str | None = None
    value: Any = None
    problem: str | None = None  # set when the value could not be read


@dataclass(frozen=True, slots=True)
class ResultNode:
    """A ``resultNode``: a decision whose value is checked."""

    name: str
    type: str | None = None
    error_result: bool = False
    expected: Any = None
    problem: str | None = None  # set when the expected value could not be read


@dataclass(frozen=True, slots=True)
class TckCase:
    """One ``testCase`` of a test file."""

    id: str
    type: str = "decision"  # decision | decisionService | bkm
    invocable_name: str | None = None
    name: str | None = None
    description: str | None = None
    inputs: tuple[InputNode, ...] = ()
    results: tuple[ResultNode, ...] = ()


@dataclass(frozen=True, slots=True)
class TckFile:
    """A parsed ``*-test-*.xml`` file."""

    path: Path
    level: str
    folder: str
    model_name: str | None
    cases: tuple[TckCase, ...]

    @property
    def stem(self) -> str:
        """The file name without ``.xml``, as the TCK results CSV names it."""
        return self.path.name.removesuffix(".xml")


def _bool_attr(element: Element, name: str) -> bool:
    return element.get(name, "false").strip() in ("true", "1")


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if local_name(child.tag) == name:
            return child
    return None


def _text(element: Element, name: str) -> str | None:
    child = _child(element, name)
    return None if child is None else (child.text or "").strip()


def _read(element: Element) -> tuple[Any, str | None]:
    try:
        return read_value(element), None
    except TckValueError as exc:
        return None, str(exc)


def parse_test_file(path: Path, *, level: str | None = None,
                    folder: str | None = None) -> TckFile:
    """Read a TCK test file safely (defusedxml: no DTDs, entities or external references).

    Raises :class:`accord.errors.DmnXmlError` for unreadable, malformed or unsafe files.
    Unreadable values do not raise: they are kept as ``problem`` on their node.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DmnXmlError(f"cannot read test file: {exc.strerror}", file=str(path)) from None
    if len(data) > MAX_TEST_FILE_BYTES:
        raise DmnXmlError("test file too large", file=str(path))
    try:
        root = SafeET.fromstring(data)
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise DmnXmlError(f"malformed test file: {exc}", file=str(path), line=line) from None
    except DefusedXmlException as exc:
        raise DmnXmlError(f"unsafe XML refused: {exc!r}", file=str(path)) from None
    if local_name(root.tag) != "testCases":
        raise DmnXmlError(f"not a TCK test file (root element <{local_name(root.tag)}>)",
                          file=str(path), element=local_name(root.tag))
    cases = []
    for number, element in enumerate(
            (e for e in root if local_name(e.tag) == "testCase"), start=1):
        inputs = []
        results = []
        for node in element:
            kind = local_name(node.tag)
            if kind == "inputNode":
                value, problem = _read(node)
                inputs.append(InputNode(node.get("name", ""), node.get("namespace"), value,
                                        problem))
            elif kind == "resultNode":
                expected = _child(node, "expected")
                value, problem = (None, None) if expected is None else _read(expected)
                results.append(ResultNode(node.get("name", ""), node.get("type"),
                                          _bool_attr(node, "errorResult"), value, problem))
        cases.append(TckCase(
            id=element.get("id") or f"#{number}",
            type=element.get("type", "decision").strip() or "decision",
            invocable_name=element.get("invocableName"),
            name=element.get("name"),
            description=_text(element, "description"),
            inputs=tuple(inputs),
            results=tuple(results),
        ))
    return TckFile(
        path=path,
        level=level if level is not None else path.parent.parent.name,
        folder=folder if folder is not None else path.parent.name,
        model_name=_text(root, "modelName"),
        cases=tuple(cases),
    )


def resolve_root(root: Path) -> Path:
    """The ``TestCases`` folder: ``root`` itself or its ``TestCases`` child."""
    root = Path(root)
    return root / "TestCases" if (root / "TestCases").is_dir() else root


def _folder_matches(folder: str, only: str | None) -> bool:
    if only is None:
        return True
    return folder == only or folder.startswith(only) or fnmatch.fnmatchcase(folder, only)


def discover(root: Path, *, levels: Sequence[str] = LEVELS,
             only: str | None = None) -> list[tuple[str, Path]]:
    """``(level, test file)`` pairs under ``root``, sorted by level, folder and file.

    ``only`` selects folders: an exact name, a prefix (``0085``) or a glob (``00[89]*``).
    """
    base = resolve_root(root)
    found: list[tuple[str, Path]] = []
    for level in levels:
        level_dir = base / level
        if not level_dir.is_dir():
            continue
        for folder in sorted(p for p in level_dir.iterdir() if p.is_dir()):
            if _folder_matches(folder.name, only):
                found.extend((level, f) for f in sorted(folder.glob("*-test-*.xml")))
    return found
