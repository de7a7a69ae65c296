"""The API under fuzzing: schemathesis generates valid and invalid requests for every
operation of the OpenAPI document and checks every answer.

An answer fails the run when it is a 5xx, when its status, content type or body is not the
one the document declares for that operation, or when it is an error (4xx) whose body is not
``{"error": {"code": ..., "message": ...}}``. Requests carry, in turn, an API key of each
scope and the personal token of each role (every other request the strongest credential, so
that half the cases get past authentication into the route's own checks).

Bounded for CI: a few examples per operation, derandomised (the same cases on every run).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import CheckContext
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accord.clock import FixedClock
from accord.demo.rules import install_rules
from accord.operational import ApiKeyRepository
from accord.operational.api_keys import SCOPES
from accord.project.template import state_dir
from accord.rules.tokens import TokenRepository
from accord.rules.users import UserRepository
from accord.server import create_app
from accord.server.runtime import open_project_operational
from accord.testing.demo import built_demo
from tests.feedback.corpus import save_models

NOW = dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC)
#: Examples per operation (and credential mix): a few minutes on two cores for the whole API.
EXAMPLES = 100


def _project(directory: Path) -> tuple[Path, list[str], list[str]]:
    """A built demo with its rules active: the API keys of each scope (admin first) and the
    personal tokens of each role (admin first)."""
    built_demo(directory, customers=200)
    save_models(state_dir(directory))  # small TF-IDF classifiers: POST /v1/feedback answers
    clock = FixedClock(NOW)
    install_rules(directory, clock)
    store = open_project_operational(directory)
    repository = ApiKeyRepository(store, clock)
    keys = [repository.create(f"fuzz-{scope}", [scope])[1]
            for scope in sorted(SCOPES, key=lambda s: s != "admin")]
    users, tokens = UserRepository(store, clock), TokenRepository(store, clock)
    people = []
    for name, role in (("ada", "admin"), ("mia", "marketer"), ("ola", "approver")):
        user = users.create(name, f"{name} has a long password", [role])
        people.append(tokens.create(user, "fuzz")[1])
    return directory, keys, people


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> bytes:
    """An event batch: the generated text as is, anything else as one JSON line."""
    return value.encode() if isinstance(value, str) else json.dumps(value).encode()


#: The project is built by the ``fuzzed`` fixture; the app (which opens its stores on first
#: use) and its OpenAPI document exist at import, as schemathesis's parametrisation needs.
_DIRECTORY = Path(tempfile.gettempdir()) / f"accord-fuzz-{uuid.uuid4().hex}" / "retailer"
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_DIRECTORY))


@dataclass
class Fuzzed:
    """The credentials requests take turns with."""

    keys: list[str]
    people: list[str]
    turn: itertools.count[int] = field(default_factory=itertools.count)

    def credential(self, path: str) -> str | None:
        """Every other request the strongest credential the route takes (the admin key, or
        the admin's token on governance routes); in between each API key, each personal
        token and none, in turn."""
        turn = next(self.turn)
        if turn % 2 == 0:
            return self.people[0] if path.startswith("/v1/rules") else self.keys[0]
        weak: list[str | None] = [*self.keys[1:], *self.people, None]
        return weak[(turn // 2) % len(weak)]


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Fuzzed]:
    _, keys, people = _project(_DIRECTORY)
    yield Fuzzed(keys, people)
    shutil.rmtree(_DIRECTORY.parent)


def error_shape(ctx: CheckContext, response: Any, case: Any) -> bool | None:
    """A 4xx or 5xx answers ``{"error": {"code": str, "message": str}}`` (a DMN
    evaluation's 422 carries its result and messages beside ``error``)."""
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(error, dict) and set(error) == {"code", "message"}
            and all(isinstance(error[k], str) and error[k] for k in ("code", "message"))):
        raise Failure(operation=case.operation.label, title="Error not in the error shape",
                      message=f"{response.status_code}: {response.text[:300]!r}")
    return True


def not_a_server_error(ctx: CheckContext, response: Any, case: Any) -> bool | None:
    """No 5xx (the stores are built and the feedback classifiers trained: no 503 either)."""
    if response.status_code >= 500:
        raise Failure(operation=case.operation.label, title="Server error",
                      message=f"{response.status_code}: {response.text[:500]!r}")
    return True


CHECKS = [not_a_server_error, error_shape, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck),
                     phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
def test_api_answers_every_request_as_documented(case: schemathesis.Case,
                                                 fuzzed: Fuzzed) -> None:
    secret = fuzzed.credential(case.path)
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)

