"""Versioned, hierarchical topics with descriptions and example phrases.

A taxonomy is YAML::

    version: 3
    topics:
      - id: card
        description: Anything about payment cards
      - id: card.lost
        parent: card
        description: A card that is lost or stolen
        examples: ["I lost my card", "my card was stolen"]
        urgency: high

Editing returns a new taxonomy with the version raised by one, so a classifier trained on a
version can say which one. A label set can also be learnt from a labelled file: one topic
per label, with a few of its texts as examples, and parents from a separator in the labels.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from accord.feedback.dataset import LabelledTexts
from accord.feedback.errors import TaxonomyError
from accord.permissions import private_file

#: Urgency levels a topic may carry, least urgent first.
URGENCIES = ("low", "medium", "high")


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic; ``parent`` is another topic's id or None for a root."""

    id: str
    description: str = ""
    examples: tuple[str, ...] = ()
    parent: str | None = None
    urgency: str = "low"


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Topics by id, at a version; build with :func:`taxonomy` to have it checked."""

    version: int
    topics: Mapping[str, Topic] = field(default_factory=dict)

    def ancestors(self, topic_id: str) -> list[str]:
        """The chain of parents from the nearest up to the root."""
        chain = []
        parent = self.topics[topic_id].parent
        while parent is not None:
            chain.append(parent)
            parent = self.topics[parent].parent
        return chain

    def children(self, topic_id: str | None) -> list[str]:
        """The ids whose parent is ``topic_id`` (None: the roots), sorted."""
        return sorted(t.id for t in self.topics.values() if t.parent == topic_id)

    def leaves(self) -> list[str]:
        """Topics without children: the labels a classifier predicts."""
        parents = {t.parent for t in self.topics.values()}
        return sorted(t for t in self.topics if t not in parents)

    def examples(self) -> dict[str, list[str]]:
        """Each leaf's description (when given) and example phrases: zero-shot training."""
        return {leaf: [t for t in (self.topics[leaf].description, *self.topics[leaf].examples)
                       if t] for leaf in self.leaves()}

    def with_topic(self, topic: Topic) -> Taxonomy:
        """A new version with ``topic`` added or replaced."""
        return taxonomy({**self.topics, topic.id: topic}.values(), self.version + 1)

    def without_topic(self, topic_id: str) -> Taxonomy:
        """A new version without ``topic_id`` (refused while it has children)."""
        if topic_id not in self.topics:
            raise TaxonomyError(f"no topic {topic_id!r}")
        if self.children(topic_id):
            raise TaxonomyError(f"topic {topic_id!r} still has children: "
                                f"{', '.join(self.children(topic_id))}")
        rest = [t for t in self.topics.values() if t.id != topic_id]
        return taxonomy(rest, self.version + 1)

    def to_dict(self) -> dict[str, Any]:
        """The YAML shape: version and topics (defaults left out)."""
        topics = []
        for t in self.topics.values():
            entry: dict[str, Any] = {"id": t.id}
            entry.update({k: v for k, v in (("parent", t.parent),
                                            ("description", t.description),
                                            ("examples", list(t.examples))) if v})
            if t.urgency != "low":
                entry["urgency"] = t.urgency
            topics.append(entry)
        return {"version": self.version, "topics": topics}


def taxonomy(topics: Any, version: int = 1, source: str = "taxonomy") -> Taxonomy:
    """A checked taxonomy: unique ids, known parents, no cycles, known urgencies.

    Raises:
        TaxonomyError: naming ``source`` and the topic at fault.
    """
    by_id: dict[str, Topic] = {}
    for topic in topics:
        if topic.id in by_id:
            raise TaxonomyError(f"{source}: topic {topic.id!r} is defined twice")
        if topic.urgency not in URGENCIES:
            raise TaxonomyError(f"{source}: topic {topic.id!r} has urgency {topic.urgency!r} "
                                f"(one of {', '.join(URGENCIES)})")
        by_id[topic.id] = topic
    for topic in by_id.values():
        seen = {topic.id}
        parent = topic.parent
        while parent is not None:
            if parent not in by_id:
                raise TaxonomyError(f"{source}: topic {topic.id!r} has unknown parent {parent!r}")
            if parent in seen:
                raise TaxonomyError(f"{source}: topic {topic.id!r} is its own ancestor")
            seen.add(parent)
            parent = by_id[parent].parent
    return Taxonomy(version, by_id)


def _topic(entry: Any, source: str, index: int) -> Topic:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise TaxonomyError(f"{source}: topic #{index + 1} needs an 'id' string")
    unknown = set(entry) - {"id", "parent", "description", "examples", "urgency"}
    if unknown:
        raise TaxonomyError(f"{source}: topic {entry['id']!r} has unknown field(s) "
                            f"{', '.join(sorted(unknown))}")
    examples = entry.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise TaxonomyError(f"{source}: topic {entry['id']!r}: 'examples' must be a list "
                            f"of strings")
    return Topic(entry["id"], str(entry.get("description") or ""), tuple(examples),
                 entry.get("parent"), str(entry.get("urgency", "low")))


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and check a taxonomy YAML file.

    Raises:
        TaxonomyError: a missing or malformed file, or topics that do not hold together.
    """
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("topics"), list):
        raise TaxonomyError(f"{path}: expected a mapping with a 'topics' list")
    version = document.get("version", 1)
    if not isinstance(version, int) or version < 1:
        raise TaxonomyError(f"{path}: 'version' must be a positive integer")
    topics = [_topic(entry, str(path), i) for i, entry in enumerate(document["topics"])]
    return taxonomy(topics, version, str(path))


def save_taxonomy(tax: Taxonomy, path: Path) -> None:
    """Write a taxonomy as YAML (a new file owner-only: its examples are customers' texts)."""
    private_file(path)
    path.write_text(yaml.safe_dump(tax.to_dict(), sort_keys=False, allow_unicode=True),
                    encoding="utf-8")


def learn_taxonomy(data: LabelledTexts, separator: str | None = None, examples: int = 5,
                   seed: int = 0) -> Taxonomy:
    """One leaf topic per label with up to ``examples`` of its texts as examples.

    With a ``separator``, a label ``card/lost`` also makes the parent ``card``.

    >>> data = LabelledTexts(("lost card", "card stolen", "fee?"),
    ...                      ("card/lost", "card/lost", "fees"))
    >>> tax = learn_taxonomy(data, separator="/")
    >>> tax.leaves(), tax.ancestors("card/lost")
    (['card/lost', 'fees'], ['card'])
    """
    texts: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(data.texts, data.labels, strict=True):
        texts[label].append(text)
    rng = random.Random(seed)
    topics: dict[str, Topic] = {}
    for label in sorted(texts):
        parts = label.split(separator) if separator else [label]
        for depth in range(1, len(parts)):
            node = separator.join(parts[:depth]) if separator else label
            parent = separator.join(parts[:depth - 1]) if separator and depth > 1 else None
            topics.setdefault(node, Topic(node, parent=parent))
        parent = separator.join(parts[:-1]) if separator and len(parts) > 1 else None
        sample = rng.sample(texts[label], min(examples, len(texts[label])))
        topics[label] = replace(topics.get(label, Topic(label)), examples=tuple(sample),
                                parent=parent)
    return taxonomy(topics.values())
