"""The campaign API: ``/v1/campaigns`` (list, create, read) and a campaign's report.

Creating a campaign needs a key with the ``admin`` scope; reading campaigns and reports,
which hold aggregates only, the ``profiles`` scope. The analytical store is opened read-only
for each report and closed at once, as for segment counts, so a build can take the lock.
A bad spec is a 400 naming the field; an unknown campaign, or one without outcomes, a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from accord.campaigns.errors import CampaignDefinitionError, UnknownCampaign
from accord.campaigns.page import render_html
from accord.campaigns.report import report_json
from accord.campaigns.repository import CampaignRepository
from accord.campaigns.service import campaign_report, segment_names
from accord.clock import Clock, SystemClock
from accord.errors import ConfigError
from accord.operational.api_keys import ApiKey
from accord.project.template import store_path
from accord.server.auth import Verifier, require
from accord.server.errors import ApiError, ErrorResponse
from accord.server.runtime import Lazy, open_project_operational
from accord.store import open_store
from accord.store.base import AnalyticalStore

__all__ = ["campaign_routes"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 503)}


@contextmanager
def _translated() -> Iterator[None]:
    """Accord's errors as API errors: bad spec 400, unknown campaign 404."""
    try:
        yield
    except CampaignDefinitionError as exc:
        raise ApiError(400, "invalid_campaign", str(exc)) from None
    except UnknownCampaign as exc:
        raise ApiError(404, "unknown_campaign", str(exc)) from None


@contextmanager
def _store(path: Path) -> Iterator[AnalyticalStore | None]:
    if not path.is_file():
        yield None
        return
    try:
        store = open_store("duckdb", path, read_only=True)
    except duckdb.Error as exc:  # locked by a build in progress
        raise ConfigError(f"the analytical store is busy: {exc}") from None
    try:
        yield store
    finally:
        store.close()


def campaign_routes(project_dir: Path, verify: Verifier, clock: Clock | None = None, *,
                    repository: Callable[[], CampaignRepository] | None = None) -> APIRouter:
    """The campaign routes of a project (its operational and analytical stores)."""
    campaigns = repository or Lazy(lambda: CampaignRepository(
        open_project_operational(project_dir), clock or SystemClock()))
    analytics = store_path(project_dir)
    router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"], responses=_ERRORS)
    may_read = require("profiles", verify)
    may_write = require("admin", verify)

    @router.get("")
    def list_campaigns(key: ApiKey = Depends(may_read)) -> list[dict[str, Any]]:
        """Every campaign's spec."""
        return [c.model_dump(mode="json") for c in campaigns().all()]

    @router.post("", status_code=201)
    def create(spec: Annotated[dict[str, Any], Body()],
               key: ApiKey = Depends(may_write)) -> dict[str, Any]:
        """Validate and store a campaign (nothing is stored when it is refused)."""
        with _translated(), _store(analytics) as store:
            return campaigns().create(spec, segments=segment_names(store)).model_dump(
                mode="json")

    @router.get("/{name}")
    def show(name: str, key: ApiKey = Depends(may_read)) -> dict[str, Any]:
        """One campaign's spec."""
        with _translated():
            return campaigns().get(name).model_dump(mode="json")

    def _report(name: str, html: bool) -> Response:
        with _translated():
            campaign = campaigns().get(name)
        with _store(analytics) as store:
            if store is None:
                raise ApiError(404, "no_outcomes", "no analytical store: build the project "
                               "or load the campaign's outcomes first")
            try:
                report = campaign_report(store, campaign)
            except ConfigError as exc:
                raise ApiError(404, "no_outcomes", str(exc)) from None
        if html:
            return HTMLResponse(render_html(report))
        return JSONResponse(report_json(report))

    @router.get("/{name}/report", response_class=Response)
    async def report(name: str, output: Annotated[str, Query(
            alias="format", pattern="^(json|html)$")] = "json",
            key: ApiKey = Depends(may_read)) -> Response:
        """Arms, lift with 95% intervals, economics, benchmarks, funnels (JSON or HTML)."""
        return await run_in_threadpool(_report, name, output == "html")

    return router
