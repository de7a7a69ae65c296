"""The HTML report: a funnel chart and a lift chart with 95% intervals (Vega-Lite, built with
Altair), and the data behind every chart as HTML tables.

The charts' data travel inside the page (Vega-Lite ``values``), so the page needs nothing
from the project. The Vega JavaScript loads from jsDelivr by default; ``inline=True`` embeds
it (through ``vl-convert-python``) for a page that opens offline.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

from accord.campaigns.report import FORMATS, CampaignReport, report_json
from accord.errors import ConfigError

__all__ = ["charts", "render_html"]

_STAGES = ["customers", "visited", "converted"]


def _finite(value: Any) -> Any:
    return value if not isinstance(value, float) or math.isfinite(value) else None


#: Metric -> (chart label, scale): rates are drawn in percentage points.
_CHART_UNITS = {"visit_rate": ("visit rate (pp)", 100.0),
                "conversion_rate": ("conversion rate (pp)", 100.0),
                "revenue_per_customer": ("revenue per customer", 1.0)}


def _lift_rows(report: CampaignReport) -> list[dict[str, Any]]:
    rows = []
    for item in report.lifts:
        label, scale = _CHART_UNITS[item.metric]
        rows.append({"variant": item.variant, "metric": label,
                     **{name: _finite(getattr(item.lift, name) * scale)
                        for name in ("difference", "low", "high")},
                     "verdict": "too small to say" if item.lift.too_small else
                     "significant" if item.lift.significant else "not significant"})
    return rows


def _step_rows(report: CampaignReport) -> list[dict[str, Any]]:
    return [{"funnel": funnel.funnel, "breakdown": str(funnel.breakdown or "all"),
             "index": step.index, "step": f"{step.index}. {step.name}",
             "customers": step.customers, "from_first": step.from_first}
            for funnel in report.funnels for step in funnel.steps]


def charts(report: CampaignReport) -> Any:
    """The report's charts as one Altair chart (funnels above the lift chart)."""
    import altair as alt

    title = "Outcome funnel: share of each arm (square-root axis)"
    outcome = alt.Chart({"values": report.outcome_funnel()}, title=title).mark_bar().encode(
        x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of the arm's customers",
                scale=alt.Scale(type="sqrt")),
        y=alt.Y("stage:N", sort=_STAGES, title=None),
        yOffset=alt.YOffset("variant:N"),
        color=alt.Color("variant:N", title="arm"),
        tooltip=["variant:N", "stage:N", "customers:Q", alt.Tooltip("share:Q", format=".2%")],
    ).properties(width=480)
    parts: list[Any] = [outcome]
    steps = _step_rows(report)
    if steps:
        parts.append(alt.Chart({"values": steps}, title="Event funnel").mark_bar().encode(
            x=alt.X("customers:Q"), y=alt.Y("step:N", sort=None, title=None),
            yOffset=alt.YOffset("breakdown:N"), color=alt.Color("breakdown:N"),
            tooltip=["step:N", "breakdown:N", "customers:Q",
                     alt.Tooltip("from_first:Q", format=".1%")],
        ).properties(width=480))
    lifts = _lift_rows(report)
    if lifts:
        base = alt.Chart({"values": lifts})
        interval = base.mark_rule(strokeWidth=2).encode(
            x=alt.X("low:Q", title="difference against control (95% interval)"),
            x2="high:Q", y=alt.Y("variant:N", title=None),
            color=alt.Color("verdict:N", scale=alt.Scale(
                domain=["significant", "not significant", "too small to say"],
                range=["#1b7837", "#777777", "#d95f02"])))
        point = base.mark_point(filled=True, size=70).encode(
            x="difference:Q", y="variant:N", color="verdict:N",
            tooltip=["variant:N", "metric:N", "difference:Q", "low:Q", "high:Q", "verdict:N"])
        zero = base.mark_rule(strokeDash=[4, 4], color="black").encode(x=alt.datum(0))
        parts.append(alt.layer(interval, point, zero).properties(width=480).facet(
            row=alt.Row("metric:N", title=None), title="Lift against control").resolve_scale(
            x="independent"))
    # each part has its own colours (arms, breakdown values, verdicts)
    return alt.vconcat(*parts).resolve_scale(color="independent")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.6g}" if math.isfinite(value) else "n/a"
    return "n/a" if value is None else html.escape(str(value))


def _table(caption: str, rows: Sequence[dict[str, Any]], columns: Iterable[str] | None = None
           ) -> str:
    if not rows:
        return ""
    names = list(columns or rows[0])
    head = "".join(f"<th>{html.escape(name)}</th>" for name in names)
    body = "".join("<tr>" + "".join(f"<td>{_cell(row.get(name))}</td>" for name in names)
                   + "</tr>" for row in rows)
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}caption{text-align:left;font-weight:600}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}"""


def render_html(report: CampaignReport, *, inline: bool = False) -> str:
    """The report as one HTML page.

    Raises:
        ConfigError: without the ``altair`` package, or ``inline`` without
            ``vl-convert-python``.
    """
    try:
        fragment = charts(report).to_html(fullhtml=False, output_div="accord-charts",
                                          inline=inline)
    except ImportError as exc:
        package = "altair" if exc.name == "altair" else "vl-convert-python"
        raise ConfigError(f"the HTML report needs the {package} package ({exc})") from None
    data = report_json(report)
    campaign = report.campaign
    lifts = [{**row, "difference": FORMATS[row["metric"]](row["difference"]),
              "interval": f"{FORMATS[row['metric']](row['low'])} to "
                          f"{FORMATS[row['metric']](row['high'])}"}
             for row in data["lifts"]]
    title = html.escape(f"Campaign {campaign.name}")
    return "\n".join([
        "<!DOCTYPE html>", "<html><head><meta charset='utf-8'>", f"<title>{title}</title>",
        f"<style>{_STYLE}</style></head><body>", f"<h1>{title}</h1>",
        f"<p>{html.escape(campaign.goal)} Owner {html.escape(campaign.owner)}; status "
        f"{campaign.status.value}; channels {html.escape(', '.join(campaign.channels))}.</p>",
        fragment,
        "<h2>Chart data</h2>",
        _table("Outcome funnel", report.outcome_funnel()),
        _table("Event funnels", _step_rows(report)),
        _table("Lift against control (95% intervals)", lifts,
               ["variant", "metric", "difference", "interval", "method", "too_small",
                "significant"]),
        "<h2>Arms and economics</h2>",
        _table("Arms", data["arms"], ["variant", "control", "customers", "visit_rate",
                                      "conversion_rate", "revenue_per_customer"]),
        _table("Economics (treated arms)", [data["economics"]]),
        _table("Benchmarks", data["benchmarks"]),
        "</body></html>"])
