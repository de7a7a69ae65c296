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
