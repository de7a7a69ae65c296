"""The whole DMN TCK (compliance levels 2 and 3) against Accord.

The TCK data lives next to the repository in ``../shared/dmn-tck``. The run must not fail
any case missing from ``tck_known_failures.txt`` and must pass every level-2 case.
Regenerate the known failures with ``python -m accord.dmn.tck --update-known-failures``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.dmn.tck import (
    ERROR,
    IGNORED,
    SUCCESS,
    CaseResult,
    fixed,
    new_failures,
    read_known_failures,
    run_tck,
    summarise,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
TCK_DIR = REPO_ROOT.parent / "shared" / "dmn-tck"
KNOWN_FAILURES = Path(__file__).with_name("tck_known_failures.txt")

pytestmark = [pytest.mark.conformance, pytest.mark.slow]


@pytest.fixture(scope="module")
def results() -> list[CaseResult]:
    if not (TCK_DIR / "TestCases").is_dir():
        pytest.skip(f"DMN TCK not found at {TCK_DIR} (expected ../shared/dmn-tck)")
    run = run_tck(TCK_DIR, timeout=60.0)
    print()
    for level, counts in summarise(run).items():
        print(f"DMN TCK {level:20} total {counts['total']:5}  success {counts[SUCCESS]:5}  "
              f"error {counts[ERROR]:5}  ignored {counts[IGNORED]:5}")
    return run


def test_no_new_failures(results: list[CaseResult]) -> None:
    known = read_known_failures(KNOWN_FAILURES)
    comments = {r.key: r.comment for r in results}
    newly = new_failures(results, known)
    now_passing = fixed(results, known)
    if now_passing:
        print(f"{len(now_passing)} known failures now pass (regenerate the list):")
        print("\n".join(now_passing))
    assert not newly, (
        f"{len(newly)} TCK cases fail that are not in {KNOWN_FAILURES.name}:\n"
        + "\n".join(f"{key}: {comments[key]}" for key in newly)
    )


def test_all_level_2_cases_pass(results: list[CaseResult]) -> None:
    level2 = [r for r in results if r.level == "compliance-level-2"]
    assert len(level2) == 116
    failing = [f"{r.key}: {r.comment}" for r in level2 if r.status != SUCCESS]
    assert not failing, "level-2 TCK cases failing:\n" + "\n".join(failing)
