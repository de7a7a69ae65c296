"""The operational store: migrations, rule versions, the active version, API keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from accord.clock import FixedClock
from accord.decisioning.catalogue_file import read_folder
from accord.demo.rules import RULES_DIR
from accord.errors import ConfigError
from accord.operational import ApiKeyRepository, RuleRepository, open_operational, sqlite_url
from accord.operational.store import head
from accord.project.loader import ProjectConfigError

RETAIL = RULES_DIR
CLOCK = FixedClock(dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC))


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    return open_operational(sqlite_url(tmp_path / "operational.sqlite"))


def test_migrations_bring_a_new_database_to_head_and_rerun_safely(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "ops.sqlite")
    first = open_operational(url)
    assert first.revision() == head()
    assert open_operational(url).revision() == head()
    tables = set(sa.inspect(first.engine).get_table_names())
    assert {"rule_versions", "rule_files", "treatments", "active_rules", "api_keys"} <= tables


def test_save_activate_and_load_a_rule_set(store) -> None:  # type: ignore[no-untyped-def]
    repo = RuleRepository(store, CLOCK)
    catalogue, dmn = read_folder(RETAIL)
    saved = repo.save(catalogue, dmn, author="mia", note="spring rules")
    assert saved.version == "v1"
    assert repo.active_version() is None
    repo.activate("v1", by="ops")
    assert repo.active_version() == "v1"
    rules = repo.load("v1")
    assert rules.version == "v1" and len(rules.catalogue.treatments) == 7
    assert repo.files("v1") == (catalogue, dmn)
    with store.engine.connect() as connection:
        kinds = dict(connection.execute(sa.text(
            "SELECT id, kind FROM treatments WHERE version = 'v1'")).all())
    assert kinds["priority-queue"] == "routing" and kinds["vip-lounge"] == "offer"
    second = repo.save(catalogue.replace("value: 60", "value: 70"), dmn, author="mia")
    assert second.version == "v2" and second.checksum != saved.checksum
    assert [v.version for v in repo.versions()] == ["v1", "v2"]


def test_a_rule_set_that_does_not_compile_is_not_saved(store) -> None:  # type: ignore[no-untyped-def]
    repo = RuleRepository(store, CLOCK)
    catalogue, dmn = read_folder(RETAIL)
    with pytest.raises(ConfigError, match="no eligibility decision named 'Nope'"):
        repo.save(catalogue.replace("[Welcome eligible]", "[Nope]"), dmn, author="mia")
    with pytest.raises(ProjectConfigError, match=r"line \d+: treatments.0.bogus: unknown field"):
        repo.save(catalogue.replace("kind: offer", "kind: offer\n    bogus: 1", 1), dmn,
                  author="mia")
    assert repo.versions() == []
    with pytest.raises(ConfigError, match="no rule version 'v9'"):
        repo.activate("v9", by="ops")


def test_api_keys_verify_scopes_and_revoke(store) -> None:  # type: ignore[no-untyped-def]
    keys = ApiKeyRepository(store, CLOCK)
    key, token = keys.create("web-shop", {"decisions", "outcomes"})
    assert keys.verify(token) == key and key.scopes == {"decisions", "outcomes"}
    assert keys.verify(token + "x") is None
    keys.revoke(key.id)
    assert keys.verify(token) is None
    with pytest.raises(ConfigError, match="unknown scope"):
        keys.create("x", {"everything"})


def test_a_database_at_an_older_revision_is_upgraded_keeping_its_data(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from accord.operational.store import MIGRATIONS

    url = sqlite_url(tmp_path / "old.sqlite")
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(sa.text(
            "INSERT INTO rule_versions VALUES ('v1', '2026-01-01 00:00:00', 'mia', '', "
            "'treatments: []', 'x')"))
    store = open_operational(url)
    assert store.revision() == head()
    with store.engine.connect() as connection:
        row = connection.execute(sa.text(
            "SELECT version, created_by, state FROM rule_versions")).one()
    assert tuple(row) == ("v1", "mia", "draft")


def test_the_web_session_and_login_attempt_tables_are_migrated(tmp_path: Path) -> None:
    store = open_operational(sqlite_url(tmp_path / "ops.sqlite"))
    inspector = sa.inspect(store.engine)
    assert {"web_sessions", "login_attempts"} <= set(inspector.get_table_names())
    assert {c["name"] for c in inspector.get_columns("web_sessions")} == {
        "id_hash", "username", "created_at", "expires_at", "revoked_at"}
    assert "0008_web_sessions" in store.revision()
