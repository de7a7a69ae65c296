"""Notifications over real local servers: a webhook receiver (uvicorn on 127.0.0.1) and an
SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller

from accord.capacity.forecast import forecast
from accord.capacity.mail import EmailChannel, SmtpSettings
from accord.capacity.notifications import (
    Event,
    MemoryDeadLetters,
    Notifier,
    Recipient,
    changed,
    launch_reminders,
    preflight_red,
    scheduled,
)
from accord.capacity.preflight import preflight
from accord.capacity.repository import SqlDeadLetters
from accord.capacity.webhook import WebhookChannel, verify
from accord.clock import FixedClock
from accord.operational.store import open_operational, sqlite_url
from tests.capacity import scenario

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """An ASGI webhook receiver answering ``status`` and keeping what it got."""

    def __init__(self) -> None:
        self.status = 500
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.received.append((headers, body))
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, str]]:
    app = Receiver()
    port = _port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the webhook receiver did not start"
        time.sleep(0.01)
    yield app, f"http://127.0.0.1:{port}/hook"
    server.should_exit = True
    thread.join(timeout=10)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def _plan() -> Any:
    return scenario.plan(500_000, name="Spring sale", start=NOW + dt.timedelta(hours=20))


def test_a_failing_webhook_is_retried_with_backoff_then_dead_lettered(
        receiver: tuple[Receiver, str], tmp_path: Path) -> None:
    app, url = receiver
    app.status, app.received = 500, []
    slept: list[float] = []
    engine = open_operational(sqlite_url(tmp_path / "op.db")).engine
    letters = SqlDeadLetters(engine)  # persisted: a restart still lists them
    with httpx.Client(timeout=5) as client:
        channel = WebhookChannel(client, letters, FixedClock(NOW), slept.append, attempts=4,
                                 base_delay=0.5)
        notifier = Notifier([Recipient("ops", "it", webhook=url, secret="s3cret")],
                            {"webhook": channel})
        deliveries = notifier.notify(scheduled(_plan(), NOW))
    assert [d.ok for d in deliveries] == [False]
    assert len(app.received) == 4 and slept == [0.5, 1.0, 2.0]
    (letter,) = SqlDeadLetters(engine).list()
    assert (letter.target, letter.error, letter.attempts) == (url, "HTTP 500", 4)
    assert json.loads(letter.payload)["event"] == "campaign.scheduled"
    headers, body = app.received[0]
    assert verify("s3cret", int(headers["x-accord-timestamp"]), body,
                  headers["x-accord-signature"])
    assert not verify("other", int(headers["x-accord-timestamp"]), body,
                      headers["x-accord-signature"])


def test_a_webhook_that_recovers_is_delivered_without_a_dead_letter(
        receiver: tuple[Receiver, str]) -> None:
    app, url = receiver
    app.status, app.received = 200, []
    letters = MemoryDeadLetters()
    with httpx.Client(timeout=5) as client:
        channel = WebhookChannel(client, letters, FixedClock(NOW), lambda s: None)
        (delivery,) = channel.deliver(Recipient("ops", "it", webhook=url),
                                      changed(_plan(), _plan().model_copy(
                                          update={"audience": 400_000}), NOW)),
    assert delivery is not None and delivery.ok and delivery.attempts == 1
    assert letters.list() == []
    assert json.loads(app.received[0][1])["data"] == {"changed": ["audience"]}


def test_a_connection_refused_is_retried_then_dead_lettered() -> None:
    letters = MemoryDeadLetters()
    slept: list[float] = []
    with httpx.Client(timeout=2) as client:
        channel = WebhookChannel(client, letters, FixedClock(NOW), slept.append, attempts=3)
        delivery = channel.deliver(Recipient("ops", "it",
                                             webhook=f"http://127.0.0.1:{_port()}/"),
                                   scheduled(_plan(), NOW))
    assert delivery is not None and not delivery.ok and slept == [1.0, 2.0]
    assert letters.list()[0].error.startswith("ConnectError")


def test_a_red_preflight_email_arrives_at_the_local_smtp_server() -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_port())
    controller.start()
    try:
        registry = scenario.registry()
        result = preflight("spring-sale", forecast([scenario.plan()], scenario.model(),
                                                   registry, scenario.grid()), registry)
        channel = EmailChannel(SmtpSettings("127.0.0.1", controller.port,
                                            "accord@example.com"),
                               MemoryDeadLetters(), FixedClock(NOW), lambda s: None)
        notifier = Notifier([Recipient("ops", "it", email="it-ops@example.com"),
                             Recipient("crm", "marketing", email="crm@example.com"),
                             Recipient("shop", "sales", email="shop@example.com")],
                            {"email": channel})
        deliveries = notifier.notify(preflight_red(result, NOW))
    finally:
        controller.stop()
    # marketing, and the owner of the red web site; not sales
    assert sorted(d.target for d in deliveries if d.ok) == ["crm@example.com",
                                                             "it-ops@example.com"]
    assert sorted(rcpt for m in inbox.messages for rcpt in m.rcpt_tos) == [
        "crm@example.com", "it-ops@example.com"]
    mail = message_from_bytes(inbox.messages[0].content)
    assert mail["Subject"] == "[Accord] Red preflight: spring-sale"
    assert mail["X-Accord-Event"] == Event.PREFLIGHT_RED.value
    assert "web: red" in mail.get_payload()


def test_reminders_24_hours_before_launch_once() -> None:
    soon, later = _plan(), _plan().model_copy(update={"id": "later",
                                                      "start": NOW + dt.timedelta(days=3)})
    reminded: set[str] = set()
    first = launch_reminders([soon, later], FixedClock(NOW), reminded.__contains__)
    assert [n.campaign for n in first] == ["spring-sale"]
    assert first[0].event is Event.LAUNCH_SOON
    reminded.update(n.campaign for n in first)
    assert launch_reminders([soon, later], FixedClock(NOW), reminded.__contains__) == []
