"""The decision API: ``POST /v1/decisions``, ``/v1/outcomes`` and ``/v1/events``.

Every route needs an API key with its scope. Bodies are validated before anything is read
or written; a bad body is a 400 whose message names the path of the bad field (or, for an
event batch, the line). An event batch is all or nothing and is acknowledged only once it is
on disk.

A decision's body is strict JSON (``application/json``, else 415): no ``NaN`` or
``Infinity``, no key twice in an object, integers within 64 bits and finite numbers, at most
:data:`MAX_PLACEMENTS` placements and a ``context`` of at most :data:`MAX_CONTEXT_BYTES`
bytes nested at most :data:`MAX_CONTEXT_DEPTH` deep. A channel the active rules do not know
is refused, naming the ones they do; a customer named but not found is decided anonymously
and the answer says so (``customer_found: false`` and why).
"""

from __future__ import annotations

import datetime as dt
import json
import math
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
from accord.server.content import is_json, unsupported_message
from accord.server.errors import ApiError, errors

#: Events in one batch at most (the body limit applies as well).
MAX_EVENTS = 10_000
#: Placements one decision may ask for.
MAX_PLACEMENTS = 20
#: Size of a decision's ``context`` as compact JSON, in bytes.
MAX_CONTEXT_BYTES = 16_384
#: Nesting of objects and arrays in a decision's ``context``.
MAX_CONTEXT_DEPTH = 8
#: The largest value an outcome may report (campaign reports add them up).
MAX_OUTCOME_VALUE = 1_000_000_000
#: Integers a body may hold (what 64-bit stores and the decision log take).
INT_RANGE = (-(2**63), 2**63 - 1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionBody(_Strict):
    """What a channel asks for."""

    channel: str = Field(min_length=1, max_length=64, examples=["web"],
                         description="one the active rules know (others are refused, "
                         "naming those)")
    placements: dict[Annotated[str, Field(min_length=1, max_length=64)],
                     Annotated[int, Field(ge=1, le=50)]] = Field(
        default_factory=lambda: {"default": 1}, examples=[{"hero": 1}],
        min_length=1, max_length=MAX_PLACEMENTS,
        description=f"placement -> how many treatments (at most {MAX_PLACEMENTS} placements)")
    customer: str | None = Field(default=None, min_length=1, max_length=256,
                                 description="a customer id or any identifier (e-mail, "
                                 "phone, CRM id); omit for an anonymous visitor")
    anonymous_id: str | None = Field(default=None, min_length=1, max_length=128)
    context: dict[str, Any] = Field(
        default_factory=dict, examples=[{"page": "/basket"}],
        description=f"what the channel knows (at most {MAX_CONTEXT_BYTES:,} bytes as JSON, "
        f"nested at most {MAX_CONTEXT_DEPTH} deep; integers within 64 bits)")
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
    customer_found: bool | None = Field(description="whether the customer named was found "
                                        "(null when none was named)")
    customer_reason: str | None = Field(description="why not, when it was not found (the "
                                        "decision was then made as for an anonymous visitor)")
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
    """What happened after a decision."""

    decision_id: str = Field(min_length=1, max_length=128)
    treatment_id: str = Field(min_length=1, max_length=128)
    kind: OutcomeKind
    value: Decimal | None = Field(default=None, ge=0, le=MAX_OUTCOME_VALUE, decimal_places=6,
                                  description="what a conversion was worth, in the "
                                  f"project's currency (0 to {MAX_OUTCOME_VALUE:,})")


class OutcomeResponse(BaseModel):
    recorded: bool
    success: bool
    trial: bool


class EventsResponse(BaseModel):
    accepted: int


_ERRORS = errors(400, 401, 403, 404, 413, 415)


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
        _require_json(request)
        body = _decision_body(await request.body())
        engine = service()
        _known_channel(engine, body.channel)
        try:
            decision, record, missing = engine.decide_record(
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
        record["customer_found"] = None if body.customer is None else missing is None
        record["customer_reason"] = missing
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


def _require_json(request: Request) -> None:
    """415 unless the body is declared JSON (an empty body too: a decision needs one)."""
    declared = request.headers.get("content-type", "")
    if not is_json(declared):
        raise ApiError(415, "unsupported_media_type", unsupported_message(declared))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (numbers must be finite)")


def _one_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):  # the rare path: say which key
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the key {key!r} appears twice in one object")
            seen.add(key)
    return data


#: One decoder, made once (``json.loads`` with hooks builds a new one per call).
_DECODER = json.JSONDecoder(object_pairs_hook=_one_each, parse_constant=_refuse_constant)


def _strict_json(raw: bytes) -> Any:
    """``raw`` parsed as strict JSON (RFC 8259), or a 400 saying what is wrong."""
    try:
        return _DECODER.decode(raw.decode())
    except RecursionError:
        raise ApiError(400, "invalid_request", "body: nested too deep") from None
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, or one of the hooks above
        raise ApiError(400, "invalid_request", f"body: malformed JSON: {exc}") from None


def _check_values(value: Any, where: str, depth: int = 0) -> None:
    """Numbers finite and integers within 64 bits, nesting within MAX_CONTEXT_DEPTH."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if not INT_RANGE[0] <= value <= INT_RANGE[1]:
            raise ApiError(400, "invalid_request",
                           f"{where}: integer out of range (at most 64 bits: "
                           f"{INT_RANGE[0]:,} to {INT_RANGE[1]:,})")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ApiError(400, "invalid_request", f"{where}: number out of range (finite "
                           "numbers only)")
        return
    if depth >= MAX_CONTEXT_DEPTH:
        raise ApiError(400, "invalid_request",
                       f"{where}: nested deeper than {MAX_CONTEXT_DEPTH} levels")
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        _check_values(item, f"{where}.{key}", depth + 1)


def _decision_body(raw: bytes) -> DecisionBody:
    """The body, or a 400 naming the path of every bad field (as for other routes)."""
    data = _strict_json(raw)
    try:
        body = DecisionBody.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(("body", *(str(part) for part in error["loc"])))
            problems.append(f"{where}: {error['msg']}")
        raise ApiError(400, "invalid_request", "; ".join(problems)) from None
    _check_values(body.context, "body.context")
    size = len(orjson.dumps(body.context))
    if size > MAX_CONTEXT_BYTES:
        raise ApiError(400, "invalid_request", f"body.context: {size:,} bytes as JSON, over "
                       f"the limit of {MAX_CONTEXT_BYTES:,}")
    return body


def _known_channel(engine: DecisionService, channel: str) -> None:
    """400 for a channel the active rules never mention (when they name any at all)."""
    known = engine.rules.current().channels
    if known and channel not in known:
        raise ApiError(400, "unknown_channel",
                       f"body.channel: {channel[:64]!r} is not a channel of the active rules "
                       f"(known: {', '.join(sorted(known))})")


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
