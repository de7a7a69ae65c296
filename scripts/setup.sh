#!/usr/bin/env bash
# Shared set-up for scripts/demo.sh and scripts/test.sh: a virtual environment in .venv with
# Accord installed (editable) and its development tools. Reruns are cheap: nothing is
# reinstalled unless pyproject.toml changed. Source it; it defines $venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.accord-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  # The finetune extra (PyTorch) only where the machine's wheel cache has torch's CPU build:
  # PyPI's default Linux wheel brings ~3 GB of CUDA libraries a CPU cannot use. Without it
  # the fine-tuning tests skip, saying so.
  extras=dev,feedback
  if "$venv/bin/python" -m pip install --quiet "torch==2.13.0+cpu" 2>/dev/null; then
    extras=$extras,finetune
  fi
  "$venv/bin/python" -m pip install --quiet -e ".[$extras]"
  touch "$stamp"
fi
