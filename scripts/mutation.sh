#!/usr/bin/env bash
# Mutation testing (mutmut 3) of one target: bash scripts/mutation.sh TARGET [MUTANT ...]
#
# The targets are data: [tool.mutmut.targets.NAME] in pyproject.toml, each with the files to
# mutate (`only_mutate`) and the tests that must kill their mutants (`tests`). The settings
# directly under [tool.mutmut] are shared by every target.
#
# mutmut reads one [tool.mutmut] section from the working directory and caches its results in
# mutants/ there, so each target runs in its own scratch copy, build/mutation/TARGET (src,
# tests and a pyproject.toml whose [tool.mutmut] is the shared settings plus the target's).
# PYTHONPATH is cleared: mutmut puts the mutated copy (mutants/src) first on sys.path, and
# a PYTHONPATH naming a checkout's src would let the tests import the unmutated code.
#
# Without MUTANT arguments the run starts afresh (a cached verdict would not see new tests)
# and tests every mutant; with them (names or globs, e.g. 'accord.decisioning.policy*'),
# only those are tested again and the rest keep their last verdicts.
#
# At the end: the score per module and for the target (killed / all mutants; a timeout or a
# mutant the type checker refuses counts as killed, "no tests" and "suspicious" as survivors),
# the survivors by name, and exit status 1 when the target scores below MUTATION_MIN
# (default 90 %). Survivors that no test can kill are explained in tests/mutation/SURVIVORS.md.
# MUTATION_CHILDREN sets mutmut's parallel workers (default 2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# the same .venv as scripts/test.sh (created on a fresh machine), plus the mutation extra
source "$root/scripts/setup.sh"
venv="$root/$venv"
if [[ ! -x "$venv/bin/mutmut" ]]; then
  "$venv/bin/python" -m pip install --quiet -e "$root[mutation]"
fi
python="$venv/bin/python"
target="${1:?usage: bash scripts/mutation.sh TARGET [MUTANT ...] (targets: [tool.mutmut.targets] in pyproject.toml)}"
shift
work="$root/build/mutation/$target"

# the scratch project: the target's [tool.mutmut] replacing the project's own sections
"$python" - "$root/pyproject.toml" "$work/pyproject.toml" "$target" <<'PY'
import json
import pathlib
import re
import sys
import tomllib

source, destination, target = sys.argv[1:]
text = open(source, encoding="utf-8").read()
shared = dict(tomllib.loads(text)["tool"]["mutmut"])
targets = shared.pop("targets")
if target not in targets:
    sys.exit(f"unknown mutation target {target!r}; known: {', '.join(sorted(targets))}")
only_mutate, tests = targets[target]["only_mutate"], targets[target]["tests"]
root = pathlib.Path(source).parent
missing = [p for p in only_mutate if not any(root.glob(p))] + \
    [p for p in tests if not p.startswith("-") and not (root / p.split("::")[0]).exists()]
if missing:
    sys.exit(f"mutation target {target!r} names paths that do not exist: {', '.join(missing)}")
settings = {**shared, "only_mutate": only_mutate,
            "pytest_add_cli_args_test_selection": tests}
# drop every [tool.mutmut...] table, up to the next table that is not one
kept, skipping = [], False
for line in text.splitlines(keepends=True):
    if line.startswith("["):
        skipping = re.match(r"\[tool\.mutmut[.\]]", line) is not None
    if not skipping:
        kept.append(line)
# JSON strings, numbers, booleans and arrays of them are TOML too
section = "".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())
pathlib.Path(destination).parent.mkdir(parents=True, exist_ok=True)
open(destination, "w", encoding="utf-8").write(
    "".join(kept).rstrip("\n") + "\n\n[tool.mutmut]\n" + section)
PY

# a snapshot of the code and tests, so editing the checkout during a run changes nothing
rm -rf "$work/src" "$work/tests"
cp -r "$root/src" "$root/tests" "$work/"
find "$work/src" "$work/tests" -name __pycache__ -prune -exec rm -rf {} +
(( $# )) || rm -rf "$work/mutants"

cd "$work"
unset PYTHONPATH
"$venv/bin/mutmut" run --max-children "${MUTATION_CHILDREN:-2}" "$@"

"$venv/bin/mutmut" results --all true | "$python" -c '
import collections, sys

DETECTED = ("killed", "timeout", "caught by type check")
minimum = float(sys.argv[1])
by_module = collections.defaultdict(collections.Counter)
survivors = []
for line in sys.stdin:
    name, _, status = line.strip().rpartition(": ")
    if not name:
        continue
    by_module[name.split("__mutmut_")[0].rsplit(".", 1)[0]][status] += 1
    if status not in DETECTED:
        survivors.append(f"  {name}: {status}")


def score(counts):
    killed = sum(counts[s] for s in DETECTED)
    total = sum(counts.values())
    return killed, total, 100 * killed / max(1, total)


everything = collections.Counter()
print()
for module, counts in sorted(by_module.items()):
    everything.update(counts)
    print("{}: {}/{} killed, {:.1f} %".format(module, *score(counts)))
killed, total, percent = score(everything)
print(f"TOTAL: {killed}/{total} killed, {percent:.1f} % (target {minimum:g} %)")
print("survivors:" if survivors else "no survivors", *survivors, sep="\n")
sys.exit(0 if total and percent >= minimum else 1)
' "${MUTATION_MIN:-90}"
