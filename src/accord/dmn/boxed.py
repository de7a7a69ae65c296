"""Boxed expressions to closures (DMN 1.5 clause 10.2 and chapter 8).

Every boxed expression compiles to ``f(env, trace) -> value``: ``env`` is the dict of names in
scope and ``trace`` a list collecting decision-table traces, or ``None`` when tracing is off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accord.dmn import model as m
from accord.dmn.table import compile_table
from accord.dmn.types import FeelType, TypeRegistry
from accord.errors import DmnModelError, FeelSyntaxError
from accord.feel.compiler import Compiler, invoke_named
from accord.feel.external import external_function
from accord.feel.parser import parse_expression
from accord.feel.values import FeelFunction

Env = dict[str, Any]
Boxed = Callable[[Env, "list[Any] | None"], Any]


class BoxedCompiler:
    """Compiles the boxed expressions of one model."""

    def __init__(self, registry: TypeRegistry) -> None:
        self.registry = registry
        self.feel = Compiler(registry.predicate)

    def compile(self, expression: m.Expression | None, names: tuple[str, ...],
                result_type: FeelType | None = None) -> Boxed:
        """Compile ``expression``; ``names`` are the names in scope (for parsing)."""
        if expression is None:
            return lambda env, trace: None
        handler = _HANDLERS.get(type(expression))
        if handler is None:
            raise DmnModelError(f"unsupported expression {type(expression).__name__}",
                                element_id=expression.id)
        own_type = self.registry.resolve(expression.type_ref)
        compiled = handler(self, expression, names, own_type or result_type)
        if own_type is None or isinstance(expression, m.FunctionDefinition):
            return compiled
        # An expression's own typeRef coerces its value (DMN 1.5 clause 7.3.4).
        return lambda env, trace: own_type.coerce(compiled(env, trace))

    def _feel(self, text: str, names: tuple[str, ...], element_id: str | None) -> Any:
        try:
            return self.feel.compile(parse_expression(text, names))
        except FeelSyntaxError as exc:
            raise DmnModelError(str(exc), element_id=element_id) from exc

    def literal(self, expr: m.LiteralExpression, names: tuple[str, ...],
                result_type: FeelType | None) -> Boxed:
        if not m.is_feel(expr.expression_language):
            raise DmnModelError(f"expression language {expr.expression_language} is not FEEL",
                                element_id=expr.id)
        if not expr.text.strip():
            return lambda env, trace: None
        compiled = self._feel(expr.text, names, expr.id)
        return lambda env, trace: compiled(env)

    def decision_table(self, expr: m.DecisionTable, names: tuple[str, ...],
                       result_type: FeelType | None) -> Boxed:
        return compile_table(expr, names, self.registry, result_type)

    def context(self, expr: m.Context, names: tuple[str, ...],
                result_type: FeelType | None) -> Boxed:
        entries: list[tuple[str | None, Boxed, FeelType | None]] = []
        scope_names = names
        for entry in expr.entries:
            variable = entry.variable
            entry_type = self.registry.resolve(variable.type_ref) if variable else None
            if entry_type is None and variable is not None and result_type is not None \
                    and result_type.components:
                entry_type = result_type.components.get(variable.name)
            compiled = self.compile(entry.value, scope_names, entry_type)
            if variable is not None:
                scope_names = (*scope_names, variable.name)
            entries.append((variable.name if variable else None, compiled, entry_type))

        def run(env: Env, trace: list[Any] | None) -> Any:
            scope = dict(env)
            result: dict[str, Any] = {}
            for name, compiled, entry_type in entries:
                value = compiled(scope, trace)
                if entry_type is not None:
                    value = entry_type.coerce(value)
                if name is None:
                    return value
                result[name] = scope[name] = value
            return result

        return run

    def list_expression(self, expr: m.ListExpression, names: tuple[str, ...],
                        result_type: FeelType | None) -> Boxed:
        items = [self.compile(item, names) for item in expr.items]
        return lambda env, trace: [item(env, trace) for item in items]

    def relation(self, expr: m.Relation, names: tuple[str, ...],
                 result_type: FeelType | None) -> Boxed:
        columns = [column.name for column in expr.columns]
        rows = []
        for row in expr.rows:
            if len(row.items) != len(columns):
                raise DmnModelError(f"relation row has {len(row.items)} cells for "
                                    f"{len(columns)} columns", element_id=row.id or expr.id)
            rows.append([self.compile(item, names) for item in row.items])
        return lambda env, trace: [
            {column: cell(env, trace) for column, cell in zip(columns, row, strict=True)}
            for row in rows]

    def invocation(self, expr: m.Invocation, names: tuple[str, ...],
                   result_type: FeelType | None) -> Boxed:
        function = self.compile(expr.called_function, names)
        bindings = [(b.parameter.name, self.compile(b.expression, names))
                    for b in expr.bindings]
        return lambda env, trace: invoke_named(
            function(env, trace), {name: value(env, trace) for name, value in bindings})

    def function_definition(self, expr: m.FunctionDefinition, names: tuple[str, ...],
                            result_type: FeelType | None) -> Boxed:
        params = [p.name for p in expr.parameters]
        if expr.kind is m.FunctionKind.JAVA:
            body_context = self.compile(expr.body, names)
            # a boxed Java function's body is the {class, method signature} context itself
            return lambda env, trace: external_function(
                params, {"java": body_context(env, trace)})
        if expr.kind is m.FunctionKind.PMML:
            return lambda env, trace: FeelFunction("pmml", params, lambda *args: None)
        return self.feel_function(expr, names, name="function")

    def feel_function(self, expr: m.FunctionDefinition, names: tuple[str, ...], *,
                      name: str, result_type: FeelType | None = None) -> Boxed:
        """A FEEL function value; parameters are coerced to their declared types."""
        params = [p.name for p in expr.parameters]
        param_types = [self.registry.resolve(p.type_ref) for p in expr.parameters]
        body = self.compile(expr.body, (*names, *params), result_type)

        def make(env: Env, trace: list[Any] | None) -> FeelFunction:
            def call(*args: Any) -> Any:
                if len(args) > len(params):
                    return None
                scope = dict(env)
                for index, param in enumerate(params):
                    arg = args[index] if index < len(args) else None
                    param_type = param_types[index]
                    if param_type is not None and arg is not None:
                        coerced = param_type.coerce(arg)
                        if coerced is None:
                            return None
                        arg = coerced
                    scope[param] = arg
                value = body(scope, trace)
                return result_type.coerce(value) if result_type is not None else value

            return FeelFunction(name, params, call)

        return make

    def conditional(self, expr: m.Conditional, names: tuple[str, ...],
                    result_type: FeelType | None) -> Boxed:
        condition, then, otherwise = (self.compile(e, names)
                                      for e in (expr.if_, expr.then, expr.else_))

        def run(env: Env, trace: list[Any] | None) -> Any:
            test = condition(env, trace)
            if test is True:
                return then(env, trace)
            # The boxed form is stricter than FEEL's ``if``: a non-boolean condition is an
            # error (TCK 1150 case 003); null still takes the else branch.
            return otherwise(env, trace) if test is None or test is False else None

        return run

    def for_expression(self, expr: m.For, names: tuple[str, ...],
                       result_type: FeelType | None) -> Boxed:
        domain = self.compile(expr.in_, names)
        variable = expr.iterator_variable
        body = self.compile(expr.return_, (*names, variable, "partial"))

        def run(env: Env, trace: list[Any] | None) -> Any:
            values = domain(env, trace)
            if values is None:
                return None
            results: list[Any] = []
            scope = dict(env)
            scope["partial"] = results
            for value in values if isinstance(values, list) else [values]:
                scope[variable] = value
                results.append(body(scope, trace))
            return results

        return run

    def quantified(self, expr: m.Some | m.Every, names: tuple[str, ...],
                   result_type: FeelType | None) -> Boxed:
        domain = self.compile(expr.in_, names)
        variable = expr.iterator_variable
        condition = self.compile(expr.satisfies, (*names, variable))
        want = isinstance(expr, m.Some)

        def run(env: Env, trace: list[Any] | None) -> Any:
            values = domain(env, trace)
            if values is None:
                return None
            scope = dict(env)
            for value in values if isinstance(values, list) else [values]:
                scope[variable] = value
                test = condition(scope, trace)
                if type(test) is not bool:
                    return None  # a non-boolean test is an error (TCK 1153, 1154)
                if test is want:
                    return want
            return not want

        return run

    def filter(self, expr: m.Filter, names: tuple[str, ...],
               result_type: FeelType | None) -> Boxed:
        domain = self.compile(expr.in_, names)
        match = self.compile(expr.match, (*names, "item"))

        def run(env: Env, trace: list[Any] | None) -> Any:
            values = domain(env, trace)
            if values is None:
                return None
            result = []
            for item in values if isinstance(values, list) else [values]:
                scope = dict(env)
                scope["item"] = item
                if isinstance(item, dict):
                    scope.update(item)
                test = match(scope, trace)
                if test is True:
                    result.append(item)
                elif test is not False and test is not None:
                    return None  # a non-boolean match is an error (TCK 1151)
            return result

        return run


_HANDLERS: dict[type, Callable[..., Boxed]] = {
    m.LiteralExpression: BoxedCompiler.literal,
    m.DecisionTable: BoxedCompiler.decision_table,
    m.Context: BoxedCompiler.context,
    m.ListExpression: BoxedCompiler.list_expression,
    m.Relation: BoxedCompiler.relation,
    m.Invocation: BoxedCompiler.invocation,
    m.FunctionDefinition: BoxedCompiler.function_definition,
    m.Conditional: BoxedCompiler.conditional,
    m.For: BoxedCompiler.for_expression,
    m.Some: BoxedCompiler.quantified,
    m.Every: BoxedCompiler.quantified,
    m.Filter: BoxedCompiler.filter,
}
