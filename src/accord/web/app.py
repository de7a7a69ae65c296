"""Mounting the web app on the API's FastAPI application (``/app``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from accord.clock import Clock
from accord.decisioning.service import DecisionService
from accord.online import OnlineReader
from accord.operational.store import OperationalStore
from accord.project.template import state_dir, store_path
from accord.rules.governance import Governance
from accord.server.segments import SegmentCounts
from accord.web.calendar import calendar_routes
from accord.web.campaigns import campaign_routes
from accord.web.context import PREFIX, LoginRequired, Refused, Web
from accord.web.customers import customer_routes
from accord.web.feedback import feedback_routes
from accord.web.headers import WebGuard
from accord.web.home import home_routes
from accord.web.hub import HubReader
from accord.web.login import login_routes
from accord.web.rules import rule_routes
from accord.web.segments import segment_routes
from accord.web.session import Signer, load_secret

STATIC = Path(__file__).parent / "static"


def install_web(app: FastAPI, root: Path, *, clock: Clock, profiles: OnlineReader,
                counts: SegmentCounts, decisions: Callable[[], DecisionService],
                operational: Callable[[], OperationalStore]) -> None:
    """Add the web app's pages, static files and error pages to ``app``."""
    from accord.rules.simulation_store import project_simulator

    def governance() -> Governance:
        simulator = project_simulator(root) if store_path(root).is_file() else None
        return Governance(operational(), clock, simulator=simulator)

    web = Web(root, clock, Signer(lambda: load_secret(state_dir(root) / "web-secret")),
              operational,
              decisions, HubReader(store_path(root)), governance)
    for router in (login_routes(web), home_routes(web, counts), customer_routes(web, profiles),
                   segment_routes(web, counts), rule_routes(web), calendar_routes(web),
                   campaign_routes(web), feedback_routes(web)):
        app.include_router(router, include_in_schema=False)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="web-static")

    def refuse(request: Request, status: int, message: str) -> HTMLResponse:
        return web.page(request, "error.html", None, status=status, message=message)

    app.add_middleware(WebGuard, prefix=PREFIX, refuse=refuse)

    @app.exception_handler(LoginRequired)
    def login_required(request: Request, exc: LoginRequired) -> RedirectResponse | HTMLResponse:
        if request.method != "GET":
            return web.page(request, "error.html", None, status=401,
                            message="Your session has ended: log in again.")
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query
                                           else ""))
        return RedirectResponse(f"{PREFIX}/login?next={target}", status_code=303)

    @app.exception_handler(Refused)
    def refused(request: Request, exc: Refused) -> HTMLResponse:
        try:
            viewer = web.viewer(request)
        except LoginRequired:
            viewer = None
        return web.page(request, "error.html", viewer, status=exc.status, message=exc.message)
