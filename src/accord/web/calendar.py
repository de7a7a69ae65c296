"""The shared calendar: campaigns' send periods, maintenance windows, staffing changes and
conflicts (overlapping audiences on a channel), by month or week; and each department's
iCalendar feed, which Outlook or Google Calendar subscribe to with a personal token
(``?token=``: a calendar client sends no session cookie)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from accord.capacity.calendars import (
    DEPARTMENTS,
    Entry,
    audience_conflicts,
    campaign_entry,
    feed,
    resource_entries,
)
from accord.capacity.repository import CapacityRepository
from accord.errors import AccordError
from accord.rules.tokens import TokenRepository
from accord.web.capacity import CapacityView, capacity_view
from accord.web.context import PREFIX, Refused, Web


def entries(web: Web) -> list[Entry]:
    """Everything on the calendar now."""
    repository = CapacityRepository(web.operational().engine, web.clock)
    plans = repository.plans()
    found = [campaign_entry(plan) for plan in plans]
    found += resource_entries(repository.registry())
    found += [conflict.entry() for conflict in audience_conflicts(plans)]
    return sorted(found, key=lambda e: (e.start, e.uid))


def _period(view: str, start: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days shown: a whole month (Monday-aligned weeks) or one week."""
    try:
        anchor = dt.date.fromisoformat(start) if start else today
    except ValueError:
        raise Refused(400, f"start {start!r} is not a date (YYYY-MM-DD)") from None
    if view == "week":
        first = anchor - dt.timedelta(days=anchor.weekday())
        return first, first + dt.timedelta(days=7)
    month = anchor.replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    first = month - dt.timedelta(days=month.weekday())
    last = following + dt.timedelta(days=(7 - following.weekday()) % 7)
    return first, last


def _weeks(first: dt.date, last: dt.date, shown: list[Entry]) -> list[list[dict[str, Any]]]:
    weeks: list[list[dict[str, Any]]] = []
    day = first
    while day < last:
        if day.weekday() == 0:
            weeks.append([])
        start = dt.datetime.combine(day, dt.time(), dt.UTC)
        end = start + dt.timedelta(days=1)
        weeks[-1].append({"day": day, "entries": [e for e in shown
                                                  if e.start < end and e.end > start]})
        day += dt.timedelta(days=1)
    return weeks


def calendar_routes(web: Web) -> APIRouter:
    router = APIRouter()

    @router.get(f"{PREFIX}/calendar", response_class=HTMLResponse)
    def calendar(request: Request, view: str = "month", start: str | None = None
                 ) -> HTMLResponse:
        viewer = web.viewer(request)
        if view not in ("month", "week"):
            raise Refused(400, f"view {view!r}: month or week")
        today = web.clock.now().date()
        first, last = _period(view, start, today)
        try:
            shown, problem = entries(web), None
            capacity = capacity_view(web)
        except AccordError as exc:
            shown, problem, capacity = [], str(exc), CapacityView()
        step = dt.timedelta(days=7) if view == "week" else dt.timedelta(days=31)
        middle = first + (last - first) / 2
        return web.page(request, "calendar.html", viewer, view=view, weeks=_weeks(
            first, last, shown), first=first, last=last, today=today, problem=problem,
            previous=(middle - step).isoformat(), following=(middle + step).isoformat(),
            conflicts=[e for e in shown if e.kind.value == "conflict"],
            departments=DEPARTMENTS, capacity=capacity)

    @router.get(f"{PREFIX}/calendar/{{department}}.ics")
    def department_feed(request: Request, department: str, token: str | None = None
                        ) -> Response:
        if token is not None:
            if TokenRepository(web.operational(), web.clock).verify(token) is None:
                raise Refused(401, "unknown, expired or revoked token")
        else:
            web.viewer(request)  # a browser with a session
        try:
            body = feed(entries(web), department, stamp=web.clock.now())
        except AccordError as exc:
            raise Refused(404, str(exc)) from None
        return Response(body, media_type="text/calendar; charset=utf-8", headers={
            "Content-Disposition": f'inline; filename="accord-{department}.ics"'})

    return router

