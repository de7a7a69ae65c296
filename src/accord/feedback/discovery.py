"""Topic discovery: cluster the texts no topic fits, name each cluster, propose topics.

Texts under the confidence threshold are clustered (k-means over TF-IDF vectors, or over
vectors passed in, such as MiniLM embeddings); each cluster is named by its most distinctive
terms by class-based TF-IDF (c-TF-IDF, as in BERTopic: a term's frequency in the cluster,
weighted by log(1 + average cluster size / the term's frequency over all clusters)); the
texts nearest the cluster's centre become the proposed topic's examples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accord.feedback.confidence import Prediction
from accord.feedback.errors import FeedbackDataError
from accord.feedback.taxonomy import Topic

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: Terms that name a cluster, and example texts per proposed topic.
TERMS = 5
EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class Cluster:
    """A group of similar texts (indices into the input), its terms and central examples."""

    members: tuple[int, ...]
    terms: tuple[str, ...]
    examples: tuple[str, ...]

    def topic(self, prefix: str = "proposed") -> Topic:
        """A topic proposal named by the top two terms."""
        name = "_".join(self.terms[:2]) or "misc"
        return Topic(f"{prefix}.{name}",
                     f"Proposed from {len(self.members)} texts: {', '.join(self.terms)}",
                     self.examples)


def class_tfidf(documents: Sequence[Sequence[str]], terms: int = TERMS) -> list[list[str]]:
    """The ``terms`` most distinctive terms of each group of texts (c-TF-IDF).

    >>> class_tfidf([["lost card", "lost again"], ["late refund", "refund"]], 1)
    [['lost'], ['refund']]
    """
    from sklearn.feature_extraction.text import CountVectorizer  # type: ignore[import-untyped]

    counter = CountVectorizer(stop_words="english")
    counts = counter.fit_transform([" ".join(group) for group in documents]).toarray()
    vocabulary = counter.get_feature_names_out()
    average = counts.sum() / len(documents)
    totals = counts.sum(axis=0)
    named = []
    for row in counts:
        weights = [(row[j] / max(row.sum(), 1)) * math.log(1 + average / totals[j])
                   for j in range(len(vocabulary))]
        top = sorted(range(len(vocabulary)), key=lambda j: (-weights[j], vocabulary[j]))
        named.append([str(vocabulary[j]) for j in top[:terms] if row[j] > 0])
    return named


def cluster(texts: Sequence[str], clusters: int, vectors: NDArray[np.float32] | None = None,
            seed: int = 0) -> list[Cluster]:
    """Group ``texts`` into ``clusters`` clusters, largest first.

    Raises:
        FeedbackDataError: fewer texts than clusters.
    """
    import numpy as np
    from sklearn.cluster import KMeans  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) < clusters:
        raise FeedbackDataError(f"cannot make {clusters} clusters of {len(texts)} texts")
    matrix: Any = vectors if vectors is not None else TfidfVectorizer(
        stop_words="english", sublinear_tf=True).fit_transform(texts)
    model = KMeans(n_clusters=clusters, n_init=4, random_state=seed).fit(matrix)
    distances = model.transform(matrix)
    groups = [np.flatnonzero(model.labels_ == k) for k in range(clusters)]
    names = class_tfidf([[texts[int(i)] for i in group] for group in groups])
    found = []
    for k, group in enumerate(groups):
        central = group[np.argsort(distances[group, k])][:EXAMPLES]
        found.append(Cluster(tuple(int(i) for i in group), tuple(names[k]),
                             tuple(texts[int(i)] for i in central)))
    return sorted(found, key=lambda c: (-len(c.members), c.terms))


def propose_topics(texts: Sequence[str], predictions: Sequence[Prediction], threshold: float,
                   clusters: int, vectors: NDArray[np.float32] | None = None) -> list[Topic]:
    """Topics proposed from the texts whose confidence is under ``threshold``."""
    low = [i for i, p in enumerate(predictions) if p.confidence < threshold]
    if not low:
        return []
    chosen = vectors[low] if vectors is not None else None
    found = cluster([texts[i] for i in low], min(clusters, len(low)), chosen)
    return [c.topic() for c in found]
