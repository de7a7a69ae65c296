from __future__ import annotations

from pathlib import Path

import pytest

from accord.feedback.dataset import LabelledTexts
from accord.feedback.errors import TaxonomyError
from accord.feedback.taxonomy import (
    Topic,
    learn_taxonomy,
    load_taxonomy,
    save_taxonomy,
    taxonomy,
)

YAML = """\
version: 3
topics:
  - id: card
    description: Anything about payment cards
  - id: card.lost
    parent: card
    description: A card that is lost or stolen
    examples: ["I lost my card", "my card was stolen"]
    urgency: high
  - id: card.arrival
    parent: card
    examples: ["my new card has not arrived"]
  - id: fees
    description: Charges and fees
"""


def test_load_walk_and_save_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(YAML, encoding="utf-8")
    tax = load_taxonomy(path)
    assert tax.version == 3
    assert tax.leaves() == ["card.arrival", "card.lost", "fees"]
    assert tax.children(None) == ["card", "fees"]
    assert tax.ancestors("card.lost") == ["card"]
    assert tax.topics["card.lost"].urgency == "high"
    assert tax.examples()["card.lost"] == ["A card that is lost or stolen", "I lost my card",
                                           "my card was stolen"]
    save_taxonomy(tax, tmp_path / "copy.yaml")
    assert load_taxonomy(tmp_path / "copy.yaml") == tax


def test_edits_return_a_new_version() -> None:
    tax = taxonomy([Topic("card"), Topic("card.lost", parent="card")])
    grown = tax.with_topic(Topic("card.declined", parent="card", examples=("declined",)))
    assert (tax.version, grown.version) == (1, 2)
    assert "card.declined" not in tax.topics
    assert grown.without_topic("card.declined").version == 3
    with pytest.raises(TaxonomyError, match=r"'card' still has children: card\.declined"):
        grown.without_topic("card")
    with pytest.raises(TaxonomyError, match="no topic 'nope'"):
        grown.without_topic("nope")


@pytest.mark.parametrize(("topics", "message"), [
    ("  - id: a\n  - id: a\n", "topic 'a' is defined twice"),
    ("  - id: a\n    parent: b\n", "topic 'a' has unknown parent 'b'"),
    ("  - id: a\n    parent: b\n  - id: b\n    parent: a\n", "is its own ancestor"),
    ("  - id: a\n    urgency: extreme\n", "urgency 'extreme' \\(one of low, medium, high\\)"),
    ("  - id: a\n    colour: red\n", "topic 'a' has unknown field\\(s\\) colour"),
    ("  - description: no id\n", "topic #1 needs an 'id' string"),
    ("  - id: a\n    examples: just one\n", "'examples' must be a list of strings"),
])
def test_bad_taxonomies_name_file_and_topic(tmp_path: Path, topics: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("topics:\n" + topics, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message) as caught:
        load_taxonomy(path)
    assert str(path) in str(caught.value)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "absent.yaml")
    (tmp_path / "t.yaml").write_text("topics: [", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(tmp_path / "t.yaml")
    (tmp_path / "t.yaml").write_text("version: 0\ntopics: []\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="positive integer"):
        load_taxonomy(tmp_path / "t.yaml")


def test_learn_from_labels_with_hierarchy(tiny_train: LabelledTexts) -> None:
    flat = learn_taxonomy(tiny_train, examples=2)
    assert flat.leaves() == ["app_login", "card_lost", "refund"]
    assert all(len(t.examples) == 2 for t in flat.topics.values())
    assert set(flat.topics["refund"].examples) <= set(tiny_train.texts)
    deep = learn_taxonomy(tiny_train, separator="_")
    assert deep.children(None) == ["app", "card", "refund"]
    assert deep.ancestors("card_lost") == ["card"]


def test_the_example_taxonomy_loads() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "feedback" / "taxonomy.yaml"
    tax = load_taxonomy(example)
    assert tax.children(None) == ["app", "card", "payments"]
    assert {tax.topics[t].urgency for t in tax.leaves()} == {"low", "medium", "high"}
    assert all(len(texts) >= 3 for texts in tax.examples().values())
