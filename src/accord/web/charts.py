"""Vega-Lite chart specifications for the web pages, each with the rows it draws.

A page renders a chart with vega-embed (bundled in ``static/vendor``) and the same rows as an
HTML table next to it, so the numbers are there for a screen reader, a copy into a
spreadsheet, or a browser without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart: its id on the page, title, Vega-Lite spec and data rows (table columns)."""

    id: str
    title: str
    spec: dict[str, Any]
    rows: list[dict[str, Any]]
    columns: list[str] = field(default_factory=list)


def grouped_bars(chart_id: str, title: str, rows: Sequence[Mapping[str, Any]], *, category: str,
                 group: str, value: str, value_title: str) -> Chart:
    """Bars per ``category``, one per ``group`` side by side (before/after, segment/base)."""
    data = [dict(r) for r in rows]
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": title,
        "data": {"values": data},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": category, "type": "nominal", "title": None},
            "yOffset": {"field": group},
            "x": {"field": value, "type": "quantitative", "title": value_title},
            "color": {"field": group, "type": "nominal", "title": None},
        },
        "width": "container",
    }
    return Chart(chart_id, title, spec, data, [category, group, value])


def transitions(chart_id: str, title: str, moves: Sequence[tuple[str, str, int]]) -> Chart:
    """A heat map of customers moving from one treatment (rows) to another (columns)."""
    data = [{"from": a, "to": b, "customers": n} for a, b, n in moves]
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": title,
        "data": {"values": data},
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "y": {"field": "from", "type": "nominal", "title": "before"},
            "x": {"field": "to", "type": "nominal", "title": "after"},
            "color": {"field": "customers", "type": "quantitative"},
        },
        "width": "container",
    }
    return Chart(chart_id, title, spec, data, ["from", "to", "customers"])


def index_bars(chart_id: str, title: str, rows: Sequence[Mapping[str, Any]], *,
               category: str, columns: Sequence[str]) -> Chart:
    """One bar per ``category``: its ``index`` (100 = the same as the base), with a rule
    at 100."""
    data = [dict(r) for r in rows if r.get("index") is not None]
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": title,
        "data": {"values": data},
        "layer": [
            {"mark": {"type": "bar", "tooltip": True},
             "encoding": {"y": {"field": category, "type": "nominal", "title": None},
                          "x": {"field": "index", "type": "quantitative",
                                "title": "index (everyone = 100)"}}},
            {"mark": {"type": "rule", "strokeDash": [4, 4]},
             "encoding": {"x": {"datum": 100}}},
        ],
        "width": "container",
    }
    return Chart(chart_id, title, spec, data, list(columns))
