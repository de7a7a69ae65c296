"""DMN decision services over HTTP: deploy models in versions, describe and evaluate them.

Routes (scope in brackets; ``accord dmn serve`` runs them without keys unless told)::

    GET  /v1/dmn                             deployed models, active versions   [dmn]
    GET  /v1/dmn/{model}[?version=N]         decisions and decision services,
                                             inputs and output as JSON Schema   [dmn]
    POST /v1/dmn/{model}/{decision}[?version=N]
                                             evaluate a decision or decision
                                             service: body = JSON object of
                                             inputs                             [dmn]
    GET  /v1/dmn/{model}/versions            every version, which is active     [dmn]
    POST /v1/dmn/{model}                     deploy a new version (files)       [admin]
    PUT  /v1/dmn/{model}/pin                 pin a version (null unpins)        [admin]

An evaluation answers ``{"model", "version", "name", "kind", "result", "messages"}``;
numbers in the body are read exactly, and strings become dates, times or durations where the
input's type says so. Problems found while evaluating are DMN messages (severity, element_id,
text); an evaluation that cannot produce a result answers 422 with the same body plus the
usual ``error``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from accord.clock import Clock, SystemClock
from accord.dmn.json_values import JsonInputError, parse_json, to_json
from accord.dmn.repository import DeploymentError, StoredModels, VersionConflict
from accord.dmn.serving import (
    Evaluation,
    ModelNotFound,
    ModelSource,
    ReadOnlyModels,
    VersionInfo,
    messages_json,
)
from accord.errors import DmnError
from accord.operational.api_keys import ApiKey
from accord.server.auth import Verifier, require
from accord.server.errors import ApiError, Backstop, ErrorResponse, install_error_handlers
from accord.server.runtime import Lazy, open_project_operational
from accord.server.times import aware_iso

__all__ = ["DeployBody", "PinBody", "dmn_app", "dmn_routes", "hub_dmn_routes"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404)}
#: The highest version number (versions are SQLite integers: 64 bits, signed).
MAX_VERSION = 2**63 - 1
_VERSION = Query(default=None, ge=1, le=MAX_VERSION,
                 description="a version (the active one when omitted)")


class DeployBody(BaseModel):
    """A new version: the model's DMN files and those it imports, by file name."""

    model_config = ConfigDict(extra="forbid")

    files: dict[str, str] = Field(min_length=1, description="DMN XML by file name (*.dmn)")
    main: str | None = Field(default=None, description="the model's file (needed only when "
                             "it cannot be told: several files none of the others import)")
    note: str = Field(default="", description="why this version (kept with it)")


class PinBody(BaseModel):
    """The version to keep active (``null``: the newest version is active)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(ge=1, le=MAX_VERSION)


def _version_json(info: VersionInfo) -> dict[str, Any]:
    return {"model": info.model, "version": info.version, "active": info.active,
            "created_at": aware_iso(info.created_at), "created_by": info.created_by,
            "note": info.note,
            "files": list(info.files), "main": info.main, "checksum": info.checksum}


def _evaluation_response(evaluation: Evaluation) -> Response:
    body: dict[str, Any] = {
        "model": evaluation.model, "version": evaluation.version, "name": evaluation.name,
        "kind": evaluation.kind, "result": evaluation.result,
        "messages": messages_json(evaluation.messages)}
    failed = evaluation.failed
    if failed:
        text = "; ".join(m.text for m in evaluation.messages) or "evaluation failed"
        body["error"] = {"code": "dmn_evaluation_failed", "message": text}
    return Response(to_json(body), status_code=422 if failed else 200,
                    media_type="application/json")


def _not_found(exc: ModelNotFound) -> ApiError:
    return ApiError(404, "dmn_not_found", str(exc))


async def _anyone(request: Request) -> None:
    """No key needed (``accord dmn serve`` on a developer's machine)."""


def dmn_routes(source: Callable[[], ModelSource], verify: Verifier | None) -> APIRouter:
    """The ``/v1/dmn`` routes over a model source.

    Args:
        source: gives the models (built on first use).
        verify: checks API keys: the ``dmn`` scope reads and evaluates, ``admin`` deploys
            and pins. ``None`` admits every request (a local ``accord dmn serve``).
    """
    router = APIRouter(prefix="/v1/dmn", tags=["dmn"])
    read: Callable[[Request], Awaitable[ApiKey | None]] = (
        require("dmn", verify) if verify is not None else _anyone)
    write: Callable[[Request], Awaitable[ApiKey | None]] = (
        require("admin", verify) if verify is not None else _anyone)

    @router.get("", responses=_ERRORS)
    def list_models(key: ApiKey | None = Depends(read)) -> dict[str, Any]:
        """Every deployed model with its active version and what it offers."""
        models = source()
        listed = []
        for name in models.names():
            served = models.get(name)
            definitions = served.model.definitions
            listed.append({"model": name, "active_version": served.version,
                           "decisions": [d.name for d in definitions.decisions],
                           "decision_services": [s.name for s in
                                                 definitions.decision_services]})
        return {"models": listed}

    @router.get("/{model}", responses=_ERRORS)
    def describe(model: str, version: int | None = _VERSION,
                 key: ApiKey | None = Depends(read)) -> dict[str, Any]:
        """A model's decisions and decision services, inputs and output as JSON Schema."""
        try:
            return source().get(model, version).describe()
        except ModelNotFound as exc:
            raise _not_found(exc) from None

    @router.get("/{model}/versions", responses=_ERRORS)
    def versions(model: str, key: ApiKey | None = Depends(read)) -> dict[str, Any]:
        """Every version of a model, oldest first, and which one is active."""
        try:
            return {"versions": [_version_json(v) for v in source().versions(model)]}
        except ModelNotFound as exc:
            raise _not_found(exc) from None

    @router.post("/{model}", status_code=201,
                 responses={**_ERRORS, 405: {"model": ErrorResponse},
                            409: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
    def deploy(model: str, body: DeployBody,
               key: ApiKey | None = Depends(write)) -> dict[str, Any]:
        """Deploy a new version; it is active at once unless a version is pinned."""
        by = key.app if key is not None else "local"
        try:
            info = source().deploy(model, body.files, body.main, body.note, by)
        except ReadOnlyModels as exc:
            raise ApiError(405, "read_only", str(exc)) from None
        except VersionConflict as exc:
            raise ApiError(409, "version_conflict", str(exc)) from None
        except (DeploymentError, DmnError) as exc:
            raise ApiError(422, "invalid_dmn_model", str(exc)) from None
        return _version_json(info)

    @router.put("/{model}/pin", responses={**_ERRORS, 405: {"model": ErrorResponse}})
    def pin(model: str, body: PinBody, key: ApiKey | None = Depends(write)) -> dict[str, Any]:
        """Keep a version active (``{"version": null}`` makes the newest active again)."""
        by = key.app if key is not None else "local"
        try:
            return _version_json(source().pin(model, body.version, by))
        except ReadOnlyModels as exc:
            raise ApiError(405, "read_only", str(exc)) from None
        except ModelNotFound as exc:
            raise _not_found(exc) from None

    @router.post("/{model}/{decision:path}", responses={**_ERRORS, 422: {}})
    async def evaluate(model: str, decision: str, request: Request,
                       version: int | None = _VERSION,
                       key: ApiKey | None = Depends(read)) -> Response:
        """Evaluate a decision or decision service; the body is a JSON object of inputs."""
        raw = await request.body()
        try:
            inputs = parse_json(raw) if raw.strip() else {}
        except JsonInputError as exc:
            raise ApiError(400, "invalid_request", str(exc)) from None
        if not isinstance(inputs, Mapping):
            raise ApiError(400, "invalid_request",
                           "the body must be a JSON object of inputs (name: value)")
        try:
            evaluation = await run_in_threadpool(
                _evaluate, source, model, decision, version, inputs)
        except ModelNotFound as exc:
            raise _not_found(exc) from None
        return _evaluation_response(evaluation)

    return router


def _evaluate(source: Callable[[], ModelSource], model: str, decision: str,
              version: int | None, inputs: Mapping[str, Any]) -> Evaluation:
    return source().get(model, version).evaluate(decision, inputs)


def hub_dmn_routes(project_dir: Path, verify: Verifier, clock: Clock | None) -> APIRouter:
    """The DMN routes of a hub: models stored in the project's operational store."""
    return dmn_routes(Lazy(lambda: StoredModels(open_project_operational(project_dir),
                                                clock or SystemClock())), verify)


def dmn_app(source: ModelSource, verify: Verifier | None = None) -> FastAPI:
    """A stand-alone app serving only DMN models (``accord dmn serve``)."""
    app = FastAPI(title="Accord DMN", version="1",
                  description="DMN decisions and decision services over HTTP.")
    install_error_handlers(app)
    app.add_middleware(Backstop)
    app.include_router(dmn_routes(lambda: source, verify))
    return app
