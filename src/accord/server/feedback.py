"""The feedback API: ``POST /v1/feedback`` triages one customer text.

The text is classified with the project's trained models (``.accord/feedback-model/``, and
optionally ``.accord/feedback-sentiment/`` and ``.accord/feedback-taxonomy.yaml``: see
:mod:`accord.feedback.project`), the customer is resolved through the online store from any
identifier, and the priority decision table routes the text with the customer's value from
the profile. Each triage is one line of the ``feedback`` stream of the project's durable
logs (beside ``decisions`` and ``events``). An unknown or ambiguous customer is no error:
the text is triaged for nobody. Needs an API key with the ``feedback`` scope.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from accord.clock import Clock, SystemClock
from accord.errors import AccordError
from accord.feedback.errors import FeedbackDataError
from accord.feedback.hub import FeedbackRecord, LineLog, Triage
from accord.feedback.project import VALUE_FIELD, FeedbackPaths, customer_value, load_triage
from accord.feedback.urgency import DECISION
from accord.logs import DurableLog
from accord.online.base import Document, OnlineReader, ProfileLookupError, resolve
from accord.operational.api_keys import ApiKey
from accord.server.auth import Verifier, require
from accord.server.errors import ApiError, ErrorResponse
from accord.server.runtime import Lazy, logs_path

#: The log stream feedback triages are appended to.
STREAM = "feedback"

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 503)}


class FeedbackBody(BaseModel):
    """A text a customer wrote, and where it came from."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=20_000, examples=["I lost my card"])
    customer: str | None = Field(default=None, description="a customer id or any identifier "
                                 "(e-mail, phone, CRM id); omit when nobody is known")
    channel: str = Field(default="api", min_length=1, max_length=64, examples=["chat"])
    source: str = Field(default="api", min_length=1, max_length=64, examples=["app-review"])


class Route(BaseModel):
    """Where the text goes: its priority and service queue."""

    priority: str
    queue: str


class FeedbackResponse(BaseModel):
    """The triage: what the text is about, how it feels, how urgent, where it goes, why."""

    customer_id: str | None
    topic: str
    topic_confidence: float
    sentiment: str
    polarity: float
    urgency: str
    route: Route
    alerts: list[str]
    reasons: list[str]


def _customer(profiles: OnlineReader, key: str | None
              ) -> tuple[str | None, Document | None, str]:
    """The customer id and profile of ``key`` (None when absent, unknown or ambiguous),
    and why."""
    if key is None:
        return None, None, "no customer given"
    try:
        profile = resolve(profiles, key)
    except ProfileLookupError as exc:
        return None, None, f"triaged for nobody: {exc}"
    # built profiles carry their id (a column of ``profiles``); for a document without one,
    # the key is the id only if the document is found under it
    found = profile.get("customer_id")
    customer_id = str(found) if found is not None else (
        key if profiles.get(key) is not None else None)
    return customer_id, profile, f"customer found for {key!r}"


def _reasons(record: FeedbackRecord, found: str, value: Any) -> list[str]:
    return [found,
            f"topic {record.topic} (confidence {record.topic_confidence:.2f})",
            f"sentiment {record.sentiment} (polarity {record.polarity:+.2f})",
            f"urgency {record.urgency} from the topic and the sentiment",
            f"customer value {value} ({VALUE_FIELD})",
            f"{DECISION}: priority {record.priority}, queue {record.queue}"]


def feedback_routes(project_dir: Path, profiles: OnlineReader, verify: Verifier,
                    clock: Clock | None = None, *,
                    triage: Callable[[], Triage] | None = None,
                    log: Callable[[], LineLog] | None = None) -> APIRouter:
    """``POST /v1/feedback`` over a project's models, online store and logs.

    Args:
        project_dir: the project (models under ``.accord/``, logs under ``.accord/logs``).
        profiles: the online store customers are resolved in.
        verify: checks API keys (the ``feedback`` scope).
        clock: stamps the triage (the system clock when None).
        triage: the models and rules (loaded from the project on first use when None; a
            missing model answers 503 until one is trained).
        log: where triages are logged (the project's ``feedback`` log stream when None).
    """
    router = APIRouter(prefix="/v1", tags=["feedback"])
    may_send = require("feedback", verify)
    models = triage or Lazy(lambda: load_triage(FeedbackPaths.of_project(project_dir)))
    lines = log or Lazy(lambda: DurableLog(logs_path(project_dir), STREAM))
    now = clock or SystemClock()

    @router.post("/feedback", response_model=FeedbackResponse, responses=_ERRORS)
    def feedback(body: FeedbackBody, key: ApiKey = Depends(may_send)) -> FeedbackResponse:
        """Classify a customer's text, route it through the priority table, raise alerts."""
        try:
            model = models()
        except AccordError as exc:
            raise ApiError(503, "feedback_model_unavailable", str(exc)) from None
        customer_id, profile, found = _customer(profiles, body.customer)
        value = customer_value(profile)
        try:
            record = model.run([(customer_id, value)], [body.text], now)[0]
        except FeedbackDataError as exc:
            raise ApiError(400, "invalid_text", f"body.text: {exc}") from None
        lines().append([record.to_json({"channel": body.channel, "source": body.source,
                                        "app": key.app})])
        return FeedbackResponse(
            customer_id=record.customer_id, topic=record.topic,
            topic_confidence=round(record.topic_confidence, 4), sentiment=record.sentiment,
            polarity=round(record.polarity, 4), urgency=record.urgency,
            route=Route(priority=record.priority, queue=record.queue),
            alerts=[f"{record.priority} priority feedback"] if record.alert else [],
            reasons=_reasons(record, found, value))

    return router
