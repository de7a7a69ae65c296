"""``accord init`` and ``accord ingest`` end to end, and the Rich progress display."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from accord.cli.main import app
from accord.cli.progress import RichProgress

runner = CliRunner()


def test_init_then_ingest_then_ingest_again(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    created = runner.invoke(app, ["init", str(root)])
    assert created.exit_code == 0, created.output
    assert "accord ingest --project" in created.output
    first = runner.invoke(app, ["ingest", "--project", str(root)])
    assert first.exit_code == 0, first.output
    assert _row(first.output, "crm")[:4] == ["crm", "contacts", "1", "4"]
    assert _row(first.output, "shop")[:4] == ["shop", "orders", "1", "5"]
    again = runner.invoke(app, ["ingest", "--project", str(root), "--source", "shop"])
    assert again.exit_code == 0, again.output
    assert _row(again.output, "shop")[:5] == ["shop", "orders", "0", "0", "0"]
    assert "crm" not in again.output.split("seconds", 1)[1]


def _row(output: str, source: str) -> list[str]:
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│┃ ").split("│")]
        if cells and cells[0] == source:
            return cells
    raise AssertionError(f"no row for {source} in:\n{output}")


def test_errors_are_one_red_line_and_exit_2(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    runner.invoke(app, ["init", str(root)])
    again = runner.invoke(app, ["init", str(root)])
    assert again.exit_code == 2
    assert "already exists: not overwriting" in again.output
    unknown = runner.invoke(app, ["ingest", "--project", str(root), "--source", "nope"])
    assert unknown.exit_code == 2
    assert "unknown source(s) nope; known: crm, shop" in unknown.output
    (root / "data" / "orders-2.csv").write_text(
        "order_id,customer_id,email,ordered_at,total,currency,channel\n"
        "O9,C1,a@x.org,2024-02-31 10:00:00,1,GBP,web\n", encoding="utf-8")
    refused = runner.invoke(app, ["ingest", "--project", str(root)])
    assert refused.exit_code == 2
    assert "error: source 'shop': refused data/orders-2.csv" in refused.output
    assert "line 2: column 'ordered_at': '2024-02-31 10:00:00'" in refused.output
    assert "Traceback" not in refused.output


def test_missing_project_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "no project file" in result.output


def test_rich_progress_shows_counts_and_rate() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False)
    with RichProgress(console) as progress:
        task = progress.task("orders")
        task.advance(1500)
        task.advance(500)
        task.done()
        sized = progress.task("lines", total=10)
        sized.advance(4)
    text = out.getvalue()
    assert "orders" in text and "2,000 rows" in text and "rows/s" in text
    assert "4/10 rows" in text
