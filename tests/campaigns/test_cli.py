"""``accord campaign``: creating, listing and moving campaigns; bad input stores nothing;
funnels and abandonment over the hub's API events."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from typer.testing import CliRunner

from accord.cli.main import app
from accord.project.template import store_path
from accord.store import open_store

SPEC = {"name": "spring-sale", "owner": "ana", "goal": "Sell the spring range.",
        "channels": ["email"], "costs": {"fixed": 100, "per_send": 0.01, "cpm": 0, "cpc": 0.2}}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _spec(tmp_path: Path, **changes: object) -> str:
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump({**SPEC, **changes}), encoding="utf-8")
    return str(path)


def _listed(project: Path) -> str:
    code, out = _run("campaign", "list", "--project", str(project))
    assert code == 0, out
    return out


def test_create_list_show_and_status(tmp_path: Path) -> None:
    code, out = _run("campaign", "create", _spec(tmp_path), "--project", str(tmp_path))
    assert code == 0, out
    assert "spring-sale" in _listed(tmp_path)
    code, out = _run("campaign", "show", "spring-sale", "--project", str(tmp_path))
    shown = yaml.safe_load(out)
    assert shown["costs"]["per_send"] == "0.01" and shown["measurement_window"] == "P14D"
    code, out = _run("campaign", "status", "spring-sale", "running", "-p", str(tmp_path))
    assert code == 0 and "running" in out
    code, out = _run("campaign", "status", "spring-sale", "draft", "-p", str(tmp_path))
    assert code == 2 and "cannot go from running to draft" in " ".join(out.split())
    code, out = _run("campaign", "create", _spec(tmp_path), "--project", str(tmp_path))
    assert code == 2 and "exists" in out


@pytest.mark.parametrize(("changes", "field", "problem"), [
    ({"costs": {"cpm": -2}}, "costs.cpm", "greater than or equal to 0"),
    ({"costs": {"fixed": -0.01}}, "costs.fixed", "greater than or equal to 0"),
    ({"audience": "vip"}, "audience", "unknown segment 'vip'"),
    ({"channels": ["fax"]}, "channels.0", "unknown channel 'fax'"),
    ({"measurement_window": "two weeks"}, "measurement_window", "not a duration"),
    ({"control_share": 1.5}, "control_share", "less than 1"),
    ({"funnel": {"steps": [{"event_type": "a"}, {"event_type": "b"}], "window": "P1M"}},
     "funnel.window", "not a duration"),
    ({"schedule": {"start": "2026-04-02", "end": "2026-04-01"}}, "schedule",
     "end must not be before start"),
])
def test_bad_spec_names_the_field_and_stores_nothing(tmp_path: Path, changes: dict[str, object],
                                                    field: str, problem: str) -> None:
    code, out = _run("campaign", "create", _spec(tmp_path, **changes), "-p", str(tmp_path))
    message = " ".join(out.split())
    assert code == 2, out
    assert f"'{field}'" in message and problem in message
    assert "spring-sale" not in _listed(tmp_path)


def test_unknown_campaign(tmp_path: Path) -> None:
    code, out = _run("campaign", "show", "nope", "-p", str(tmp_path))
    assert code == 2 and "no campaign 'nope'" in out


def _api_events(project: Path) -> None:
    """Events as the decision API logs them (``accord logs load``), with a duplicate."""
    rows = [("c1", "1", "email_sent", "2026-03-02T09:00:00+00:00", "spring-sale"),
            ("c1", "2", "email_opened", "2026-03-02T10:00:00+01:00", None),  # 09:00 UTC
            ("c1", "3", "email_clicked", "2026-03-02T09:30:00+00:00", None),
            ("c1", "4", "purchase", "2026-03-02T11:00:00+00:00", None),
            ("c2", "5", "email_sent", "2026-03-02T09:00:00+00:00", "spring-sale"),
            ("c2", "6", "email_opened", "2026-03-02T09:05:00+00:00", None),
            ("c2", "6", "email_opened", "2026-03-02T09:05:00+00:00", None),
            ("c3", "7", "add_to_cart", "2026-03-02T09:05:00+00:00", None)]
    customers, ids, types, times, _ = zip(*rows, strict=True)
    store = open_store("duckdb", store_path(project))
    try:
        store.write("raw_api_events", pa.table({
            "event_id": list(ids), "type": list(types), "occurred_at": list(times),
            "customer_id": list(customers), "email": pa.nulls(len(rows), pa.string()),
            "anonymous_id": pa.nulls(len(rows), pa.string()), "channel": ["email"] * len(rows),
            "value": ["12.50"] * len(rows), "properties": ["{}"] * len(rows)}))
    finally:
        store.close()


def test_funnel_over_api_events(tmp_path: Path) -> None:
    _api_events(tmp_path)
    code, out = _run("campaign", "funnel", "--standard", "email", "--format", "json",
                     "-p", str(tmp_path))
    assert code == 0, out
    [result] = json.loads(out[out.index("["):])  # after the note on the missing step
    # c1's open is at 09:00 UTC, the same instant as the send: not after it
    assert [s["customers"] for s in result["steps"]] == [2, 1, 0, 0]
    code, out = _run("campaign", "funnel", "--step", "email_sent", "--step",
                     "email_opend", "-p", str(tmp_path))
    assert code == 2 and "steps.1.event_type" in out and "'email_opend'" in out
    code, out = _run("campaign", "funnel", "--step", "email_sent", "--step", "purchase",
                     "--window", "7 days", "-p", str(tmp_path))
    assert code == 2 and "not a duration" in " ".join(out.split())


def test_abandonment_over_api_events(tmp_path: Path) -> None:
    _api_events(tmp_path)
    code, out = _run("campaign", "abandonment", "--format", "json", "-p", str(tmp_path))
    assert code == 0, out
    assert json.loads(out) == [{"stage": "cart", "key": None, "started": 1, "abandoned": 1,
                                "abandonment_rate": 1.0, "held": 12.5, "recovered": 0,
                                "recovered_value": 0.0}]


def test_logs_load_brings_the_event_timeline_up_to_date(tmp_path: Path) -> None:
    from accord.campaigns.timeline import event_source

    _api_events(tmp_path)  # rows no timeline has seen: funnels read the events themselves
    code, before = _run("campaign", "funnel", "--standard", "email", "--format", "json",
                        "-p", str(tmp_path))
    assert code == 0, before
    code, out = _run("logs", "load", "-p", str(tmp_path))
    assert code == 0, out
    assert "event timeline: 7 events of 3 customers" in out  # the copy of event 6 once
    store = open_store("duckdb", store_path(tmp_path), read_only=True)
    try:
        assert event_source(store).unique_ids
    finally:
        store.close()
    code, after = _run("campaign", "funnel", "--standard", "email", "--format", "json",
                       "-p", str(tmp_path))
    assert code == 0 and after == before
