"""Logging in and out of the web app, and changing one's password.

* **Login.** The form carries a CSRF token bound to a cookie set with the form (a signed
  double submit: there is no session yet to bind it to). Failures are throttled per user
  name and per address (:mod:`accord.web.throttle`); unknown names cost the same password
  check as known ones. A right password starts a session kept in the operational store.
* **Logout** (a form with the session's CSRF token) ends the session in the store: its cookie
  opens nothing any more, in any worker.
* **Password change** ends every session of the user (in the same transaction) and starts a
  new one for the browser that changed it.

Cookies are ``Secure`` when the request came over HTTPS, directly or through a proxy that
uvicorn trusts (``accord serve --forwarded-allow-ips``).
"""

from __future__ import annotations

import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.errors import ConfigError
from accord.rules.users import WrongPassword
from accord.web.context import PREFIX, Refused, Web, redirect
from accord.web.session import COOKIE, LIFETIME, same_token

#: The cookie that pairs the login form with its browser.
LOGIN_COOKIE = "accord_login"


def _safe_next(target: str | None) -> str:
    """Only a path inside the app: a login form is no open redirect."""
    if target and target.startswith(PREFIX) and not target.startswith("//"):
        return target
    return PREFIX


def secure(request: Request) -> bool:
    """Whether cookies must be ``Secure``: the request came over HTTPS (uvicorn sets the
    scheme from ``X-Forwarded-Proto`` only for proxies it is told to trust)."""
    return request.url.scheme == "https"


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_routes(web: Web) -> APIRouter:
    router = APIRouter()

    def form(request: Request, *, next: str, error: str | None = None,
             status: int = 200) -> HTMLResponse:
        """The login form with its CSRF pair (cookie and field): the browser's cookie when it
        has one, so that two open login tabs both work."""
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        if not 32 <= len(nonce) <= 64 or not nonce.isascii():
            nonce = secrets.token_urlsafe(32)
        response = web.page(request, "login.html", None, status=status, next=next,
                            error=error, csrf=web.signer.sign(nonce, "login"))
        response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="lax", path=PREFIX,
                            secure=secure(request))
        return response

    def start(request: Request, response: Response, username: str) -> None:
        response.set_cookie(COOKIE, web.sessions.start(username, time.time()),
                            max_age=LIFETIME, httponly=True, samesite="lax", path=PREFIX,
                            secure=secure(request))

    @router.get(f"{PREFIX}/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str | None = None) -> HTMLResponse:
        return form(request, next=_safe_next(next))

    @router.post(f"{PREFIX}/login", response_model=None)
    def login(request: Request, username: Annotated[str, Form()],
              password: Annotated[str, Form()],
              csrf: Annotated[str, Form()] = "",
              next: Annotated[str | None, Form()] = None) -> HTMLResponse | RedirectResponse:
        target = _safe_next(next)
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        if not nonce or not same_token(csrf, web.signer.sign(nonce, "login")):
            return form(request, next=target, status=400,
                        error="The login form had expired or was not sent from this site: "
                              "log in again.")
        address = _address(request)
        attempt = web.throttle.begin(username, address)
        if attempt.refused is not None:
            web.throttle.refused(username, address, attempt.refused)
            now = web.throttle.clock.now()
            response = form(request, next=target, status=429,
                            error=attempt.refused.message(now))
            response.headers["retry-after"] = str(attempt.refused.seconds(now))
            return response
        user = web.users().authenticate(username, password)
        if user is None:
            lock = web.throttle.failed(username, address, attempt)
            if lock is not None:
                return form(request, next=target, status=429,
                            error=lock.message(web.throttle.clock.now()))
            return form(request, next=target, status=401,
                        error="Wrong user name or password.")
        web.throttle.succeeded(user.username, address, attempt)
        done = redirect(target)
        start(request, done, user.username)
        done.delete_cookie(LOGIN_COOKIE, path=PREFIX)
        return done

    @router.post(f"{PREFIX}/logout")
    def logout(request: Request, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
        session = web.sessions.find(request.cookies.get(COOKIE), time.time())
        if session is not None:
            if not same_token(csrf, session.csrf):
                raise Refused(400, "the form was stale or not sent from this site; reload "
                                   "the page and try again")
            web.sessions.end(session, time.time())
        response = redirect(f"{PREFIX}/login", "You are logged out.")
        response.delete_cookie(COOKIE, path=PREFIX)
        return response

    @router.get(f"{PREFIX}/account", response_class=HTMLResponse)
    def account(request: Request) -> HTMLResponse:
        viewer = web.viewer(request)
        return web.page(request, "account.html", viewer, error=None)

    @router.post(f"{PREFIX}/account/password", response_model=None)
    def change_password(request: Request, csrf: Annotated[str, Form()],
                        current: Annotated[str, Form()],
                        new: Annotated[str, Form()],
                        repeat: Annotated[str, Form()]
                        ) -> HTMLResponse | RedirectResponse:
        viewer = web.viewer(request)
        web.check_csrf(viewer, csrf)
        name, address = viewer.user.username, _address(request)
        if new != repeat:
            return web.page(request, "account.html", viewer, status=400,
                            error="the new password and its repetition differ")
        # the current password is guessed here as at the login form (a session left open on
        # a shared computer): the same counts and locks
        attempt = web.throttle.begin(name, address)
        if attempt.refused is not None:
            web.throttle.refused(name, address, attempt.refused)
            return web.page(request, "account.html", viewer, status=429,
                            error=attempt.refused.message(web.throttle.clock.now()))
        try:
            web.users().change_password(name, current, new)
        except WrongPassword as exc:
            lock = web.throttle.failed(name, address, attempt)
            message = lock.message(web.throttle.clock.now()) if lock else str(exc)
            return web.page(request, "account.html", viewer, status=429 if lock else 400,
                            error=message)
        except ConfigError as exc:
            web.throttle.succeeded(name, address, attempt)  # the current one was right
            return web.page(request, "account.html", viewer, status=400, error=str(exc))
        web.throttle.succeeded(name, address, attempt)
        response = redirect(f"{PREFIX}/account", "Your password is changed: every other "
                            "session of yours has ended.")
        start(request, response, viewer.user.username)
        return response

    return router
