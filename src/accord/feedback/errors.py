"""Errors of the feedback classifiers.

Placed in the tree of :mod:`accord.errors`::

    ConfigError
    ├── FeedbackDataError        a CSV or label set that cannot be used: file, column, rows
    ├── TaxonomyError            a taxonomy file that does not hold together: file, topic
    └── UnknownClassifierError   a classifier name that is not registered
    ModelDirectoryError          a model directory that is missing, damaged or from another
                                 version of accord (AccordError)
    MissingDependencyError       an optional package of the ``feedback`` extra is absent
    UnfittedModelError           a classifier asked to predict before it learnt anything
"""

from __future__ import annotations

from accord.errors import AccordError, ConfigError


class FeedbackDataError(ConfigError):
    """Texts or labels that cannot be used: says which file, column or rows."""


class TaxonomyError(ConfigError):
    """A taxonomy that does not hold together: says which file and topic."""


class UnknownClassifierError(ConfigError):
    """A classifier name that is not in the registry; lists the known names."""


class ModelDirectoryError(AccordError):
    """A model directory that is missing, damaged or written by another version."""


class MissingDependencyError(AccordError):
    """An optional package of the ``feedback`` extra is not installed."""


class UnfittedModelError(AccordError):
    """A classifier asked to predict before it was fitted."""
