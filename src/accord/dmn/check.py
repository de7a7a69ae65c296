"""Static checks of a DMN model: every problem, with the element it is in.

:func:`check` reads the model (XML problems stop there: nothing else can be checked), then
compiles every decision, BKM and item definition and looks at the requirement graph, so a
modeller sees all problems at once instead of the first one at evaluation time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from accord.dmn import model as m
from accord.dmn.runtime import Model, load, loads
from accord.errors import DmnError, DmnModelError, DmnXmlError


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: ``severity`` is ``error`` or ``warning``; ``element`` says what and where
    (``decision 'Eligibility'``), ``element_id`` its id when it has one."""

    severity: str
    element_id: str | None
    element: str
    message: str

    def __str__(self) -> str:
        where = self.element + (f" [{self.element_id}]" if self.element_id else "")
        return f"{self.severity}: {where}: {self.message}"


def check(source: Model | m.Definitions | Path | str) -> list[Problem]:
    """All problems of a model given as a loaded model, definitions, a path or XML text."""
    try:
        model = _model(source)
    except DmnXmlError as exc:
        return [Problem("error", None, f"file {exc.file or ''}".strip(), str(exc))]
    except DmnModelError as exc:
        return [Problem("error", exc.element_id, exc.element or "model", str(exc))]
    return list(_problems(model))


def _model(source: Model | m.Definitions | Path | str) -> Model:
    if isinstance(source, Model):
        return source
    if isinstance(source, m.Definitions):
        return Model(source)
    if isinstance(source, Path) or "<" not in source:
        return load(source)
    return loads(source)


def _problems(model: Model) -> Iterator[Problem]:
    defs = model.definitions
    yield from _duplicate_names(defs)
    yield from _references(model)
    yield from _types(model)
    for decision in defs.decisions:
        label = f"decision {decision.name!r}"
        if decision.expression is None:
            yield Problem("warning", decision.id, label, "has no decision logic")
            continue
        try:
            model._compiled_element(decision)
        except DmnError as exc:
            yield Problem("error", getattr(exc, "element_id", None) or decision.id, label,
                          str(exc))
        yield from _table_warnings(decision)
    for bkm in defs.bkms:
        label = f"business knowledge model {bkm.name!r}"
        if bkm.encapsulated_logic is None:
            yield Problem("warning", bkm.id, label, "has no encapsulated logic")
            continue
        try:
            model._boxed.compile(bkm.encapsulated_logic, model._names)
        except DmnError as exc:
            yield Problem("error", getattr(exc, "element_id", None) or bkm.id, label, str(exc))
    yield from _cycles(defs)


def _duplicate_names(defs: m.Definitions) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for element in defs.drg_elements():
        kind = type(element).__name__
        if element.name in seen:
            yield Problem("error", element.id, f"{kind} {element.name!r}",
                          f"the name is also used by a {seen[element.name]}")
        else:
            seen[element.name] = kind


def _references(model: Model) -> Iterator[Problem]:
    defs = model.definitions
    owners: list[tuple[str | None, str, tuple[str, ...]]] = [
        (d.id, f"decision {d.name!r}",
         (*d.required_decisions, *d.required_inputs, *d.required_knowledge))
        for d in defs.decisions]
    owners += [(s.id, f"decision service {s.name!r}",
                (*s.output_decisions, *s.encapsulated_decisions, *s.input_decisions,
                 *s.input_data)) for s in defs.decision_services]
    for element_id, label, hrefs in owners:
        for href in hrefs:
            try:
                model._resolve(href)
            except DmnModelError:
                yield Problem("error", element_id, label, f"reference {href!r} names no element")


def _type_refs(defs: m.Definitions) -> Iterator[tuple[str, str | None, str]]:
    for element in defs.drg_elements():
        variable = getattr(element, "variable", None)
        if variable is not None and variable.type_ref:
            yield f"{type(element).__name__} {element.name!r}", element.id, variable.type_ref
    for item in defs.item_definitions:
        if item.type_ref:
            yield f"item definition {item.name!r}", item.id, item.type_ref


def _types(model: Model) -> Iterator[Problem]:
    for label, element_id, type_ref in _type_refs(model.definitions):
        if model.registry.resolve(type_ref) is None:
            yield Problem("error", element_id, label, f"unknown type {type_ref!r}")


def _table_warnings(decision: m.Decision) -> Iterator[Problem]:
    table = decision.expression
    if not isinstance(table, m.DecisionTable):
        return
    label = f"decision {decision.name!r}"
    if table.aggregation is not None and table.hit_policy is not m.HitPolicy.COLLECT:
        yield Problem("error", table.id or decision.id, label,
                      f"aggregation {table.aggregation.value} needs hit policy COLLECT, "
                      f"not {table.hit_policy.value}")
    if table.hit_policy in (m.HitPolicy.PRIORITY, m.HitPolicy.OUTPUT_ORDER) and not any(
            clause.output_values is not None for clause in table.outputs):
        yield Problem("error", table.id or decision.id, label,
                      f"hit policy {table.hit_policy.value} needs output values to rank by")
    if not table.rules:
        yield Problem("warning", table.id or decision.id, label, "decision table has no rules")


def _cycles(defs: m.Definitions) -> Iterator[Problem]:
    graph = {d.id: [m.split_href(h)[1] for h in d.required_decisions] for d in defs.decisions}
    names = {d.id: d.name for d in defs.decisions}
    state: dict[str | None, int] = {}

    def visit(node: str | None, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*path, names.get(nxt, nxt)]
            if state.get(nxt) is None:
                found = visit(nxt, [*path, names.get(nxt, nxt)])
                if found:
                    return found
        state[node] = 2
        return None

    for decision in defs.decisions:
        if state.get(decision.id) is None:
            cycle = visit(decision.id, [decision.name])
            if cycle:
                yield Problem("error", decision.id, f"decision {decision.name!r}",
                              "requirement cycle: " + " -> ".join(cycle))
