"""The feedback taxonomy over HTTP: read it, add or change a topic, remove one.

The taxonomy is the project's ``.accord/feedback-taxonomy.yaml`` (see
:mod:`accord.feedback.project`). Every change makes a new version; a change may name the
version it is based on (``base_version``) and is refused (409) when another change came
first, so nobody overwrites what they did not see. A bad topic (unknown parent, a cycle, an
unknown urgency) is 400 and nothing is written; the file is replaced whole or not at all.
Reading needs the ``feedback`` scope, changing ``admin``. A running server's triage picks
up the new urgencies on its next load (``on_change`` lets it drop its cached models).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from accord.feedback.errors import TaxonomyError
from accord.feedback.project import TAXONOMY_FILE
from accord.feedback.taxonomy import Taxonomy, Topic, load_taxonomy, save_taxonomy, taxonomy
from accord.operational.api_keys import ApiKey
from accord.project.template import state_dir
from accord.server.auth import Verifier, require
from accord.server.errors import ApiError, ErrorResponse

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 409)}


class TopicBody(BaseModel):
    """A topic's fields (its id is in the path)."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    examples: list[str] = Field(default_factory=list, max_length=200)
    parent: str | None = None
    urgency: str = Field(default="low", description="low, medium or high")
    base_version: int | None = Field(default=None, ge=0, description="the version this change "
                                     "starts from; refused (409) when it is not the current")


def taxonomy_routes(project_dir: Path, verify: Verifier,
                    on_change: Callable[[], None] | None = None) -> APIRouter:
    """``/v1/feedback/taxonomy`` over the project's taxonomy file."""
    router = APIRouter(prefix="/v1/feedback/taxonomy", tags=["feedback"])
    may_read, may_change = require("feedback", verify), require("admin", verify)
    path = state_dir(project_dir) / TAXONOMY_FILE
    lock = threading.Lock()  # one change at a time in this process

    def current() -> Taxonomy:
        if not path.is_file():
            return Taxonomy(0, {})
        try:
            return load_taxonomy(path)
        except TaxonomyError as exc:
            raise ApiError(409, "taxonomy_unreadable", str(exc)) from None

    def write(new: Taxonomy) -> dict[str, Any]:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_suffix(".yaml.tmp")
        save_taxonomy(new, draft)
        os.replace(draft, path)  # whole or not at all
        if on_change is not None:
            on_change()
        return new.to_dict()

    def check_base(tax: Taxonomy, base: int | None) -> None:
        if base is not None and base != tax.version:
            raise ApiError(409, "stale_taxonomy", f"your change starts from version {base}, "
                           f"but the taxonomy is at version {tax.version}; reload it "
                           "(nothing was changed)")

    @router.get("", responses=_ERRORS)
    def read(key: ApiKey = Depends(may_read)) -> dict[str, Any]:
        """The taxonomy: its version and topics."""
        return current().to_dict()

    @router.put("/topics/{topic_id}", responses=_ERRORS)
    def put_topic(topic_id: str, body: TopicBody,
                  key: ApiKey = Depends(may_change)) -> dict[str, Any]:
        """Add or change a topic: a new version."""
        with lock:
            tax = current()
            check_base(tax, body.base_version)
            topic = Topic(topic_id, body.description, tuple(body.examples), body.parent,
                          body.urgency)
            try:
                new = taxonomy({**tax.topics, topic_id: topic}.values(), tax.version + 1)
            except TaxonomyError as exc:
                raise ApiError(400, "invalid_topic", str(exc)) from None
            return write(new)

    @router.delete("/topics/{topic_id}", responses=_ERRORS)
    def delete_topic(topic_id: str, base_version: int | None = None,
                     key: ApiKey = Depends(may_change)) -> dict[str, Any]:
        """Remove a topic (not while it has children): a new version."""
        with lock:
            tax = current()
            check_base(tax, base_version)
            if topic_id not in tax.topics:
                raise ApiError(404, "unknown_topic", f"no topic {topic_id!r}")
            try:
                new = tax.without_topic(topic_id)
            except TaxonomyError as exc:
                raise ApiError(409, "topic_has_children", str(exc)) from None
            return write(new)

    return router
