"""Read ``accord.yaml`` into :class:`~accord.project.config.Project`, with errors that name
the file, the line and the field, and say what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from accord.errors import ConfigError
from accord.project.config import Project

PROJECT_FILE = "accord.yaml"


class ProjectConfigError(ConfigError):
    """``accord.yaml`` is malformed or invalid.

    Attributes:
        file: the file.
        line: 1-based line of the first problem, when known.
        problems: every problem as ``(line, field path, message)``.
    """

    def __init__(self, file: Path, problems: list[tuple[int | None, str, str]]) -> None:
        self.file = file
        self.problems = problems
        self.line = problems[0][0] if problems else None
        lines = [f"{file}" + (f", line {line}" if line else "") + f": {field}: {message}"
                 for line, field, message in problems]
        super().__init__("invalid project configuration:\n  " + "\n  ".join(lines))


def load_project(path: Path | str) -> Project:
    """Load and validate a project file (or the ``accord.yaml`` in a directory)."""
    file = Path(path)
    if file.is_dir():
        file = file / PROJECT_FILE
    if not file.is_file():
        raise ConfigError(f"no project file at {file} (create one with 'accord init DIR')")
    text = file.read_text(encoding="utf-8")
    return parse_project(text, file)


def parse_project(text: str, file: Path = Path(PROJECT_FILE)) -> Project:
    """Validate project YAML text; ``file`` is only used in messages."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProjectConfigError(file, [(line, "(YAML)", problem)]) from None
    if not isinstance(data, dict):
        raise ProjectConfigError(file, [(1, "(top level)", "expected a mapping of settings")])
    try:
        return Project.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = tuple(error["loc"])
            field = ".".join(str(part) for part in location) or "(top level)"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown field"
            elif error["type"] == "missing":
                message = "missing required field"
            elif "input" in error and error["type"] not in ("value_error",):
                message += f" (got {error['input']!r})"
            problems.append((yaml_line(node, location), field, message))
        raise ProjectConfigError(file, problems) from None


def yaml_line(node: Any, location: tuple[Any, ...]) -> int | None:
    """The line of the YAML node at ``location`` (the deepest that exists), for messages
    about a validated YAML document."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in location:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    # an unknown key is reported at the key itself
                    node, line = value, key.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
