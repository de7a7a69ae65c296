"""``accord feel EXPR``: evaluate a FEEL expression and print the value as JSON."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli import jsonout
from accord.cli.common import guard, parse_json_object
from accord.feel.values import from_python


def feel_command(
    expression: Annotated[str, typer.Argument(help="The FEEL expression, e.g. '1 + 1'.")],
    context: Annotated[str | None, typer.Option(
        "--context", "-c", help="Variables as a JSON object, e.g. '{\"x\": 2}'.")] = None,
) -> None:
    """Evaluate a FEEL expression and print its value as JSON (numbers exact)."""
    with guard():
        variables = from_python(parse_json_object(context, "--context")) if context else {}
        from accord.feel import evaluate  # imported here so --help works without the engine

        value = evaluate(expression, variables)
        typer.echo(jsonout.dumps(value))
