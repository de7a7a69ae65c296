"""A loaded DMN model that evaluates decisions, BKMs and decision services (DMN 1.5 chapter 6).

:class:`Model` compiles each element on first use and caches it; an evaluation walks the
decision requirements graph from the requested decision, evaluating each required decision
once. Elements of imported models are reached through their import name (``lib.Decision``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.dmn import model as m
from accord.dmn.boxed import Boxed, BoxedCompiler
from accord.dmn.codegen import GeneratedTable
from accord.dmn.table import CompiledTable
from accord.dmn.types import FeelType, TypeRegistry
from accord.dmn.xml_reader import read_dmn
from accord.errors import DmnEvaluationError, DmnModelError
from accord.feel.values import FeelFunction, feel_type_name, from_python

_DMN_IMPORT = re.compile(r"dmn", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Message:
    """A DMN message: what went wrong where (severity ``error`` or ``warning``)."""

    severity: str
    element_id: str | None
    text: str


@dataclass(slots=True)
class Result:
    """The outcome of one evaluation.

    Attributes:
        value: the requested decision's (or service's) value.
        outputs: every decision evaluated, by name.
        messages: problems found on the way (a value that did not conform to its type ...).
        trace: decision table traces in evaluation order (only with ``trace=True``).
    """

    value: Any
    outputs: dict[str, Any] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    trace: list[Any] | None = None


class _Run:
    """State of one evaluation: the inputs, memoised decisions, messages and trace."""

    def __init__(self, inputs: Mapping[str, Any], trace: bool,
                 variables: Mapping[str, Any] | None = None) -> None:
        self.inputs = inputs
        self.variables = variables  # free variables every decision sees (Camunda style)
        self.values: dict[tuple[str, str, tuple[str, ...]], Any] = {}
        self.active: set[tuple[str, str, tuple[str, ...]]] = set()
        self.outputs: dict[str, Any] = {}
        self.messages: list[Message] = []
        self.trace: list[Any] | None = [] if trace else None


class Model:
    """A DMN model ready to evaluate. Build with :func:`load` or :func:`loads`."""

    def __init__(self, definitions: m.Definitions,
                 imports: Mapping[str, Model] | None = None) -> None:
        self.definitions = definitions
        self.namespace = definitions.namespace
        self.imports: dict[str, Model] = dict(imports or {})  # by import name
        self._by_namespace = {model.namespace: model for model in self.imports.values()}
        self.registry: TypeRegistry = TypeRegistry(
            definitions.item_definitions,
            {name: model.registry for name, model in self.imports.items()})
        self._boxed = BoxedCompiler(self.registry)
        self._compiled: dict[str, Boxed] = {}
        self._names = self._all_names()
        self._by_id = {e.id: e for e in definitions.drg_elements() if e.id}
        self._resolved: dict[str, tuple[Model, m.DrgElement, tuple[str, ...]]] = {}

    # ---- lookup --------------------------------------------------------------------------

    def _all_names(self) -> tuple[str, ...]:
        names = [e.name for e in self.definitions.drg_elements()]
        for import_name, model in self.imports.items():
            names.extend(f"{import_name}.{name}" for name in model._names)
        return tuple(names)

    def _resolve(self, href: str) -> tuple[Model, m.DrgElement, tuple[str, ...]]:
        """The model and element an href names, with the import path to reach it."""
        found = self._resolved.get(href)
        if found is None:
            found = self._resolved[href] = self._lookup(href)
        return found

    def _lookup(self, href: str) -> tuple[Model, m.DrgElement, tuple[str, ...]]:
        namespace, ident = m.split_href(href)
        if not namespace or namespace == self.namespace:
            element = self._by_id.get(ident)
            if element is not None:
                return self, element, ()
        for import_name, model in self.imports.items():
            if model.namespace == namespace or not namespace:
                element = model._by_id.get(ident)
                if element is not None:
                    return model, element, (import_name,)
        raise DmnModelError(f"reference {href!r} names no element", element_id=ident)

    def decision(self, name: str) -> tuple[Model, m.Decision]:
        """The decision called ``name`` (``import.name`` for an imported one)."""
        found = self.definitions.decision_by_name(name)
        if found is not None:
            return self, found
        prefix, dot, rest = name.partition(".")
        if dot and prefix in self.imports:
            return self.imports[prefix].decision(rest)
        raise DmnEvaluationError(f"no decision named {name!r} in model "
                                 f"{self.definitions.name!r}")

    def service(self, name: str) -> m.DecisionService:
        for service in self.definitions.decision_services:
            if service.name == name:
                return service
        raise DmnEvaluationError(f"no decision service named {name!r} in model "
                                 f"{self.definitions.name!r}")

    def input_data(self, decision: str) -> list[tuple[tuple[str, ...], Model, m.InputData]]:
        """The input data a decision reads, directly or through the decisions it requires:
        (import path, owning model, element), each once, in the order first reached.

        An imported model's input data are read from ``inputs[import name][name]``.
        """
        owner, element = self.decision(decision)
        found: dict[tuple[tuple[str, ...], str], tuple[tuple[str, ...], Model, m.InputData]] = {}
        owner._collect_inputs(element, self._import_path(owner), found, set())
        return list(found.values())

    def _import_path(self, owner: Model) -> tuple[str, ...]:
        for name, model in self.imports.items():
            if model is owner:
                return (name,)
        return ()

    def _collect_inputs(self, decision: m.Decision, prefix: tuple[str, ...],
                        found: dict[tuple[tuple[str, ...], str], Any], seen: set[Any]) -> None:
        for href in (*decision.required_inputs, *decision.required_decisions):
            owner, element, path = self._resolve(href)
            where = prefix + path
            if isinstance(element, m.InputData):
                found.setdefault((where, element.name), (where, owner, element))
            elif isinstance(element, m.Decision) and (where, element.name) not in seen:
                seen.add((where, element.name))
                owner._collect_inputs(element, where, found, seen)

    def service_parameters(self, name: str) -> list[tuple[str, FeelType | None]]:
        """A decision service's parameters (input data, then input decisions) and types."""
        service = self.service(name)
        return list(zip(self._service_params(service), self._service_param_types(service),
                        strict=True))

    def service_outputs(self, name: str) -> list[tuple[Model, m.Decision]]:
        """The output decisions of a decision service, with the models that own them."""
        outputs = []
        for href in self.service(name).output_decisions:
            owner, element, _ = self._resolve(href)
            if isinstance(element, m.Decision):
                outputs.append((owner, element))
        return outputs

    def variable_type(self, variable: m.InformationItem | None) -> FeelType | None:
        """The resolved type of a variable (``None`` without a known ``typeRef``)."""
        return self._variable_type(variable)

    # ---- public evaluation ---------------------------------------------------------------

    def evaluate(self, decision: str, inputs: Mapping[str, Any] | None = None, *,
                 trace: bool = False, variables: Mapping[str, Any] | None = None) -> Result:
        """Evaluate one decision with its inputs (names of input data to values).

        ``variables`` are names every decision's expressions can read besides their
        requirements (requirements win on a clash). Standard DMN has none; Camunda's engines
        read process variables this way, and models drawn for them rely on it.
        """
        run = _Run(from_python(dict(inputs or {})), trace,
                   from_python(dict(variables)) if variables else None)
        owner, element = self.decision(decision)
        value = owner._decision_value(element, run)
        return Result(value, run.outputs, run.messages, run.trace)

    def evaluate_service(self, name: str, inputs: Mapping[str, Any] | None = None, *,
                         trace: bool = False) -> Result:
        """Invoke a decision service directly: its parameters are taken from ``inputs``."""
        service = self.service(name)
        run = _Run(from_python(dict(inputs or {})), trace)
        args = {param: run.inputs.get(param) for param in self._service_params(service)}
        outputs = self._run_service(service, args, run)
        value = self._service_value(service, outputs, run)
        return Result(value, dict(outputs), run.messages, run.trace)

    def _service_value(self, service: m.DecisionService, outputs: dict[str, Any],
                       run: _Run) -> Any:
        """A service's value: its one output, or a context of all; of the service's type."""
        value: Any = next(iter(outputs.values())) if len(outputs) == 1 else outputs
        return self._coerce(value, service.variable, service.id, run)

    def session(self, inputs: Mapping[str, Any]) -> Callable[[str], Any]:
        """``name -> value`` for decisions evaluated with the same inputs in one run: a
        decision several of them require is evaluated once (no trace, no messages).

        >>> from accord.testing.dmn import table_definitions
        >>> model = Model(table_definitions("Tier", inputs={"spend": "number"},
        ...     outputs={"Tier": "string"}, rules=[([">= 100"], ['"gold"'])],
        ...     hit_policy="FIRST"))
        >>> model.session({"spend": 150})("Tier")
        'gold'
        """
        run = _Run(from_python(dict(inputs)), False)

        def value(name: str) -> Any:
            owner, element = self.decision(name)
            return owner._decision_value(element, run)

        return value

    def compile(self, decision: str) -> Callable[[Mapping[str, Any]], Any]:
        """A fast function ``inputs -> value`` for one decision (no trace, no messages).

        When the decision is a decision table over input data of built-in types, the
        table's generated code reads ``inputs`` directly; any input it cannot take as it is
        (a ``float``, a null) goes through the full evaluation, so the result is the same.
        """
        owner, element = self.decision(decision)
        needed = owner._input_names(element, set())

        def run(inputs: Mapping[str, Any]) -> Any:
            # Only the inputs the decision reads are converted: callers pass whole profiles.
            chosen = dict(inputs) if needed is None else {
                name: inputs[name] for name in needed if name in inputs}
            return owner._decision_value(element, _Run(from_python(chosen), False))

        generated = owner._direct_table(element)
        if generated is None:
            return run
        result_type = owner._variable_type(element.variable)
        if result_type is None or (generated.results is not None and all(
                r is None or result_type.conforms(r) for r in generated.results)):
            return generated.with_fallback(run)  # every result already has the right type
        fast = generated.with_fallback(run)
        coerce = result_type.coerce
        return lambda inputs: coerce(fast(inputs))

    def _input_names(self, decision: m.Decision, seen: set[str]) -> set[str] | None:
        """Names of the input data ``decision`` reads, through its required decisions;
        None when an import is involved (then every input is passed on)."""
        names: set[str] = set()
        for href in (*decision.required_inputs, *decision.required_decisions):
            owner, element, path = self._resolve(href)
            if path:
                return None
            if isinstance(element, m.InputData):
                names.add(element.name)
            elif isinstance(element, m.Decision) and (element.id or element.name) not in seen:
                seen.add(element.id or element.name)
                inner = owner._input_names(element, seen)
                if inner is None:
                    return None
                names |= inner
        if decision.knowledge_requirements:
            return None  # a decision service may read any input
        return names

    def _direct_table(self, decision: m.Decision) -> GeneratedTable | None:
        """The generated table of a decision that needs nothing but plain input data."""
        if decision.knowledge_requirements or decision.required_decisions:
            return None
        for href in decision.required_inputs:
            owner, element, path = self._resolve(href)
            variable_type = owner._variable_type(getattr(element, "variable", None))
            if path or (variable_type is not None and (
                    variable_type.base is None or variable_type.allowed is not None)):
                return None
        result_type = self._variable_type(decision.variable)
        if result_type is not None and (result_type.base is None or result_type.allowed):
            return None
        compiled = self._compiled_element(decision)
        if not isinstance(compiled, CompiledTable):
            return None
        return compiled.generated

    # ---- DRG evaluation ------------------------------------------------------------------

    def _decision_value(self, decision: m.Decision, run: _Run,
                        prefix: tuple[str, ...] = ()) -> Any:
        """The value of ``decision``; ``prefix`` is the import path from the evaluated model
        to this one, under which this model's input data are found in the inputs."""
        key = (self.namespace, decision.id or decision.name, prefix)
        if key in run.values:
            return run.values[key]
        if key in run.active:
            raise DmnEvaluationError(f"decision {decision.name!r} requires itself")
        run.active.add(key)
        try:
            env = self._requirements_env(decision, run, prefix)
            compiled = self._compiled_element(decision)
            value = compiled(env, run.trace)
            value = self._coerce(value, decision.variable, decision.id, run)
        finally:
            run.active.discard(key)
        run.values[key] = value
        run.outputs[decision.name] = value
        return value

    def _requirements_env(self, decision: m.Decision, run: _Run,
                          prefix: tuple[str, ...]) -> dict[str, Any]:
        env: dict[str, Any] = dict(run.variables) if run.variables else {}
        for requirement in decision.information_requirements:
            href = requirement.required_decision or requirement.required_input
            if href is None:
                continue
            owner, element, path = self._resolve(href)
            if isinstance(element, m.Decision):
                value = owner._decision_value(element, run, prefix + path)
            elif isinstance(element, m.InputData):
                value = owner._input_value(element, prefix + path, run)
            else:
                continue
            _bind(env, path, element.name, value)
            variable = element.variable
            if variable is not None and variable.name != element.name and not path:
                # DMN wants the variable named as its element; Camunda Modeler lets them
                # differ (decision "Season", variable "season") and reads the variable's name
                env.setdefault(variable.name, value)
        self._bind_knowledge(decision.knowledge_requirements, env, run)
        return env

    def _input_value(self, element: m.InputData, path: tuple[str, ...], run: _Run) -> Any:
        # Coerced once per evaluation: every decision requiring the input shares the value
        # (and a non-conforming input is reported once).
        key = (self.namespace, "input:" + (element.id or element.name), path)
        if key in run.values:
            return run.values[key]
        source: Any = run.inputs
        for part in path:
            source = source.get(part) if isinstance(source, dict) else None
        value = source.get(element.name) if isinstance(source, Mapping) else None
        value = run.values[key] = self._coerce(value, element.variable, element.id, run)
        return value

    def _bind_knowledge(self, requirements: tuple[m.KnowledgeRequirement, ...],
                        env: dict[str, Any], run: _Run) -> None:
        for requirement in requirements:
            owner, element, path = self._resolve(requirement.required_knowledge)
            if isinstance(element, m.BusinessKnowledgeModel):
                function = owner._bkm_function(element, run)
            elif isinstance(element, m.DecisionService):
                function = owner._service_function(element, run)
            else:
                continue
            _bind(env, path, element.name, function)

    def _coerce(self, value: Any, variable: m.InformationItem | None, element_id: str | None,
                run: _Run) -> Any:
        feel_type = self.registry.resolve(variable.type_ref) if variable else None
        if feel_type is None or value is None:
            return value
        coerced = feel_type.coerce(value)
        if coerced is None:
            assert variable is not None
            run.messages.append(Message(
                "error", element_id,
                f"{variable.name!r}: a {feel_type_name(value)} value does not conform to type "
                f"{feel_type.name!r}; it is taken as null"))
        return coerced

    def _compiled_element(self, decision: m.Decision) -> Boxed:
        key = decision.id or decision.name
        compiled = self._compiled.get(key)
        if compiled is None:
            result_type = self._variable_type(decision.variable)
            compiled = self._boxed.compile(decision.expression, self._names, result_type)
            self._compiled[key] = compiled
        return compiled

    def _variable_type(self, variable: m.InformationItem | None) -> FeelType | None:
        return self.registry.resolve(variable.type_ref) if variable else None

    # ---- BKMs and decision services as functions -----------------------------------------

    def _bkm_function(self, bkm: m.BusinessKnowledgeModel, run: _Run) -> FeelFunction:
        key = "bkm:" + (bkm.id or bkm.name)
        make = self._compiled.get(key)
        logic = bkm.encapsulated_logic
        if logic is None:
            return FeelFunction(bkm.name, [], lambda *args: None)
        if make is None:
            result_type = self._variable_type(bkm.variable)
            if result_type is not None and result_type.function:
                result_type = None
            if logic.kind is m.FunctionKind.FEEL:
                make = self._boxed.feel_function(logic, self._names, name=bkm.name,
                                                 result_type=result_type)
            else:
                make = self._boxed.compile(logic, self._names)
            self._compiled[key] = make
        env: dict[str, Any] = {}
        function = make(env, run.trace)
        if isinstance(function, FeelFunction):
            env[bkm.name] = function  # a BKM may call itself
        self._bind_knowledge(bkm.knowledge_requirements, env, run)
        return function if isinstance(function, FeelFunction) else FeelFunction(
            bkm.name, [], lambda *args: None)

    def _service_params(self, service: m.DecisionService) -> list[str]:
        params = []
        # Input data come first, then input decisions (TCK 0085 cases 011, 013, 014).
        for href in (*service.input_data, *service.input_decisions):
            _, element, _ = self._resolve(href)
            params.append(element.name)
        return params

    def _service_param_types(self, service: m.DecisionService) -> list[FeelType | None]:
        types = []
        for href in (*service.input_data, *service.input_decisions):
            owner, element, _ = self._resolve(href)
            types.append(owner._variable_type(getattr(element, "variable", None)))
        return types

    def _service_function(self, service: m.DecisionService, run: _Run) -> FeelFunction:
        params = self._service_params(service)

        types = self._service_param_types(service)

        def call(*args: Any) -> Any:
            if len(args) != len(params):
                return None
            # Arguments are coerced to the parameter types (a singleton list to its element,
            # TCK 0082); one that does not conform makes the invocation an error (0085 007).
            coerced = []
            for feel_type, arg in zip(types, args, strict=True):
                value = arg if feel_type is None or arg is None else feel_type.coerce(arg)
                if value is None and arg is not None:
                    return None
                coerced.append(value)
            bound = dict(zip(params, coerced, strict=True))
            inner = _Run({}, False) if run.trace is None else run
            outputs = self._run_service(service, bound, inner)
            return self._service_value(service, outputs, inner)

        return FeelFunction(service.name, params, call)

    def _run_service(self, service: m.DecisionService, args: Mapping[str, Any],
                     outer: _Run) -> dict[str, Any]:
        run = _Run({}, outer.trace is not None)
        run.trace = outer.trace
        for href in service.input_decisions:
            owner, element, _ = self._resolve(href)
            run.values[(owner.namespace, element.id or element.name, ())] = owner._coerce(
                args.get(element.name), getattr(element, "variable", None), element.id, run)
        inputs: dict[str, Any] = {}
        for href in service.input_data:
            _, element, path = self._resolve(href)
            _bind(inputs, path, element.name, args.get(element.name))
        run.inputs = inputs
        outputs: dict[str, Any] = {}
        for href in service.output_decisions:
            owner, element, _ = self._resolve(href)
            if not isinstance(element, m.Decision):
                raise DmnModelError(f"decision service output {href!r} is not a decision",
                                    element_id=service.id)
            outputs[element.name] = owner._decision_value(element, run)
        outer.messages.extend(run.messages)
        return outputs


def _bind(env: dict[str, Any], path: tuple[str, ...], name: str, value: Any) -> None:
    """Bind ``name`` in ``env``, inside nested contexts for an import path."""
    if path:
        # Also bound flat: the parser reads a known qualified name as one name.
        env[".".join((*path, name))] = value
    target = env
    for part in path:
        nested = target.get(part)
        if not isinstance(nested, dict):
            nested = {}
            target[part] = nested
        target = nested
    target[name] = value


# ---- loading ------------------------------------------------------------------------------


def loads(xml: str | bytes, *, base_path: Path | str | None = None) -> Model:
    """Load a model from DMN XML text; imports are resolved among the ``.dmn`` files of
    ``base_path`` (a folder, or a file whose folder is used)."""
    definitions = read_dmn(xml)
    folder = Path(base_path) if base_path is not None else None
    if folder is not None and folder.is_file():
        folder = folder.parent
    return _build(definitions, _folder_finder(folder), ())


def load(path: Path | str) -> Model:
    """Load a model from a ``.dmn`` file, resolving imports among its sibling files."""
    path = Path(path)
    return _build(read_dmn(path), _folder_finder(path.parent), ())


def load_files(files: Mapping[str, str | bytes], main: str) -> Model:
    """Load the model in ``files[main]``; its imports are resolved among the other texts.

    ``files`` maps file names to DMN XML (a model and its imports, as deployed together).
    An import is found by its ``locationURI`` first, then by namespace.
    """
    if main not in files:
        raise DmnModelError(f"no file {main!r} among {sorted(files)}")
    parsed = {name: read_dmn(text) for name, text in files.items()}

    def find(imp: m.Import) -> m.Definitions:
        named = parsed.get(imp.location_uri or "")
        if named is not None and named.namespace == imp.namespace:
            return named
        for definitions in parsed.values():
            if definitions.namespace == imp.namespace:
                return definitions
        raise DmnModelError(f"imported model with namespace {imp.namespace!r} is not among "
                            f"the files {sorted(files)}", element_id=imp.id or imp.name)

    return _build(parsed[main], find, ())


_Finder = Callable[[m.Import], m.Definitions]


def _build(definitions: m.Definitions, find: _Finder, seen: tuple[str, ...]) -> Model:
    imports: dict[str, Model] = {}
    for imp in definitions.imports:
        if imp.import_type and not _DMN_IMPORT.search(imp.import_type):
            continue  # XSD or PMML imports carry no decisions
        if imp.namespace in seen:
            raise DmnModelError(f"import cycle through namespace {imp.namespace!r}",
                                element_id=imp.id)
        imports[imp.name] = _build(find(imp), find, (*seen, definitions.namespace))
    return Model(definitions, imports)


def _folder_finder(folder: Path | None) -> _Finder:
    return lambda imp: _find_import(imp, folder)


def _find_import(imp: m.Import, folder: Path | None) -> m.Definitions:
    candidates: list[Path] = []
    if folder is not None:
        if imp.location_uri:
            candidates.append(folder / imp.location_uri)
        candidates.extend(sorted(folder.glob("*.dmn")))
    for candidate in candidates:
        if not candidate.is_file():
            continue
        definitions = read_dmn(candidate)
        if definitions.namespace == imp.namespace:
            return definitions
    raise DmnModelError(f"imported model with namespace {imp.namespace!r} not found"
                        + (f" in {folder}" if folder else " (no folder to look in)"),
                        element_id=imp.id or imp.name)
