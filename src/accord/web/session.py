"""Signed session cookies for the web app: who is logged in, and a CSRF token per session.

A session is ``<payload>.<signature>``: the payload (user name, expiry) in URL-safe base64
JSON, the signature an HMAC-SHA256 of it with the project's secret (``.accord/web-secret``,
made on first use, readable by the owner only). Nothing is stored server side: the user's
roles are read afresh on every request, so a role taken away takes effect at once.

Every form posts the session's CSRF token (an HMAC of the session with a different label);
a POST without the right one is refused. The cookie is ``HttpOnly`` and ``SameSite=Lax``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from accord.permissions import private_dir

#: The cookie's name.
COOKIE = "accord_session"
#: How long a login lasts, in seconds.
LIFETIME = 12 * 3600


@dataclass(frozen=True, slots=True)
class Session:
    """A verified session: the user it belongs to, and its CSRF token."""

    username: str
    token: str
    csrf: str


def load_secret(path: Path) -> bytes:
    """The project's signing secret, created (0600) when missing."""
    if path.is_file():
        return path.read_bytes()
    private_dir(path.parent)
    secret = secrets.token_bytes(32)
    # the secret is written under another name and linked into place: two workers starting
    # together agree on whichever landed first, and nobody reads a half-written file
    draft = path.with_name(f"{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, secret)
    finally:
        os.close(descriptor)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_bytes()


class Signer:
    """Issues and verifies session tokens with one secret, read (or made) on first use: an
    app that nobody logs in to writes nothing."""

    def __init__(self, secret: bytes | Callable[[], bytes]) -> None:
        self._secret = secret

    def _key(self) -> bytes:
        if callable(self._secret):
            self._secret = self._secret()
        return self._secret

    def _sign(self, payload: str, label: str) -> str:
        digest = hmac.new(self._key(), f"{label}:{payload}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")

    def issue(self, username: str, now: float) -> str:
        """A token for ``username``, valid for :data:`LIFETIME` seconds from ``now``."""
        body = json.dumps({"u": username, "exp": int(now + LIFETIME),
                           "n": secrets.token_hex(8)}, separators=(",", ":"))
        payload = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
        return f"{payload}.{self._sign(payload, 'session')}"

    def verify(self, token: str | None, now: float) -> Session | None:
        """The session of a token, unless forged, malformed or expired."""
        if not token or token.count(".") != 1:
            return None
        payload, signature = token.split(".")
        if not hmac.compare_digest(signature, self._sign(payload, "session")):
            return None
        try:
            body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            username, expires = str(body["u"]), int(body["exp"])
        except (ValueError, KeyError, TypeError):
            return None
        if expires <= now:
            return None
        return Session(username, token, self._sign(token, "csrf"))
