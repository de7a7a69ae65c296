"""The home page: what is live, the approvals waiting for me, my drafts, the base."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.errors import AccordError
from accord.rules.lifecycle import Role, State
from accord.web.context import PREFIX, Web


def home_routes(web: Web, segment_summary: object) -> APIRouter:
    router = APIRouter()

    @router.get(PREFIX, response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        viewer = web.viewer(request)
        governance = web.governance()
        versions = governance.rules.versions()
        states = {v.version: governance.state(v.version) for v in versions}
        me = viewer.user.username
        waiting = [states[v.version] for v in versions
                   if states[v.version].state is State.IN_REVIEW
                   and states[v.version].author != me] if viewer.has(
                       Role.APPROVER, Role.ADMIN) else []
        mine = [states[v.version] for v in versions if states[v.version].author == me
                and states[v.version].state in (State.DRAFT, State.IN_REVIEW)]
        scheduled = [states[v.version] for v in versions
                     if states[v.version].state is State.APPROVED]
        try:
            summary = segment_summary.read()  # type: ignore[attr-defined]
            problem = None
        except AccordError as exc:
            summary, problem = None, str(exc)
        return web.page(request, "home.html", viewer, active=governance.rules.active_version(),
                        waiting=waiting, mine=mine, scheduled=scheduled, summary=summary,
                        problem=problem)

    return router
