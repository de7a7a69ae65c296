"""Row-wise helpers for class probabilities: their logarithms, and back again."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: Probabilities below this count as this, so a zero never becomes minus infinity.
FLOOR = 1e-12


def log_probabilities(proba: NDArray[np.float64]) -> NDArray[np.float64]:
    """Natural logarithms of probabilities, floored at :data:`FLOOR`.

    >>> import numpy as np
    >>> log_probabilities(np.array([1.0, 0.0])).round(2).tolist()
    [0.0, -27.63]
    """
    import numpy as np

    result: NDArray[np.float64] = np.log(np.clip(proba, FLOOR, None))
    return result


def softmax(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each row of scores (logits, log-probabilities plus biases) as probabilities summing
    to 1; the row's maximum is subtracted first so large scores cannot overflow.

    >>> import numpy as np
    >>> softmax(np.log(np.array([[2.0, 6.0]]))).round(6).tolist()
    [[0.25, 0.75]]
    """
    import numpy as np

    shifted = scores - scores.max(axis=1, keepdims=True)
    weights = np.exp(shifted)
    result: NDArray[np.float64] = weights / weights.sum(axis=1, keepdims=True)
    return result
