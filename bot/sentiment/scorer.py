"""The sentiment scorer interface and its implementations.

``default_scorer`` is the critic scorer trained on Rotten Tomatoes snippets (MR), gated by
a second opinion (``bot.sentiment.gate``) that must agree before a quote is labelled
positive or negative. TextBlob's general-purpose lexicon is right on only ~55% of
critics' sentences, so it stays here as the measured baseline. See
bot/data/scorer.PROVENANCE.md and gate.PROVENANCE.md for how the weights were made.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from importlib import resources
from itertools import chain
from math import fsum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.models import Driver, Label, Sentiment
from bot.sentiment.deep import SHIPPED as DEEP_SHIPPED
from bot.sentiment.deep import second_opinion
from bot.sentiment.gate import SHIPPED as GATE_SHIPPED
from bot.sentiment.gate import Gate, confirmed
from bot.sentiment.model import Aggregation, LinearModel, Platt, Thresholds
from bot.sentiment.tokenizer import Units, clauses, display, gram_slices, parse

if TYPE_CHECKING:
    from bot.sentiment.batch import BatchModel

_log = logging.getLogger(__name__)

FORMAT = "reviewbot-critic-scorer/2"
# Version 1 files predate ``Aggregation`` and load with its neutral defaults.
_READABLE = {"reviewbot-critic-scorer/1", FORMAT}
SHIPPED = "scorer.json.gz"


class Scorer(Protocol):
    name: str

    def score(self, text: str) -> Sentiment: ...

    def score_many(self, texts: Sequence[str]) -> list[Sentiment]: ...

    def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]: ...


class TextBlobScorer:
    """TextBlob's pattern lexicon: polarity < 0 is negative. Needs no NLTK data."""

    name = "textblob"

    def score(self, text: str) -> Sentiment:
        from textblob import TextBlob  # here, not at the top: importing it costs ~0.3 s

        s = TextBlob(text).sentiment
        polarity = float(s.polarity)
        label = (
            Label.POSITIVE if polarity > 0 else Label.NEGATIVE if polarity < 0 else Label.NEUTRAL
        )
        return Sentiment(label, polarity, min(1.0, abs(polarity)))

    def score_many(self, texts: Sequence[str]) -> list[Sentiment]:
        return [self.score(t) for t in texts]

    def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]:
        return ()


class CriticScorer:
    """A linear model over n-grams of critic language, calibrated, abstaining when unsure.

    A text's evidence is its distinct words' total weights (a word's own weight and its
    character n-grams') and its distinct bigrams' weights, summed exactly. A text or a
    few are scored with dict lookups in pure Python (each word's total cached), which
    keeps numpy out of the bot's cold start; a batch of ``NUMPY_TEXTS`` or more, in the
    main thread (``_probabilities``), is looked up all at once in numpy
    (``bot.sentiment.batch``), ~3x as fast on real vocabulary, where most words of a
    large ingest are new. Both give the same bits.
    ``confidence`` is the Platt-calibrated probability that the label is right, as measured
    on MR's balanced classes; for a "neutral" abstention it is the probability of the
    likelier polar label, which fell short of its threshold.
    """

    name = "critic"
    NUMPY_TEXTS = 8  # texts in a batch from which numpy scores it
    BATCH = 1024  # texts scored together at most: bounds the arrays of a large batch
    CACHED_WORDS = 1 << 16  # word totals the pure-Python path keeps, then starts afresh

    def __init__(
        self,
        model: LinearModel,
        platt: Platt,
        thresholds: Thresholds,
        meta: dict[str, Any] | None = None,
        aggregation: Aggregation | None = None,
    ) -> None:
        self.model = model
        self.platt = platt
        self.thresholds = thresholds
        self.aggregation = aggregation or Aggregation()
        self.meta = meta or {}
        # The character n-gram features again, keyed without their "#" (``_word_weight``).
        self._grams = {f[1:]: w for f, w in model.weights.items() if f.startswith("#")}
        self._batch: BatchModel | None = None  # ``batch_model``
        # Only ever added to, or replaced whole (``_weigher``): safe across threads.
        self._words: dict[str, float] = {}

    def probability(self, text: str) -> float:
        """Calibrated probability that ``text`` is a positive ("fresh") quote."""
        return self._probabilities([text])[0]

    def evidence(self, text: str) -> tuple[float, float, int]:
        """The summed weights of the whole text and of its turn, and its length.

        These are what ``Aggregation`` combines; training fits it on them.
        """
        parsed = parse(text)
        weight = self._weigher(chain.from_iterable(units.words for units in parsed if units))
        turn = self._sum(parsed.turn, weight) if parsed.turn else 0.0
        return self._sum(parsed.whole, weight), turn, len(parsed.whole.words)

    def _probabilities(self, texts: Sequence[str]) -> list[float]:
        """Batches in numpy only in the main thread: numpy lets go of the GIL around
        each operation on more than 500 numbers (~70 a batch), and takes it back only
        when another thread running Python yields it, up to 5 ms later. Against one
        busy thread that measured 700-10,000 quotes/s, against 40,000 alone and 6,000
        in pure Python. The bot's ingest scores in threads beside its event loop
        (pure Python), its worker process (``bot.sentiment.workers``) in its main one."""
        numpy = threading.current_thread() is threading.main_thread()
        margin = functools.partial(self.aggregation.margin, self.model.bias)
        out: list[float] = []
        for start in range(0, len(texts), self.BATCH):
            batch = texts[start : start + self.BATCH]
            evidence = (self._batch_evidence(batch) if numpy and len(batch) >= self.NUMPY_TEXTS
                        else map(self.evidence, batch))
            out += [self.platt.probability(margin(*e)) for e in evidence]
        return out

    def _batch_evidence(self, texts: Sequence[str]) -> list[tuple[float, float, int]]:
        """``evidence`` of each text, the same bits, looked up in numpy."""
        parts = list(map(clauses, texts))
        turned = [(i, turn) for i, (_, turn) in enumerate(parts) if turn is not None]
        segments = [whole for whole, _ in parts] + [turn for _, turn in turned]
        sums, lengths = self.batch_model().sums(segments)
        turns = [0.0] * len(texts)
        for (i, _), turn_sum in zip(turned, sums[len(texts) :], strict=True):
            turns[i] = turn_sum
        return list(zip(sums[: len(texts)], turns, lengths[: len(texts)], strict=True))

    def batch_model(self) -> BatchModel:
        """The weights arranged for numpy (``bot.sentiment.batch``), built by the first
        batch (~0.3 s): the worker process builds it before its first batch."""
        if self._batch is None:
            from bot.sentiment.batch import BatchModel  # numpy: not at the bot's start

            self._batch = BatchModel(self.model.weights)
        return self._batch

    def _sum(self, units: Units, weight: Callable[[str], float]) -> float:
        """The units' weights, summed exactly (``math.fsum``): a plain ``sum`` over sets
        depends on their order, hence on the process's string hash seed, and a worker
        process (``bot.sentiment.workers``) must give the very same score as this one.
        ``filter(None, map(get, …))`` keeps the loop in C: features without a weight
        (``None``) and zero weights add nothing to an exact sum."""
        get = self.model.weights.get
        return fsum(chain(map(weight, units.words), filter(None, map(get, units.bigrams))))

    def _weigher(self, words: Iterable[str]) -> Callable[[str], float]:
        """A word -> total weight lookup holding every one of ``words``.

        The words not cached yet are weighed and cached, in a dict that is never emptied
        in place (a full one is replaced), so the lookup returned, that dict's
        ``__getitem__``, holds them even while another thread scores."""
        cache = self._words
        if len(cache) > self.CACHED_WORDS:
            cache = self._words = {}
        new = list(set(words).difference(cache))
        cache.update(zip(new, map(self._word_weight, new), strict=True))
        return cache.__getitem__

    def _word_weight(self, word: str) -> float:
        """A word's weight plus its character n-grams', summed exactly. The n-grams are
        looked up in ``_grams`` (keyed without their "#"), cut by ``gram_slices``: all
        in C. ``BatchModel.word_totals`` gives the same for many words at once."""
        padded = f"<{word}>"
        grams = map(self._grams.get, map(padded.__getitem__, gram_slices(len(word))))
        return fsum(filter(None, chain((self.model.weights.get(word),), grams)))

    def forget_words(self) -> None:
        """Empty the word cache of the pure-Python path (batches keep none): benchmarks
        time a first pass as a fresh bot would."""
        self._words = {}

    def score(self, text: str) -> Sentiment:
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[Sentiment]:
        return list(map(self._sentiment, self._probabilities(texts)))

    def _sentiment(self, p: float) -> Sentiment:
        label = self.thresholds.label(p)
        if label is Label.NEUTRAL:
            return Sentiment(label, 2 * p - 1, max(p, 1 - p))
        return Sentiment(label, 2 * p - 1, p if label is Label.POSITIVE else 1 - p)

    def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]:
        """The phrases whose weights moved the score most, signed (+ towards positive).

        A word's own weight and those of its character n-grams are summed, so each
        driver is something the user can find in the quote; a phrase after "but" counts
        again, and all are scaled for the quote's length, as in ``probability``.
        """
        parsed = parse(text)
        weights = self._phrase_weights(parsed.whole)
        if parsed.turn:
            for phrase, w in self._phrase_weights(parsed.turn).items():
                weights[phrase] = weights.get(phrase, 0.0) + self.aggregation.contrast * w
        scale = self.aggregation.scale(len(parsed.whole.words))
        shown = [(p, w * scale) for p, w in weights.items() if abs(w * scale) >= 5e-4]
        ranked = sorted(shown, key=lambda kv: (-abs(kv[1]), kv[0]))
        return tuple(Driver(display(phrase), round(w, 3)) for phrase, w in ranked[:top])

    def _phrase_weights(self, units: Units) -> dict[str, float]:
        get = self.model.weights.get
        weights = {w: self._word_weight(w) for w in units.words}
        weights.update((b, get(b, 0.0)) for b in units.bigrams)
        return weights

    def save(self, path: Path) -> None:
        """Gzipped JSON: readable with standard tools, ~4x smaller than plain JSON."""
        names = sorted(self.model.weights)
        doc = {
            "format": FORMAT,
            "meta": self.meta,
            # Rounded so that retraining writes the same bytes: sums over sets of
            # features differ in the last bits from one hash seed to the next.
            "bias": round(self.model.bias, 10),
            "platt": {"a": round(self.platt.a, 10), "b": round(self.platt.b, 10)},
            "aggregation": {
                "contrast": self.aggregation.contrast,
                "length_power": self.aggregation.length_power,
            },
            "thresholds": {
                "positive": self.thresholds.positive,
                "negative": self.thresholds.negative,
            },
            # Two parallel lists parse twice as fast as one JSON object.
            "features": names,
            "weights": [round(self.model.weights[f], 4) for f in names],
        }
        # mtime=0: the gzip header would otherwise stamp the time of writing.
        with (
            gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as raw,
            io.TextIOWrapper(raw, encoding="utf-8") as fh,
        ):
            json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def load(cls, path: Path) -> CriticScorer:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            doc: dict[str, Any] = json.load(fh)
        if doc.get("format") not in _READABLE:
            raise ValueError(f"not a {FORMAT} file: format={doc.get('format')!r}")
        return cls(
            LinearModel(
                dict(zip(doc["features"], doc["weights"], strict=True)), float(doc["bias"])
            ),
            Platt(float(doc["platt"]["a"]), float(doc["platt"]["b"])),
            Thresholds(float(doc["thresholds"]["positive"]), float(doc["thresholds"]["negative"])),
            doc.get("meta", {}),
            Aggregation(**doc.get("aggregation", {})),
        )


class GatedScorer:
    """A scorer whose positive and negative labels stand only when a ``Gate`` agrees.

    Where the gate disagrees the label becomes NEUTRAL ("mixed"): an abstention, like a
    quote the scorer itself is unsure of. Polarity, confidence and drivers stay the
    scorer's, so ``/mood`` still shows what the scorer read; for an abstention the
    confidence is, as for the scorer's own, that of the likelier polar label.
    """

    def __init__(self, scorer: Scorer, gate: Gate) -> None:
        self.scorer = scorer
        self.gate = gate
        self.name = f"{scorer.name}+{gate.name}"

    def score(self, text: str) -> Sentiment:
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[Sentiment]:
        said = self.scorer.score_many(texts)
        labels = confirmed(self.gate, texts, [s.label for s in said])
        return [
            s if s.label is label else replace(s, label=label)
            for s, label in zip(said, labels, strict=True)
        ]

    def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]:
        return self.scorer.explain(text, top)


@functools.cache
def critic_scorer() -> CriticScorer:
    """The shipped critic scorer alone, read from package data once per process."""
    with resources.as_file(resources.files("bot") / "data" / SHIPPED) as path:
        scorer = CriticScorer.load(path)
    _log.debug("loaded %s with %d features", SHIPPED, len(scorer.model.weights))
    return scorer


@functools.cache
def default_scorer() -> Scorer:
    """What labels quotes: the critic scorer, confirmed by the shipped lexicon gate, or by
    the MiniLM gate when the ``[deep]`` extra is installed (``deep.second_opinion``)."""
    return GatedScorer(critic_scorer(), second_opinion())


def fingerprint(scorer: Scorer) -> str:
    """What the labels ``scorer`` gives depend on: its name (which gate) and the shipped
    weights it reads. ``bot.storage.labeller`` labels stored quotes again when it
    changes; reading three small files costs well under a millisecond at start."""
    digest = hashlib.sha256()
    data = resources.files("bot") / "data"
    for name in (SHIPPED, GATE_SHIPPED, DEEP_SHIPPED):
        digest.update((data / name).read_bytes())
    return f"{scorer.name}:{digest.hexdigest()[:16]}"

