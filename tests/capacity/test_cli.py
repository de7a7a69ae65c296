"""``accord capacity`` and ``accord slo report`` end to end on a project folder."""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from accord.capacity.notifications import DeadLetter
from accord.capacity.repository import CapacityRepository, SqlDeadLetters
from accord.cli.main import app
from accord.clock import SystemClock
from accord.server.runtime import open_project_operational
from tests.capacity import scenario

runner = CliRunner()


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    resources = tmp_path / "resources.yaml"
    resources.write_text(yaml.safe_dump({"resources": scenario.registry().to_data()}))
    plans = tmp_path / "plans.yaml"
    plan = scenario.plan().model_dump(mode="json", exclude_none=True)
    plans.write_text(yaml.safe_dump({"campaigns": [plan]}))
    model = tmp_path / "model.json"
    model.write_text(json.dumps(scenario.model().to_data()))
    return resources, plans, model


def test_register_preflight_plan_and_calendar(tmp_path: Path) -> None:
    resources, plans, model = _files(tmp_path)
    project = ["--project", str(tmp_path)]
    loaded = runner.invoke(app, ["capacity", "resources", "--load", str(resources), *project])
    assert loaded.exit_code == 0, loaded.output
    assert "contact-centre" in loaded.output
    common = [str(plans), "--model", str(model), "--campaign", "spring-sale", *project]
    red = runner.invoke(app, ["capacity", "preflight", *common])
    assert red.exit_code == 1 and "spring-sale: red" in red.output
    planned = runner.invoke(app, ["capacity", "plan", *common, "--save", "--json"])
    assert planned.exit_code == 0, planned.output
    result = json.loads(planned.output)
    assert result["unsent"] == 0 and sum(b["size"] for b in result["batches"]) == 500_000
    # the saved, throttled plan replaces the file's unthrottled one in later forecasts
    empty = tmp_path / "none.yaml"
    empty.write_text("campaigns: []\n")
    forecast = runner.invoke(app, ["capacity", "forecast", str(empty), "--model", str(model),
                                   "--json", *project])
    web = next(p for p in json.loads(forecast.output) if p["resource"] == "web")
    assert web["p90"] <= web["capacity"] + 0.5
    ics = runner.invoke(app, ["capacity", "calendar", "--department", "service", *project])
    assert ics.exit_code == 0, ics.output
    events = icalendar.Calendar.from_ical(ics.output).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Campaign spring-sale (email)"]


def test_override_by_the_owner_unblocks_the_launch(tmp_path: Path) -> None:
    resources, plans, model = _files(tmp_path)
    project = ["--project", str(tmp_path)]
    runner.invoke(app, ["capacity", "resources", "--load", str(resources), *project])
    common = [str(plans), "--model", str(model), "--campaign", "spring-sale", *project]
    refused = runner.invoke(app, ["capacity", "override", *common, "--resource", "web",
                                  "--by", "someone@example.com", "--reason", "go"])
    assert refused.exit_code == 2 and "only it-ops@example.com" in refused.output
    done = runner.invoke(app, ["capacity", "override", *common, "--resource", "web",
                               "--by", "it-ops@example.com", "--reason", "scaled out"])
    assert done.exit_code == 0, done.output
    assert runner.invoke(app, ["capacity", "preflight", *common]).exit_code == 0


def test_bad_resource_file_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("resources:\n  - {name: web, kind: web, owner: a, department: it,\n"
                   "     requests_per_second: -3}\n")
    result = runner.invoke(app, ["capacity", "resources", "--load", str(bad),
                                 "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "resources[0].requests_per_second" in result.output


def test_slo_report_from_a_metrics_page(tmp_path: Path) -> None:
    page = tmp_path / "metrics.txt"
    page.write_text(
        "# TYPE accord_http_request_duration_seconds histogram\n"
        + "".join(f'accord_http_request_duration_seconds_bucket{{route="/v1/decisions",'
                  f'le="{le}"}} {n}\n' for le, n in (("0.01", 990), ("0.05", 999),
                                                      ("+Inf", 1000)))
        + "# TYPE accord_http_requests counter\n"
        'accord_http_requests_total{route="/v1/decisions",status="200"} 998\n'
        'accord_http_requests_total{route="/v1/decisions",status="503"} 2\n')
    result = runner.invoke(app, ["slo", "report", "--metrics-file", str(page), "--json",
                                 "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = {r["indicator"]: r for r in json.loads(result.output)}
    assert rows["decision_latency"]["sli"] == 0.999 and rows["decision_latency"]["met"]
    assert rows["availability"]["error_budget_left"] == pytest.approx(-1.0)  # 2 errors, 1 allowed
    assert rows["profile_freshness"]["sli"] is None  # no build yet


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def test_remind_emails_owners_once_and_lists_dead_letters(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    engine = open_project_operational(tmp_path).engine
    repository = CapacityRepository(engine, SystemClock())
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    repository.save_plan(scenario.plan(1000, start=soon), "monotone-greedy", None, "ana")
    people = tmp_path / "people.yaml"
    people.write_text(yaml.safe_dump({
        "smtp": {"host": "127.0.0.1", "port": port, "sender": "accord@example.com"},
        "recipients": [{"name": "cc", "department": "service", "email": "cc@example.com"},
                       {"name": "crm", "department": "marketing", "email": "m@example.com"}]}))
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        args = ["capacity", "remind", "--recipients", str(people), "--project", str(tmp_path)]
        first = runner.invoke(app, args)
        second = runner.invoke(app, args)
    finally:
        controller.stop()
    assert first.exit_code == 0, first.output
    assert "spring-sale: 1 delivered, 0 dead-lettered" in first.output
    assert second.output == ""  # reminded once
    assert [m.rcpt_tos for m in inbox.messages] == [["cc@example.com"]]
    SqlDeadLetters(engine).add(DeadLetter("webhook", "http://x/", "preflight.red", "c1", "{}",
                                          "HTTP 500", 5, dt.datetime.now(dt.UTC)))
    listed = runner.invoke(app, ["capacity", "dead-letters", "--json",
                                 "--project", str(tmp_path)])
    assert [d["error"] for d in json.loads(listed.output)] == ["HTTP 500"]


def test_recipients_file_names_missing_secret(tmp_path: Path) -> None:
    people = tmp_path / "people.yaml"
    people.write_text(yaml.safe_dump({"recipients": [
        {"name": "ops", "department": "it", "webhook": "https://h.example.com/",
         "secret_env": "ACCORD_TEST_UNSET_SECRET"}]}))
    result = runner.invoke(app, ["capacity", "remind", "--recipients", str(people),
                                 "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "recipient ops: environment variable ACCORD_TEST_UNSET_SECRET is not set" in \
        result.output


def test_preflight_and_plan_notify_owners_and_calendar_shows_overload(tmp_path: Path) -> None:
    resources, plans, model = _files(tmp_path)
    project = ["--project", str(tmp_path)]
    runner.invoke(app, ["capacity", "resources", "--load", str(resources), *project])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    people = tmp_path / "people.yaml"
    people.write_text(yaml.safe_dump({
        "smtp": {"host": "127.0.0.1", "port": port, "sender": "accord@example.com"},
        "recipients": [{"name": "web", "department": "it", "email": "it-ops@example.com"},
                       {"name": "cc", "department": "service", "email": "cc@example.com"},
                       {"name": "crm", "department": "marketing", "email": "m@example.com"}]}))
    common = [str(plans), "--model", str(model), "--campaign", "spring-sale",
              "--recipients", str(people), *project]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        red = runner.invoke(app, ["capacity", "preflight", *common])
        saved = runner.invoke(app, ["capacity", "plan", *common, "--save"])
    finally:
        controller.stop()
    assert red.exit_code == 1 and "notified: 2 delivered" in red.output
    assert saved.exit_code == 0 and "notified: 2 delivered" in saved.output
    subjects = [(m.rcpt_tos, m.content.split(b"Subject: ")[1].split(b"\r\n")[0])
                for m in inbox.messages]
    assert subjects == [
        (["it-ops@example.com"], b"[Accord] Red preflight: spring-sale"),
        (["m@example.com"], b"[Accord] Red preflight: spring-sale"),
        (["it-ops@example.com"], b"[Accord] Campaign scheduled: spring-sale"),
        (["cc@example.com"], b"[Accord] Campaign scheduled: spring-sale")]
    # an unthrottled campaign saved next to it: the IT feed shows the web overload
    repository = CapacityRepository(open_project_operational(tmp_path).engine, SystemClock())
    repository.save_plan(scenario.plan(id="flash", start=scenario.MONDAY + dt.timedelta(
        hours=8, minutes=30)), "unproven", None, "ana")
    ics = runner.invoke(app, ["capacity", "calendar", "--department", "it", "--model",
                              str(model), *project])
    summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(ics.output)
                 .walk("VEVENT")]
    assert any(s.startswith("Conflict: web over capacity") for s in summaries), summaries
    marketing = runner.invoke(app, ["capacity", "calendar", "--department", "marketing",
                                    *project])
    assert "Conflict: spring-sale and flash reach 500,000 of the same people on email" in [
        str(e["summary"]) for e in icalendar.Calendar.from_ical(marketing.output)
        .walk("VEVENT")]
