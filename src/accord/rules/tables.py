"""One decision table of a rule set replaced (or added) from a spreadsheet.

Marketers keep a table in a sheet (:mod:`accord.rules.spreadsheet`); importing it gives the
rule set's files with the DMN model of that decision rewritten as DMN 1.3, everything else
as it was, ready to be saved as a draft.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from accord.dmn import model as m
from accord.dmn.xml_reader import read_dmn
from accord.dmn.xml_writer import write_dmn
from accord.errors import ConfigError
from accord.rules.spreadsheet import table_to_definitions


@dataclass(frozen=True, slots=True)
class TableImport:
    """The rule set's files after the import, and what happened.

    Attributes:
        files: every file of the rule set (the DMN models, scenarios) after the import.
        file: the DMN file the table went into.
        added: True when no decision had the table's name (a new file), else replaced.
    """

    files: dict[str, str]
    file: str
    added: bool


def _slug(name: str) -> str:
    """``VIP eligible`` -> ``vip-eligible`` (a file name for a new table).

    >>> _slug("Win-back eligible (2025)")
    'win-back-eligible-2025'
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "table"


def _holder(files: Mapping[str, str], decision: str) -> tuple[str, m.Definitions] | None:
    """The DMN file that defines ``decision``, with its model, if any."""
    for name, text in sorted(files.items()):
        if name.endswith(".dmn"):
            definitions = read_dmn(text, filename=name)
            if any(d.name == decision for d in definitions.decisions):
                return name, definitions
    return None


def import_table(files: Mapping[str, str], decision: str, table: m.DecisionTable
                 ) -> TableImport:
    """Put ``table`` in the rule set as the decision ``decision``.

    The model of a decision that exists is rewritten whole (a file holding other decisions as
    well is refused: rewriting it would drop them); a new decision gets a file of its own.

    Raises:
        ConfigError: the decision shares its file with other decisions.
    """
    written = write_dmn(table_to_definitions(table, decision), version="1.3")
    found = _holder(files, decision)
    if found is None:
        name = f"{_slug(decision)}.dmn"
        while name in files:
            name = f"{name.removesuffix('.dmn')}-new.dmn"
        return TableImport({**files, name: written}, name, added=True)
    name, definitions = found
    others = sorted(d.name for d in definitions.decisions if d.name != decision)
    if others:
        raise ConfigError(f"{name} defines {decision!r} together with {', '.join(others)}; "
                          "a spreadsheet replaces a whole model, so keep the table in a file "
                          "of its own")
    return TableImport({**files, name: written}, name, added=False)
