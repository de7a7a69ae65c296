"""Parquet files: DuckDB's reader, columns kept in their Parquet types.

A Parquet file has no lines; a row's ``_line`` is its 1-based row number in the file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
from sqlglot import exp

from accord.connectors.base import LINE, IngestError, RowError
from accord.connectors.files import FileConnector

_VIEW = "__accord_parquet"
_ROW = "file_row_number"


class ParquetConnector(FileConnector):
    """A Parquet source (``type: parquet``)."""

    def read_file(self, path: Path, shown: str) -> tuple[pa.Table, tuple[RowError, ...]]:
        connection = duckdb.connect()
        try:
            relation = connection.read_parquet(str(path), file_row_number=True)
            self.missing(shown, [name for name in relation.columns if name != _ROW])
            relation.create_view(_VIEW)
            line = exp.Cast(this=exp.column(_ROW) + exp.Literal.number(1),
                            to=exp.DataType.build("BIGINT"))
            query = exp.select(*(exp.column(name, quoted=True) for name in self.wanted),
                               exp.alias_(line, LINE, quoted=True)) \
                .from_(exp.table_(_VIEW, quoted=True))
            return connection.sql(query.sql("duckdb")).to_arrow_table(), ()
        except duckdb.Error as exc:
            raise IngestError(f"{shown}: cannot read as Parquet: {exc}", source=self.name,
                              file=shown) from None
        finally:
            connection.close()
