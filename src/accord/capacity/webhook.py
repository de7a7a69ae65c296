"""Signed webhooks, retried with exponential backoff, then dead-lettered.

Each request carries ``X-Accord-Event``, ``X-Accord-Timestamp`` (Unix seconds) and
``X-Accord-Signature: sha256=<hex>``, the HMAC-SHA256 of ``"{timestamp}.{body}"`` with the
recipient's secret: a receiver recomputes it, compares in constant time and rejects old
timestamps (replays). Transport errors, 429 and 5xx are retried; other answers are final.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import httpx

from accord.capacity.grid import CapacityError
from accord.capacity.notifications import (
    DeadLetter,
    DeadLetters,
    Delivery,
    Notification,
    Recipient,
    backoff,
)
from accord.clock import Clock


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value.

    >>> signature("s3cret", 1700000000, b'{}')[:15]
    'sha256=97926816'
    """
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    """Does ``header`` sign ``body`` (constant-time comparison)?"""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


class WebhookChannel:
    """Delivers notifications to recipients' webhook URLs."""

    name = "webhook"

    def __init__(self, client: httpx.Client, dead_letters: DeadLetters, clock: Clock,
                 sleep: Callable[[float], None], *, attempts: int = 5,
                 base_delay: float = 1.0, max_delay: float = 60.0) -> None:
        self.client = client
        self.dead_letters = dead_letters
        self.clock = clock
        self.sleep = sleep
        if attempts < 1:
            raise CapacityError(f"a webhook channel needs at least one attempt, not {attempts}")
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay

    def deliver(self, recipient: Recipient, notification: Notification) -> Delivery | None:
        if recipient.webhook is None:
            return None
        body = notification.payload()
        error = ""
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                self.sleep(backoff(attempt - 1, self.base_delay, self.max_delay))
            timestamp = int(self.clock.now().timestamp())
            headers = {"content-type": "application/json",
                       "x-accord-event": notification.event.value,
                       "x-accord-timestamp": str(timestamp)}
            if recipient.secret is not None:
                headers["x-accord-signature"] = signature(recipient.secret, timestamp, body)
            try:
                response = self.client.post(recipient.webhook, content=body, headers=headers)
            except httpx.TransportError as exc:
                error = f"{type(exc).__name__}: {exc}"
                continue
            if response.is_success:
                return Delivery(self.name, recipient.webhook, True, attempt)
            error = f"HTTP {response.status_code}"
            if not _retryable(response.status_code):
                break
        self.dead_letters.add(DeadLetter(self.name, recipient.webhook,
                                         notification.event.value, notification.campaign,
                                         body.decode(), error, attempt, self.clock.now()))
        return Delivery(self.name, recipient.webhook, False, attempt, error)
