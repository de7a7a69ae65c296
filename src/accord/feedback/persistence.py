"""Model directories: a manifest plus the fitted classifier, refused across versions.

A directory holds ``manifest.json`` (format, format version, accord's version, classifier
name, labels, threshold, training metadata) and ``model.pkl`` (the pickled classifier).
Pickles run code when loaded, so load only directories you wrote yourself. A directory
written by another version of accord is refused, since pickled scikit-learn objects do not
survive upgrades reliably; retrain instead. Saving writes a sibling directory and renames
it into place, so an interrupted save never leaves a half-written model.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.feedback.classifier import TextClassifier
from accord.feedback.errors import ModelDirectoryError
from accord.permissions import make_private

FORMAT = "accord-feedback-model"
#: Raised whenever a classifier's pickled state changes shape (2: the fine-tuned classifier
#: keeps a list of networks without their frozen word embeddings).
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
MODEL = "model.pkl"


def accord_version() -> str:
    """The running accord's version."""
    import accord

    return str(accord.__version__)


@dataclass(frozen=True, slots=True)
class SavedModel:
    """A loaded model: the classifier, its unknown-threshold and the manifest's metadata."""

    classifier: TextClassifier
    threshold: float
    metadata: dict[str, Any] = field(default_factory=dict)


def save(classifier: TextClassifier, directory: Path, *, threshold: float = 0.0,
         metadata: dict[str, Any] | None = None) -> Path:
    """Write a model directory, replacing one already there only once the new one is whole.

    Raises:
        ModelDirectoryError: ``directory`` exists and is not a model directory (so a wrong
            ``--out`` never deletes someone's files).
    """
    if directory.exists() and any(directory.iterdir()) and not (directory / MANIFEST).exists():
        raise ModelDirectoryError(
            f"{directory} exists and is not a feedback model directory; choose another --out")
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "accord_version": accord_version(), "classifier": classifier.name,
                "classes": list(classifier.classes), "threshold": threshold,
                "metadata": metadata or {}}
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        with (staging / MODEL).open("wb") as handle:
            pickle.dump(classifier, handle, protocol=pickle.HIGHEST_PROTOCOL)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        for written in (MODEL, MANIFEST):  # learnt from customers' texts: owner-only
            make_private(staging / written)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
            os.replace(staging, directory)
            shutil.rmtree(old)
        else:
            os.replace(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest, checked for format and version.

    Raises:
        ModelDirectoryError: no manifest, an unreadable one, another format, or a model
            written by another accord version or format version (the message says which).
    """
    path = directory / MANIFEST
    if not path.is_file():
        raise ModelDirectoryError(f"{directory}: not a feedback model directory (no {MANIFEST})")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelDirectoryError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelDirectoryError(f"{path}: not a {FORMAT} manifest")
    found = (manifest.get("accord_version"), manifest.get("format_version"))
    expected = (accord_version(), FORMAT_VERSION)
    if found != expected:
        raise ModelDirectoryError(
            f"{directory}: model written by accord {found[0]} (format {found[1]}), this is "
            f"accord {expected[0]} (format {expected[1]}); retrain it with this version")
    return manifest


def load(directory: Path) -> SavedModel:
    """Load a model directory written by this version of accord.

    Raises:
        ModelDirectoryError: see :func:`read_manifest`; also a missing or damaged model file.
    """
    manifest = read_manifest(directory)
    try:
        with (directory / MODEL).open("rb") as handle:
            # Own files only, and the version was checked above (see the module docstring).
            classifier = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        raise ModelDirectoryError(f"{directory / MODEL}: cannot load the model ({exc})") from None
    if not isinstance(classifier, TextClassifier):
        raise ModelDirectoryError(f"{directory / MODEL}: does not hold a text classifier")
    return SavedModel(classifier, float(manifest.get("threshold", 0.0)),
                      dict(manifest.get("metadata", {})))
