"""What every page needs: the project's stores, the logged-in user, rendering, and refusals.

Pages are server-rendered (Jinja2, autoescaped) with htmx for the parts that update in
place. Governance, users and decisions are the same objects the API and the CLI use: the web
app is another edge, with no rules of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from accord.clock import Clock
from accord.decisioning.service import DecisionService
from accord.operational.store import OperationalStore
from accord.rules.governance import Governance
from accord.rules.lifecycle import Role
from accord.rules.users import User, UserRepository
from accord.web.hub import HubReader
from accord.web.session import COOKIE, Session, Sessions, Signer, same_token
from accord.web.throttle import Throttle

#: Where the web app lives.
PREFIX = "/app"

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("accord.web", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True, lstrip_blocks=True,
)


class Refused(Exception):
    """A request the user may not make (403) or made wrongly (400): shown as a page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LoginRequired(Exception):
    """No valid session: pages redirect to the login form."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The logged-in user and their session."""

    user: User
    session: Session

    def has(self, *roles: Role) -> bool:
        return bool(self.user.roles & set(roles))


class Web:
    """The web app's view of one project."""

    def __init__(self, root: Path, clock: Clock, signer: Signer,
                 operational: Callable[[], OperationalStore],
                 decisions: Callable[[], DecisionService], hub: HubReader,
                 governance: Callable[[], Governance]) -> None:
        self.root = root
        self.clock = clock
        self.signer = signer
        self.operational = operational
        self.sessions = Sessions(signer, lambda: operational().engine)
        self.throttle = Throttle(lambda: operational().engine, clock)
        self.decisions = decisions
        self.hub = hub
        self.governance = governance

    def users(self) -> UserRepository:
        return UserRepository(self.operational(), self.clock)

    def viewer(self, request: Request) -> Viewer:
        """The logged-in user (roles read now), or :class:`LoginRequired`."""
        session = self.sessions.find(request.cookies.get(COOKIE), time.time())
        if session is None:
            raise LoginRequired()
        user = self.users().get(session.username)
        if user is None:
            raise LoginRequired()
        return Viewer(user, session)

    def check_csrf(self, viewer: Viewer, token: str | None) -> None:
        """Refuse (400) a state-changing request without the session's CSRF token."""
        if not same_token(token, viewer.session.csrf):
            raise Refused(400, "the form was stale or not sent from this site; reload the "
                               "page and try again")

    def page(self, request: Request, template: str, viewer: Viewer | None, *,
             status: int = 200, **data: Any) -> HTMLResponse:
        """A rendered page; ``msg``/``level`` in the query string show as a notice."""
        html = _TEMPLATES.get_template(template).render(
            prefix=PREFIX, viewer=viewer, path=request.url.path,
            notice=request.query_params.get("msg"),
            level=request.query_params.get("level", "info"), Role=Role, **data)
        return HTMLResponse(html, status_code=status)


def redirect(path: str, message: str | None = None, level: str = "info") -> RedirectResponse:
    """303 to ``path`` (after a POST), with a notice to show there."""
    if message:
        path += ("&" if "?" in path else "?") + f"msg={quote(message)}&level={level}"
    return RedirectResponse(path, status_code=303)
