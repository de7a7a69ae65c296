"""Web sessions: signed cookies naming a session kept in the operational store, and a CSRF
token per session.

A cookie is ``<payload>.<signature>``: the payload (user name, expiry, session id) in URL-safe
base64 JSON, the signature an HMAC-SHA256 of it with the project's secret
(``.accord/web-secret``, made on first use, readable by the owner only). The signature turns
forged cookies away without a database read; the session itself lives in the operational
store (``web_sessions``, only the SHA-256 of its id), so logging out, or changing the
password, ends it in every worker process at once. The user's roles are read afresh on every
request, so a role taken away takes effect at once.

Every form posts the session's CSRF token (an HMAC of the session with a different label),
and htmx sends it as the ``X-CSRF-Token`` header; a POST without the right one is refused.
The cookie is ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` when the page came over HTTPS.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from accord.operational.schema import web_sessions
from accord.permissions import private_dir

#: The cookie's name.
COOKIE = "accord_session"
#: How long a login lasts, in seconds.
LIFETIME = 12 * 3600


@dataclass(frozen=True, slots=True)
class Session:
    """A verified session: the user it belongs to, its id, and its CSRF token."""

    username: str
    token: str
    csrf: str
    id: str


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

    def issue(self, username: str, now: float, session_id: str | None = None) -> str:
        """A token for ``username``, valid for :data:`LIFETIME` seconds from ``now``."""
        body = json.dumps({"u": username, "exp": int(now + LIFETIME),
                           "n": session_id or secrets.token_urlsafe(32)},
                          separators=(",", ":"))
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
            username, expires, session_id = str(body["u"]), int(body["exp"]), str(body["n"])
        except (ValueError, KeyError, TypeError):
            return None
        if expires <= now:
            return None
        return Session(username, token, self._sign(token, "csrf"), session_id)

    def sign(self, value: str, label: str) -> str:
        """An HMAC of ``value`` under ``label`` (the login form's CSRF pair uses it)."""
        return self._sign(value, label)


def same_token(given: str | None, expected: str) -> bool:
    """Whether a token sent with a form is the expected one, in constant time (compared as
    bytes: a token with characters beyond ASCII is wrong, not an error)."""
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


def _at(now: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(now, dt.UTC)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    """Sessions kept in the operational store, so that every worker process agrees on
    which are still open.

    Args:
        signer: signs and verifies the cookies.
        engine: the operational database (called when first needed).
    """

    def __init__(self, signer: Signer, engine: Callable[[], sa.Engine]) -> None:
        self.signer = signer
        self._engine = engine

    def start(self, username: str, now: float) -> str:
        """A new session for ``username``: the cookie's value."""
        session_id = secrets.token_urlsafe(32)
        with self._engine().begin() as connection:
            # sessions long expired are of no use to anybody: cleared as new ones start
            connection.execute(web_sessions.delete().where(
                web_sessions.c.expires_at < _at(now - LIFETIME)))
            connection.execute(web_sessions.insert().values(
                id_hash=_hash(session_id), username=username, created_at=_at(now),
                expires_at=_at(now + LIFETIME)))
        return self.signer.issue(username, now, session_id)

    def find(self, token: str | None, now: float) -> Session | None:
        """The open session of a cookie: None when forged, expired, ended or revoked."""
        session = self.signer.verify(token, now)
        if session is None:
            return None
        with self._engine().connect() as connection:
            row = connection.execute(sa.select(web_sessions.c.username).where(
                web_sessions.c.id_hash == _hash(session.id),
                web_sessions.c.revoked_at.is_(None),
                web_sessions.c.expires_at > _at(now))).first()
        return session if row is not None and row.username == session.username else None

    def end(self, session: Session, now: float) -> None:
        """Log out: the session opens nothing any more, in any worker."""
        with self._engine().begin() as connection:
            connection.execute(web_sessions.update().where(
                web_sessions.c.id_hash == _hash(session.id)).values(revoked_at=_at(now)))

