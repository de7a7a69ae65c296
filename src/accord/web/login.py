"""Logging in and out of the web app, with the users and passwords of rule governance."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from accord.web.context import PREFIX, Web, redirect
from accord.web.session import COOKIE, LIFETIME


def _safe_next(target: str | None) -> str:
    """Only a path inside the app: a login form is no open redirect."""
    if target and target.startswith(PREFIX) and not target.startswith("//"):
        return target
    return PREFIX


def login_routes(web: Web) -> APIRouter:
    router = APIRouter()

    @router.get(f"{PREFIX}/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str | None = None) -> HTMLResponse:
        return web.page(request, "login.html", None, next=_safe_next(next), error=None)

    @router.post(f"{PREFIX}/login", response_model=None)
    def login(request: Request, username: Annotated[str, Form()],
              password: Annotated[str, Form()],
              next: Annotated[str | None, Form()] = None) -> HTMLResponse | RedirectResponse:
        user = web.users().authenticate(username, password)
        if user is None:
            return web.page(request, "login.html", None, status=401, next=_safe_next(next),
                            error="Wrong user name or password.")
        response = redirect(_safe_next(next))
        response.set_cookie(COOKIE, web.signer.issue(user.username, time.time()),
                            max_age=LIFETIME, httponly=True, samesite="lax", path=PREFIX)
        return response

    @router.post(f"{PREFIX}/logout")
    def logout() -> RedirectResponse:
        response = redirect(f"{PREFIX}/login", "You are logged out.")
        response.delete_cookie(COOKIE, path=PREFIX)
        return response

    return router
