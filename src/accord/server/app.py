"""The HTTP API of a project: decisions, profiles, segments, governance, campaigns, DMN
models, feedback, metrics, and the web app.

``create_app(project_dir)`` serves the project built by ``accord build``: profiles from the
online store (by customer id, or by e-mail, phone or CRM id), segment counts from the
analytical store (opened read-only). Every error has the body
``{"error": {"code": ..., "message": ...}}``; the OpenAPI description is at ``/docs``.

Routes (API keys with the scope in brackets; people use personal tokens or the web login)::

    POST /v1/decisions                                   [decisions]
    POST /v1/outcomes                                    [outcomes]
    POST /v1/events  (NDJSON)                            [events]
    GET /v1/health
    GET /v1/profiles/{customer_id}                       [profiles]
    GET /v1/profiles?kind=email|phone|customer_ref&value=...  [profiles]
    GET /v1/segments                                     [profiles]
    /v1/rules/...      personal tokens of people         see accord.server.governance
    /v1/campaigns/...  [profiles] to read, [admin] to write  see accord.server.campaigns
    /v1/dmn/...        [dmn] to evaluate, [admin] to deploy  see accord.server.dmn
    POST /v1/feedback                                    [feedback]
    /v1/feedback/taxonomy  [feedback] to read, [admin] to change  see accord.server.taxonomy
    GET /metrics       Prometheus text, no key
    /app/...           the web app (log in as a user)    see accord.web
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from accord.clock import Clock, SystemClock
from accord.decisioning.service import DecisionService
from accord.feedback.project import FeedbackPaths, load_triage
from accord.online import OnlineReader, open_online
from accord.online.base import OnlineCapabilities
from accord.operational import ApiKey, ApiKeyRepository
from accord.pipeline import online_path
from accord.project import PROJECT_FILE, load_project
from accord.project.template import store_path
from accord.server.auth import Verifier, require
from accord.server.campaigns import campaign_routes
from accord.server.content import JsonOnly
from accord.server.decisions import decision_routes
from accord.server.dmn import hub_dmn_routes
from accord.server.errors import ApiError, Backstop, errors, install_error_handlers
from accord.server.feedback import feedback_routes
from accord.server.governance import governance_routes
from accord.server.limits import DEFAULT_LIMIT, BodyLimit
from accord.server.metrics import RequestMetrics, metrics_router
from accord.server.runtime import KeyVerifier, Lazy, decision_service, open_project_operational
from accord.server.segments import SegmentCounts
from accord.server.taxonomy import taxonomy_routes
from accord.web.app import install_web

__all__ = ["HealthResponse", "ProfileResponse", "SegmentsResponse", "create_app"]

#: Identifier kinds a profile can be looked up by (as identity resolution normalises them).
IdentifierKind = Literal["email", "phone", "customer_ref"]



class ProfileResponse(BaseModel):
    """A customer's profile: dimensions, identifiers' survivors, segment names."""

    customer_id: str
    profile: dict[str, Any]


class SegmentModel(BaseModel):
    """One segment and its size."""

    name: str
    description: str
    condition: str
    members: int


class SegmentsResponse(BaseModel):
    """Every segment's member count out of the profiled customers."""

    customers: int
    built_at: dt.datetime | None
    segments: list[SegmentModel]


class HealthResponse(BaseModel):
    """The server is up; whether the stores it reads exist yet."""

    status: Literal["ok"]
    project: str
    online_store: bool
    analytical_store: bool


class _LazyReader:
    """Opens the online store on first use (the server may start before a build ends) and
    serialises calls on its one connection."""

    capabilities = OnlineCapabilities(persistent=True, atomic_replace=True, shared=True)

    def __init__(self, open_reader: Callable[[], OnlineReader]) -> None:
        self._open = open_reader
        self._reader: OnlineReader | None = None
        self._lock = threading.Lock()

    def get(self, customer_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._ensure().get(customer_id)

    def customers(self, kind: str, value: str) -> list[str]:
        with self._lock:
            return self._ensure().customers(kind, value)

    def _ensure(self) -> OnlineReader:
        if self._reader is None:
            self._reader = self._open()
        return self._reader

    def close(self) -> None:
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None


def _region(project_dir: Path) -> str:
    """The project's phone region (lookups normalise phones as identity resolution did)."""
    if not (project_dir / PROJECT_FILE).is_file():
        return "GB"
    return load_project(project_dir).identity.default_region


def create_app(project_dir: Path | str, *, reader: OnlineReader | None = None,
               segments: SegmentCounts | None = None, verify: Verifier | None = None,
               service: Callable[[], DecisionService] | None = None,
               clock: Clock | None = None) -> FastAPI:
    """The API over the project built in ``project_dir``.

    Args:
        project_dir: the project (its ``.accord/`` stores are read, never written).
        reader: the online store to read profiles from (the project's SQLite file, opened
            read-only on first use, when None).
        segments: where segment counts come from (the project's DuckDB file when None).
        verify: checks API keys (the project's operational store when None).
        service: the decision service (built on first use from the project's stores).
        clock: the clock decisions are made with (the system clock when None).

    Returns:
        The FastAPI application (serve it with uvicorn, test it with ``TestClient``).
    """
    root = Path(project_dir)
    profiles = _LazyReader((lambda: reader) if reader is not None else (
        lambda: open_online("sqlite", online_path(root), read_only=True,
                            default_region=_region(root))))
    counts = segments or SegmentCounts(store_path(root))
    app = FastAPI(title="Accord", version="1",
                  description="Decisions, customer profiles and segments of an Accord "
                              "project. Every /v1 route but /v1/health needs an API key.")
    install_error_handlers(app, root)
    app.add_middleware(JsonOnly)
    app.add_middleware(BodyLimit, limit=DEFAULT_LIMIT, limits={"/v1/events": 16 << 20})
    # outside the body limit (whose own exception answers 413), inside the metrics (which
    # count the 500 it answers)
    app.add_middleware(Backstop)
    app.add_middleware(RequestMetrics)
    verify = verify or KeyVerifier(Lazy(lambda: ApiKeyRepository(
        open_project_operational(root), clock or SystemClock())))
    read_profiles = require("profiles", verify)
    decisions = service or Lazy(lambda: decision_service(root, profiles, clock))
    app.include_router(decision_routes(decisions, verify))
    app.include_router(governance_routes(root, clock))
    app.include_router(hub_dmn_routes(root, verify, clock))
    app.include_router(metrics_router())
    app.include_router(campaign_routes(root, verify, clock))
    triage = Lazy(lambda: load_triage(FeedbackPaths.of_project(root)))
    app.include_router(feedback_routes(root, profiles, verify, clock, triage=triage))
    app.include_router(taxonomy_routes(root, verify, on_change=triage.reset))
    install_web(app, root, clock=clock or SystemClock(), profiles=profiles, counts=counts,
                decisions=decisions,
                operational=Lazy(lambda: open_project_operational(root)))

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse("/app")

    @app.get("/v1/health", response_model=HealthResponse)
    def health() -> HealthResponse:
        """Liveness, and whether a build has produced the stores yet."""
        return HealthResponse(status="ok", project=root.resolve().name,
                              online_store=reader is not None or online_path(root).is_file(),
                              analytical_store=store_path(root).is_file())

    @app.get("/v1/profiles/{customer_id}", response_model=ProfileResponse,
             responses=errors(401, 403, 404))
    def profile(customer_id: str,
                key: ApiKey = Depends(read_profiles)) -> ProfileResponse:
        """The profile of a customer id (``c_`` and 12 hex characters)."""
        document = profiles.get(customer_id)
        if document is None:
            raise ApiError(404, "profile_not_found",
                           f"no customer with id {customer_id!r} (to look up an e-mail, "
                           "phone or CRM id: GET /v1/profiles?kind=email&value=...)")
        return ProfileResponse(customer_id=customer_id, profile=document)

    @app.get("/v1/profiles", response_model=ProfileResponse,
             responses=errors(401, 403, 404, 409))
    def lookup(kind: Annotated[IdentifierKind, Query(description="identifier kind")],
               value: Annotated[str, Query(min_length=1, description="as typed; normalised "
                                           "as identity resolution does")],
               key: ApiKey = Depends(read_profiles)) -> ProfileResponse:
        """The profile of whoever holds an identifier (e-mail, phone or CRM id)."""
        found = profiles.customers(kind, value)
        if len(found) > 1:
            raise ApiError(409, "ambiguous_identifier",
                           f"{kind} {value!r} belongs to {len(found)} customers: "
                           f"{', '.join(found[:5])}")
        document = profiles.get(found[0]) if found else None
        if document is None:
            raise ApiError(404, "profile_not_found", f"no customer with {kind} {value!r}")
        return ProfileResponse(customer_id=found[0], profile=document)

    @app.get("/v1/segments", response_model=SegmentsResponse,
             responses=errors(401, 403, 503))
    def segment_counts(key: ApiKey = Depends(read_profiles)) -> SegmentsResponse:
        """Every segment's member count, in the project's order."""
        summary = counts.read()
        return SegmentsResponse(
            customers=summary.customers, built_at=summary.built_at,
            segments=[SegmentModel(name=s.name, description=s.description,
                                   condition=s.condition, members=s.members)
                      for s in summary.segments])

    app.router.on_shutdown.append(profiles.close)
    return app


#: Environment variable naming the project of ``app_from_environment`` (multi-worker serve).
PROJECT_ENV = "ACCORD_PROJECT"


def app_from_environment() -> FastAPI:
    """The app of the project named by ``$ACCORD_PROJECT`` (uvicorn's factory for workers)."""
    import gc
    import os

    app = create_app(Path(os.environ[PROJECT_ENV]))
    gc.freeze()  # start-up objects leave the GC's generations: shorter pauses per request
    return app
