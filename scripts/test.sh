#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run every check CI runs:
# ruff, mypy (strict on src/), and the whole pytest suite (the DMN TCK included when
# ../shared is present). Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/setup.sh"

"$venv/bin/ruff" check src tests bench
"$venv/bin/mypy"
bash scripts/services.sh  # PostgreSQL and Chromium, when missing (setup.sh cd-ed to the root)
"$venv/bin/python" -m pytest "$@"
