"""all-MiniLM-L6-v2 fine-tuned end to end with a linear head, one network or several.

Frozen sentence embeddings top out near 0.78 macro-F1 on airline sentiment (5-fold CV);
training the encoder itself reaches 0.79 to 0.80, and averaged with the joint head
(:mod:`~accord.feedback.blend`) 0.80. The recipe: texts truncated to 128 tokens, batches of 32
sorted by length then shuffled, word embeddings frozen, class-weighted cross-entropy, AdamW
(head at ten times the encoder's learning rate, weight decay 0.01), 6 % linear warm-up then
linear decay, gradients clipped to norm 1, 3 epochs. ``networks`` above 1 trains that many
from different seeds and averages their log-probabilities (two measure about 0.005 macro-F1
better than one). Needs torch (``accord[finetune]``); the starting weights come from the
packaged int8 ONNX model, so nothing is downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from accord.errors import ConfigError
from accord.feedback import embedding, transformer
from accord.feedback.errors import (
    FeedbackDataError,
    UnfittedModelError,
)
from accord.feedback.text import normalise

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from torch import Tensor, nn

    from accord.feedback.dataset import LabelledTexts

#: Tokens kept per text: tweets and tickets are short, and attention cost grows squared.
MAX_TOKENS = 128
#: Share of the steps over which the learning rate warms up linearly from zero.
WARMUP = 0.06
#: The head starts from random weights, so it learns this many times faster.
HEAD_LR_FACTOR = 10.0
WEIGHT_DECAY = 0.01
CLIP_NORM = 1.0
#: The word-embedding table: frozen while training, so never saved (the package has it).
FROZEN = "word.weight"
#: Texts per forward pass when predicting (no gradients, so larger than training batches).
PREDICT_BATCH = 64


@contextmanager
def _threads(count: int) -> Iterator[None]:
    """Run with torch's intra-op thread count set to ``count``, restored afterwards."""
    transformer.require_torch()
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class FineTunedClassifier:
    """MiniLM fine-tuned on the labelled texts, with a softmax head over the sorted labels.

    Pickles as plain numpy arrays (each network's state but the frozen word embeddings,
    which are the packaged model's) plus settings and labels; the torch networks are rebuilt
    on first use after loading.
    """

    name = "finetuned"

    def __init__(self, epochs: int = 3, learning_rate: float = 8e-5, batch_size: int = 32,
                 seed: int = 0, threads: int | None = None, networks: int = 1) -> None:
        """Settings of the recipe; ``threads`` None means every CPU of the machine it runs on;
        ``networks`` trained with seeds ``seed``, ``seed + 1``, ... and averaged.

        Raises:
            ConfigError: a setting out of range (names which).
        """
        for setting, value in (("epochs", epochs), ("batch_size", batch_size),
                               ("threads", 1 if threads is None else threads),
                               ("networks", networks)):
            if value < 1:
                raise ConfigError(f"{self.name} classifier: {setting} must be at least 1, "
                                  f"not {value}")
        if not learning_rate > 0:
            raise ConfigError(f"{self.name} classifier: learning_rate must be positive, "
                              f"not {learning_rate}")
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.seed = seed
        self.networks = networks
        # Resolved when used: a model saved on a big machine must not oversubscribe a small one.
        self.threads = threads
        self._classes: tuple[str, ...] = ()
        self._trained: list[nn.ModuleDict] = []
        self._weights: list[dict[str, NDArray[np.float32]]] = []
        self._tokenizer: Any = None

    def __getstate__(self) -> dict[str, Any]:
        # Torch modules and the Rust tokenizer do not pickle portably: keep arrays only.
        state = {k: v for k, v in self.__dict__.items() if k not in ("_trained", "_tokenizer")}
        if self._trained:
            state["_weights"] = [{k: v.detach().numpy().copy()
                                  for k, v in network.state_dict().items() if k != FROZEN}
                                 for network in self._trained]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._trained = []
        self._tokenizer = None

    def _thread_count(self) -> int:
        return self.threads or os.cpu_count() or 1

    @property
    def classes(self) -> tuple[str, ...]:
        """The labels learnt by ``fit``, sorted."""
        return self._classes

    def _encode(self, texts: Sequence[str]) -> list[list[int]]:
        if self._tokenizer is None:
            self._tokenizer = embedding.tokenizer(MAX_TOKENS)
        return [e.ids for e in self._tokenizer.encode_batch([normalise(t) for t in texts])]

    @staticmethod
    def _tensors(encoded: list[list[int]], rows: list[int]) -> tuple[Tensor, Tensor]:
        import torch

        length = max(len(encoded[i]) for i in rows)
        ids = torch.zeros((len(rows), length), dtype=torch.long)
        mask = torch.zeros_like(ids)
        for r, i in enumerate(rows):
            ids[r, :len(encoded[i])] = torch.tensor(encoded[i])
            mask[r, :len(encoded[i])] = 1
        return ids, mask

    def fit(self, data: LabelledTexts) -> None:
        """Fine-tune the packaged MiniLM and a new head on ``data`` (randomness seeded by ``seed``).

        Raises:
            FeedbackDataError: the texts are unlabelled or hold fewer than two labels.
            MissingDependencyError: torch, tokenizers or the packaged model is missing.
        """
        import numpy as np

        if len(set(data.labels)) < 2 or len(data.labels) != len(data.texts):
            raise FeedbackDataError(f"{self.name} classifier: needs every text labelled, with "
                                    f"at least two labels (got {len(set(data.labels))})")

        transformer.require_torch()
        import torch

        classes = tuple(sorted(set(data.labels)))
        targets = torch.tensor([classes.index(label) for label in data.labels])
        encoded = self._encode(data.texts)
        weights = {k: torch.from_numpy(v) for k, v in
                   transformer.packaged_weights(embedding.model_file()).items()}
        trained = []
        for seed in range(self.seed, self.seed + self.networks):
            # fork_rng: seeding for this fit must not reset the caller's random stream.
            with _threads(self._thread_count()), torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                network = transformer.build(len(classes))
                network.load_state_dict(weights, strict=False)
                # A 30k-row table barely moves on a few thousand texts, and freezing it saves
                # most of the optimiser's memory.
                network["word"].weight.requires_grad_(False)
                self._train(network, encoded, targets, len(classes),
                            np.random.default_rng(seed))
            trained.append(network.eval())
        self._trained, self._classes, self._weights = trained, classes, []

    def _train(self, network: nn.ModuleDict, encoded: list[list[int]], targets: Tensor,
               classes: int, rng: np.random.Generator) -> None:
        import torch

        counts = torch.bincount(targets, minlength=classes).clamp(min=1).float()
        loss = torch.nn.CrossEntropyLoss(weight=len(targets) / (classes * counts))
        batches = embedding.length_batches([len(ids) for ids in encoded], self.batch_size)
        steps = self.epochs * len(batches)
        warm = int(WARMUP * steps)
        head = list(network["head"].parameters())
        body = [p for name, p in network.named_parameters()
                if p.requires_grad and not name.startswith("head.")]
        optimiser = torch.optim.AdamW(
            [{"params": body, "lr": self.learning_rate},
             {"params": head, "lr": self.learning_rate * HEAD_LR_FACTOR}],
            weight_decay=WEIGHT_DECAY)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: min(
            (step + 1) / max(warm, 1), max(0.0, (steps - step) / max(steps - warm, 1))))
        network.train()
        for _ in range(self.epochs):
            for index in rng.permutation(len(batches)):
                rows = batches[index]
                ids, mask = self._tensors(encoded, rows)
                error = loss(transformer.logits(network, ids, mask), targets[rows])
                optimiser.zero_grad()
                error.backward()
                torch.nn.utils.clip_grad_norm_(network.parameters(), CLIP_NORM)
                optimiser.step()
                schedule.step()

    def _loaded(self) -> list[nn.ModuleDict]:
        """The networks, rebuilt from the pickled arrays after loading."""
        if not self._trained:
            if not self._weights:
                raise UnfittedModelError(f"the {self.name} classifier has not been fitted; "
                                         "fit it first")
            import torch

            frozen = transformer.packaged_weights(embedding.model_file())[FROZEN]
            for arrays in self._weights:
                network = transformer.build(len(self._classes))
                network.load_state_dict({FROZEN: torch.from_numpy(frozen),
                                         **{k: torch.from_numpy(v) for k, v in arrays.items()}})
                network["word"].weight.requires_grad_(False)
                self._trained.append(network.eval())
            self._weights = []
        return self._trained

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Softmax probabilities, one row per text, columns in ``classes`` order.

        Raises:
            UnfittedModelError: the classifier was never fitted.
            MissingDependencyError: torch or tokenizers is missing.
        """
        import numpy as np

        transformer.require_torch()
        import torch

        networks = self._loaded()
        encoded = self._encode(texts)
        result = np.zeros((len(texts), len(self._classes)), dtype=np.float64)
        with _threads(self._thread_count()), torch.inference_mode():
            for rows in embedding.length_batches([len(ids) for ids in encoded], PREDICT_BATCH):
                ids, mask = self._tensors(encoded, rows)
                # the networks' geometric mean: average log-probabilities, then normalise
                mean = torch.stack([torch.log_softmax(transformer.logits(n, ids, mask).double(),
                                                      dim=-1) for n in networks]).mean(0)
                result[rows] = torch.softmax(mean, dim=-1).numpy()
        return result
