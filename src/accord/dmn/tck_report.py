"""DMN TCK results: the ``tck_results.csv`` file, counts, and the known-failures list.

Re-exported by :mod:`accord.dmn.tck`, which runs the test cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SUCCESS = "SUCCESS"
ERROR = "ERROR"
IGNORED = "IGNORED"
STATUSES = (SUCCESS, ERROR, IGNORED)


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of one test case."""

    level: str
    folder: str
    test_file: str  # file name without .xml
    case_id: str
    status: str  # SUCCESS | ERROR | IGNORED
    comment: str = ""
    seconds: float = 0.0

    @property
    def key(self) -> str:
        """``level/folder/test-file#case-id``, the known-failures key."""
        return f"{self.level}/{self.folder}/{self.test_file}#{self.case_id}"



# --------------------------------------------------------------------------- reporting


def _csv_field(text: str) -> str:
    # The TCK writes fields unescaped between double quotes and its reporter splits lines on
    # commas outside quotes, so quotes and line breaks inside a field must not appear.
    return " ".join(text.replace('"', "'").split())


def format_csv_line(result: CaseResult) -> str:
    """One line of ``tck_results.csv``.

    The format is the one the TCK's own JUnit runner writes (``runners/dmn-tck-runner/.../
    DmnTckRunner.java``: ``"%s","%s","%s","%s","%s"\\n`` of ``level/folder``, the test file
    name without ``.xml``, the test case id, ``SUCCESS|ERROR|IGNORED`` and the message) and
    that every submission under ``TestResults/<vendor>/<version>/tck_results.csv`` uses, e.g.
    ``"compliance-level-2/0004-simpletable-U","0004-simpletable-U-test-01","001","SUCCESS",""``.
    No header line; every field double-quoted; ``\\n`` line ends.
    """
    fields = (f"{result.level}/{result.folder}", result.test_file, result.case_id,
              result.status, result.comment)
    return '"' + '","'.join(_csv_field(f) for f in fields) + '"\n'


def write_results_csv(results: Iterable[CaseResult], path: Path) -> None:
    """Write ``tck_results.csv`` (format: :func:`format_csv_line`)."""
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        for result in results:
            out.write(format_csv_line(result))


def summarise(results: Iterable[CaseResult]) -> dict[str, dict[str, int]]:
    """Counts per level and in total: ``{level: {"total", "SUCCESS", "ERROR", "IGNORED"}}``.

    The overall counts are under the key ``"total"``.
    """
    summary: dict[str, dict[str, int]] = {}
    overall = dict.fromkeys(("total", *STATUSES), 0)
    for result in results:
        counts = summary.setdefault(result.level, dict.fromkeys(("total", *STATUSES), 0))
        for bucket in (counts, overall):
            bucket["total"] += 1
            bucket[result.status] = bucket.get(result.status, 0) + 1
    summary["total"] = overall
    return summary


# --------------------------------------------------------------------------- known failures

KNOWN_FAILURES_HEADER = """\
# DMN TCK test cases Accord is known to fail, one "level/folder/test-file#case-id" per line
# (sorted; text after the key is a comment). tests/conformance/test_tck.py fails on any
# failure not listed here. Regenerate after a run with:
#     python -m accord.dmn.tck --update-known-failures
# or  accord dmn tck ../shared/dmn-tck --out tck_results.csv --update-known FILE
"""


def read_known_failures_file(path: Path) -> dict[str, str]:
    """Keys of a known-failures file mapped to their trailing comments.

    Blank lines and lines starting with ``#`` are ignored; a missing file is empty.
    """
    path = Path(path)
    if not path.exists():
        return {}
    known: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, comment = line.partition(" ")
        known[key] = comment.strip()
    return known


def read_known_failures(path: Path) -> set[str]:
    """The set of keys in a known-failures file."""
    return set(read_known_failures_file(path))


def _failing(result: CaseResult) -> bool:
    return result.status == ERROR


def new_failures(results: Iterable[CaseResult], known: Iterable[str]) -> list[str]:
    """Keys of cases that failed in this run but are not known failures (sorted)."""
    known_set = set(known)
    return sorted({r.key for r in results if _failing(r) and r.key not in known_set})


def fixed(results: Iterable[CaseResult], known: Iterable[str]) -> list[str]:
    """Known failures that passed in this run (sorted); cases not run are not counted."""
    known_set = set(known)
    return sorted({r.key for r in results if r.status == SUCCESS and r.key in known_set})


def write_known_failures(results: Iterable[CaseResult], path: Path) -> list[str]:
    """Rewrite the known-failures file from a run and return its keys.

    Entries for cases this run did not cover (``--only``, fewer levels) are kept, and so are
    the comments of entries still failing.
    """
    path = Path(path)
    existing = read_known_failures_file(path)
    results = list(results)
    covered = {r.key for r in results}
    entries = {k: c for k, c in existing.items() if k not in covered}
    for result in results:
        if _failing(result):
            entries[result.key] = existing.get(result.key, "")
    keys = sorted(entries)
    lines = [f"{k}  {entries[k]}" if entries[k] else k for k in keys]
    path.write_text(KNOWN_FAILURES_HEADER + "".join(f"{line}\n" for line in lines),
                    encoding="utf-8")
    return keys
