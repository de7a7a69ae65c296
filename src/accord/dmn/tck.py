"""DMN TCK runner: run the DMN Technology Compatibility Kit test cases against Accord.

The TCK (github.com/dmn-tck/tck, copied to ``../shared/dmn-tck``) has one folder per test
under ``TestCases/compliance-level-2`` and ``compliance-level-3``; each folder holds the
model(s) and one or more ``<folder>-test-NN.xml`` files (schema ``TestCases/testCases.xsd``,
values read by :mod:`accord.dmn.tck_values`).

How a test case runs (as the TCK's Java runners do):

* the model named by ``<modelName>`` (relative to the test file) is loaded once per run and
  shared by every test file that names it (a load failure fails each of their cases);
* ``type="decision"`` (the default): every ``resultNode`` names a decision, evaluated with
  ``Model.evaluate(name, inputs)``; its ``Result.value`` is compared with ``<expected>``;
* ``type="decisionService"``: the service ``invocableName`` is invoked once with
  ``Model.evaluate_service(name, inputs)``; every ``resultNode`` names one of its output
  decisions, looked up in ``Result.outputs`` (then in ``Result.value`` when that is a context);
* an ``inputNode`` with a ``namespace`` other than the model's own (only TCK 0089, an input
  of a model imported two levels down) is passed under the key ``"{namespace}name"``;
* a case is SUCCESS iff every result node matches (:func:`accord.dmn.tck_values.compare`);
  otherwise ERROR with a comment ``node X: expected …, got …``. ``errorResult="true"``
  expects null: the node passes iff the value is null, whether or not the engine also
  reported an error message (the jDMN runner ignores the error flag the same way). An
  exception escaping the engine is an ERROR even when an error was expected: the contract
  is that evaluation errors give null plus a message, never an exception;
* IGNORED is reserved for cases skipped on purpose (none are).

Results are written in the TCK's ``tck_results.csv`` format (:func:`write_results_csv`) and
compared with the committed list of known failures (``tests/conformance/
tck_known_failures.txt``, one ``level/folder/test-file#case-id`` per line).

Command line (also ``accord dmn tck``)::

    python -m accord.dmn.tck [TCK_DIR] [--out tck_results.csv] [--update-known-failures]
"""

from __future__ import annotations

import argparse
import fnmatch
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from accord.dmn.tck_values import TckValueError, compare, local_name, read_value, show
from accord.errors import DmnXmlError

LEVELS: tuple[str, ...] = ("compliance-level-2", "compliance-level-3")
SUCCESS = "SUCCESS"
ERROR = "ERROR"
IGNORED = "IGNORED"
STATUSES = (SUCCESS, ERROR, IGNORED)

#: Largest test file read (the biggest TCK file, 0100-arithmetic, is under 1 MB).
MAX_TEST_FILE_BYTES = 32 * 1024 * 1024

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_TCK_DIR = REPO_ROOT.parent / "shared" / "dmn-tck"
DEFAULT_KNOWN_FAILURES = REPO_ROOT / "tests" / "conformance" / "tck_known_failures.txt"

Loader = Callable[[Path], Any]
Progress = Callable[[int, int, "CaseResult"], None]


# --------------------------------------------------------------------------- test files


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


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of one test case."""

    level: str
    folder: str
    test_file: str  # file name without .xml
    case_id: str
    status: str  # SUCCESS | ERROR | IGNORED
    comment: str = ""
    seconds: float = 0.0

    @property
    def key(self) -> str:
        """``level/folder/test-file#case-id``, the known-failures key."""
        return f"{self.level}/{self.folder}/{self.test_file}#{self.case_id}"


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
    for number, element in enumerate(root, start=1):
        if local_name(element.tag) != "testCase":
            continue
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
    found = []
    for level in levels:
        level_dir = base / level
        if not level_dir.is_dir():
            continue
        for folder in sorted(p for p in level_dir.iterdir() if p.is_dir()):
            if _folder_matches(folder.name, only):
                found.extend((level, f) for f in sorted(folder.glob("*-test-*.xml")))
    return found


# --------------------------------------------------------------------------- running


class CaseTimeout(BaseException):  # BaseException: engines cannot swallow it
    """Raised inside a test case that ran out of time."""


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    usable = (seconds and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def _alarm(signum: int, frame: FrameType | None) -> None:
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, float(seconds or 0))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _inputs(case: TckCase, model: Any) -> dict[str, Any]:
    own_namespace = getattr(model, "namespace", None)
    inputs: dict[str, Any] = {}
    for node in case.inputs:
        if node.namespace and node.namespace != own_namespace:
            inputs[f"{{{node.namespace}}}{node.name}"] = node.value
        else:
            inputs[node.name] = node.value
    return inputs


def _service_output(result: Any, name: str) -> Any:
    outputs = getattr(result, "outputs", None) or {}
    if name in outputs:
        return outputs[name]
    value = getattr(result, "value", None)
    if isinstance(value, Mapping) and name in value:
        return value[name]
    raise LookupError(f"the decision service result has no output {name!r}")


def _check(node: ResultNode, actual: Any) -> str | None:
    if node.error_result and node.expected is None:
        return None if actual is None else f"expected an error (null), got {show(actual)}"
    return compare(node.expected, actual)


def evaluate_case(case: TckCase, model: Any) -> tuple[str, str]:
    """Run one test case on a loaded model: ``(status, comment)``."""
    problems = [f"input {n.name}: cannot read value: {n.problem}" for n in case.inputs
                if n.problem]
    problems += [f"node {n.name}: cannot read expected value: {n.problem}"
                 for n in case.results if n.problem]
    if problems:
        return ERROR, "; ".join(problems)
    if not case.results:
        return ERROR, "test case has no resultNode"
    inputs = _inputs(case, model)
    if case.type == "decisionService":
        if not case.invocable_name:
            return ERROR, "decisionService test case without invocableName"
        try:
            service_result = model.evaluate_service(case.invocable_name, inputs)
        except Exception as exc:
            return ERROR, f"service {case.invocable_name}: {_describe(exc)}"
        for node in case.results:
            try:
                actual = _service_output(service_result, node.name)
            except LookupError as exc:
                problems.append(f"node {node.name}: {exc.args[0]}")
                continue
            problem = _check(node, actual)
            if problem:
                problems.append(f"node {node.name}: {problem}")
    elif case.type == "decision":
        for node in case.results:
            try:
                actual = model.evaluate(node.name, inputs).value
            except Exception as exc:
                problems.append(f"node {node.name}: {_describe(exc)}")
                continue
            problem = _check(node, actual)
            if problem:
                problems.append(f"node {node.name}: {problem}")
    else:
        return ERROR, f"unsupported test case type {case.type!r}"
    return (ERROR, "; ".join(problems)) if problems else (SUCCESS, "")


def _model_path(tck_file: TckFile) -> Path:
    if tck_file.model_name:
        return tck_file.path.parent / tck_file.model_name
    models = sorted(tck_file.path.parent.glob("*.dmn"))
    if len(models) != 1:
        raise LookupError("test file has no <modelName> and the folder has "
                          f"{len(models)} .dmn files")
    return models[0]


def _default_loader() -> Loader:
    from accord.dmn import load  # the engine is imported only when a run needs it

    return load  # type: ignore[no-any-return]


def _load_model(tck_file: TckFile, load: Loader, models: dict[Path, Any],
                timeout: float | None) -> tuple[Any, str]:
    """The model a test file names (loaded once per path) and a problem text, if any."""
    try:
        model_path = _model_path(tck_file).resolve()
    except LookupError as exc:
        return None, str(exc)
    if model_path not in models:
        try:
            with _time_limit(timeout):
                models[model_path] = load(model_path)
        except CaseTimeout:
            models[model_path] = CaseTimeout(f"loading timed out after {timeout}s")
        except Exception as exc:
            models[model_path] = exc
    model = models[model_path]
    if isinstance(model, BaseException):
        return None, f"cannot load model {model_path.name}: {_describe(model)}"
    return model, ""


def run_tck(root: Path, *, levels: Sequence[str] = LEVELS, only: str | None = None,
            loader: Loader | None = None, progress: Progress | None = None,
            timeout: float | None = None) -> list[CaseResult]:
    """Run the TCK test cases under ``root`` (the dmn-tck folder or its ``TestCases``).

    ``loader(path) -> Model`` loads a model (default :func:`accord.dmn.load`); ``progress``
    is called after each case with ``(done, total, result)``; ``timeout`` bounds the seconds
    each case (and each model load) may take (main thread, POSIX only).
    """
    load = loader if loader is not None else _default_loader()
    entries: list[TckFile | CaseResult] = []
    for level, path in discover(root, levels=levels, only=only):
        try:
            entries.append(parse_test_file(path, level=level))
        except DmnXmlError as exc:
            entries.append(CaseResult(level, path.parent.name, path.name.removesuffix(".xml"),
                                      "", ERROR, f"cannot read test file: {exc}"))
    total = sum(len(e.cases) if isinstance(e, TckFile) else 1 for e in entries)
    results: list[CaseResult] = []

    def record(result: CaseResult) -> None:
        results.append(result)
        if progress is not None:
            progress(len(results), total, result)

    models: dict[Path, Any] = {}
    for entry in entries:
        if isinstance(entry, CaseResult):
            record(entry)
            continue
        model, load_problem = _load_model(entry, load, models, timeout)
        for case in sorted(entry.cases, key=lambda c: c.id):
            started = time.perf_counter()
            if load_problem:
                status, comment = ERROR, load_problem
            else:
                try:
                    with _time_limit(timeout):
                        status, comment = evaluate_case(case, model)
                except CaseTimeout:
                    status, comment = ERROR, f"timed out after {timeout}s"
            record(CaseResult(entry.level, entry.folder, entry.stem, case.id, status, comment,
                              time.perf_counter() - started))
    return results


# --------------------------------------------------------------------------- reporting


def _csv_field(text: str) -> str:
    # The TCK writes fields unescaped between double quotes and its reporter splits lines on
    # commas outside quotes, so quotes and line breaks inside a field must not appear.
    return " ".join(text.replace('"', "'").split())


def format_csv_line(result: CaseResult) -> str:
    """One line of ``tck_results.csv``.

    The format is the one the TCK's own JUnit runner writes (``runners/dmn-tck-runner/.../
    DmnTckRunner.java``: ``"%s","%s","%s","%s","%s"\\n`` of ``level/folder``, the test file
    name without ``.xml``, the test case id, ``SUCCESS|ERROR|IGNORED`` and the message) and
    that every submission under ``TestResults/<vendor>/<version>/tck_results.csv`` uses, e.g.
    ``"compliance-level-2/0004-simpletable-U","0004-simpletable-U-test-01","001","SUCCESS",""``.
    No header line; every field double-quoted; ``\\n`` line ends.
    """
    fields = (f"{result.level}/{result.folder}", result.test_file, result.case_id,
              result.status, result.comment)
    return '"' + '","'.join(_csv_field(f) for f in fields) + '"\n'


def write_results_csv(results: Iterable[CaseResult], path: Path) -> None:
    """Write ``tck_results.csv`` (format: :func:`format_csv_line`)."""
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        for result in results:
            out.write(format_csv_line(result))


def summarise(results: Iterable[CaseResult]) -> dict[str, dict[str, int]]:
    """Counts per level and in total: ``{level: {"total", "SUCCESS", "ERROR", "IGNORED"}}``.

    The overall counts are under the key ``"total"``.
    """
    summary: dict[str, dict[str, int]] = {}
    overall = dict.fromkeys(("total", *STATUSES), 0)
    for result in results:
        counts = summary.setdefault(result.level, dict.fromkeys(("total", *STATUSES), 0))
        for bucket in (counts, overall):
            bucket["total"] += 1
            bucket[result.status] = bucket.get(result.status, 0) + 1
    summary["total"] = overall
    return summary


# --------------------------------------------------------------------------- known failures

KNOWN_FAILURES_HEADER = """\
# DMN TCK test cases Accord is known to fail, one "level/folder/test-file#case-id" per line
# (sorted; text after the key is a comment). tests/conformance/test_tck.py fails on any
# failure not listed here. Regenerate after a run with:
#     python -m accord.dmn.tck --update-known-failures
# or  accord dmn tck ../shared/dmn-tck --out tck_results.csv --update-known FILE
"""


def read_known_failures_file(path: Path) -> dict[str, str]:
    """Keys of a known-failures file mapped to their trailing comments.

    Blank lines and lines starting with ``#`` are ignored; a missing file is empty.
    """
    path = Path(path)
    if not path.exists():
        return {}
    known: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, comment = line.partition(" ")
        known[key] = comment.strip()
    return known


def read_known_failures(path: Path) -> set[str]:
    """The set of keys in a known-failures file."""
    return set(read_known_failures_file(path))


def _failing(result: CaseResult) -> bool:
    return result.status == ERROR


def new_failures(results: Iterable[CaseResult], known: Iterable[str]) -> list[str]:
    """Keys of cases that failed in this run but are not known failures (sorted)."""
    known_set = set(known)
    return sorted({r.key for r in results if _failing(r) and r.key not in known_set})


def fixed(results: Iterable[CaseResult], known: Iterable[str]) -> list[str]:
    """Known failures that passed in this run (sorted); cases not run are not counted."""
    known_set = set(known)
    return sorted({r.key for r in results if r.status == SUCCESS and r.key in known_set})


def write_known_failures(results: Iterable[CaseResult], path: Path) -> list[str]:
    """Rewrite the known-failures file from a run and return its keys.

    Entries for cases this run did not cover (``--only``, fewer levels) are kept, and so are
    the comments of entries still failing.
    """
    path = Path(path)
    existing = read_known_failures_file(path)
    results = list(results)
    covered = {r.key for r in results}
    entries = {k: c for k, c in existing.items() if k not in covered}
    for result in results:
        if _failing(result):
            entries[result.key] = existing.get(result.key, "")
    keys = sorted(entries)
    lines = [f"{k}  {entries[k]}" if entries[k] else k for k in keys]
    path.write_text(KNOWN_FAILURES_HEADER + "".join(f"{line}\n" for line in lines),
                    encoding="utf-8")
    return keys


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m accord.dmn.tck``: run the TCK, write the CSV, check known failures."""
    parser = argparse.ArgumentParser(prog="python -m accord.dmn.tck", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT_TCK_DIR,
                        help=f"dmn-tck folder (default {DEFAULT_TCK_DIR})")
    parser.add_argument("--out", type=Path, help="write tck_results.csv here")
    parser.add_argument("--level", action="append", choices=LEVELS,
                        help="levels to run (default: both)")
    parser.add_argument("--only", help="run only test folders matching this name/prefix/glob")
    parser.add_argument("--known", type=Path, default=DEFAULT_KNOWN_FAILURES,
                        help="known-failures file")
    parser.add_argument("--update-known-failures", action="store_true",
                        help="rewrite the known-failures file from this run")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per case")
    args = parser.parse_args(argv)
    if not resolve_root(args.root).is_dir():
        print(f"error: no TCK at {args.root}", file=sys.stderr)
        return 2
    results = run_tck(args.root, levels=tuple(args.level or LEVELS), only=args.only,
                      timeout=args.timeout)
    if args.out:
        write_results_csv(results, args.out)
    for level, counts in summarise(results).items():
        print(f"{level:20} total {counts['total']:5}  success {counts[SUCCESS]:5}  "
              f"error {counts[ERROR]:5}  ignored {counts[IGNORED]:5}")
    if args.update_known_failures:
        keys = write_known_failures(results, args.known)
        print(f"wrote {len(keys)} known failures to {args.known}")
        return 0
    known = read_known_failures(args.known)
    newly = new_failures(results, known)
    for key in fixed(results, known):
        print(f"fixed: {key}")
    by_key = {r.key: r for r in results}
    for key in newly:
        print(f"NEW FAILURE: {key}: {by_key[key].comment}")
    return 1 if newly else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
