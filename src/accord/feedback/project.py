"""Where a project keeps its feedback models, and the triage they make up.

By convention, under the project's state folder ``.accord/``:

* ``feedback-model/``: the topic model (``accord feedback train --out``); required.
* ``feedback-sentiment/``: the sentiment model (trained on negative, neutral, positive);
  optional: without it every text's sentiment is ``unknown``.
* ``feedback-taxonomy.yaml``: the taxonomy giving each topic its urgency; optional: without
  it every topic is of ``low`` urgency (a strongly negative text still goes up a level).

The customer's value the priority table weighs is the profile field :data:`VALUE_FIELD`
(the demo's lifetime revenue of completed orders); a profile without it counts as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.feedback.errors import ModelDirectoryError
from accord.feedback.hub import Triage
from accord.feedback.persistence import MANIFEST, load
from accord.feedback.taxonomy import Taxonomy, load_taxonomy, taxonomy
from accord.feedback.urgency import load_rules

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from accord.feedback.dataset import LabelledTexts

#: Folder names under the project's state folder.
TOPIC_MODEL = "feedback-model"
SENTIMENT_MODEL = "feedback-sentiment"
TAXONOMY_FILE = "feedback-taxonomy.yaml"
#: The profile field holding the customer's value.
VALUE_FIELD = "monetary"
#: The sentiment of every text when the project has no sentiment model.
UNRATED = "unknown"


class Unrated:
    """A stand-in sentiment model with one label, ``unknown``: no opinion about any text."""

    name = "unrated"

    @property
    def classes(self) -> tuple[str, ...]:
        """The one label."""
        return (UNRATED,)

    def fit(self, data: LabelledTexts) -> None:
        """Nothing to learn."""

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Certainty of ``unknown`` for every text."""
        import numpy as np

        return np.ones((len(texts), 1))


@dataclass(frozen=True, slots=True)
class FeedbackPaths:
    """The files a project's feedback triage is read from."""

    topics: Path
    sentiment: Path | None = None
    taxonomy: Path | None = None

    @property
    def trained(self) -> bool:
        """Whether a topic model has been saved (the project triages feedback)."""
        return (self.topics / MANIFEST).is_file()

    @classmethod
    def of_project(cls, project_dir: Path) -> FeedbackPaths:
        """The conventional paths; the optional ones only when they exist."""
        from accord.project.template import state_dir

        state = state_dir(project_dir)
        sentiment = state / SENTIMENT_MODEL
        tax = state / TAXONOMY_FILE
        return cls(state / TOPIC_MODEL,
                   sentiment if (sentiment / MANIFEST).is_file() else None,
                   tax if tax.is_file() else None)


def load_triage(paths: FeedbackPaths) -> Triage:
    """The triage of saved models, taxonomy and the shipped priority table.

    Raises:
        ModelDirectoryError: a missing or unusable model directory (says how to make one).
        TaxonomyError: an unreadable taxonomy file.
    """
    if not paths.trained:
        raise ModelDirectoryError(
            f"{paths.topics}: no feedback model; train one with 'accord feedback train "
            f"--out {paths.topics}'")
    topics = load(paths.topics)
    mood = load(paths.sentiment).classifier if paths.sentiment is not None else Unrated()
    tax: Taxonomy = (load_taxonomy(paths.taxonomy) if paths.taxonomy is not None
                     else taxonomy([]))
    return Triage(topics.classifier, mood, tax, load_rules(), topics.threshold)


def customer_value(profile: Mapping[str, Any] | None, field: str = VALUE_FIELD) -> Decimal:
    """The profile's value field as a number (0 without a profile or a numeric value).

    >>> customer_value({"monetary": Decimal("1250.5")}), customer_value(None)
    (Decimal('1250.5'), Decimal('0'))
    """
    raw = (profile or {}).get(field)
    if isinstance(raw, bool) or raw is None:
        return Decimal(0)
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return Decimal(0)
    return value if value.is_finite() else Decimal(0)


def classify_in_build(project_dir: Path, store: Any, clock: Any, as_of: Any = None
                      ) -> Any:
    """The build's feedback step: classify the project's texts when it has a trained model
    (``.accord/feedback-model/``), so the online profiles carry the feedback dimensions;
    None (nothing done) when it has none.

    Raises:
        ModelDirectoryError: a model directory from another version.
        MissingDependencyError: a model, but not the feedback extra.
    """
    from accord.feedback.ingest import classify_store

    paths = FeedbackPaths.of_project(project_dir)
    if not paths.trained:
        return None
    return classify_store(store, load_triage(paths), clock, as_of=as_of)
