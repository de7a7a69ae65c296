"""Feedback: topics over time, the sentiment trend, new topics proposed from the texts no
topic fits, and the labelling queue (the least confident texts first), all read from the
``feedback`` table that ``accord feedback classify`` writes into the analytical store."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlglot import exp

from accord.errors import AccordError
from accord.store.sql import column as _col
from accord.store.sql import table as _table
from accord.web.charts import SCHEMA, Chart
from accord.web.context import PREFIX, Web

#: Texts under this confidence (or without a topic) feed the proposals and the queue.
LOW_CONFIDENCE = 0.5
QUEUE = 25


def _weekly(column: str) -> exp.Select:
    week = exp.func("date_trunc", exp.Literal.string("week"), _col("at"))
    return (exp.select(exp.alias_(exp.cast(week, "DATE"), "week"), exp.alias_(_col(column),
                       column), exp.alias_(exp.Count(this=exp.Star()), "texts"))
            .from_(_table("feedback")).where(_col("at").is_(exp.null()).not_())
            .group_by("week", column).order_by("week", column))


def _lines(chart_id: str, title: str, rows: list[dict[str, Any]], series: str,
           stacked: bool) -> Chart:
    data = [{**r, "week": r["week"].isoformat()} for r in rows]
    spec: dict[str, Any] = {
        "$schema": SCHEMA, "description": title, "data": {"values": data},
        "mark": {"type": "area" if stacked else "line", "tooltip": True, "point": not stacked},
        "encoding": {
            "x": {"field": "week", "type": "temporal", "title": "week"},
            "y": {"field": "texts", "type": "quantitative", "title": "texts",
                  **({"stack": "normalize", "title": "share of texts"} if stacked else {})},
            "color": {"field": series, "type": "nominal"},
        },
        "width": "container",
    }
    return Chart(chart_id, title, spec, data, ["week", series, "texts"])


def _read(web: Web) -> dict[str, Any]:
    with web.hub.store() as store:
        if "feedback" not in store.tables():
            raise AccordError("no classified feedback yet: run 'accord feedback classify' "
                              "after a build")
        topics = store.query(_weekly("topic")).to_pylist()
        sentiment = store.query(_weekly("sentiment")).to_pylist()
        unsure = (exp.select("customer_id", "at", "text", "topic", "sentiment", "confidence")
                  .from_(_table("feedback"))
                  .where(exp.or_(_col("confidence") < LOW_CONFIDENCE,
                                 _col("topic").is_(exp.null()),
                                 _col("topic").eq(exp.Literal.string("unknown"))))
                  .order_by("confidence", "at"))
        queue = store.query(unsure.copy().limit(QUEUE)).to_pylist()
        texts = [str(r["text"]) for r in store.query(unsure).to_pylist() if r["text"]]
    return {"topics": topics, "sentiment": sentiment, "queue": queue, "texts": texts}


def _proposals(texts: list[str]) -> tuple[list[Any], str | None]:
    """Topics proposed from the unsure texts (k-means on TF-IDF, named by c-TF-IDF)."""
    texts = list(dict.fromkeys(texts))  # a text sent twice is one point, not a cluster
    if len(texts) < 10:
        return [], f"only {len(texts)} unsure texts: too few to propose topics"
    try:
        from accord.feedback.discovery import cluster
    except ImportError:
        return [], "topic discovery needs the feedback extra (pip install 'accord[feedback]')"
    try:
        found = cluster(texts, max(2, min(5, len(texts) // 5)))
    except AccordError as exc:
        return [], str(exc)
    return [c.topic() for c in found], None


def feedback_routes(web: Web) -> APIRouter:
    router = APIRouter()

    @router.get(f"{PREFIX}/feedback", response_class=HTMLResponse)
    def feedback(request: Request) -> HTMLResponse:
        viewer = web.viewer(request)
        try:
            data = _read(web)
        except AccordError as exc:
            return web.page(request, "feedback.html", viewer, problem=str(exc), charts=[],
                            queue=[], proposals=[], proposal_note=None)
        proposals, note = _proposals(data["texts"])
        charts = [_lines("topics", "Texts per topic per week", data["topics"], "topic",
                         stacked=False),
                  _lines("sentiment", "Sentiment per week (share of texts)",
                         data["sentiment"], "sentiment", stacked=True)]
        return web.page(request, "feedback.html", viewer, problem=None, charts=charts,
                        queue=data["queue"], proposals=proposals, proposal_note=note)

    return router
