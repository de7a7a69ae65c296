"""Helpers the ``accord`` commands share: error reporting and JSON input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from accord.errors import AccordError

#: Exit code of a command that failed on an error (bad input, unreadable model, ...).
EXIT_ERROR = 2

err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)


def print_error(message: str) -> None:
    """Print ``error: message`` in red on one line of stderr."""
    one_line = " ".join(message.split())
    err_console.print(Text.assemble(("error: ", "bold red"), (one_line, "red")),
                      soft_wrap=True)


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print an error and leave the command with ``code``."""
    print_error(message)
    raise typer.Exit(code)


@contextmanager
def guard() -> Iterator[None]:
    """Turn an :class:`~accord.errors.AccordError` into a one-line error and exit code 2."""
    try:
        yield
    except AccordError as exc:
        fail(str(exc) or type(exc).__name__)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number FEEL knows")


def parse_json(text: str, source: str) -> Any:
    """Parse JSON with every number as an exact ``Decimal``; errors name line and column."""
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal,
                          parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        fail(f"invalid JSON in {source}: {exc.msg} at line {exc.lineno}, column {exc.colno}")
    except ValueError as exc:  # parse_constant (NaN, Infinity) or huge integers
        fail(f"invalid JSON in {source}: {exc}")


def parse_json_object(text: str, source: str) -> dict[str, Any]:
    """Parse a JSON object (as :func:`parse_json`); anything else is an error."""
    value = parse_json(text, source)
    if not isinstance(value, dict):
        fail(f"{source} must be a JSON object, not {type(value).__name__}")
    return value


def read_json_file(path: Path) -> dict[str, Any]:
    """Read a JSON object from a file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        fail(f"{path} is not UTF-8 text")
    return parse_json_object(text, str(path))


#: ``--project DIR``: the project folder (holding accord.yaml), the current folder by default.
ProjectOption = Annotated[Path, typer.Option(
    "--project", "-p", help="The project folder (holding accord.yaml).")]
