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
    moving = next(line for line in output.splitlines() if "to vip-lounge" in line)
    # submitting stores the simulation; the approver sees it before approving
    for user, role in (("mia", "marketer"), ("ola", "approver")):
        assert run(demo.directory, "users", "create", user, "--role", role)[0] == 0
    code, output = run(demo.directory, "rules", "submit", "v2", "--user", "mia")
    assert code == 0 and "v2 against v1 over 600 customers" in output, output
    code, output = run(demo.directory, "rules", "approve", "v2", "--user", "ola")
    assert code == 0 and "v2 approved by ola" in output
    count, _, rest = moving.strip().partition(" customers move from ")
    assert f"web / hero: {count} customers move from {rest}" in output
    assert "customers move from newsletter to vip-lounge" in output


def _token(output: str) -> str:
    return next(word for word in output.split() if word.startswith("acu_"))


def _people(project: Path) -> dict[str, str]:
    """mia (marketer) and ola (approver), each with a personal token."""
    tokens = {}
    for user, role in (("mia", "marketer"), ("ola", "approver")):
        assert run(project, "users", "create", user, "--role", role)[0] == 0
        code, output = run(project, "users", "token", "create", "laptop", "--user", user,
                           "--expires-in-days", "30")
        assert code == 0 and "it is not shown again" in output, output
        tokens[user] = _token(output)
    return tokens


def as_token(project: Path, token: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--project", str(project)],
                                env={"ACCORD_TOKEN": token, "COLUMNS": "200"})
    return result.exit_code, result.output


def test_personal_tokens_act_instead_of_passwords(tmp_path: Path) -> None:
    tokens = _people(tmp_path)
    assert as_token(tmp_path, tokens["mia"], "rules", "import", str(RULES_DIR))[0] == 0
    code, output = as_token(tmp_path, tokens["mia"], "rules", "submit", "v1")
    assert code == 0 and "submit done by mia" in output
    assert "no simulation: no active version to compare with" in output
    code, output = as_token(tmp_path, tokens["mia"], "rules", "approve", "v1")
    assert code == 2 and "may not approve" in output
    code, output = as_token(tmp_path, tokens["mia"], "users", "token", "list")
    assert code == 0 and "laptop" in output and tokens["mia"] not in output
    token_id = tokens["mia"].split("_")[1]
    assert as_token(tmp_path, tokens["mia"], "users", "token", "revoke", token_id)[0] == 0
    code, output = as_token(tmp_path, tokens["mia"], "rules", "reject", "v1")
    assert code == 2 and "unknown, expired or revoked personal token" in output
    code, output = as_token(tmp_path, "", "rules", "reject", "v1")
    assert code == 2 and "who acts?" in output
    code, output = run(tmp_path, "audit")  # the top-level alias of 'rules audit'
    assert code == 0 and "submit" in output and "mia" in output


def test_export_then_import_gives_the_same_rule_set(tmp_path: Path) -> None:
    tokens = _people(tmp_path)
    assert as_token(tmp_path, tokens["mia"], "rules", "draft", str(RULES_DIR))[0] == 0
    folder = tmp_path / "review"
    code, output = run(tmp_path, "rules", "export", "v1", str(folder))
    assert code == 0 and "6 files" in output
    assert {p.name: p.read_text() for p in folder.iterdir()} == {
        p.name: p.read_text() for p in RULES_DIR.iterdir()}
    code, output = run(tmp_path, "rules", "export", "v1", str(folder))
    assert code == 2 and "use --force" in output
    (folder / "eligibility-cart.dmn").unlink()
    (folder / "stale.dmn").write_text("<definitions/>")
    assert run(tmp_path, "rules", "export", "v1", str(folder), "--force")[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in RULES_DIR.iterdir())
    assert as_token(tmp_path, tokens["mia"], "rules", "import", str(folder),
                    "--based-on", "v1")[0] == 0
    code, output = run(tmp_path, "rules", "diff", "v1", "v2")
    assert code == 0 and "no differences" in output


VIP_CSV = '''input:monetary:number,input:segments,output:VIP eligible:boolean
>= {threshold},-,true
-,"list contains(?, ""vip"")",true
-,-,false
'''


def test_import_a_decision_table_from_a_spreadsheet(tmp_path: Path) -> None:
    from accord.rules.spreadsheet import read_table_csv, write_table_xlsx

    tokens = _people(tmp_path)
    assert as_token(tmp_path, tokens["mia"], "rules", "draft", str(RULES_DIR))[0] == 0
    bad = tmp_path / "vip.csv"
    bad.write_text(VIP_CSV.format(threshold="") + '-,-,"yes\n')
    code, output = as_token(tmp_path, tokens["mia"], "rules", "import-table", str(bad),
                            "--table", "VIP eligible")
    assert code == 2 and "2 bad cells" in output and "cell A2 (input monetary)" in output
    assert "vip.csv" in output
    assert "v2" not in run(tmp_path, "rules", "list")[1]  # nothing was saved
    xlsx = tmp_path / "vip.xlsx"
    write_table_xlsx(read_table_csv(VIP_CSV.format(threshold=800), name="VIP eligible"),
                     xlsx, sheet="Offers")
    code, output = as_token(tmp_path, tokens["mia"], "rules", "import-table", str(xlsx),
                            "--table", "VIP eligible", "--sheet", "Offers")
    assert code == 0, output
    assert "v2 saved as a draft based on v1: 'VIP eligible' replaced in eligibility-value.dmn" \
        in output
    assert ">= 1000" in output and ">= 800" in output
    code, output = run(tmp_path, "rules", "scenarios", "v2")
    assert code == 0 and output.count("pass") == 4
    good = tmp_path / "new.csv"
    good.write_text("input:orders:number,output:Loyal:boolean\n>= 10,true\n-,false\n")
    code, output = as_token(tmp_path, tokens["mia"], "rules", "import-table", str(good),
                            "--table", "Loyal")
    assert code == 0 and "'Loyal' added as loyal.dmn" in output
    code, output = as_token(tmp_path, tokens["mia"], "rules", "import-table",
                            str(tmp_path / "vip.txt"), "--table", "Loyal")
    assert code == 2 and "a .csv or .xlsx file" in output
