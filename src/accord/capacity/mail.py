"""Notifications by e-mail over SMTP (STARTTLS and login when configured)."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

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


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0


def message(settings: SmtpSettings, recipient: str, notification: Notification) -> EmailMessage:
    """The e-mail for a notification."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = recipient
    mail["Subject"] = f"[Accord] {notification.subject}"
    mail["X-Accord-Event"] = notification.event.value
    mail.set_content(f"{notification.body}\n\nCampaign: {notification.campaign}\n"
                     f"Event: {notification.event.value}\n")
    return mail


class EmailChannel:
    """Delivers notifications to recipients' e-mail addresses."""

    name = "email"

    def __init__(self, settings: SmtpSettings, dead_letters: DeadLetters, clock: Clock,
                 sleep: Callable[[float], None], *, attempts: int = 3,
                 base_delay: float = 2.0, max_delay: float = 60.0) -> None:
        self.settings = settings
        self.dead_letters = dead_letters
        self.clock = clock
        self.retry = Retry("e-mail", sleep, attempts=attempts, base_delay=base_delay,
                           max_delay=max_delay)

    def _send(self, mail: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
            if s.starttls:
                smtp.starttls()
            if s.username is not None:
                smtp.login(s.username, s.password or "")
            smtp.send_message(mail)

    def deliver(self, recipient: Recipient, notification: Notification) -> Delivery | None:
        if recipient.email is None:
            return None
        mail = message(self.settings, recipient.email, notification)

        def once() -> Attempt:
            try:
                self._send(mail)
            except (smtplib.SMTPException, OSError) as exc:
                # a refused address: retrying will not help
                return Attempt(f"{type(exc).__name__}: {exc}",
                               final=isinstance(exc, smtplib.SMTPRecipientsRefused))
            return Attempt()

        attempts, error = self.retry.run(once)
        if not error:
            return Delivery(self.name, recipient.email, True, attempts)
        self.dead_letters.add(DeadLetter(self.name, recipient.email, notification.event.value,
                                         notification.campaign, mail.as_string(), error,
                                         attempts, self.clock.now()))
        return Delivery(self.name, recipient.email, False, attempts, error)
