#!/usr/bin/env bash
# Mutation testing (mutmut 3) of one target: bash scripts/mutation.sh TARGET [mutmut run args]
#
# Targets (module paths mutated -> the tests that must kill them):
#   statistics  src/accord/campaigns/{lift,metrics}.py -> tests/campaigns/test_{lift,metrics}.py
#   identity    src/accord/identity/*.py               -> tests/identity (but its slowest test)
#
# Each target runs in its own scratch copy (build/mutation/TARGET) whose pyproject.toml carries
# that target's [tool.mutmut] section: mutmut reads one section from the working directory,
# and its cache under mutants/ must not mix the targets. PYTHONPATH is cleared so the tests
# import the mutated copy (mutants/src), never a checkout's src. Survivors are explained in
# tests/mutation/SURVIVORS-*.md. MUTATION_CHILDREN sets the parallel workers (default 2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${VENV:-$root/.venv}"
[[ -x "$venv/bin/mutmut" ]] || venv=/work/main/.venv
target="${1:?usage: scripts/mutation.sh statistics|identity [mutmut run args]}"
shift

case "$target" in
  statistics)
    mutate='"src/accord/campaigns/lift.py", "src/accord/campaigns/metrics.py"'
    tests='"tests/campaigns/test_lift.py", "tests/campaigns/test_metrics.py"' ;;
  identity)
    mutate='"src/accord/identity/*.py"'
    # without the 18 s precision/recall benchmark on generated data: every surviving mutant
    # would rerun it, and a mutant that loops waits 15 times the tests' time before it
    # counts as a timeout (a run of hours on 2 cores); what only that test catches shows as
    # a survivor here
    tests='"tests/identity", "--deselect",
  "tests/identity/test_resolve.py::test_generated_data_precision_and_recall"' ;;
  *) echo "unknown target '$target' (known: statistics, identity)" >&2; exit 2 ;;
esac

work="$root/build/mutation/$target"
# a fresh copy each run: mutmut's cache (mutants/) keeps verdicts across changed tests, so a
# kept cache would report survivors that the new tests kill
rm -rf "$work"
mkdir -p "$work"
cp -r "$root/src" "$root/tests" "$work/"
find "$work" -name __pycache__ -prune -exec rm -rf {} +
# the project's pyproject.toml without its own [tool.mutmut] section, then this target's
"$venv/bin/python" - "$root/pyproject.toml" "$work/pyproject.toml" <<PY
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)
text += """
[tool.mutmut]
source_paths = ["src"]
only_mutate = [$mutate]
pytest_add_cli_args_test_selection = [$tests]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]
"""
open(sys.argv[2], "w", encoding="utf-8").write(text)
PY

cd "$work"
unset PYTHONPATH
# mutmut redraws a spinner with carriage returns: keep its report lines, drop the redraws
# (lines starting with a braille spinner character, U+2800-U+28FF)
"$venv/bin/mutmut" run --max-children "${MUTATION_CHILDREN:-2}" "$@" \
  | tr '\r' '\n' | { LC_ALL=C grep -v $'^\xe2[\xa0-\xa3]' || true; }
[[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "mutmut run failed" >&2; exit 1; }
# the score per module: killed (or timed out, or refused by the type checker) / all mutants;
# "no tests" and "suspicious" count as survivors
"$venv/bin/mutmut" results --all true | "$venv/bin/python" -c '
import collections, sys
by_module = collections.defaultdict(collections.Counter)
survivors = []
for line in sys.stdin:
    name, _, status = line.strip().rpartition(": ")
    if not name:
        continue
    by_module[name.rsplit(".", 1)[0]][status] += 1
    if status not in ("killed", "timeout", "caught by type check"):
        survivors.append(f"  {name}: {status}")
all_counts = collections.Counter()
for module, counts in sorted(by_module.items()):
    all_counts.update(counts)
    total = sum(counts.values())
    killed = counts["killed"] + counts["timeout"] + counts["caught by type check"]
    print(f"{module}: {killed}/{total} killed, {100 * killed / total:.1f} %")
total = sum(all_counts.values())
killed = all_counts["killed"] + all_counts["timeout"] + all_counts["caught by type check"]
print(f"TOTAL: {killed}/{total} killed, {100 * killed / max(1, total):.1f} %")
print("survivors:" if survivors else "no survivors")
print("\n".join(survivors))
'
