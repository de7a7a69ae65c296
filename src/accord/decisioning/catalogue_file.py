"""A rule set as files: a folder of DMN models plus ``catalogue.yaml`` (treatments, placement
defaults, contact policy, arbitration), the form IT reviews in git and the form rule versions
are stored in.

``catalogue.yaml`` errors name the file, the line and the field, as ``accord.yaml``'s do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.decisioning.policy import ContactPolicy, QuietHours
from accord.decisioning.ruleset import RuleSet
from accord.decisioning.treatments import Catalogue, ContactLimit, Treatment, TreatmentKind
from accord.dmn.runtime import Model, loads
from accord.errors import ConfigError
from accord.project.loader import ProjectConfigError, yaml_line

CATALOGUE_FILE = "catalogue.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LimitSpec(_Strict):
    max_count: int = Field(ge=0)
    period_days: int = Field(gt=0)
    channel: str | None = None
    scope: Literal["treatment", "channel"] = "treatment"


class TreatmentSpec(_Strict):
    id: str = Field(min_length=1)
    name: str
    kind: TreatmentKind = TreatmentKind.OFFER
    channels: list[str] = Field(default_factory=list)
    placements: list[str] = Field(default_factory=list)
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    value: Decimal = Decimal(1)
    cost: Decimal = Field(default=Decimal(0), ge=0)
    weight: Decimal = Field(default=Decimal(1), ge=0)
    budget: Decimal | None = Field(default=None, ge=0)
    inventory: int | None = Field(default=None, ge=0)
    eligibility: list[str] = Field(default_factory=list)
    limits: list[LimitSpec] = Field(default_factory=list)
    suppress_after_conversion_days: int | None = Field(default=None, gt=0)
    holdout_share: float = Field(default=0.0, ge=0.0, lt=1.0)
    payload: dict[str, Any] = Field(default_factory=dict)


class QuietSpec(_Strict):
    channel: str
    start: dt.time
    end: dt.time


class PolicySpec(_Strict):
    limits: list[LimitSpec] = Field(default_factory=list)
    complaint_days: int | None = Field(default=30, gt=0)
    quiet_hours: list[QuietSpec] = Field(default_factory=list)
    consent_fields: dict[str, str] = Field(
        default_factory=lambda: {"email": "consent_email", "sms": "consent_sms"})
    timezone_field: str = "timezone"
    default_timezone: str = "UTC"


class CatalogueSpec(_Strict):
    """The whole ``catalogue.yaml``."""

    treatments: list[TreatmentSpec]
    defaults: dict[str, str] = Field(default_factory=dict)
    policy: PolicySpec = PolicySpec()
    arbitration: str | None = None
    propensity_segments: list[str] = Field(default_factory=list)
    unknown_customer: Literal["anonymous", "reject"] = "anonymous"


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _limit(spec: LimitSpec) -> ContactLimit:
    return ContactLimit(spec.max_count, spec.period_days, spec.channel, spec.scope)


def _treatment(spec: TreatmentSpec) -> Treatment:
    return Treatment(
        spec.id, spec.name, spec.kind, frozenset(spec.channels), frozenset(spec.placements),
        _utc(spec.valid_from), _utc(spec.valid_to), spec.value, spec.cost, spec.weight,
        spec.budget, spec.inventory, tuple(spec.eligibility),
        tuple(_limit(limit) for limit in spec.limits), spec.suppress_after_conversion_days,
        spec.holdout_share, dict(spec.payload))


def _policy(spec: PolicySpec) -> ContactPolicy:
    return ContactPolicy(
        tuple(_limit(limit) for limit in spec.limits), spec.complaint_days,
        tuple(QuietHours(q.channel, q.start, q.end) for q in spec.quiet_hours),
        dict(spec.consent_fields), spec.timezone_field, spec.default_timezone)


def parse_catalogue(text: str, file: Path = Path(CATALOGUE_FILE)) -> CatalogueSpec:
    """Validate ``catalogue.yaml`` text.

    Raises:
        ProjectConfigError: naming the file, line and field of every problem.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProjectConfigError(file, [(mark.line + 1 if mark else None, "(YAML)",
                                         str(getattr(exc, "problem", exc)))]) from None
    try:
        return CatalogueSpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = tuple(error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown field"
            problems.append((yaml_line(node, location),
                             ".".join(map(str, location)) or "(top level)", message))
        raise ProjectConfigError(file, problems) from None


def build_ruleset(version: str, catalogue_text: str, dmn_files: Mapping[str, str], *,
                  base_path: Path | None = None) -> RuleSet:
    """Compile a rule set from the catalogue text and DMN texts (file name -> XML)."""
    spec = parse_catalogue(catalogue_text)
    try:
        catalogue = Catalogue.of((_treatment(t) for t in spec.treatments), spec.defaults)
    except ValueError as exc:
        raise ConfigError(f"{CATALOGUE_FILE}: {exc}") from None
    models: list[Model] = [loads(xml, base_path=base_path)
                           for name, xml in sorted(dmn_files.items()) if name.endswith(".dmn")]
    return RuleSet.build(version, catalogue, models, policy=_policy(spec.policy),
                         formula=spec.arbitration, propensity_segments=spec.propensity_segments,
                         unknown_customer=spec.unknown_customer)


#: Test scenarios kept with a rule set (see :mod:`accord.rules.scenarios`).
SCENARIOS_FILE = "scenarios.yaml"


def read_folder(folder: Path) -> tuple[str, dict[str, str]]:
    """The catalogue text and the other files of a rule set folder: its DMN models and,
    when present, its test scenarios (stored and versioned with the models)."""
    catalogue = folder / CATALOGUE_FILE
    if not catalogue.is_file():
        raise ConfigError(f"no {CATALOGUE_FILE} in rule set folder {folder}")
    files = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.dmn"))}
    scenarios = folder / SCENARIOS_FILE
    if scenarios.is_file():
        files[SCENARIOS_FILE] = scenarios.read_text(encoding="utf-8")
    return catalogue.read_text(encoding="utf-8"), files


def load_folder(folder: Path, version: str = "local") -> RuleSet:
    """Compile the rule set in ``folder``."""
    text, dmn = read_folder(folder)
    return build_ruleset(version, text, dmn, base_path=folder)
