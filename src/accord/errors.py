"""Accord's error tree.

Every error Accord raises on purpose derives from :class:`AccordError`; the CLI prints it as
one line and exits 2, the HTTP API answers with ``{"error": {"code", "message"}}``. Errors
are defined beside the code that raises them and listed here::

    AccordError
    ├── FeelError
    │   ├── FeelSyntaxError              line, column, what was expected
    │   └── FeelSqlError                 a construct SQL cannot express
    ├── DmnError
    │   ├── DmnXmlError                  file, line, element
    │   ├── DmnModelError                element id (unknown hit policy, bad cell ...)
    │   └── DmnEvaluationError           unknown decision or service
    ├── ConfigError
    │   ├── ProjectConfigError           accord.project.loader: file, line, field
    │   ├── IngestError                  accord.connectors.base: source, file, line, column
    │   ├── ProfileDefinitionError       accord.profiles.dimensions: the dimension
    │   ├── SegmentDefinitionError       accord.segments.build: the segment
    │   ├── SpreadsheetError             accord.rules.spreadsheet: file, sheet, cell
    │   ├── InvalidRuleSet               accord.rules.governance: a rule set that cannot run
    │   ├── CampaignDefinitionError      accord.campaigns.errors: the field
    │   │   └── FunnelDefinitionError    a step or window of a funnel
    │   ├── WindowError                  accord.campaigns.window: not a duration
    │   ├── CapacityError                accord.capacity.grid: resources, plans
    │   ├── FeedbackDataError            accord.feedback.errors: file, row, column
    │   ├── TaxonomyError                accord.feedback.errors: a topic
    │   └── UnknownClassifierError       accord.feedback.errors: the name
    ├── GovernanceError                  accord.rules.lifecycle: a refused transition
    │   ├── Forbidden                    the actor's role does not allow it (HTTP 403)
    │   ├── InvalidTransition            not from this state (409)
    │   ├── UnknownVersion               no such rule version (404)
    │   ├── ScenarioFailure              accord.rules.governance: failing test scenarios
    │   └── ConflictError                accord.rules.governance: a stale base, with the diff
    ├── ProfileLookupError               accord.online.base: no or ambiguous profile
    ├── UnknownCustomerError             accord.identity.explain
    ├── UnknownCustomer                  accord.decisioning.service (policy "reject")
    ├── UnknownDecision                  accord.online.contacts: an outcome of no decision
    ├── UnknownCampaign                  accord.campaigns.errors
    ├── LaunchBlocked                    accord.capacity.preflight: a red preflight
    ├── JsonInputError                   accord.dmn.json_values: a bad input of a model
    ├── DeploymentError                  accord.dmn.repository: a model that does not load
    ├── VersionConflict                  accord.dmn.repository
    ├── ModelNotFound, ReadOnlyModels    accord.dmn.serving
    ├── ModelDirectoryError              accord.feedback.errors: not a model of this version
    ├── MissingDependencyError           accord.feedback.errors: the feedback extra
    └── UnfittedModelError               accord.feedback.errors
"""

from __future__ import annotations


class AccordError(Exception):
    """Base of every error Accord raises on purpose."""


class FeelError(AccordError):
    """A problem with a FEEL expression."""


class FeelSyntaxError(FeelError):
    """A FEEL expression that does not parse.

    Attributes:
        text: the expression.
        line: 1-based line of the problem.
        column: 1-based column of the problem.
        expected: what the parser expected there.
    """

    def __init__(self, message: str, text: str, pos: int, expected: str = "") -> None:
        self.text = text
        self.pos = pos
        self.line = text.count("\n", 0, pos) + 1
        self.column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        self.expected = expected
        detail = f"{message} at line {self.line}, column {self.column}"
        if expected:
            detail += f" (expected {expected})"
        super().__init__(detail)


class FeelSqlError(FeelError):
    """A FEEL construct that cannot be compiled to SQL; the message names it."""


class DmnError(AccordError):
    """A problem with a DMN model."""


class DmnXmlError(DmnError):
    """DMN XML that cannot be read: malformed, unsafe, too large, or not DMN."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 element: str | None = None) -> None:
        self.file = file
        self.line = line
        self.element = element
        parts = [f"file {file}" if file else "", f"line {line}" if line is not None else "",
                 f"element {element}" if element else ""]
        where = ", ".join(part for part in parts if part)
        super().__init__(f"{message} ({where})" if where else message)


class DmnModelError(DmnError):
    """A DMN model that is well-formed XML but not a valid model (unknown hit policy, ...).

    Attributes:
        element_id: the id of the element at fault, when it has one.
        element: a description of the element (tag and name) when it has no id.
        file: the file the model came from, when known.
        line: the element's line in that file, when known.
    """

    def __init__(self, message: str, *, element_id: str | None = None,
                 element: str | None = None, file: str | None = None,
                 line: int | None = None) -> None:
        self.element_id = element_id
        self.element = element
        self.file = file
        self.line = line
        where = element_id or element
        super().__init__(f"{message} (element {where})" if where else message)


class DmnEvaluationError(DmnError):
    """A decision that cannot be evaluated (unknown decision, missing model, bad inputs)."""


class ConfigError(AccordError):
    """Invalid configuration."""
