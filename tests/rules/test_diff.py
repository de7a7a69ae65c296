"""Diffs between rule set versions: versions are the shipped retail rules with edited texts."""

from __future__ import annotations

import json

import pytest

from accord.decisioning.catalogue_file import read_folder
from accord.demo.rules import RULES_DIR
from accord.rules.diff import (
    CellChange,
    RuleAdded,
    RuleChanged,
    RuleSetDiff,
    diff_rule_sets,
)

Version = tuple[str, dict[str, str]]

VALUE = "eligibility-value.dmn"
WINBACK = "eligibility-winback.dmn"
WELCOME = "eligibility-welcome.dmn"

WINBACK_RULE_2 = """      <rule id="rule_2">
        <inputEntry>
          <text>-</text>"""

NEW_WINBACK_RULE = """      <rule id="rule_9">
        <inputEntry>
          <text>&gt; 60</text>
        </inputEntry>
        <inputEntry>
          <text>-</text>
        </inputEntry>
        <outputEntry>
          <text>true</text>
        </outputEntry>
      </rule>
"""

LITERAL_DMN = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" name="Tier"
    namespace="urn:tier"><decision id="d" name="Tier label">
    <literalExpression><text>{text}</text></literalExpression>
    </decision></definitions>"""


@pytest.fixture(scope="module")
def retail() -> Version:
    return read_folder(RULES_DIR)


def replace(text: str, old: str, new: str) -> str:
    """Replace a snippet that must occur exactly once, so an edit never silently misses."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def edit_dmn(version: Version, file: str, old: str, new: str) -> Version:
    catalogue, files = version
    return catalogue, {**files, file: replace(files[file], old, new)}


def edit_catalogue(version: Version, old: str, new: str) -> Version:
    catalogue, files = version
    return replace(catalogue, old, new), dict(files)


def test_identical_versions_have_an_empty_diff(retail: Version) -> None:
    diff = diff_rule_sets(retail, (retail[0], dict(retail[1])))
    assert diff.describe() == []
    assert diff.empty
    assert diff.to_json() == {
        "files": {"added": [], "removed": []}, "decisions": [],
        "catalogue": {"treatments": {"added": [], "removed": [], "changed": []},
                      "settings": []}}


def test_reformatted_cell_text_is_no_change(retail: Version) -> None:
    new = edit_dmn(retail, VALUE, "<text>&gt;= 1000</text>", "<text>  &gt;= 1000\n</text>")
    assert diff_rule_sets(retail, new).empty


def test_a_changed_cell_names_table_rule_column_and_both_texts(retail: Version) -> None:
    new = edit_dmn(retail, VALUE, "&gt;= 1000", "&gt;= 800")
    diff = diff_rule_sets(retail, new)
    assert diff.describe() == [
        'Table "VIP eligible": rule 1 changed: monetary ">= 1000" → ">= 800"']
    [decision] = diff.decisions
    assert decision.table is not None
    assert decision.table.rules == (
        RuleChanged(1, 1, "rule_1", (CellChange("monetary", ">= 1000", ">= 800"),)),)
    assert diff.to_json()["decisions"] == [{
        "name": "VIP eligible", "change": "changed", "file": VALUE, "expression": None,
        "table": {"hit_policy": None, "columns": [], "rules": [{
            "change": "changed", "number": 1, "old_number": 1, "rule_id": "rule_1",
            "cells": [{"column": "monetary", "old": ">= 1000", "new": ">= 800"}]}]}}]


def test_an_output_change_is_a_cell_change_too(retail: Version) -> None:
    new = edit_dmn(retail, WINBACK, "<text>false</text>", "<text>true</text>")
    assert diff_rule_sets(retail, new).describe() == [
        'Table "Win-back eligible": rule 2 changed: output "false" → "true"']


def test_a_rule_added_in_the_xml_is_reported_with_its_cells(retail: Version) -> None:
    new = edit_dmn(retail, WINBACK, WINBACK_RULE_2, NEW_WINBACK_RULE + WINBACK_RULE_2)
    diff = diff_rule_sets(retail, new)
    assert diff.describe() == [
        'Table "Win-back eligible": rule 2 added: recency_days "> 60", orders "-" → true']
    [decision] = diff.decisions
    assert decision.table is not None
    [added] = decision.table.rules
    assert isinstance(added, RuleAdded)
    assert added.rule_id == "rule_9"


def test_renumbered_rule_ids_are_not_trusted(retail: Version) -> None:
    # A tool that numbers rules by position renames the old rule 2 to rule_3: still one add.
    new = edit_dmn(retail, WINBACK, WINBACK_RULE_2,
                   NEW_WINBACK_RULE.replace("rule_9", "rule_2")
                   + WINBACK_RULE_2.replace("rule_2", "rule_3"))
    assert diff_rule_sets(retail, new).describe() == [
        'Table "Win-back eligible": rule 2 added: recency_days "> 60", orders "-" → true']


def test_without_ids_rules_pair_by_shared_cells(retail: Version) -> None:
    # Ids gone and a rule inserted before an edited one: the edit pairs with its old rule.
    old = (retail[0], {WINBACK: retail[1][WINBACK].replace(' id="rule_', ' label="r')})
    new = edit_dmn(old, WINBACK, "&gt;= 1</text>", "&gt;= 2</text>")
    new = edit_dmn(new, WINBACK, '      <rule label="r1">',
                   NEW_WINBACK_RULE.replace(' id="rule_9"', "") + '      <rule label="r1">')
    assert diff_rule_sets(old, new).describe() == [
        'Table "Win-back eligible": rule 1 added: recency_days "> 60", orders "-" → true',
        'Table "Win-back eligible": rule 2 (was rule 1) changed: orders ">= 1" → ">= 2"']


def test_a_removed_rule_is_reported_with_what_it_said(retail: Version) -> None:
    old = edit_dmn(retail, WINBACK, WINBACK_RULE_2, NEW_WINBACK_RULE + WINBACK_RULE_2)
    assert diff_rule_sets(old, retail).describe() == [
        'Table "Win-back eligible": rule 2 removed (was: recency_days "> 60", '
        'orders "-" → true)']


def test_an_added_column_reports_the_column_and_the_rules_it_restricts(retail: Version) -> None:
    new = edit_dmn(retail, VALUE, '      <output id="out_0"',
                   '      <input id="in_2">\n        <inputExpression typeRef="number">\n'
                   "          <text>orders</text>\n        </inputExpression>\n"
                   '      </input>\n      <output id="out_0"')
    catalogue, files = new
    # The new column's cells: ">= 3" in rule 1, "-" (any) in the others.
    cells = iter(["&gt;= 3", "-", "-"])
    xml = files[VALUE]
    parts = xml.split("        <outputEntry>")
    xml = parts[0] + "".join(
        f"        <inputEntry>\n          <text>{next(cells)}</text>\n        </inputEntry>\n"
        f"        <outputEntry>{part}" for part in parts[1:])
    diff = diff_rule_sets(retail, (catalogue, {**files, VALUE: xml}))
    assert diff.describe() == [
        'Table "VIP eligible": input column "orders" added',
        'Table "VIP eligible": rule 1 changed: orders ">= 3" (new column)']
    assert diff_rule_sets((catalogue, {**files, VALUE: xml}), retail).describe() == [
        'Table "VIP eligible": input column "orders" removed',
        'Table "VIP eligible": rule 1 changed: orders ">= 3" (column removed)']


def test_a_relabelled_column_is_a_rename_not_a_new_column(retail: Version) -> None:
    new = edit_dmn(retail, VALUE, '<input id="in_0">', '<input id="in_0" label="spend">')
    assert diff_rule_sets(retail, new).describe() == [
        'Table "VIP eligible": input column "monetary" renamed to "spend"']


def test_hit_policy_change(retail: Version) -> None:
    new = edit_dmn(retail, VALUE, 'hitPolicy="FIRST"', 'hitPolicy="COLLECT" aggregation="COUNT"')
    assert diff_rule_sets(retail, new).describe() == [
        'Table "VIP eligible": hit policy FIRST → COLLECT COUNT']


def test_literal_decisions_report_their_text(retail: Version) -> None:
    catalogue, files = retail
    old = (catalogue, {**files, "tier.dmn": LITERAL_DMN.format(text='"gold"')})
    new = (catalogue, {**files, "tier.dmn": LITERAL_DMN.format(text='"platinum"')})
    assert diff_rule_sets(old, new).describe() == [
        'Decision "Tier label": expression "gold" → expression "platinum"']
    as_table = files[VALUE].replace("VIP eligible", "Tier label")
    assert diff_rule_sets(old, (catalogue, {**files, "tier.dmn": as_table})).describe() == [
        'Decision "Tier label": expression "gold" → decision table']


def test_files_and_decisions_added_and_removed(retail: Version) -> None:
    catalogue, files = retail
    new = (catalogue, {name: xml for name, xml in files.items() if name != WELCOME}
           | {"tier.dmn": LITERAL_DMN.format(text='"gold"')})
    assert diff_rule_sets(retail, new).describe() == [
        'File "tier.dmn" added',
        f'File "{WELCOME}" removed',
        'Decision "Tier label" added (tier.dmn)',
        f'Decision "Welcome eligible" removed ({WELCOME})']


def test_a_changed_treatment_field(retail: Version) -> None:
    new = edit_catalogue(retail, "    value: 25\n", "    value: 30\n")
    diff = diff_rule_sets(retail, new)
    assert diff.describe() == ['Treatment "win-back-15": value 25 → 30']
    assert diff.to_json()["catalogue"]["treatments"]["changed"] == [
        {"id": "win-back-15", "fields": [{"field": "value", "old": "25", "new": "30"}]}]


def test_list_fields_read_as_lists(retail: Version) -> None:
    new = edit_catalogue(retail, "channels: [email, app]", "channels: [email, app, sms]")
    assert diff_rule_sets(retail, new).describe() == [
        'Treatment "win-back-15": channels [email, app] → [email, app, sms]']


def test_treatments_added_and_removed(retail: Version) -> None:
    new = edit_catalogue(retail, "  - id: newsletter\n",
                         "  - id: summer-sale\n    name: Summer sale\n    value: 5\n"
                         "  - id: newsletter\n")
    new = edit_catalogue(new, "  - id: welcome-series\n    name: Welcome series\n"
                         "    kind: content\n    channels: [web, app, email]\n"
                         "    placements: [hero, email-body]\n    value: 8\n"
                         "    eligibility: [Welcome eligible]\n"
                         "    suppress_after_conversion_days: 365\n", "")
    diff = diff_rule_sets(retail, new)
    assert diff.describe() == ['Treatment "summer-sale" added',
                               'Treatment "welcome-series" removed']
    assert diff.to_json()["catalogue"]["treatments"] == {
        "added": ["summer-sale"], "removed": ["welcome-series"], "changed": []}


def test_defaults_policy_and_arbitration(retail: Version) -> None:
    new = edit_catalogue(retail, "  hero: newsletter\n",
                         "  hero: vip-lounge\n  banner: newsletter\n")
    new = edit_catalogue(new, "  complaint_days: 30\n", "  complaint_days: 45\n")
    new = edit_catalogue(new, "arbitration: propensity * value * weight - cost",
                         "arbitration: propensity * value - cost")
    new = edit_catalogue(new, "unknown_customer: anonymous", "unknown_customer: reject")
    assert diff_rule_sets(retail, new).describe() == [
        'Default for placement "hero": newsletter → vip-lounge',
        'Default for placement "banner": none → newsletter',
        "Contact policy complaint_days: 30 → 45",
        'Arbitration formula: "propensity * value * weight - cost" → '
        '"propensity * value - cost"',
        "Setting unknown_customer: anonymous → reject"]


def test_json_is_serialisable_and_matches_the_sentences(retail: Version) -> None:
    new = edit_dmn(retail, VALUE, "&gt;= 1000", "&gt;= 800")
    new = edit_dmn(new, WINBACK, WINBACK_RULE_2, NEW_WINBACK_RULE + WINBACK_RULE_2)
    new = edit_catalogue(new, "    value: 25\n", "    value: 30\n")
    diff = diff_rule_sets(retail, new)
    assert isinstance(diff, RuleSetDiff)
    data = json.loads(json.dumps(diff.to_json()))
    assert [d["name"] for d in data["decisions"]] == ["VIP eligible", "Win-back eligible"]
    assert diff.describe() == [
        'Table "VIP eligible": rule 1 changed: monetary ">= 1000" → ">= 800"',
        'Table "Win-back eligible": rule 2 added: recency_days "> 60", orders "-" → true',
        'Treatment "win-back-15": value 25 → 30']
