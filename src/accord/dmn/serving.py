"""DMN models as decision services: describe their decisions and evaluate them over JSON.

A :class:`ServedModel` is one version of a deployed model. It describes every decision and
decision service with the JSON Schema of its inputs and output (:mod:`accord.dmn.json_schema`)
and evaluates one from a JSON object of inputs, typed by the model's item definitions
(:mod:`accord.dmn.json_values`). :class:`FolderModels` serves the ``.dmn`` files of folders
(``accord dmn serve``); the hub keeps versions in its operational store
(:mod:`accord.dmn.repository`). Both answer the :class:`ModelSource` protocol the HTTP
router (:mod:`accord.server.dmn`) is written against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from accord.dmn import model as m
from accord.dmn.json_schema import object_schema, schema_of
from accord.dmn.json_values import from_json
from accord.dmn.runtime import Message, Model, load
from accord.errors import AccordError, DmnError, DmnEvaluationError, DmnModelError

__all__ = [
    "Evaluation",
    "FolderModels",
    "ModelNotFound",
    "ModelSource",
    "ReadOnlyModels",
    "ServedModel",
    "VersionInfo",
]


class ModelNotFound(AccordError):
    """No deployed model, version, decision or decision service by that name."""


class ReadOnlyModels(AccordError):
    """The models are served from files: they cannot be deployed or pinned over HTTP."""


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One deployed version of a model."""

    model: str
    version: int
    created_at: str
    created_by: str
    note: str
    files: tuple[str, ...]
    main: str
    checksum: str
    active: bool = False


@dataclass(slots=True)
class Evaluation:
    """The outcome of evaluating a decision or decision service over JSON."""

    model: str
    version: int
    name: str
    kind: str  # "decision" | "decision service"
    result: Any
    messages: list[Message] = field(default_factory=list)
    #: the evaluation raised (the model is at fault): no result, the reason in ``messages``
    failed: bool = False


def _message_json(msg: Message) -> dict[str, Any]:
    return {"severity": msg.severity, "element_id": msg.element_id, "text": msg.text}


def messages_json(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """DMN messages as JSON objects (severity, element_id, text)."""
    return [_message_json(msg) for msg in messages]


class ServedModel:
    """One version of a model, ready to describe and evaluate."""

    def __init__(self, name: str, version: int, model: Model) -> None:
        self.name = name
        self.version = version
        self.model = model
        # Camunda's engines read inputs as variables by name, whatever the input data are
        # called; models drawn in Camunda Modeler rely on it (the DRD's inputs are labels).
        exporter = model.definitions.exporter or ""
        self.camunda = exporter.startswith("Camunda")

    # ---- description ---------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """Decisions and decision services with the JSON Schema of inputs and output."""
        definitions = self.model.definitions
        return {
            "model": self.name,
            "version": self.version,
            "dmn_name": definitions.name,
            "namespace": definitions.namespace,
            "dmn_version": definitions.dmn_version,
            "imports": sorted(self.model.imports),
            "decisions": [self._decision(d) for d in definitions.decisions],
            "decision_services": [self._service(s) for s in definitions.decision_services],
        }

    def _decision(self, decision: m.Decision) -> dict[str, Any]:
        inputs: dict[str, Any] = {}
        for path, owner, element in self.model.input_data(decision.name):
            target = inputs
            for part in path:  # an imported model's inputs sit under its import name
                target = target.setdefault(part, object_schema({}))["properties"]
            target[element.name] = schema_of(owner.variable_type(element.variable))
        return {
            "name": decision.name,
            "id": decision.id,
            "question": decision.question,
            "input_schema": object_schema(inputs),
            "output_schema": schema_of(self.model.variable_type(decision.variable)),
        }

    def _service(self, service: m.DecisionService) -> dict[str, Any]:
        params = self.model.service_parameters(service.name)
        output = self.model.variable_type(service.variable)
        if output is not None:
            output_schema = schema_of(output)
        else:
            outputs = {decision.name: schema_of(owner.variable_type(decision.variable))
                       for owner, decision in self.model.service_outputs(service.name)}
            output_schema = next(iter(outputs.values())) if len(outputs) == 1 else \
                object_schema(outputs)
        return {
            "name": service.name,
            "id": service.id,
            "input_schema": object_schema({name: schema_of(t) for name, t in params}),
            "output_schema": output_schema,
        }

    # ---- evaluation ----------------------------------------------------------------------

    def kind_of(self, name: str) -> str:
        """``"decision"`` or ``"decision service"``.

        Raises:
            ModelNotFound: the model has neither by that name.
        """
        if any(s.name == name for s in self.model.definitions.decision_services):
            return "decision service"
        try:
            self.model.decision(name)
        except DmnEvaluationError:
            raise ModelNotFound(
                f"model {self.name!r} version {self.version} has no decision or decision "
                f"service named {name!r}") from None
        return "decision"

    def decode_inputs(self, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """FEEL inputs from a JSON object, each typed by its input data or parameter."""
        if self.kind_of(name) == "decision service":
            types = dict(self.model.service_parameters(name))
            return {key: from_json(value, types.get(key)) for key, value in body.items()}
        by_path: dict[tuple[str, ...], dict[str, Any]] = {}
        for path, owner, element in self.model.input_data(name):
            by_path.setdefault(path, {})[element.name] = owner.variable_type(element.variable)
        return _decode_level(body, (), by_path)

    def evaluate(self, name: str, body: Mapping[str, Any]) -> Evaluation:
        """Evaluate a decision or decision service with a JSON object of inputs.

        Model and evaluation errors become DMN messages with the element id (the result is
        then null); an unknown name raises :class:`ModelNotFound`.
        """
        kind = self.kind_of(name)
        inputs = self.decode_inputs(name, body)
        try:
            if kind == "decision service":
                result = self.model.evaluate_service(name, inputs)
            else:
                variables = inputs if self.camunda else None
                result = self.model.evaluate(name, inputs, variables=variables)
        except DmnError as exc:
            return Evaluation(self.name, self.version, name, kind, None,
                              [Message("error", getattr(exc, "element_id", None), str(exc))],
                              failed=True)
        return Evaluation(self.name, self.version, name, kind, result.value,
                          list(result.messages))


def _decode_level(body: Mapping[str, Any], path: tuple[str, ...],
                  by_path: dict[tuple[str, ...], dict[str, Any]]) -> dict[str, Any]:
    types = by_path.get(path, {})
    nested = {p[len(path)] for p in by_path if len(p) > len(path) and p[:len(path)] == path}
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in nested and isinstance(value, Mapping):
            out[key] = _decode_level(value, (*path, key), by_path)
        else:
            out[key] = from_json(value, types.get(key))
    return out


class ModelSource(Protocol):
    """Where served models come from: files (read-only) or the hub's versioned store."""

    def names(self) -> list[str]:
        """Every model's name, sorted."""
        ...

    def get(self, name: str, version: int | None = None) -> ServedModel:
        """The active (or the given) version of a model; raises ModelNotFound."""
        ...

    def versions(self, name: str) -> list[VersionInfo]:
        """Every version of a model, oldest first; raises ModelNotFound."""
        ...

    def deploy(self, name: str, files: Mapping[str, str], main: str | None, note: str,
               by: str) -> VersionInfo:
        """Store a new version (it becomes active unless a version is pinned)."""
        ...

    def pin(self, name: str, version: int | None, by: str) -> VersionInfo:
        """Pin the active version (``None`` unpins: the newest is active again)."""
        ...


class FolderModels:
    """The ``.dmn`` files of folders (or single files), each served as version 1.

    A model is named by its ``definitions`` name; imports are resolved among the files of
    the same folder (and such an imported model is served too).
    """

    def __init__(self, paths: Iterable[Path]) -> None:
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files.extend(sorted(path.glob("*.dmn")))
            elif path.is_file():
                files.append(path)
            else:
                raise ModelNotFound(f"{path} is neither a .dmn file nor a folder")
        if not files:
            raise ModelNotFound("no .dmn files to serve")
        self._models: dict[str, ServedModel] = {}
        self._files: dict[str, Path] = {}
        for file in files:
            model = load(file)
            name = model.definitions.name
            if name in self._models:
                raise DmnModelError(f"two models are named {name!r}: {self._files[name]} "
                                    f"and {file}")
            self._models[name] = ServedModel(name, 1, model)
            self._files[name] = file

    def names(self) -> list[str]:
        """Every served model's name, sorted."""
        return sorted(self._models)

    def get(self, name: str, version: int | None = None) -> ServedModel:
        """The model (its only version, 1); raises ModelNotFound."""
        served = self._models.get(name)
        if served is None or version not in (None, 1):
            raise ModelNotFound(f"no model {name!r}" + (f" version {version}" if version else "")
                                + f" (served: {', '.join(self.names())})")
        return served

    def versions(self, name: str) -> list[VersionInfo]:
        """The one version of a served model: its file."""
        self.get(name)
        file = self._files[name]
        return [VersionInfo(name, 1, "", "", f"served from {file}", (file.name,), file.name,
                            "", active=True)]

    def deploy(self, name: str, files: Mapping[str, str], main: str | None, note: str,
               by: str) -> VersionInfo:
        """Refused: files are deployed by editing them."""
        raise ReadOnlyModels("models served from files cannot be deployed over HTTP: "
                             "edit the files and restart 'accord dmn serve'")

    def pin(self, name: str, version: int | None, by: str) -> VersionInfo:
        """Refused: a served file has one version."""
        raise ReadOnlyModels("models served from files have one version: nothing to pin")
