"""Who to notify and how: recipients and the SMTP server, from YAML.

Secrets are never in the file: a webhook's signing secret and the SMTP password are read
from the environment variables the file names::

    smtp: {host: smtp.example.com, port: 587, sender: accord@example.com, starttls: true,
           username: accord, password_env: ACCORD_SMTP_PASSWORD}
    recipients:
      - {name: web-ops, department: it, email: it-ops@example.com,
         webhook: https://hooks.example.com/accord, secret_env: ACCORD_HOOK_SECRET}
      - {name: contact-centre, department: service, email: cc-leads@example.com}
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.capacity.grid import CapacityError
from accord.capacity.mail import EmailChannel, SmtpSettings
from accord.capacity.notifications import Channel, DeadLetters, Notifier, Recipient
from accord.capacity.webhook import WebhookChannel
from accord.clock import Clock


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SmtpSpec(_Spec):
    host: str = Field(min_length=1)
    port: int = Field(25, gt=0, lt=65536)
    sender: str = Field(min_length=3)
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None


class RecipientSpec(_Spec):
    name: str = Field(min_length=1)
    department: Literal["marketing", "sales", "service", "it"]
    email: str | None = None
    webhook: str | None = Field(None, pattern=r"^https?://")
    secret_env: str | None = None


class DirectorySpec(_Spec):
    smtp: SmtpSpec | None = None
    recipients: list[RecipientSpec]


def _env(name: str | None, what: str, environ: Mapping[str, str]) -> str | None:
    if name is None:
        return None
    value = environ.get(name)
    if value is None:
        raise CapacityError(f"{what}: environment variable {name} is not set")
    return value


def load_directory(path: Path | str, environ: Mapping[str, str] | None = None
                   ) -> tuple[list[Recipient], SmtpSettings | None]:
    """Recipients and SMTP settings from YAML (errors name the file and field)."""
    env = os.environ if environ is None else environ
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        spec = DirectorySpec.model_validate(data)
    except OSError as exc:
        raise CapacityError(f"cannot read {file}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise CapacityError(f"{file}: not valid YAML ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CapacityError(f"{file}: {where}: {first['msg']}") from None
    recipients = [Recipient(r.name, r.department, r.email, r.webhook,
                            _env(r.secret_env, f"recipient {r.name}", env))
                  for r in spec.recipients]
    smtp = None
    if spec.smtp is not None:
        s = spec.smtp
        smtp = SmtpSettings(s.host, s.port, s.sender, s.starttls, s.username,
                            _env(s.password_env, "smtp", env))
    return recipients, smtp


def notifier(recipients: list[Recipient], smtp: SmtpSettings | None, client: httpx.Client,
             dead_letters: DeadLetters, clock: Clock) -> Notifier:
    """A notifier over webhooks, and e-mail when SMTP is configured (real sleeps)."""
    channels: dict[str, Channel] = {
        "webhook": WebhookChannel(client, dead_letters, clock, time.sleep)}
    if smtp is not None:
        channels["email"] = EmailChannel(smtp, dead_letters, clock, time.sleep)
    return Notifier(recipients, channels)
