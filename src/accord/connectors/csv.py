"""CSV files: DuckDB's reader (delimiter, encoding, gzip), every column read as text.

Reading every column as ``VARCHAR`` keeps the reader's job to the structure of the file (a row
with too few or too many fields, a broken quote, bytes that are not in the encoding); those
rows come back from DuckDB's ``store_rejects`` table. Types are checked afterwards, the same
way for every source (:mod:`accord.connectors.casting`).

DuckDB gives no line numbers for the rows it reads, and numbers its rejects by *record*
(blank lines counted, a quoted field spanning lines not). :func:`record_lines` finds where
each record starts with a vectorised scan of the bytes (a newline ends a record when an even
number of quote characters precede it, which holds for RFC 4180 quoting), so every row's
``_line`` and every reject's line is the physical line a person sees in an editor.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from sqlglot import exp

from accord.connectors.base import LINE, IngestError, RowError
from accord.connectors.files import FileConnector, is_gzip, read_bytes

#: Python codec name -> DuckDB's name for the encodings DuckDB reads natively.
_ENCODINGS = {"utf-8": "utf-8", "iso8859-1": "latin-1", "utf-16": "utf-16"}
#: Encodings whose newline and quote are the single ASCII bytes the line scan looks for.
_ASCII_COMPATIBLE = {"utf-8", "latin-1"}
_REJECTS = "__accord_csv_rejects"


def duckdb_encoding(name: str) -> str:
    """DuckDB's name for an encoding (``latin1``, ``ISO-8859-1`` -> ``latin-1``).

    Raises:
        IngestError: DuckDB cannot read the encoding.
    """
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        canonical = name
    if canonical not in _ENCODINGS:
        raise IngestError(f"unsupported CSV encoding {name!r}; supported: utf-8, latin-1, "
                          "utf-16")
    return _ENCODINGS[canonical]


def record_lines(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Where each CSV record starts and whether it is blank.

    Args:
        data: the file's (decompressed) bytes in an ASCII-compatible encoding.

    Returns:
        The 1-based physical line each record starts on, and a mask of blank records (no
        bytes, or a lone carriage return), both with one entry per record.

    >>> lines, blank = record_lines(b'id,text\\n1,"two\\nlines"\\n\\n2,x\\n')
    >>> lines.tolist(), blank.tolist()
    ([1, 2, 4, 5], [False, False, True, False])
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == ord("\n"))
    quotes = np.flatnonzero(buf == ord('"'))
    inside = np.searchsorted(quotes, newlines) % 2 == 1
    ends = newlines[~inside]
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(buf)]))
    if starts[-1] == len(buf):  # the file ends with a newline: no record after it
        starts, stops = starts[:-1], stops[:-1]
    lengths = stops - starts
    first = buf[np.minimum(starts, max(len(buf) - 1, 0))] if len(buf) else starts
    blank = (lengths == 0) | ((lengths == 1) & (first == ord("\r")))
    lines = np.searchsorted(newlines, starts) + 1
    return lines, blank


def read_csv_call(path: Path, names: list[str], *, delimiter: str, header: bool,
                  encoding: str, gzipped: bool) -> exp.Func:
    """DuckDB's ``read_csv`` of ``path`` with every column as text and rejects kept.

    Nothing is sniffed: the dialect is the configured one with RFC 4180 quoting, and the
    columns are the header's, so a file is read the same way whatever its first rows hold.
    """
    def named(name: str, value: exp.Expr) -> exp.PropertyEQ:
        return exp.PropertyEQ(this=exp.var(name), expression=value)

    columns = exp.Struct(expressions=[
        exp.PropertyEQ(this=exp.Literal.string(name), expression=exp.Literal.string("VARCHAR"))
        for name in names])
    return exp.func(
        "read_csv", exp.Literal.string(str(path)),
        named("delim", exp.Literal.string(delimiter)), named("quote", exp.Literal.string('"')),
        named("escape", exp.Literal.string('"')), named("header", exp.Boolean(this=header)),
        named("columns", columns), named("encoding", exp.Literal.string(encoding)),
        named("compression", exp.Literal.string("gzip" if gzipped else "none")),
        named("auto_detect", exp.false()), named("store_rejects", exp.true()),
        named("rejects_table", exp.Literal.string(_REJECTS)),
        named("rejects_scan", exp.Literal.string(_REJECTS + "_scan")))


def _header(data: bytes, encoding: str, delimiter: str, header: bool) -> list[str]:
    """The column names: the first record's fields, or ``column0``... without a header."""
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    text = data[:1 << 16].decode(codec, errors="ignore")
    first = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    if not header:
        return [f"column{index}" for index in range(len(first))]
    return [name.strip() for name in first]


class CsvConnector(FileConnector):
    """A CSV source (``type: csv``): delimiter, encoding and compression from ``csv:``."""

    def read_file(self, path: Path, shown: str) -> tuple[pa.Table, tuple[RowError, ...]]:
        options = self.source.csv
        try:
            encoding = duckdb_encoding(options.encoding)
        except IngestError as exc:
            raise IngestError(str(exc), source=self.name, file=shown) from None
        data = read_bytes(path, options.compression)
        if not data.strip():
            return _empty(self.wanted), ()
        names = _header(data, encoding, options.delimiter, options.header)
        if len(set(names)) != len(names):
            duplicated = sorted({name for name in names if names.count(name) > 1})
            raise IngestError(f"{shown}: duplicate column name(s) {', '.join(duplicated)}",
                              source=self.name, file=shown, column=duplicated[0])
        self.missing(shown, names)
        connection = duckdb.connect()
        try:
            reader = read_csv_call(path, names, delimiter=options.delimiter,
                                   header=options.header, encoding=encoding,
                                   gzipped=is_gzip(path, options.compression))
            query = exp.select(*(exp.column(name, quoted=True) for name in self.wanted)) \
                .from_(reader)
            table = connection.sql(query.sql("duckdb")).to_arrow_table()
            rejected = connection.sql(
                exp.select("line", "column_name", "error_type", "csv_line", "error_message")
                .from_(_REJECTS).order_by("line").sql("duckdb")).fetchall()
        except duckdb.Error as exc:
            raise IngestError(f"{shown}: cannot read as CSV: {exc}", source=self.name,
                              file=shown) from None
        finally:
            connection.close()
        lines, rejects = _place(data, encoding, options.header, table.num_rows, rejected, shown)
        return table.append_column(LINE, pa.array(lines, pa.int64())), rejects


def _place(data: bytes, encoding: str, header: bool, rows: int,
           rejected: list[tuple[int, str, str, str, str]], shown: str,
           ) -> tuple[np.ndarray, tuple[RowError, ...]]:
    """The physical line of each row read and the row errors for DuckDB's rejects."""
    offset = 1 if header else 0
    by_record: dict[int, list[tuple[str, str, str, str]]] = {}
    for record, column, kind, raw, message in rejected:
        by_record.setdefault(int(record) - 1, []).append((column, kind, raw, message))
    ordinal = np.arange(rows, dtype=np.int64) + 1 + offset
    if encoding not in _ASCII_COMPATIBLE:
        record_line = {record: record + 1 for record in by_record}
        return ordinal, _rejects(by_record, record_line, shown)
    starts, blank = record_lines(data)
    records = np.arange(offset, len(starts))
    kept = records[~blank[offset:]]
    if by_record:
        kept = kept[~np.isin(kept, list(by_record))]
    record_line = {record: int(starts[record]) if record < len(starts) else record + 1
                   for record in by_record}
    # Should the scan disagree with the reader (quoting other than RFC 4180), fall back to
    # counting rows rather than naming wrong lines with confidence.
    lines = starts[kept] if len(kept) == rows else ordinal
    return lines, _rejects(by_record, record_line, shown)


def _rejects(by_record: dict[int, list[tuple[str, str, str, str]]],
             record_line: dict[int, int], shown: str) -> tuple[RowError, ...]:
    errors = []
    for record, problems in sorted(by_record.items()):
        column, kind, raw, message = problems[0]
        detail = f"{kind.lower()}: {message}"
        errors.append(RowError(file=shown, line=record_line[record], column=column or None,
                               error=detail, raw=raw.strip("\r\n")))
    return tuple(errors)


def _empty(columns: list[str]) -> pa.Table:
    arrays = [pa.array([], pa.string()) for _ in columns] + [pa.array([], pa.int64())]
    return pa.Table.from_arrays(arrays, names=[*columns, LINE])
