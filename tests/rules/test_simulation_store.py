"""A project's simulator: its built profiles (with segments), the views a change can alter,
and a report per view."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from accord.decisioning.catalogue_file import build_ruleset, read_folder
from accord.decisioning.ruleset import RuleSet
from accord.demo.rules import RULES_DIR
from accord.errors import ConfigError
from accord.project.template import store_path
from accord.rules.simulation_store import affected_views, project_simulator, views

AT = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
VIP_VIEWS = [("app", "email-body"), ("app", "hero"), ("contact-centre", "queue"),
             ("email", "email-body"), ("email", "hero"), ("web", "email-body"),
             ("web", "hero")]


def rules(version: str, catalogue_edit: tuple[str, str] = ("", ""),
          vip_threshold: int = 1000) -> RuleSet:
    catalogue, files = read_folder(RULES_DIR)
    files["eligibility-value.dmn"] = files["eligibility-value.dmn"].replace(
        "&gt;= 1000", f"&gt;= {vip_threshold}")
    return build_ruleset(version, catalogue.replace(*catalogue_edit), files)


def test_views_are_every_channel_and_placement_a_treatment_may_be_given_in() -> None:
    found = views([rules("v1")])
    assert len(found) == 13
    assert ("contact-centre", "queue") in found and ("web", "queue") not in found
    assert ("contact-centre", "hero") in found  # the newsletter names no channel


@pytest.mark.parametrize(("new", "expected"), [
    (rules("v2"), []),  # the same rules: nobody can move
    (rules("v2", vip_threshold=800), VIP_VIEWS),  # vip-lounge and priority-queue
    (rules("v2", ("value: 30", "value: 31")), [  # the cart reminder's value
        (c, p) for c in ("app", "email", "web") for p in ("banner", "email-body", "hero")]),
    (rules("v2", ("arbitration: propensity * value * weight - cost",
                  "arbitration: propensity * value - cost")), views([rules("v1")])),
])
def test_only_views_a_change_can_alter_are_simulated(new: RuleSet,
                                                     expected: list[tuple[str, str]]) -> None:
    assert affected_views(rules("v1"), new) == expected


def _project(tmp_path: Path) -> Path:
    """A project whose analytical store holds three profiles and their segments."""
    path = store_path(tmp_path)
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE profiles AS SELECT * FROM (VALUES "
                           "('c1', 1500, 12, 9), ('c2', 900, 12, 4), ('c3', 500, 12, 4)) "
                           "t(customer_id, monetary, recency_days, orders)")
        connection.execute("CREATE TABLE segment_members AS SELECT * FROM (VALUES "
                           "('c3', 'vip')) t(customer_id, segment)")
    return tmp_path


def test_the_project_simulator_reports_per_affected_view(tmp_path: Path) -> None:
    simulate = project_simulator(_project(tmp_path))
    report = simulate(rules("v1"), rules("v2", vip_threshold=800), AT)
    assert report["customers"] == 3
    assert [(v["channel"], v["placement"]) for v in report["views"]] == VIP_VIEWS
    hero = report["views"][VIP_VIEWS.index(("web", "hero"))]
    # c1 is a VIP by spend and c3 by segment either way; c2 (900) becomes one
    assert hero["transitions"] == [
        {"from": "vip-lounge", "to": "vip-lounge", "customers": 2},
        {"from": "newsletter", "to": "vip-lounge", "customers": 1}]
    unchanged = simulate(rules("v1"), rules("v2"), AT)
    assert unchanged == {"customers": 3, "views": []}
    only = project_simulator(tmp_path, only=[("web", "banner")])(rules("v1"), rules("v2"), AT)
    assert [v["changed"] for v in only["views"]] == [0]


def test_a_project_never_built_cannot_be_simulated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError,
                       match=r"no analytical store yet: build the project \('accord build'\)"):
        project_simulator(tmp_path)(rules("v1"), rules("v2", vip_threshold=800), AT)
