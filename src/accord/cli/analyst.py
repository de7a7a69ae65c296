"""Analyst commands: ``accord sql``, ``accord profile`` and ``accord segments``.

``accord sql QUERY`` runs one read-only query on the project's analytical store (tables
``profiles``, ``profiles_monthly``, ``segment_members``, ``segments``, ``identity_map``, the
raw source tables and entity views). It is refused before it runs when it is not a query,
and the store is opened read-only with file access switched off, so neither a statement
sqlglot cannot parse nor ``COPY ... TO`` can write anything.
"""

from __future__ import annotations

import csv
import enum
import io
from pathlib import Path
from typing import Annotated, Any

import sqlglot
import typer
from rich.table import Table
from sqlglot import exp

from accord.cli import jsonout
from accord.cli.common import ProjectOption, fail, guard, out_console
from accord.errors import ConfigError

__all__ = ["ANALYTICS_FILE", "ONLINE_FILE", "STATE_DIR", "Format", "check_read_only",
           "profile_command", "segments_command", "sql_command"]

#: The project's state folder and the stores in it (``docs/hub-design.md``).
STATE_DIR = ".accord"
ANALYTICS_FILE = "analytics.duckdb"
ONLINE_FILE = "online.sqlite"

#: Statement types that only read.
_READS: tuple[type[exp.Expr], ...] = (exp.Query, exp.Describe, exp.Show)



class Format(enum.StrEnum):
    """Output formats of ``accord sql``."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def check_read_only(query: str) -> None:
    """Refuse anything but one read-only statement (as far as sqlglot can tell).

    Raises:
        ConfigError: for several statements or one that writes, naming it.
    """
    try:
        statements = [s for s in sqlglot.parse(query, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError:
        return  # DuckDB decides; the read-only connection refuses any write
    if len(statements) > 1:
        raise ConfigError("accord sql runs one query at a time")
    for statement in statements:
        if not isinstance(statement, _READS):
            kind = statement.key.upper()
            raise ConfigError(f"accord sql is read-only: a {kind} statement is not allowed "
                              "(profiles and segments are written by 'accord build')")


def _state(project: Path, name: str) -> Path:
    return project / STATE_DIR / name


def _open_analytics(project: Path) -> Any:
    from accord.store import open_store

    path = _state(project, ANALYTICS_FILE)
    if not path.is_file():
        raise ConfigError(f"no analytical store at {path}: run 'accord build' first")
    store = open_store("duckdb", path, read_only=True)
    store.execute("SET enable_external_access = false")  # no files read or written
    return store


def _rows_out(columns: list[str], rows: list[dict[str, Any]], fmt: Format) -> None:
    if fmt is Format.JSON:
        typer.echo(jsonout.dumps(rows))
    elif fmt is Format.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row[column], csv_null="") for column in columns])
        typer.echo(buffer.getvalue(), nl=False)
    else:
        table = Table(*columns, show_lines=False)
        for row in rows:
            table.add_row(*(_cell(row[column], csv_null="NULL") for column in columns))
        out_console.print(table)


def _cell(value: Any, *, csv_null: str) -> str:
    if value is None:
        return csv_null
    if isinstance(value, str):
        return value
    text = jsonout.dumps(value, indent=None)
    return text[1:-1] if text.startswith('"') else text


def sql_command(
    query: Annotated[str, typer.Argument(help="One read-only SQL query (DuckDB dialect).")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.TABLE,
    project: ProjectOption = Path("."),
) -> None:
    """Run a read-only SQL query on the analytical store."""
    with guard():
        check_read_only(query)
        store = _open_analytics(project)
        try:
            import duckdb

            try:
                result = store.query(query)
            except duckdb.Error as exc:
                fail(f"query failed: {str(exc).splitlines()[0]}")
        finally:
            store.close()
        _rows_out(result.column_names, result.to_pylist(), fmt)


def profile_command(
    key: Annotated[str, typer.Argument(
        metavar="ID", help="A customer id, or any identifier (e-mail, phone, customer ref).")],
    project: ProjectOption = Path("."),
) -> None:
    """Print one customer's profile (from the online store) as JSON."""
    with guard():
        from accord.online import open_online, resolve
        from accord.project import load_project

        region = load_project(project).identity.default_region
        reader = open_online("sqlite", _state(project, ONLINE_FILE), read_only=True,
                             default_region=region)
        try:
            document = resolve(reader, key)
        finally:
            reader.close()
        typer.echo(jsonout.dumps(document))


def segments_command(
    name: Annotated[str | None, typer.Argument(
        help="A segment: show how it differs from the whole base.")] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Segment counts and overlaps, or one segment's profile against the base."""
    with guard():
        from accord.segments import overlap_matrix, profile_segment, segment_counts

        store = _open_analytics(project)
        try:
            if name is not None:
                _print_profile(profile_segment(store, name))
                return
            counts = segment_counts(store)
            overlap = overlap_matrix(store)
        finally:
            store.close()
        table = Table("segment", "members", "share", "condition")
        for count in counts:
            table.add_row(count.segment, str(count.members), f"{count.share:.1%}",
                          count.condition)
        out_console.print(table)
        if len(overlap.segments) > 1:
            matrix = Table("customers in both (Jaccard)", *overlap.segments)
            for a in overlap.segments:
                matrix.add_row(a, *(f"{overlap.both[a, b]} ({overlap.jaccard[a, b]:.2f})"
                                    for b in overlap.segments))
            out_console.print(matrix)


def _print_profile(profile: Any) -> None:
    out_console.print(f"segment {profile.segment}: {profile.members} of "
                      f"{profile.customers} customers")
    numeric = Table("dimension", "segment mean", "base mean", "standardised difference")
    for item in profile.numeric:
        numeric.add_row(item.dimension, _number(item.segment_mean), _number(item.base_mean),
                        _number(item.standardised))
    out_console.print(numeric)
    if profile.categorical:
        values = Table("dimension", "value", "segment share", "base share", "lift")
        for item in profile.categorical:
            values.add_row(item.dimension, item.value, f"{item.segment_share:.1%}",
                           f"{item.base_share:.1%}", f"{item.lift:.2f}")
        out_console.print(values)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}" if abs(value) < 1e-3 else f"{value:,.2f}"
