"""The demo retailer's treatment rules: a rule set folder shipped with Accord (eligibility
tables as DMN 1.3 files and ``catalogue.yaml``), saved, activated, and an API key for it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from accord.clock import Clock
from accord.decisioning.catalogue_file import read_folder
from accord.operational import ApiKeyRepository, RuleRepository
from accord.operational.api_keys import SCOPES
from accord.project.template import state_dir
from accord.server.runtime import open_project_operational

#: The retailer's rule set folder.
RULES_DIR = Path(__file__).parent / "rules" / "retail"
#: Where the demo keeps its API key (readable only by its owner).
KEY_FILE = "demo-api-key"
#: Where the demo keeps its people's passwords (readable only by its owner).
USERS_FILE = "demo-users"
#: The demo's people: who they are and what they may do in the web app and the CLI.
PEOPLE = (("mia", "marketer"), ("ola", "approver"), ("ada", "admin"))


@dataclass(frozen=True, slots=True)
class DemoRules:
    version: str
    api_key: str


def install_rules(project_dir: Path, clock: Clock) -> DemoRules:
    """Save and activate the retailer's rules; create an all-scopes API key for the demo."""
    operational = open_project_operational(project_dir)
    catalogue, dmn = read_folder(RULES_DIR)
    rules = RuleRepository(operational, clock)
    saved = rules.save(catalogue, dmn, author="demo", note="the demo retailer's rules")
    rules.activate(saved.version, by="demo")
    _, token = ApiKeyRepository(operational, clock).create("demo", SCOPES)
    key_file = state_dir(project_dir) / KEY_FILE
    key_file.write_text(token + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return DemoRules(saved.version, token)


def install_people(project_dir: Path, clock: Clock) -> dict[str, str]:
    """Create the demo's people (:data:`PEOPLE`) with random passwords, kept in
    ``.accord/demo-users`` (owner-only); returns user name -> password."""
    import secrets

    from accord.rules.users import UserRepository

    users = UserRepository(open_project_operational(project_dir), clock)
    passwords = {}
    for name, role in PEOPLE:
        passwords[name] = secrets.token_urlsafe(12)
        users.create(name, passwords[name], [role])
    users_file = state_dir(project_dir) / USERS_FILE
    users_file.write_text("".join(f"{name} ({role}): {passwords[name]}\n"
                                  for name, role in PEOPLE), encoding="utf-8")
    users_file.chmod(0o600)
    return passwords
