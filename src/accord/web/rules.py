"""Decision tables and their governance in the browser: the versions, a version's files,
diff, scenarios and simulation report with charts, the dmn-js editor that saves a draft, a
spreadsheet upload, and the lifecycle actions the user's roles allow.

Every action goes through :class:`accord.rules.governance.Governance`, exactly as the API
and CLI do: a refusal (role, maker-checker, state, stale base, failing scenario) is shown
with its message and changes nothing. A role refusal answers 403 whether it came from a
button or a hand-made request.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException

from accord.errors import AccordError
from accord.rules.diff import diff_rule_sets
from accord.rules.governance import ConflictError, Governance, ScenarioFailure
from accord.rules.lifecycle import (
    TRANSITIONS,
    Forbidden,
    GovernanceError,
    Role,
    State,
    permit,
)
from accord.rules.proposal import StoredSimulation
from accord.web.charts import Chart, grouped_bars, transitions
from accord.web.context import PREFIX, Refused, Viewer, Web, redirect

#: Lifecycle actions offered as buttons, with their labels.
ACTIONS = {"submit": "Submit for approval", "approve": "Approve", "reject": "Reject",
           "activate": "Activate now", "rollback": "Roll back to this version"}


def _allowed(viewer: Viewer, state: State, author: str) -> list[str]:
    """The actions the lifecycle lets this user take on a version in ``state``."""
    found = []
    for (from_state, action), transition in TRANSITIONS.items():
        if from_state is not state or action not in ACTIONS:
            continue
        if not viewer.user.roles & transition.roles:
            continue
        if action == "approve" and author == viewer.user.username:
            continue  # maker-checker: not one's own
        found.append(action)
    return found


def _charts(simulation: StoredSimulation | None) -> list[Chart]:
    charts: list[Chart] = []
    for n, view in enumerate((simulation.report or {}).get("views", []) if simulation else []):
        where = f"{view['channel']} / {view['placement']}"
        rows = [{"treatment": r["treatment"] or "(nothing)", "version": label,
                 "customers": r["customers"]}
                for label, key in ((simulation.against or "active", "before"),  # type: ignore[union-attr]
                                   (simulation.version, "after"))  # type: ignore[union-attr]
                for r in view[key]]
        charts.append(grouped_bars(f"counts-{n}", f"Customers per treatment, {where}", rows,
                                   category="treatment", group="version", value="customers",
                                   value_title="customers"))
        moves = [(t["from"] or "(nothing)", t["to"] or "(nothing)", t["customers"])
                 for t in view["transitions"]]
        charts.append(transitions(f"moves-{n}", f"Who moves where, {where}", moves))
    return charts


def _run(governance: Governance, viewer: Viewer, action: str, version: str, reason: str,
         effective_from: str) -> str:
    """Carry out one lifecycle action; the message to show."""
    actor = viewer.user
    if action == "approve":
        when = None
        if effective_from.strip():
            when = dt.datetime.fromisoformat(effective_from.strip())
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
        governance.approve(actor, version, reason, effective_from=when)
        return f"{version} approved" + (f"; it goes live at {when.isoformat()}" if when else "")
    if action == "submit":
        simulation = governance.submit(actor, version, reason)
        return f"{version} submitted for approval. Simulation: {simulation.message}"
    if action == "reject":
        governance.reject(actor, version, reason or "rejected in the web app")
        return f"{version} sent back to draft"
    if action == "activate":
        governance.activate(actor, version, reason)
        return f"{version} is live"
    governance.rollback(actor, version, reason or "rolled back in the web app")
    return f"{version} is live again"


def rule_routes(web: Web) -> APIRouter:
    router = APIRouter()

    @router.get(f"{PREFIX}/rules", response_class=HTMLResponse)
    def versions(request: Request) -> HTMLResponse:
        viewer = web.viewer(request)
        governance = web.governance()
        rows = [(v, governance.state(v.version)) for v in reversed(governance.rules.versions())]
        return web.page(request, "rules.html", viewer, rows=rows,
                        active=governance.rules.active_version(), latest=governance.latest(),
                        can_author=viewer.has(Role.MARKETER, Role.ADMIN))

    @router.get(f"{PREFIX}/rules/{{version}}", response_class=HTMLResponse)
    def version_page(request: Request, version: str, diff_with: str | None = None
                     ) -> HTMLResponse:
        viewer = web.viewer(request)
        governance = web.governance()
        try:
            state = governance.state(version)
        except GovernanceError as exc:
            raise Refused(404, str(exc)) from None
        catalogue, files = governance.rules.files(version)
        base = diff_with or state.based_on
        changes = diff_rule_sets(governance.rules.files(base), (catalogue, files)).describe() \
            if base else []
        try:
            scenarios, scenario_error = governance.scenarios(version), None
        except AccordError as exc:
            scenarios, scenario_error = [], str(exc)
        simulation = governance.simulation(version)
        return web.page(
            request, "rule_version.html", viewer, version=version, state=state,
            files=sorted(files), base=base, changes=changes, scenarios=scenarios,
            scenario_error=scenario_error, simulation=simulation, charts=_charts(simulation),
            actions=_allowed(viewer, state.state, state.author), labels=ACTIONS,
            latest=governance.latest(), active=governance.rules.active_version(),
            can_author=viewer.has(Role.MARKETER, Role.ADMIN),
            can_simulate=viewer.has(Role.MARKETER, Role.APPROVER, Role.ADMIN))

    @router.get(f"{PREFIX}/rules/{{version}}/edit/{{name}}", response_class=HTMLResponse)
    def editor(request: Request, version: str, name: str) -> HTMLResponse:
        viewer = web.viewer(request)
        governance = web.governance()
        _, files = governance.rules.files(version)
        if name not in files or not name.endswith(".dmn"):
            raise Refused(404, f"{version} has no DMN file {name!r}")
        return web.page(request, "editor.html", viewer, version=version, name=name,
                        xml=files[name], latest=governance.latest(),
                        can_author=viewer.has(Role.MARKETER, Role.ADMIN))

    @router.post(f"{PREFIX}/rules/{{version}}/edit/{{name}}", response_model=None)
    def save(request: Request, version: str, name: str, xml: Annotated[str, Form()],
             csrf: Annotated[str, Form()], note: Annotated[str, Form()] = ""
             ) -> RedirectResponse:
        viewer = web.viewer(request)
        web.check_csrf(viewer, csrf)
        governance = web.governance()
        catalogue, files = governance.rules.files(version)
        if name not in files:
            raise Refused(404, f"{version} has no file {name!r}")
        changed = {**files, name: xml}
        try:
            saved = governance.draft(viewer.user, catalogue, changed, based_on=version,
                                     note=note or f"{name} edited in the web app")
        except Forbidden as exc:
            raise Refused(403, str(exc)) from None
        except (ConflictError, AccordError) as exc:
            return redirect(f"{PREFIX}/rules/{version}/edit/{name}", str(exc), "error")
        return redirect(f"{PREFIX}/rules/{saved.version}",
                        f"{saved.version} saved as a draft based on {version}")

    @router.post(f"{PREFIX}/rules/import-table", response_model=None)
    async def upload(request: Request) -> RedirectResponse:
        # who asks, and whether they may author rules, is known before the body is read:
        # a refused upload costs no parsing (the form is read by hand, not by FastAPI)
        viewer = await run_in_threadpool(web.viewer, request)
        try:
            permit("draft", actor=viewer.user.username, roles=viewer.user.roles)
        except Forbidden as exc:
            raise Refused(403, str(exc)) from None
        try:
            form = await request.form(max_files=1, max_fields=4)
        except HTTPException as exc:
            raise Refused(400, f"the upload form is not as expected: {exc.detail}") from None
        try:
            csrf, table, sheet = form.get("csrf"), form.get("table"), form.get("sheet")
            web.check_csrf(viewer, csrf if isinstance(csrf, str) else None)
            if not isinstance(table, str) or not isinstance(sheet, StarletteUpload):
                raise Refused(400, "the upload needs a table name and a .csv or .xlsx file")
            content = await sheet.read()
            filename = Path(sheet.filename or "table.csv").name
        finally:
            await form.close()
        return await run_in_threadpool(_import, web, viewer, table.strip(), filename, content)

    @router.post(f"{PREFIX}/rules/{{version}}/simulate", response_model=None)
    def simulate(request: Request, version: str, csrf: Annotated[str, Form()]
                 ) -> RedirectResponse:
        viewer = web.viewer(request)
        web.check_csrf(viewer, csrf)
        try:
            result = web.governance().simulate(viewer.user, version)
        except Forbidden as exc:
            raise Refused(403, str(exc)) from None
        except GovernanceError as exc:
            return redirect(f"{PREFIX}/rules/{version}", str(exc), "error")
        return redirect(f"{PREFIX}/rules/{version}#simulation", f"Simulation: {result.message}")

    @router.post(f"{PREFIX}/rules/{{version}}/{{action}}", response_model=None)
    def act(request: Request, version: str, action: str, csrf: Annotated[str, Form()],
            reason: Annotated[str, Form()] = "",
            effective_from: Annotated[str, Form()] = "") -> RedirectResponse:
        viewer = web.viewer(request)
        web.check_csrf(viewer, csrf)
        if action not in ACTIONS:
            raise Refused(404, f"no action {action!r}; actions: {', '.join(ACTIONS)}")
        try:
            message = _run(web.governance(), viewer, action, version, reason, effective_from)
        except Forbidden as exc:
            raise Refused(403, str(exc)) from None
        except ScenarioFailure as exc:
            return redirect(f"{PREFIX}/rules/{version}#scenarios", str(exc), "error")
        except (GovernanceError, ValueError) as exc:
            return redirect(f"{PREFIX}/rules/{version}", str(exc), "error")
        return redirect(f"{PREFIX}/rules/{version}", message)

    return router


def _import(web: Web, viewer: Viewer, table: str, filename: str, content: bytes
            ) -> RedirectResponse:
    """A spreadsheet upload: the table replaces (or joins) the newest version, as a draft."""
    from accord.rules.spreadsheet import read_table_csv, read_table_xlsx
    from accord.rules.tables import import_table

    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        return redirect(f"{PREFIX}/rules", f"{filename}: upload a .csv or .xlsx file", "error")
    governance = web.governance()
    newest = governance.latest()
    if newest is None:
        return redirect(f"{PREFIX}/rules", "there is no version to change yet", "error")
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(filename).name
            path.write_bytes(content)
            try:
                decision_table: Any = read_table_xlsx(path, name=table) \
                    if suffix == ".xlsx" else read_table_csv(path, name=table)
            except AccordError as exc:
                # the messages name the file: as the user called it, not where it was put
                message = str(exc).replace(f"{folder}{os.sep}", "")
                return redirect(f"{PREFIX}/rules", message, "error")
        catalogue, files = governance.rules.files(newest)
        imported = import_table(files, table, decision_table)
        saved = governance.draft(viewer.user, catalogue, imported.files, based_on=newest,
                                 note=f"{table} from {filename}")
    except Forbidden as exc:
        raise Refused(403, str(exc)) from None
    except AccordError as exc:
        return redirect(f"{PREFIX}/rules", str(exc), "error")
    return redirect(f"{PREFIX}/rules/{saved.version}",
                    f"{saved.version} saved as a draft: {table!r} from {filename}")
