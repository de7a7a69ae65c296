"""The decision API: ``POST /v1/decisions``, ``/v1/outcomes`` and ``/v1/events``.

Every route needs an API key with its scope. Bodies are validated before anything is read
or written; a bad body is a 400 whose message names the path of the bad field (or, for an
event batch, the line). An event batch is all or nothing and is acknowledged only once it is
on disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from accord.decisioning.history import OutcomeKind
from accord.decisioning.service import DecisionService, EventIn, UnknownCustomer
from accord.online.contacts import UnknownDecision
from accord.operational.api_keys import ApiKey
from accord.server.auth import Verifier, require
from accord.server.errors import ApiError, ErrorResponse

#: Events in one batch at most (the body limit applies as well).
MAX_EVENTS = 10_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionBody(_Strict):
    """What a channel asks for."""

    channel: str = Field(min_length=1, examples=["web"])
    placements: dict[str, Annotated[int, Field(ge=1, le=50)]] = Field(
        default_factory=lambda: {"default": 1}, examples=[{"hero": 1}])
    customer: str | None = Field(default=None, description="a customer id or any identifier "
                                 "(e-mail, phone, CRM id); omit for an anonymous visitor")
    anonymous_id: str | None = None
    context: dict[str, Any] = Field(default_factory=dict, examples=[{"page": "/basket"}])
    request_id: str | None = Field(default=None, max_length=128)
    explore: bool = True
    trace: bool = False


class CandidateModel(BaseModel):
    treatment_id: str
    reason: str
    detail: str
    placement: str | None
    score: str | None
    propensity: float | None


class DecisionResponse(BaseModel):
    """The decision: what each placement gets, and every candidate with its reason."""

    decision_id: str
    at: dt.datetime
    customer_id: str | None
    channel: str
    rule_version: str
    input_digest: str
    placements: dict[str, list[str]]
    given: list[str]
    holdouts: list[str]
    candidates: list[CandidateModel]
    treatments: dict[str, dict[str, Any]]
    trace: dict[str, list[dict[str, Any]]] | None = None


class OutcomeBody(_Strict):
    decision_id: str = Field(min_length=1)
    treatment_id: str = Field(min_length=1)
    kind: OutcomeKind
    value: Decimal | None = Field(default=None, ge=0)


class OutcomeResponse(BaseModel):
    recorded: bool
    success: bool
    trial: bool


class EventsResponse(BaseModel):
    accepted: int


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 413)}


def _trace(decision: Any) -> dict[str, list[dict[str, Any]]] | None:
    if decision.trace is None:
        return None
    return {name: [{"table_id": t.table_id, "inputs": [str(v) for v in t.inputs],
                    "matched": list(t.matched), "result": str(t.result)} for t in traces]
            for name, traces in decision.trace.items()}


def decision_routes(service: Callable[[], DecisionService], verify: Verifier) -> APIRouter:
    """The routes, over a service (created lazily, once per process) and a key verifier."""
    router = APIRouter(prefix="/v1", tags=["decisions"])
    may_decide = require("decisions", verify)
    may_report = require("outcomes", verify)
    may_send = require("events", verify)

    @router.post("/decisions", response_model=DecisionResponse, responses=_ERRORS,
                 openapi_extra={"requestBody": {"required": True, "content": {
                     "application/json": {"schema": DecisionBody.model_json_schema()}}}})
    async def decisions(request: Request) -> Response:
        """What to do for this customer, here, now: treatments per placement, and every
        candidate with the reason it was or was not given."""
        # The busiest route parses and validates its body in one pass (pydantic-core) and
        # checks the key inline: FastAPI's generic body and dependency handling cost as
        # much again as the decision itself.
        await may_decide(request)
        body = _decision_body(await request.body())
        engine = service()
        try:
            decision, record = engine.decide_record(
                body.channel, body.placements, customer=body.customer,
                anonymous_id=body.anonymous_id, context=body.context,
                request_id=body.request_id, explore=body.explore, trace=body.trace,
                wait=False)
        except UnknownCustomer as exc:
            raise ApiError(404, "unknown_customer", str(exc)) from None
        # acknowledged once on disk; waited for in a thread, where requests arriving
        # together share one fsync (the log's group commit)
        await run_in_threadpool(engine.logged)
        record = dict(record)  # the logged record stays as logged
        catalogue = engine.rules.current().catalogue.by_id()
        record["treatments"] = {t: {"name": catalogue[t].name, "kind": catalogue[t].kind.value,
                                    "payload": dict(catalogue[t].payload)}
                                for t in decision.given()}
        if body.trace:
            record["trace"] = _trace(decision)
        # serialised once with orjson: the decision path's busiest line
        return Response(orjson.dumps(record, default=str), media_type="application/json")

    @router.post("/outcomes", response_model=OutcomeResponse, responses=_ERRORS)
    def outcomes(body: OutcomeBody,
                 key: ApiKey = Depends(may_report)
                 ) -> OutcomeResponse:
        """Record what happened after a decision; the next decision sees it."""
        try:
            recorded = service().record_outcome(body.decision_id, body.treatment_id, body.kind,
                                                value=body.value)
        except UnknownDecision as exc:
            raise ApiError(404, "unknown_decision", str(exc)) from None
        return OutcomeResponse(recorded=True, success=recorded.success, trial=recorded.trial)

    @router.post("/events", response_model=EventsResponse, responses=_ERRORS,
                 openapi_extra={"requestBody": {"content": {"application/x-ndjson": {
                     "schema": {"type": "string", "description": "one JSON event per line"}}}}})
    async def events(request: Request,
                     key: ApiKey = Depends(may_send)
                     ) -> EventsResponse:
        """A batch of events, one JSON object per line; acknowledged once durable on disk."""
        parsed = _parse_events(await request.body())
        accepted = await _run_sync(lambda: service().ingest_events(parsed))
        return EventsResponse(accepted=accepted)

    return router


async def _run_sync(call: Callable[[], int]) -> int:
    # fsync can take milliseconds: run it off the event loop so decisions keep flowing
    return await run_in_threadpool(call)


def _decision_body(raw: bytes) -> DecisionBody:
    """The body, or a 400 naming the path of every bad field (as for other routes)."""
    try:
        return DecisionBody.model_validate_json(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(("body", *(str(part) for part in error["loc"])))
            message = error["msg"]
            if error["type"] == "json_invalid":
                where, message = "body", f"malformed JSON: {error['ctx']['error']}"
            problems.append(f"{where}: {message}")
        raise ApiError(400, "invalid_request", "; ".join(problems)) from None


def _parse_events(body: bytes) -> list[EventIn]:
    events: list[EventIn] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        if len(events) >= MAX_EVENTS:
            raise ApiError(413, "too_many_events", f"more than {MAX_EVENTS:,} events in a batch")
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ApiError(400, "invalid_json", f"line {number}: {exc}") from None
        try:
            event = EventIn.model_validate(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "(event)"
            raise ApiError(400, "invalid_event",
                           f"line {number}: {where}: "
                           f"{error['msg'].removeprefix('Value error, ')}") from None
        events.append(event)
    if not events:
        raise ApiError(400, "empty_batch", "no events in the body (one JSON object per line)")
    return events


__all__ = ["DecisionBody", "DecisionResponse", "OutcomeBody", "decision_routes"]
