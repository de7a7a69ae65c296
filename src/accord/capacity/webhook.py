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

from accord.capacity.notifications import (
    Attempt,
    DeadLetter,
    DeadLetters,
    Delivery,
    Notification,
    Recipient,
    Retry,
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
        self.retry = Retry("webhook", sleep, attempts=attempts, base_delay=base_delay,
                           max_delay=max_delay)

    def deliver(self, recipient: Recipient, notification: Notification) -> Delivery | None:
        url = recipient.webhook
        if url is None:
            return None
        body = notification.payload()

        def once() -> Attempt:
            timestamp = int(self.clock.now().timestamp())
            headers = {"content-type": "application/json",
                       "x-accord-event": notification.event.value,
                       "x-accord-timestamp": str(timestamp)}
            if recipient.secret is not None:
                headers["x-accord-signature"] = signature(recipient.secret, timestamp, body)
            try:
                response = self.client.post(url, content=body, headers=headers)
            except httpx.TransportError as exc:
                return Attempt(f"{type(exc).__name__}: {exc}")
            if response.is_success:
                return Attempt()
            return Attempt(f"HTTP {response.status_code}",
                           final=not _retryable(response.status_code))

        attempts, error = self.retry.run(once)
        if not error:
            return Delivery(self.name, url, True, attempts)
        self.dead_letters.add(DeadLetter(self.name, url, notification.event.value,
                                         notification.campaign, body.decode(), error,
                                         attempts, self.clock.now()))
        return Delivery(self.name, url, False, attempts, error)
