"""The feedback taxonomy over HTTP: read, add and change topics, remove one; versions and
stale changes; bad topics refused with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from accord.online import open_online
from accord.operational import ApiKey
from accord.project.template import state_dir
from accord.server import create_app
from accord.testing.http import ApiClient

KEYS = {"admin": ApiKey("k1", "console", frozenset({"admin"})),
        "reader": ApiKey("k2", "contact-centre", frozenset({"feedback"}))}


def _client(tmp_path: Path, key: str) -> ApiClient:
    app = create_app(tmp_path, reader=open_online("memory"), verify=KEYS.get)
    return ApiClient(app, headers={"Authorization": f"Bearer {key}"})


def test_topics_are_added_changed_and_removed_as_new_versions(tmp_path: Path) -> None:
    admin, reader = _client(tmp_path, "admin"), _client(tmp_path, "reader")
    assert reader.get("/v1/feedback/taxonomy").json() == {"version": 0, "topics": []}
    cards = admin.request("PUT", "/v1/feedback/taxonomy/topics/cards",
                          json={"description": "Cards", "base_version": 0})
    assert cards.status_code == 200 and cards.json()["version"] == 1
    lost = admin.request("PUT", "/v1/feedback/taxonomy/topics/cards.lost", json={
        "parent": "cards", "urgency": "high", "examples": ["I lost my card"]})
    assert lost.json()["version"] == 2
    saved = yaml.safe_load((state_dir(tmp_path) / "feedback-taxonomy.yaml").read_text())
    assert saved["topics"][1] == {"id": "cards.lost", "parent": "cards",
                                  "examples": ["I lost my card"], "urgency": "high"}
    # a parent is not removed while it has children; a leaf is
    blocked = admin.request("DELETE", "/v1/feedback/taxonomy/topics/cards")
    assert blocked.status_code == 409 and "children" in blocked.json()["error"]["message"]
    removed = admin.request("DELETE", "/v1/feedback/taxonomy/topics/cards.lost")
    assert removed.json() == {"version": 3, "topics": [{"id": "cards",
                                                        "description": "Cards"}]}
    assert admin.request("DELETE", "/v1/feedback/taxonomy/topics/nope").status_code == 404


def test_bad_stale_and_unauthorised_changes_write_nothing(tmp_path: Path) -> None:
    admin, reader = _client(tmp_path, "admin"), _client(tmp_path, "reader")
    admin.request("PUT", "/v1/feedback/taxonomy/topics/cards", json={})
    path = state_dir(tmp_path) / "feedback-taxonomy.yaml"
    before = path.read_text()
    orphan = admin.request("PUT", "/v1/feedback/taxonomy/topics/x", json={"parent": "nope"})
    assert orphan.status_code == 400 and "unknown parent 'nope'" in orphan.text
    stale = admin.request("PUT", "/v1/feedback/taxonomy/topics/y", json={"base_version": 0})
    assert stale.status_code == 409 and "version 1" in stale.json()["error"]["message"]
    odd = admin.request("PUT", "/v1/feedback/taxonomy/topics/z", json={"urgency": "asap"})
    assert odd.status_code == 400 and "urgency" in odd.text
    unknown_field = admin.request("PUT", "/v1/feedback/taxonomy/topics/z", json={"colour": 1})
    assert unknown_field.status_code == 400 and "colour" in unknown_field.text
    refused = reader.request("PUT", "/v1/feedback/taxonomy/topics/z", json={})
    assert refused.status_code == 403
    assert path.read_text() == before
    assert sorted(p.name for p in path.parent.iterdir() if "taxonomy" in p.name) == [
        "feedback-taxonomy.yaml"]


def test_a_changed_urgency_reaches_the_running_triage(tmp_path: Path) -> None:
    pytest.importorskip("sklearn", reason="the feedback extra is not installed")
    from tests.feedback.corpus import save_models

    save_models(state_dir(tmp_path))
    keys = {**KEYS, "sender": ApiKey("k3", "chat", frozenset({"feedback"}))}
    app = create_app(tmp_path, reader=open_online("memory"), verify=keys.get)
    sender = ApiClient(app, headers={"Authorization": "Bearer sender"})
    admin = ApiClient(app, headers={"Authorization": "Bearer admin"})
    text = {"text": "I cannot sign in to the app, the login keeps failing"}
    before = sender.post("/v1/feedback", json=text).json()
    assert (before["topic"], before["urgency"]) == ("app_login", "low")
    changed = admin.request("PUT", "/v1/feedback/taxonomy/topics/app_login",
                            json={"description": "Trouble signing in", "urgency": "high",
                                  "base_version": 1})
    assert changed.status_code == 200, changed.text
    after = sender.post("/v1/feedback", json=text).json()
    assert (after["topic"], after["urgency"]) == ("app_login", "high")
