"""NDJSON files (one JSON object per line, optionally gzipped).

Lines are split with Arrow and the fields extracted with DuckDB's JSON functions, so a
line that is not a JSON object is a row error with its exact line number (DuckDB's own
``read_json`` can only skip such lines silently). A mapped column may name a nested field
with dots (``context.page.url``). NDJSON has no header to check a mapping against and its
keys are often optional, so a line that lacks a key simply has no value; only the key mapped
to ``source_id`` must be in some line of a non-empty file (else the batch is refused as
having a missing column: the mapping is surely wrong).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from accord.connectors.base import LINE, IngestError, RowError
from accord.connectors.files import FileConnector, read_bytes
from accord.project.config import ENTITY_FIELDS

_INPUT = "__accord_ndjson"
_TEXT = "__text"
_OK = "__ok"
_HAS_ID = "__has_id"


def json_path(column: str) -> str:
    """The JSON path of a (dotted) column name.

    >>> json_path("context.page url")
    '$."context"."page url"'
    """
    parts = (part.replace('"', '\\"') for part in column.split("."))
    return "$" + "".join(f'."{part}"' for part in parts)


class NdjsonConnector(FileConnector):
    """An NDJSON source (``type: ndjson``); gzipped files are recognised by their content."""

    def read_file(self, path: Path, shown: str) -> tuple[pa.Table, tuple[RowError, ...]]:
        data = read_bytes(path, self.source.csv.compression)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise IngestError(f"{shown}, line {line}: not UTF-8 text", source=self.name,
                              file=shown, line=line) from None
        lines = pc.list_flatten(pc.split_pattern(pa.array([text]), "\n"))
        numbered = pa.table({LINE: pa.array(range(1, len(lines) + 1), pa.int64()),
                             _TEXT: pc.utf8_rtrim(lines, "\r")})
        numbered = numbered.filter(pc.not_equal(pc.utf8_trim_whitespace(numbered[_TEXT]), ""))
        connection = duckdb.connect()
        try:
            connection.register(_INPUT, numbered)
            checked = connection.sql(_check_query().sql("duckdb")).to_arrow_table()
            good = checked.filter(checked[_OK]).select([LINE, _TEXT])
            bad = checked.filter(pc.invert(checked[_OK])).to_pylist()
            connection.register(_INPUT, good)
            table = connection.sql(self._extract_query().sql("duckdb")).to_arrow_table()
        except duckdb.Error as exc:
            raise IngestError(f"{shown}: cannot read as NDJSON: {exc}", source=self.name,
                              file=shown) from None
        finally:
            connection.close()
        id_column = self.source.columns["source_id"]
        if table.num_rows and not pc.any(table[_HAS_ID]).as_py():
            raise IngestError(f"{shown}: column {id_column!r} (mapped to source_id) is in no "
                              "line", source=self.name, file=shown, column=id_column)
        rejects = tuple(RowError(file=shown, line=row[LINE], column=None,
                                 error="not a JSON object", raw=row[_TEXT][:2000])
                        for row in bad)
        return table.select([*self.wanted, LINE]), rejects

    def _extract_query(self) -> exp.Select:
        """Each wanted column, and whether the id's key is there.

        Every line is parsed twice rather than once per column: ``json_extract_string``
        with a list of paths gives every text value in one pass, ``json_extract`` every
        nested value (kept as JSON text) and the id's raw JSON (NULL only when the key is
        absent) in another.
        """
        fields = ENTITY_FIELDS[self.source.entity]
        json_columns = [column for column in self.wanted
                        if any(fields[field] == "JSON" for field, mapped
                               in self.source.columns.items() if mapped == column)]
        id_column = self.source.columns["source_id"]
        raw_columns = [*json_columns, id_column]
        text = exp.column(_TEXT, quoted=True)

        def paths(columns: list[str]) -> exp.Array:
            return exp.Array(expressions=[exp.Literal.string(json_path(column))
                                          for column in columns])

        inner = exp.select(
            exp.column(LINE, quoted=True),
            exp.alias_(exp.func("json_extract_string", text, paths(self.wanted)), "__s",
                       quoted=True),
            exp.alias_(exp.func("json_extract", text, paths(raw_columns)), "__j", quoted=True),
        ).from_(exp.table_(_INPUT, quoted=True))

        def item(array: str, position: int) -> exp.Bracket:
            return exp.Bracket(this=exp.column(array, quoted=True),
                               expressions=[exp.Literal.number(position + 1)], offset=1)

        selects: list[exp.Expr] = [exp.column(LINE, quoted=True)]
        for index, column in enumerate(self.wanted):
            value: exp.Expr = item("__s", index)
            if column in json_columns:  # nested values stay JSON text; JSON null is none
                raw = exp.Cast(this=item("__j", json_columns.index(column)),
                               to=exp.DataType.build("VARCHAR"))
                value = exp.func("NULLIF", raw, exp.Literal.string("null"))
            selects.append(exp.alias_(value, column, quoted=True))
        present = exp.Not(this=exp.Is(this=item("__j", len(json_columns)),
                                      expression=exp.Null()))
        selects.append(exp.alias_(present, _HAS_ID, quoted=True))
        return exp.select(*selects).from_(inner.subquery("lines"))


def _check_query() -> exp.Select:
    """Each line with whether it is a JSON object (``CASE`` so that invalid JSON is never
    passed to ``json_type``)."""
    text = exp.column(_TEXT, quoted=True)
    is_object = exp.EQ(this=exp.func("json_type", text), expression=exp.Literal.string("OBJECT"))
    ok = exp.Case().when(exp.func("json_valid", text), is_object).else_(exp.false())
    return exp.select(exp.column(LINE, quoted=True), text, exp.alias_(ok, _OK, quoted=True)) \
        .from_(exp.table_(_INPUT, quoted=True))
