"""``accord rules`` and ``accord users``: the governed flow from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.demo.rules import RULES_DIR


def run(project: Path, *args: str, password: str = "long enough pw") -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--project", str(project)],
                                env={"ACCORD_PASSWORD": password, "COLUMNS": "200"})
    return result.exit_code, result.output


def test_draft_submit_approve_activate_rollback(tmp_path: Path) -> None:
    for user, role in (("mia", "marketer"), ("ola", "approver")):
        assert run(tmp_path, "users", "create", user, "--role", role)[0] == 0
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    assert run(tmp_path, "rules", "draft", str(folder), "--user", "mia")[0] == 0
    assert run(tmp_path, "rules", "submit", "v1", "--user", "mia")[0] == 0
    code, output = run(tmp_path, "rules", "approve", "v1", "--user", "mia")
    assert code == 2 and "may not approve" in output
    code, output = run(tmp_path, "rules", "approve", "v1", "--user", "ola", password="nope")
    assert code == 2 and "wrong user name or password" in output
    assert run(tmp_path, "rules", "approve", "v1", "--user", "ola")[0] == 0
    assert run(tmp_path, "rules", "activate", "v1", "--user", "ola")[0] == 0
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace("value: 60", "value: 70"))
    code, output = run(tmp_path, "rules", "draft", str(folder), "--user", "mia")
    assert code == 2 and "based on nothing, but v1 has been saved" in output
    assert run(tmp_path, "rules", "draft", str(folder), "--user", "mia", "--based-on", "v1",
               "--note", "richer VIP")[0] == 0
    code, output = run(tmp_path, "rules", "diff", "v1", "v2")
    assert code == 0 and 'Treatment "vip-lounge": value 60 → 70' in output
    code, output = run(tmp_path, "rules", "scenarios", "v2")
    assert code == 0 and output.count("pass") == 4
    code, output = run(tmp_path, "rules", "list")
    assert code == 0 and "active" in output and "draft" in output
    code, output = run(tmp_path, "rules", "audit")
    assert code == 0 and "approve" in output and "ola" in output


@pytest.mark.parametrize("roles", [["boss"], []])
def test_bad_users_are_refused(tmp_path: Path, roles: list[str]) -> None:
    args = ["users", "create", "x"] + [a for r in roles for a in ("--role", r)]
    code, _ = run(tmp_path, *args)
    assert code == 2


def test_simulate_a_change_over_a_built_project(tmp_path: Path) -> None:
    import datetime as dt

    from accord.clock import FixedClock
    from accord.decisioning.catalogue_file import read_folder
    from accord.demo.rules import install_rules
    from accord.rules.governance import Governance
    from accord.rules.lifecycle import Role
    from accord.rules.users import User
    from accord.server.runtime import open_project_operational
    from accord.testing.demo import built_demo

    demo = built_demo(tmp_path / "retailer", customers=600)
    install_rules(demo.directory, FixedClock(dt.datetime(2026, 11, 22, tzinfo=dt.UTC)))
    governance = Governance(open_project_operational(demo.directory),
                            FixedClock(dt.datetime(2026, 11, 22, tzinfo=dt.UTC)))
    catalogue, files = read_folder(RULES_DIR)
    lowered = {n: t.replace("&gt;= 1000", "&gt;= 300") for n, t in files.items()}
    governance.draft(User("mia", frozenset({Role.MARKETER})), catalogue, lowered,
                     based_on="v1")
    code, output = run(demo.directory, "rules", "simulate", "v1", "v2", "--channel", "web",
                       "--placement", "hero")
    assert code == 0, output
    assert "customers, web / hero" in output and "vip-lounge" in output
    assert "customers move from newsletter to vip-lounge" in output
