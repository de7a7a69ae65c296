"""Decision rules as people manage them: governed versions, spreadsheets, diffs, simulations.

* :mod:`accord.rules.lifecycle`: states, transitions and who may make them (as data);
* :mod:`accord.rules.governance`: drafts, maker-checker review, scheduled activation,
  rollback, each with its audit entry (:mod:`accord.rules.audit`);
* :mod:`accord.rules.users` and :mod:`accord.rules.tokens`: people, passwords, personal
  tokens;
* :mod:`accord.rules.scenarios`: test customers run on every proposal;
* :mod:`accord.rules.simulation`, :mod:`accord.rules.simulation_store` and
  :mod:`accord.rules.proposal`: the whole-base simulation stored with a proposal;
* :mod:`accord.rules.spreadsheet` and :mod:`accord.rules.tables`: decision tables kept in
  CSV or XLSX, imported into a rule set;
* :mod:`accord.rules.diff`: what changed between two versions.
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
