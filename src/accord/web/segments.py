"""Segments: every segment with its size, and an editor for a FEEL condition that is checked
as it is typed, with the live count, the overlaps with other segments and a chart of the
segment against the base. Saving writes the segment into ``accord.yaml`` (comments and
layout kept); the next build materialises it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from accord.errors import AccordError, ConfigError
from accord.project import PROJECT_FILE
from accord.project.config import Segment
from accord.rules.lifecycle import Role
from accord.server.segments import SegmentCounts
from accord.web.charts import index_bars
from accord.web.context import PREFIX, Refused, Viewer, Web, redirect

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def parse_segment(name: str, condition: str, description: str) -> Segment:
    """A segment as typed in the form, its name and FEEL checked.

    Raises:
        ConfigError: a bad name, or a condition that does not parse.
    """
    if not _NAME.match(name):
        raise ConfigError(f"segment name {name!r}: use lower-case letters, digits and _, "
                          "starting with a letter")
    try:
        return Segment(name=name, condition=condition, description=description)
    except ValueError as exc:
        raise ConfigError(f"segment {name!r}: {exc}") from None


def save_segment(project: Path, name: str, condition: str, description: str) -> bool:
    """Add or replace a segment in the project file; returns whether it was new.

    Raises:
        ConfigError: a bad name or condition (nothing written).
    """
    from ruamel.yaml import YAML

    parse_segment(name, condition, description)
    path = project / PROJECT_FILE
    yaml = YAML()
    yaml.preserve_quotes = True
    document = yaml.load(path.read_text(encoding="utf-8"))
    segments = document.setdefault("segments", [])
    entry = {"name": name, "description": description, "condition": condition}
    for index, existing in enumerate(segments):
        if existing.get("name") == name:
            segments[index] = entry
            new = False
            break
    else:
        segments.append(entry)
        new = True
    temporary = path.with_suffix(".yaml.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        yaml.dump(document, out)
    temporary.replace(path)  # whole or not at all
    return new


def segment_routes(web: Web, counts: SegmentCounts) -> APIRouter:
    router = APIRouter()

    @router.get(f"{PREFIX}/segments", response_class=HTMLResponse)
    def segments(request: Request, edit: str | None = None) -> HTMLResponse:
        return page(request, web.viewer(request), edit=edit)

    def page(request: Request, viewer: Viewer, *, status: int = 200, edit: str | None = None,
             form: dict[str, str] | None = None, error: str | None = None) -> HTMLResponse:
        try:
            summary, problem = counts.read(), None
        except AccordError as exc:
            summary, problem = None, str(exc)
        chosen = next((s for s in (summary.segments if summary else ())
                       if s.name == edit), None)
        if form is None:
            form = {"name": chosen.name, "condition": chosen.condition,
                    "description": chosen.description} if chosen else \
                {"name": "", "condition": "", "description": ""}
        return web.page(request, "segments.html", viewer, status=status, summary=summary,
                        problem=problem, chosen=chosen, form=form, error=error,
                        can_edit=viewer.has(Role.MARKETER, Role.ADMIN))

    @router.post(f"{PREFIX}/segments/preview", response_class=HTMLResponse)
    def preview(request: Request, condition: Annotated[str, Form()] = "") -> HTMLResponse:
        viewer = web.viewer(request)
        web.check_csrf(viewer, request.headers.get("x-csrf-token"))
        if not condition.strip():
            return web.page(request, "segment_preview.html", viewer, error="Type a condition.",
                            result=None, chart=None)
        try:
            result = web.hub.preview(condition)
        except AccordError as exc:
            return web.page(request, "segment_preview.html", viewer, error=str(exc),
                            result=None, chart=None)
        chart = index_bars("segment-vs-base", "The segment against everyone: mean per "
                           "attribute as an index (everyone = 100)", result.comparison,
                           category="attribute",
                           columns=["attribute", "segment", "everyone", "index"])
        return web.page(request, "segment_preview.html", viewer, error=None, result=result,
                        chart=chart)

    @router.post(f"{PREFIX}/segments", response_model=None)
    def save(request: Request, name: Annotated[str, Form()],
             condition: Annotated[str, Form()], csrf: Annotated[str, Form()],
             description: Annotated[str, Form()] = "") -> HTMLResponse | RedirectResponse:
        viewer = web.viewer(request)
        web.check_csrf(viewer, csrf)
        if not viewer.has(Role.MARKETER, Role.ADMIN):
            raise Refused(403, f"{viewer.user.username!r} may not edit segments: it needs the "
                               "role marketer or admin")
        typed = {"name": name.strip(), "condition": condition.strip(),
                 "description": description.strip()}
        try:
            # compiled to SQL as the build will: what is saved, builds
            web.hub.check_segment(parse_segment(**typed))
            new = save_segment(web.root, **typed)
        except ConfigError as exc:
            return page(request, viewer, status=400, form=typed, error=str(exc))
        done = "added" if new else "changed"
        return redirect(f"{PREFIX}/segments", f"Segment {name} {done}: it is counted at the "
                        "next build ('accord build').")

    return router
