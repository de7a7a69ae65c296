"""Campaigns: the list, and each campaign's funnel, metrics with lift and 95% intervals,
economics (cost, CPM, CPC, CPA, ROMI), channel rates against benchmarks, and its throttled
send plan with the capacity it keeps to. The numbers are
:func:`accord.campaigns.service.campaign_report`'s, the same as ``accord campaign report``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.campaigns.errors import UnknownCampaign
from accord.campaigns.repository import CampaignRepository
from accord.capacity.repository import CapacityRepository
from accord.errors import AccordError
from accord.web.charts import Chart
from accord.web.context import PREFIX, Refused, Web


def _report(web: Web, campaign: Any) -> tuple[Any, str | None]:
    from accord.campaigns.service import campaign_report

    try:
        with web.hub.store() as store:
            return campaign_report(store, campaign), None
    except AccordError as exc:
        return None, str(exc)


def _chart(report: Any) -> Chart | None:
    """The report's funnel and lift charts (one Vega-Lite spec) with their rows."""
    try:
        from accord.campaigns.page import charts
    except ImportError:  # pragma: no cover - altair ships with Accord
        return None
    spec = charts(report).to_dict()
    rows = [{"variant": item.variant, "metric": item.metric,
             "difference": item.lift.difference, "low": item.lift.low,
             "high": item.lift.high, "method": item.lift.method,
             "too small to say": item.lift.too_small} for item in report.lifts]
    return Chart("campaign-charts", "Outcome funnel, event funnel and lift against control",
                 spec, rows, ["variant", "metric", "difference", "low", "high", "method",
                              "too small to say"])


def campaign_routes(web: Web) -> APIRouter:
    router = APIRouter()

    @router.get(f"{PREFIX}/campaigns", response_class=HTMLResponse)
    def campaigns(request: Request) -> HTMLResponse:
        viewer = web.viewer(request)
        found = CampaignRepository(web.operational(), web.clock).all()
        return web.page(request, "campaigns.html", viewer, campaigns=found)

    @router.get(f"{PREFIX}/campaigns/{{name}}", response_class=HTMLResponse)
    def campaign(request: Request, name: str) -> HTMLResponse:
        viewer = web.viewer(request)
        try:
            found = CampaignRepository(web.operational(), web.clock).get(name)
        except UnknownCampaign as exc:
            raise Refused(404, str(exc)) from None
        report, problem = _report(web, found)
        plans = {p.id: p for p in CapacityRepository(web.operational().engine,
                                                     web.clock).plans()}
        plan = plans.get(name)
        return web.page(request, "campaign.html", viewer, campaign=found, report=report,
                        problem=problem, chart=_chart(report) if report else None,
                        economics=asdict(report.economics) if report else {},
                        plan=plan)

    return router
