#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run every check CI runs:
# ruff, mypy (strict on src/), and the whole pytest suite (DMN TCK included when ../shared
# is present). Safe to rerun: the virtual environment is reused when it is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.accord-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -e ".[dev]"
  touch "$stamp"
fi

"$venv/bin/ruff" check src tests bench
"$venv/bin/mypy"
"$venv/bin/python" -m pytest "$@"
