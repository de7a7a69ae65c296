"""Decision rules as people manage them: decision tables kept in spreadsheets (CSV, XLSX).

See :mod:`accord.rules.spreadsheet` for the sheet layout, and :mod:`accord.rules.diff` for
what changed between two rule set versions.
"""

from accord.rules.diff import RuleSetDiff, diff_rule_sets
from accord.rules.spreadsheet import (
    CellProblem,
    SpreadsheetError,
    read_table_csv,
    read_table_xlsx,
    table_to_definitions,
    write_table_csv,
    write_table_xlsx,
)

__all__ = [
    "CellProblem",
    "RuleSetDiff",
    "SpreadsheetError",
    "diff_rule_sets",
    "read_table_csv",
    "read_table_xlsx",
    "table_to_definitions",
    "write_table_csv",
    "write_table_xlsx",
]
