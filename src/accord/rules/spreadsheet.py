"""Decision tables kept in spreadsheets: read from and written to CSV and XLSX.

Marketers keep offer rules in spreadsheets; this module turns such a sheet into a
:class:`~accord.dmn.model.DecisionTable` (DMN 1.5 clause 8), checking every cell as FEEL, and
writes a table back out. The layout follows what Camunda's and Drools' spreadsheet decision
tables do, kept to the few parts a DMN table needs.

Sheet layout::

    A1: hit policy: FIRST                                  (optional metadata row)
    input:Segment:string | input:monetary:number | output:Offer:string | annotation:Why
    "gold"               | >= 100                | "voucher"           | big spenders
                         | -                     | "newsletter"        | everybody else

* **Metadata row (optional).** When A1 reads ``hit policy: <policy>`` the header is row 2,
  and the rest of row 1 must be empty. The policy is a DMN name (``FIRST``, ``UNIQUE``,
  ``PRIORITY``, ``ANY``, ``RULE ORDER``, ``OUTPUT ORDER``, ``COLLECT``, ``COLLECT SUM`` ...)
  or its one-letter form (``F``, ``U``, ``P``, ``A``, ``R``, ``O``, ``C``, ``C+``, ``C#``,
  ``C<``, ``C>``). Without the row the policy is the ``hit_policy`` argument, else FIRST.
* **Header row.** One cell per column, ``<kind>:<text>[:<type>]``:

  - ``input:<FEEL expression>[:<type>]``: an input column; the expression is usually a name
    (``monetary``, ``Customer.segment``), the type a FEEL type (``number``, ``string``,
    ``date and time``) or an item definition name. The type is recognised after the last
    colon when it is made of words only, so ``{a: 1}.a`` keeps its colon.
  - ``output:<name>[:<type>]``: an output column (at least one).
  - ``annotation:<name>``: a free-text rule annotation column.

  Columns may come in any order; the table keeps inputs, outputs and annotations in the
  order they appear.
* **Rule rows.** Each following non-blank row is a rule, top to bottom. Input cells are FEEL
  unary tests (an empty cell means ``-``, any value); output cells are FEEL expressions;
  annotation cells are text. Fully blank rows are skipped. Cells may only read the names
  the input expressions read (and the ``names`` argument), so that ``gold`` typed for
  ``"gold"`` is reported instead of silently comparing with null. In CSV, quoting comes
  first: Excel saves the cell ``"gold"`` as the field ``\"\"\"gold\"\"\"``.

Validation reports *every* bad cell in one :class:`SpreadsheetError`, each naming the file,
the sheet, the cell in A1 notation and the column, e.g.
``rules.xlsx, sheet Offers, cell C7 (input monetary): unexpected end of expression at line 1,
column 4 (expected an expression)``.

XLSX cells are written as text, so a table written and read again is the same table; numbers,
booleans and dates that a person typed into Excel are read as the FEEL literals they show.

Example:
    >>> table = read_table_csv("input:monetary:number,output:Discount\\n>= 100,0.1\\n,0\\n",
    ...                        name="Discount")
    >>> from accord.dmn import Model
    >>> Model(table_to_definitions(table, "Discount")).evaluate(
    ...     "Discount", {"monetary": 250}).value
    Decimal('0.1')
    >>> read_table_csv("input:monetary,output:Discount\\n>=,0.1\\n", name="Discount")
    Traceback (most recent call last):
    ...
    accord.rules.spreadsheet.SpreadsheetError: CSV text, cell A2 (input monetary): unexpected end
    of expression at line 1, column 3 (expected an expression)
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from accord.dmn import model as m
from accord.errors import ConfigError, FeelSyntaxError
from accord.feel import ast
from accord.feel.parser import parse_expression, parse_unary_tests

__all__ = [
    "CellProblem",
    "SheetLimits",
    "SheetTooLarge",
    "SpreadsheetError",
    "read_table_csv",
    "read_table_xlsx",
    "table_to_definitions",
    "write_table_csv",
    "write_table_xlsx",
]

_KINDS = ("input", "output", "annotation")
_HIT_POLICY_CELL = re.compile(r"^\s*hit[\s_-]*policy\s*:\s*(.*?)\s*$", re.IGNORECASE)
# Words only: ``number``, ``date and time``, ``tCustomer``, ``my.Type``. Anything with
# brackets, quotes or operators after the last colon belongs to the expression.
_TYPE_NAME = re.compile(r"^[A-Za-z_][\w.]*(?: [A-Za-z_][\w.]*)*$")

#: Spellings of hit policies (DMN 1.5 clause 8.2.11, Table 59 for the one-letter forms).
_HIT_POLICIES: dict[str, tuple[m.HitPolicy, m.Aggregation | None]] = {
    "U": (m.HitPolicy.UNIQUE, None), "UNIQUE": (m.HitPolicy.UNIQUE, None),
    "F": (m.HitPolicy.FIRST, None), "FIRST": (m.HitPolicy.FIRST, None),
    "P": (m.HitPolicy.PRIORITY, None), "PRIORITY": (m.HitPolicy.PRIORITY, None),
    "A": (m.HitPolicy.ANY, None), "ANY": (m.HitPolicy.ANY, None),
    "R": (m.HitPolicy.RULE_ORDER, None), "RULE ORDER": (m.HitPolicy.RULE_ORDER, None),
    "O": (m.HitPolicy.OUTPUT_ORDER, None), "OUTPUT ORDER": (m.HitPolicy.OUTPUT_ORDER, None),
    "C": (m.HitPolicy.COLLECT, None), "COLLECT": (m.HitPolicy.COLLECT, None),
    "C+": (m.HitPolicy.COLLECT, m.Aggregation.SUM),
    "C#": (m.HitPolicy.COLLECT, m.Aggregation.COUNT),
    "C<": (m.HitPolicy.COLLECT, m.Aggregation.MIN),
    "C>": (m.HitPolicy.COLLECT, m.Aggregation.MAX),
    **{f"COLLECT {agg.value}": (m.HitPolicy.COLLECT, agg) for agg in m.Aggregation},
}


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One bad cell: where it is and what is wrong with it.

    Attributes:
        file: the file as given (``CSV text`` for CSV passed as a string).
        sheet: the XLSX sheet name; None for CSV.
        cell: the cell in A1 notation (``C7``).
        column: the column header as ``<kind> <text>`` (``input monetary``), when known.
        message: what is wrong, e.g. the FEEL syntax error.
    """

    file: str
    sheet: str | None
    cell: str
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.sheet is None else f"{self.file}, sheet {self.sheet}"
        column = f" ({self.column})" if self.column else ""
        return f"{where}, cell {self.cell}{column}: {self.message}"


class SpreadsheetError(ConfigError):
    """A spreadsheet that is not a valid decision table; lists every bad cell.

    Attributes:
        problems: the bad cells, in sheet order (row by row).
    """

    def __init__(self, problems: Sequence[CellProblem]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            message = str(self.problems[0])
        else:
            message = f"{len(self.problems)} bad cells:\n" + "\n".join(
                f"  {problem}" for problem in self.problems)
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class SheetLimits:
    """How much of a workbook is read at most: an uploaded ``.xlsx`` is a zip that a few
    hundred kilobytes can unpack to gigabytes, so sizes are checked before parsing and rows
    and cells are counted while streaming.

    Attributes:
        unpacked_bytes: the total size of the workbook's files once unpacked.
        rows: the rows of the sheet (blank ones too: they are read as well).
        cells: the cells of the sheet, counted row by row as they are read.
        members: the files inside the workbook's zip.
    """

    unpacked_bytes: int = 20 << 20
    rows: int = 10_000
    cells: int = 200_000
    members: int = 1_000


class SheetTooLarge(ConfigError):
    """A workbook over one of its :class:`SheetLimits`; the message names the limit."""


# --------------------------------------------------------------------------- reading


def read_table_csv(path_or_text: str | os.PathLike[str], *, name: str,
                   hit_policy: str | None = None, delimiter: str = ",",
                   names: Iterable[str] = ()) -> m.DecisionTable:
    """Read a decision table from CSV (layout in the module docstring).

    Args:
        path_or_text: a path (a :class:`os.PathLike`, or a ``str`` without a line break), or
            the CSV text itself (a ``str`` with at least one line break).
        name: the table's name, kept as its label (and in its id).
        hit_policy: the hit policy when the sheet has no ``hit policy:`` row (default FIRST);
            when both are given they must agree.
        delimiter: the field separator; Excel in many European locales writes ``;``.
        names: names cells may read besides those the input expressions read (other input
            data or decisions of the model the table goes into).

    Returns:
        The decision table.

    Raises:
        SpreadsheetError: naming every bad cell.
        ConfigError: when the file cannot be read.
    """
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        file, text = "CSV text", path_or_text
    else:
        file = os.fspath(path_or_text)
        try:
            # utf-8-sig: Excel puts a byte order mark in front of "CSV UTF-8" files
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read decision table {file}: {exc}") from exc
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return _build_table(rows, _Where(file, None), name=name, hit_policy=hit_policy,
                        names=names)


def read_table_xlsx(path: str | os.PathLike[str], *, name: str, sheet: str | None = None,
                    hit_policy: str | None = None, names: Iterable[str] = (),
                    limits: SheetLimits = SheetLimits()) -> m.DecisionTable:
    """Read a decision table from an XLSX workbook (layout in the module docstring).

    Formulas are read as the values Excel last computed for them. The workbook is checked
    against ``limits`` before it is parsed (its unpacked size, from the zip's directory),
    then streamed (openpyxl's read-only mode) with its rows and cells counted.

    Args:
        path: the ``.xlsx`` file.
        name: the table's name, kept as its label (and in its id).
        sheet: the sheet to read; the active (usually first) sheet when None.
        hit_policy: the hit policy when the sheet has no ``hit policy:`` row (default FIRST);
            when both are given they must agree.
        names: names cells may read besides those the input expressions read.
        limits: the most the workbook may hold.

    Returns:
        The decision table.

    Raises:
        SpreadsheetError: naming every bad cell.
        SheetTooLarge: naming the limit the workbook is over.
        ConfigError: when the file cannot be read or has no such sheet.
    """
    import openpyxl  # imported here: CSV users and ``import accord`` do not pay for it

    file = os.fspath(path)
    _check_unpacked(file, limits)
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError ... on bad files
        raise ConfigError(f"cannot read workbook {file}: {exc}") from exc
    try:
        if sheet is None:
            worksheet = workbook.active
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ConfigError(f"workbook {file} has no sheet {sheet!r} "
                              f"(sheets: {', '.join(workbook.sheetnames)})")
        title = str(worksheet.title)
        if hasattr(worksheet, "reset_dimensions"):
            # the sheet's declared size is not trusted: rows are read as they are stored,
            # not padded to a width or height the file claims
            worksheet.reset_dimensions()
        rows = _bounded(([_cell_text(value) for value in row]
                         for row in worksheet.iter_rows(values_only=True)),
                        limits, f"{Path(file).name}, sheet {title}")
    finally:
        workbook.close()  # read-only workbooks keep the file open until closed
    return _build_table(rows, _Where(file, title), name=name, hit_policy=hit_policy,
                        names=names)


def _check_unpacked(file: str, limits: SheetLimits) -> None:
    """Refuse a workbook whose zip unpacks to more than the limits, before parsing it (the
    sizes come from the zip's directory; :mod:`zipfile` reads no more than they declare)."""
    import zipfile

    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"cannot read workbook {Path(file).name}: {exc}") from None
    if len(members) > limits.members:
        raise SheetTooLarge(f"workbook {Path(file).name} holds {len(members):,} files, over "
                            f"the limit of {limits.members:,}")
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.unpacked_bytes:
        raise SheetTooLarge(f"workbook {Path(file).name} unpacks to {_mib(unpacked)}, over "
                            f"the limit of {_mib(limits.unpacked_bytes)} unpacked")


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB"


def _bounded(rows: Iterable[list[str]], limits: SheetLimits, where: str) -> list[list[str]]:
    """The rows, read until they are over the row or cell limit (then refused: the rest of
    the sheet is never read)."""
    kept: list[list[str]] = []
    cells = 0
    for row in rows:
        if len(kept) >= limits.rows:
            raise SheetTooLarge(f"{where} has more than {limits.rows:,} rows, the limit")
        cells += len(row)
        if cells > limits.cells:
            raise SheetTooLarge(f"{where} has more than {limits.cells:,} cells, the limit")
        kept.append(row)
    return kept


def _cell_text(value: Any) -> str:
    """The FEEL text a typed Excel value shows (Excel turns ``100`` and ``TRUE`` into numbers
    and booleans as they are typed)."""
    match value:
        case None:
            return ""
        case str():
            return value
        case bool():
            return "true" if value else "false"
        case int() | Decimal():
            return str(value)
        case float():
            return str(int(value)) if value.is_integer() else repr(value)
        # datetime before date: a datetime is a date too
        case datetime.datetime():
            return f'date and time("{value.isoformat()}")'
        case datetime.date():
            return f'date("{value.isoformat()}")'
        case datetime.time():
            return f'time("{value.isoformat()}")'
        case _:
            return str(value)


@dataclass(frozen=True, slots=True)
class _Where:
    file: str
    sheet: str | None


@dataclass(frozen=True, slots=True)
class _Column:
    index: int
    kind: str
    text: str
    type_ref: str | None

    @property
    def title(self) -> str:
        return f"{self.kind} {self.text}"


class _Problems:
    """Collects problems so that one error lists them all."""

    def __init__(self, where: _Where) -> None:
        self.where = where
        self.items: list[CellProblem] = []

    def add(self, row: int, index: int, message: str, column: _Column | None = None) -> None:
        self.items.append(CellProblem(self.where.file, self.where.sheet,
                                      cell_name(row, index),
                                      column.title if column else None, message))

    def raise_any(self) -> None:
        if self.items:
            raise SpreadsheetError(self.items)


def cell_name(row: int, index: int) -> str:
    """A cell in A1 notation from a 1-based row and a 0-based column index.

    >>> cell_name(7, 2), cell_name(1, 26), cell_name(3, 701)
    ('C7', 'AA1', 'ZZ3')
    """
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def _build_table(rows: Sequence[Sequence[str]], where: _Where, *, name: str,
                 hit_policy: str | None, names: Iterable[str]) -> m.DecisionTable:
    """The table the rows of a sheet describe; pure, so CSV and XLSX share it."""
    problems = _Problems(where)
    header_row = 1
    policy = None
    if hit_policy is not None and (policy := _parse_policy(hit_policy)) is None:
        raise ConfigError(f"unknown hit policy {hit_policy!r} (expected one of "
                          f"{', '.join(sorted(_HIT_POLICIES))})")
    first = rows[0] if rows else []
    if first and (found := _HIT_POLICY_CELL.match(first[0])):
        header_row = 2
        for index, text in enumerate(first[1:], start=1):
            if text.strip():
                problems.add(1, index, "the hit policy row must be empty after A1")
        sheet_policy = _parse_policy(found.group(1))
        if sheet_policy is None:
            problems.add(1, 0, f"unknown hit policy {found.group(1)!r} (expected one of "
                               f"{', '.join(sorted(_HIT_POLICIES))})")
        elif policy is not None and policy != sheet_policy:
            problems.add(1, 0, f"hit policy {found.group(1)!r} differs from the "
                               f"hit_policy={hit_policy!r} argument")
        policy = sheet_policy
    hit, aggregation = policy or (m.HitPolicy.FIRST, None)

    header = list(rows[header_row - 1]) if len(rows) >= header_row else []
    while header and not header[-1].strip():
        header.pop()  # spreadsheets often carry empty, formatted cells after the last column
    if not header:
        problems.add(header_row, 0, "no column headers (expected input:, output: and "
                                    "annotation: columns)")
    columns = _parse_header(header, header_row, problems)
    # a misspelt header may be the output meant, so say "no output" only when all parse
    if header and not problems.items and not any(c.kind == "output" for c in columns):
        problems.add(header_row, 0, "no output column (expected at least one output:<name>)")
    problems.raise_any()  # rule cells mean nothing without a valid header

    inputs = [c for c in columns if c.kind == "input"]
    outputs = [c for c in columns if c.kind == "output"]
    annotations = [c for c in columns if c.kind == "annotation"]
    known = [*_free_names(parse_expression(c.text) for c in inputs), *names]
    rules: list[m.Rule] = []
    for row_number, row in enumerate(rows[header_row:], start=header_row + 1):
        if not any(cell.strip() for cell in row):
            continue
        for index in range(len(header), len(row)):
            if row[index].strip():
                problems.add(row_number, index, "cell outside the table (no column header "
                                                "above it)")
        cells = [row[c.index].strip() if c.index < len(row) else "" for c in columns]
        by_index = dict(zip((c.index for c in columns), cells, strict=True))
        for column in inputs:
            _check(parse_unary_tests, by_index[column.index] or "-", known, row_number,
                   column, problems)
        for column in outputs:
            _check(parse_expression, by_index[column.index], known, row_number, column,
                   problems)
        rules.append(m.Rule(
            id=f"rule_{len(rules) + 1}",
            input_entries=tuple(m.UnaryTests(text=by_index[c.index] or "-") for c in inputs),
            output_entries=tuple(m.LiteralExpression(text=by_index[c.index]) for c in outputs),
            annotation_entries=tuple(by_index[c.index] for c in annotations)))
    problems.raise_any()

    return m.DecisionTable(
        id=f"table_{_slug(name)}", label=name, hit_policy=hit, aggregation=aggregation,
        inputs=tuple(m.InputClause(id=f"input_{n + 1}", input_expression=m.LiteralExpression(
            text=c.text, type_ref=c.type_ref)) for n, c in enumerate(inputs)),
        outputs=tuple(m.OutputClause(id=f"output_{n + 1}", name=c.text, type_ref=c.type_ref)
                      for n, c in enumerate(outputs)),
        annotations=tuple(m.RuleAnnotationClause(name=c.text) for c in annotations),
        rules=tuple(rules))


def _parse_policy(text: str) -> tuple[m.HitPolicy, m.Aggregation | None] | None:
    key = " ".join(text.replace("_", " ").split()).upper()
    return _HIT_POLICIES.get(key)


def _parse_header(header: Sequence[str], row: int, problems: _Problems) -> list[_Column]:
    columns: list[_Column] = []
    seen: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(header):
        cell = raw.strip()
        if not cell:
            problems.add(row, index, "empty column header")
            continue
        kind, colon, rest = cell.partition(":")
        kind = kind.strip().lower()
        if not colon or kind not in _KINDS:
            problems.add(row, index, f"unknown column header {cell!r} (expected "
                                     "input:<expression>, output:<name> or "
                                     "annotation:<name>)")
            continue
        text, type_ref = rest.strip(), None
        head, colon, tail = text.rpartition(":")
        if colon and head.strip() and _TYPE_NAME.match(tail.strip()) and kind != "annotation":
            text, type_ref = head.strip(), tail.strip()
        if not text:
            problems.add(row, index, f"empty {kind} name in header {cell!r}")
            continue
        column = _Column(index, kind, text, type_ref)
        # keyed by kind: an output may share its input's name (``output:Segment`` after
        # ``input:Segment``), but two outputs may not, as they become one context's keys
        if (kind, text) in seen:
            problems.add(row, index, f"duplicate column header {cell!r} (also in "
                                     f"{cell_name(row, seen[kind, text])})", column)
            continue
        seen[kind, text] = index
        if kind == "input":
            try:
                parse_expression(text)
            except FeelSyntaxError as exc:
                problems.add(row, index, f"input expression: {exc}", column)
                continue
        columns.append(column)
    return columns


def _check(parse: Any, text: str, names: Sequence[str], row: int, column: _Column,
           problems: _Problems) -> None:
    try:
        node = parse(text, names)
    except FeelSyntaxError as exc:
        problems.add(row, column.index, str(exc), column)
        return
    unknown = [name for name in _free_names([node]) if name not in names]
    if unknown:
        hint = f' (text needs quotes: "{unknown[0]}")' if len(unknown) == 1 else ""
        problems.add(row, column.index, "unknown name " + ", ".join(map(repr, unknown))
                     + hint, column)


# --------------------------------------------------------------------------- model


def table_to_definitions(table: m.DecisionTable, decision_name: str, *,
                         namespace: str | None = None) -> m.Definitions:
    """A DMN model holding the table as one decision, with an input data per name it reads.

    The input data are the free names of the input expressions, input entries and output
    entries (``Customer`` for ``Customer.segment``), first mention first; an input data takes
    the type of the input column that is exactly its name.

    Args:
        table: the decision table (from :func:`read_table_csv` or :func:`read_table_xlsx`).
        decision_name: the decision's name, the one ``Model.evaluate`` is called with.
        namespace: the model namespace; a ``https://accord.dev/rules/...`` one by default.

    Returns:
        The model, ready for :class:`accord.dmn.Model` or :func:`accord.dmn.write_dmn`.
    """
    types = {clause.input_expression.text.strip(): clause.input_expression.type_ref
             for clause in table.inputs}
    texts: list[ast.Node] = [parse_expression(c.input_expression.text) for c in table.inputs]
    names = _free_names(texts)
    for rule in table.rules:
        texts.extend(parse_unary_tests(entry.text, names) for entry in rule.input_entries)
        texts.extend(parse_expression(entry.text, names) for entry in rule.output_entries)
    input_data = tuple(
        m.InputData(id=f"input_data_{n + 1}", name=name,
                    variable=m.InformationItem(name=name, type_ref=types.get(name)))
        for n, name in enumerate(_free_names(texts)))
    decision = m.Decision(
        id=f"decision_{_slug(decision_name)}", name=decision_name,
        variable=m.InformationItem(name=decision_name, type_ref=table.outputs[0].type_ref
                                   if len(table.outputs) == 1 else None),
        information_requirements=tuple(
            m.InformationRequirement(required_input=f"#{data.id}") for data in input_data),
        expression=table)
    return m.Definitions(
        id=f"definitions_{_slug(decision_name)}", name=decision_name,
        namespace=namespace or f"https://accord.dev/rules/{_slug(decision_name)}",
        input_data=input_data, decisions=(decision,))


def _free_names(nodes: Iterable[ast.Node]) -> list[str]:
    """Names the expressions read from outside, in order of first mention."""
    found: dict[str, None] = {}
    for node in nodes:
        for name in _names(node, frozenset()):
            found.setdefault(name, None)
    return list(found)


def _names(node: Any, bound: frozenset[str]) -> Iterator[str]:
    match node:
        case ast.Name(name=name):
            if name != "?" and name not in bound:
                yield name
        case ast.Call(args=args, named=named):
            # the function is a built-in or a BKM, never an input
            for arg in (*args, *(value for _, value in named or ())):
                yield from _names(arg, bound)
        case ast.For(iterations=iterations, body=body) | ast.Quantified(
                iterations=iterations, condition=body):
            for iteration in iterations:
                yield from _names(iteration.domain, bound)
                yield from _names(iteration.end, bound)
                bound |= {iteration.name}
            yield from _names(body, bound)
        case ast.FunctionDef(params=params, body=body):
            yield from _names(body, bound | {param for param, _ in params})
        case ast.ContextNode(entries=entries):
            for key, value in entries:
                yield from _names(value, bound)
                bound |= {key}
        case ast.Filter(base=base, condition=condition):
            yield from _names(base, bound)
            yield from _names(condition, bound | {"item"})
        case ast.Node():
            for field in dataclasses.fields(node):
                yield from _names(getattr(node, field.name), bound)
        case tuple():
            for item in node:
                yield from _names(item, bound)
        case _:
            return


# --------------------------------------------------------------------------- writing


def write_table_csv(table: m.DecisionTable, *, delimiter: str = ",") -> str:
    """The table as CSV text in the layout of the module docstring.

    Args:
        table: the decision table.
        delimiter: the field separator.

    Returns:
        CSV text (``\\r\\n`` line ends, as RFC 4180 and Excel have them).

    Raises:
        ConfigError: when the table uses what the layout cannot carry (input or output
            values, default outputs, a non-FEEL expression language).
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerows(_table_rows(table))
    return out.getvalue()


def write_table_xlsx(table: m.DecisionTable, path: str | os.PathLike[str], *,
                     sheet: str = "Rules") -> None:
    """Write the table to a new XLSX workbook in the layout of the module docstring.

    Every cell is written as text, so that ``= 5`` stays a unary test rather than becoming
    a formula and ``0.10`` keeps its spelling.

    Args:
        table: the decision table.
        path: the ``.xlsx`` file to create (replaced if it exists).
        sheet: the sheet's name.

    Raises:
        ConfigError: when the table uses what the layout cannot carry.
    """
    import openpyxl  # imported here: CSV users and ``import accord`` do not pay for it
    from openpyxl.styles import Font

    rows = _table_rows(table)
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row_number, row in enumerate(rows, start=1):
        for index, text in enumerate(row, start=1):
            cell = worksheet.cell(row=row_number, column=index, value=text)
            cell.data_type = "s"  # openpyxl makes text starting with "=" a formula
            if row_number == 2:
                cell.font = Font(bold=True)
    worksheet.freeze_panes = "A3"  # keep the hit policy and the header in view
    workbook.save(os.fspath(path))


def _table_rows(table: m.DecisionTable) -> list[list[str]]:
    _check_writable(table)
    policy = table.hit_policy.value
    if table.aggregation is not None:
        policy += f" {table.aggregation.value}"
    header = [_header("input", c.input_expression.text, c.input_expression.type_ref)
              for c in table.inputs]
    header += [_header("output", c.name or table.output_label or "result", c.type_ref)
               for c in table.outputs]
    header += [f"annotation:{c.name}" for c in table.annotations]
    width = len(header)
    rows = [[f"hit policy: {policy}", *([""] * (width - 1))], header]
    for rule in table.rules:
        # rules read from DMN XML may leave annotation cells out altogether
        notes = rule.annotation_entries or ("",) * len(table.annotations)
        rows.append([*(e.text for e in rule.input_entries),
                     *(e.text for e in rule.output_entries), *notes])
    return rows


def _header(kind: str, text: str, type_ref: str | None) -> str:
    return f"{kind}:{text}:{type_ref}" if type_ref else f"{kind}:{text}"


def _check_writable(table: m.DecisionTable) -> None:
    # losing allowed values or defaults silently would change what the table decides
    lost = [f"input values of input {c.input_expression.text!r}"
            for c in table.inputs if c.input_values is not None]
    lost += [f"output values of output {c.name!r}"
             for c in table.outputs if c.output_values is not None]
    lost += [f"default output of output {c.name!r}"
             for c in table.outputs if c.default_output_entry is not None]
    lost += [f"expression language of input {c.input_expression.text!r}"
             for c in table.inputs if not m.is_feel(c.input_expression.expression_language)]
    if not table.outputs:
        lost.append("a table without outputs")
    for rule in table.rules:
        if len(rule.input_entries) != len(table.inputs) or \
                len(rule.output_entries) != len(table.outputs) or \
                len(rule.annotation_entries) not in (0, len(table.annotations)):
            lost.append(f"rule {rule.id or ''} whose cells do not match the columns")
        lost += [f"expression language in rule {rule.id or ''}"
                 for entry in rule.input_entries if not m.is_feel(entry.expression_language)]
        lost += [f"expression language in rule {rule.id or ''}"
                 for out in rule.output_entries if not m.is_feel(out.expression_language)]
    if lost:
        raise ConfigError("the spreadsheet layout cannot hold " + "; ".join(lost))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)
