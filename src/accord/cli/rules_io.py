"""``accord rules export`` and ``accord rules import-table``: rule versions as folders IT
reviews in git, and decision tables from the spreadsheets marketers keep them in.

(``accord rules import DIR`` saves a folder as a draft; it is ``draft`` under the name that
pairs with ``export``.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import ProjectOption, fail, guard, out_console
from accord.cli.people import TokenOption, UserOption, governance, login
from accord.decisioning.catalogue_file import CATALOGUE_FILE, SCENARIOS_FILE

#: What an export writes (and replaces, with --force): the files of a rule set folder.
_PATTERNS = (CATALOGUE_FILE, SCENARIOS_FILE, "*.dmn")


def export_command(
    version: Annotated[str, typer.Argument(help="The version, e.g. v3.")],
    folder: Annotated[Path, typer.Argument(help="The folder to write (created; must be empty "
                                           "unless --force).")],
    force: Annotated[bool, typer.Option(help="Replace the rule set files already in the "
                                        "folder (other files are left alone).")] = False,
    project: ProjectOption = Path("."),
) -> None:
    """Write a version as a rule set folder: its DMN files, catalogue.yaml and
    scenarios.yaml exactly as stored ('accord rules import' reads it back)."""
    with guard():
        catalogue, files = governance(project).rules.files(version)
    existing = sorted({p for pattern in _PATTERNS for p in folder.glob(pattern)})
    if existing and not force:
        fail(f"{folder} holds rule set files already ({', '.join(p.name for p in existing)}); "
             "use --force to replace them")
    folder.mkdir(parents=True, exist_ok=True)
    for path in existing:  # a table removed since must not linger in the folder
        path.unlink()
    for name, text in {CATALOGUE_FILE: catalogue, **files}.items():
        (folder / name).write_text(text, encoding="utf-8")
    out_console.print(f"{version} written to {folder} ({len(files) + 1} files)")


def import_table_command(
    sheet_file: Annotated[Path, typer.Argument(metavar="FILE", help="The table as .csv or "
                                               ".xlsx (layout: see accord.rules.spreadsheet).")],
    table: Annotated[str, typer.Option(help="The decision's name, e.g. 'VIP eligible' "
                                       "(replaced when it exists, added when not).")],
    sheet: Annotated[str | None, typer.Option(help="The XLSX sheet (the first when not "
                                              "given).")] = None,
    delimiter: Annotated[str, typer.Option(help="The CSV field separator.")] = ",",
    user: UserOption = None,
    token: TokenOption = None,
    note: Annotated[str, typer.Option(help="Why (kept in the audit log).")] = "",
    project: ProjectOption = Path("."),
) -> None:
    """Replace (or add) one decision table from a spreadsheet, as a new draft based on the
    newest version; every bad cell is named (file, sheet, cell)."""
    from accord.rules.diff import diff_rule_sets
    from accord.rules.spreadsheet import read_table_csv, read_table_xlsx
    from accord.rules.tables import import_table

    suffix = sheet_file.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        fail(f"{sheet_file}: a decision table is read from a .csv or .xlsx file")
    with guard():
        rules = governance(project)
        actor = login(rules, user, token)
        newest = rules.latest()
        if newest is None:
            fail("there is no version to change yet: draft a whole rule set folder first")
        decision_table = (read_table_xlsx(sheet_file, name=table, sheet=sheet)
                          if suffix == ".xlsx" else
                          read_table_csv(sheet_file, name=table, delimiter=delimiter))
        catalogue, files = rules.rules.files(newest)
        imported = import_table(files, table, decision_table)
        saved = rules.draft(actor, catalogue, imported.files, based_on=newest,
                            note=note or f"{table} from {sheet_file.name}")
        changes = diff_rule_sets((catalogue, files), (catalogue, imported.files)).describe()
    done = "added as" if imported.added else "replaced in"
    out_console.print(f"{saved.version} saved as a draft based on {newest}: {table!r} "
                      f"{done} {imported.file}")
    for line in changes or ["no differences"]:
        out_console.print(f"  {line}", soft_wrap=True)
