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
  decisions: the service's ``Result.value`` when it is that one output's value, else its
  entry in ``Result.value`` (a context) or ``Result.outputs`` (see :func:`_service_output`);
* an ``inputNode`` with a ``namespace`` other than the model's own (only TCK 0089, an input
  of a model imported two levels down) is bound in nested contexts along the import paths
  to that model (see :func:`_inputs`);
* a case is SUCCESS iff every result node matches (:func:`accord.dmn.tck_values.compare`);
  otherwise ERROR with a comment ``node X: expected …, got …``. ``errorResult="true"``
  expects null: the node passes iff the value is null, whether or not the engine also
  reported an error message (the jDMN runner ignores the error flag the same way). An
  exception escaping the engine is an ERROR even when an error was expected: the contract
  is that evaluation errors give null plus a message, never an exception;
* IGNORED is reserved for cases skipped on purpose (none are).

Results are written in the TCK's ``tck_results.csv`` format (:func:`write_results_csv`) and
compared with the committed list of known failures (``tests/conformance/
tck_known_failures.txt``, one ``level/folder/test-file#case-id`` per line); both live in
:mod:`accord.dmn.tck_report`, test files are read by :mod:`accord.dmn.tck_files`, and
everything public is re-exported here.

Command line (also ``accord dmn tck``)::

    python -m accord.dmn.tck [TCK_DIR] [--out tck_results.csv] [--update-known-failures]
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from accord.dmn.tck_files import (
    LEVELS,
    InputNode,
    ResultNode,
    TckCase,
    TckFile,
    discover,
    parse_test_file,
    resolve_root,
)
from accord.dmn.tck_report import (
    ERROR,
    IGNORED,
    KNOWN_FAILURES_HEADER,
    STATUSES,
    SUCCESS,
    CaseResult,
    fixed,
    format_csv_line,
    new_failures,
    read_known_failures,
    read_known_failures_file,
    summarise,
    write_known_failures,
    write_results_csv,
)
from accord.dmn.tck_values import compare, show
from accord.errors import DmnXmlError

__all__ = [
    "ERROR",
    "IGNORED",
    "KNOWN_FAILURES_HEADER",
    "LEVELS",
    "STATUSES",
    "SUCCESS",
    "CaseResult",
    "InputNode",
    "ResultNode",
    "TckCase",
    "TckFile",
    "discover",
    "evaluate_case",
    "fixed",
    "format_csv_line",
    "main",
    "new_failures",
    "parse_test_file",
    "read_known_failures",
    "read_known_failures_file",
    "resolve_root",
    "run_tck",
    "summarise",
    "write_known_failures",
    "write_results_csv",
]


REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_TCK_DIR = REPO_ROOT.parent / "shared" / "dmn-tck"
DEFAULT_KNOWN_FAILURES = REPO_ROOT / "tests" / "conformance" / "tck_known_failures.txt"

Loader = Callable[[Path], Any]
Progress = Callable[[int, int, "CaseResult"], None]


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


def _import_paths(model: Any, namespace: str, seen: tuple[str, ...] = ()) -> list[list[str]]:
    """Import-name paths from ``model`` to every imported model with ``namespace``."""
    paths: list[list[str]] = []
    imports = getattr(model, "imports", None)
    if not isinstance(imports, Mapping):
        return paths
    for name, imported in imports.items():
        if name in seen:
            continue
        if getattr(imported, "namespace", None) == namespace:
            paths.append([name])
        paths.extend([name, *rest] for rest in _import_paths(imported, namespace, (*seen, name)))
    return paths


def _inputs(case: TckCase, model: Any) -> dict[str, Any]:
    """The inputs of a case; an input of an imported model goes under its import path(s).

    ``inputNode namespace="…"`` names an input data of another model. It is bound inside
    nested contexts along every import path that reaches that model (``{"Model B":
    {"modelA": {"Person name": …}}}``, the shape the evaluator reads imported inputs from);
    when no path is found it is passed as ``"{namespace}name"``.
    """
    own_namespace = getattr(model, "namespace", None)
    inputs: dict[str, Any] = {}
    for node in case.inputs:
        if not node.namespace or node.namespace == own_namespace:
            inputs[node.name] = node.value
            continue
        paths = _import_paths(model, node.namespace)
        if not paths:
            inputs[f"{{{node.namespace}}}{node.name}"] = node.value
        for path in paths:
            target = inputs
            for part in path:
                nested = target.get(part)
                if not isinstance(nested, dict):
                    nested = target[part] = {}
                target = nested
            target[node.name] = node.value
    return inputs


def _service_output(result: Any, name: str, single: bool) -> Any:
    """The value of output decision ``name`` in a decision service result.

    A service with several outputs returns a context keyed by their names; a service with one
    output returns that decision's value itself (DMN13-163), which may differ from the raw
    ``Result.outputs`` entry (the service's output type applies). ``single`` says whether the
    test case checks only this node.
    """
    outputs = getattr(result, "outputs", None) or {}
    value = getattr(result, "value", None)
    if isinstance(value, Mapping) and name in value:
        return value[name]
    if name in outputs:
        return value if single else outputs[name]
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
                actual = _service_output(service_result, node.name, len(case.results) == 1)
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

    return load


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
