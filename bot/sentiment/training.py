"""Train the critic scorer from MR-format files: one reproducible command, numpy only.

Training reads the corpus from paths it is given and writes only weights and a
provenance note; no corpus line is stored, so the project never redistributes MR.
"""

from __future__ import annotations

import hashlib
import logging
import platform
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
from textblob.en import sentiment as _textblob_lexicon

from bot.ingest.reading import BadFile, decode
from bot.models import Label
from bot.sentiment.calibration import (
    NEGATIVE_RECALL_FLOOR,
    POSITIVE_PRECISION,
    choose_thresholds,
    fit_aggregation,
)
from bot.sentiment.linear import FitOptions, fit
from bot.sentiment.metrics import figures, table
from bot.sentiment.model import REFERENCE_LENGTH, Platt, Thresholds
from bot.sentiment.scorer import CriticScorer
from bot.sentiment.tokenizer import NEGATED, features

_log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float64]
FOLD_SEED = 0
# TextBlob halves and flips a negated word's polarity; the same rule for "not_" words.
_NEGATED_LEXICON_FACTOR = -0.5


@dataclass(frozen=True)
class Corpus:
    texts: list[str]
    labels: list[int]  # 1 positive, 0 negative
    sha256: dict[str, str]  # file name -> digest, for provenance
    lines: dict[str, int]  # file name -> snippets read


def read_corpus(pos: Path, neg: Path) -> Corpus:
    """Read one snippet per line; MR must be split on "\\n" only (see shared/eval/README).

    Files are decoded like ingested ones (UTF-8, else Windows-1252, which is what the
    upstream MR release really is). A file that is binary or holds no snippet raises
    ``BadFile``: training on one class, or on bytes, would write weights that mean nothing.
    """
    texts: list[str] = []
    labels: list[int] = []
    digests: dict[str, str] = {}
    counts: dict[str, int] = {}
    for path, label in ((pos, 1), (neg, 0)):
        try:
            raw = path.read_bytes()
            lines = [line for line in decode(raw).split("\n") if line.strip()]
        except OSError as exc:
            raise BadFile(f"{path}: cannot be read ({exc.strerror or exc})") from None
        except BadFile as exc:
            raise BadFile(f"{path}: {exc}") from None
        if not lines:
            raise BadFile(f"{path}: empty; expected one snippet per line")
        digests[path.name] = hashlib.sha256(raw).hexdigest()
        counts[path.name] = len(lines)
        texts.extend(lines)
        labels.extend([label] * len(lines))
    return Corpus(texts, labels, digests, counts)


def lexicon_prior() -> dict[str, float]:
    """TextBlob's word polarities as a prior: +0.4 points of MR CV accuracy.

    The lexicon ships inside the textblob package, so nothing is downloaded; its weight
    is learned, then folded into the table, so scoring never calls TextBlob.
    """
    prior: dict[str, float] = {}
    for word, senses in _textblob_lexicon.items():
        polarity = float(senses[None][0])
        if " " not in word and polarity:
            prior[word] = polarity
            prior[NEGATED + word] = _NEGATED_LEXICON_FACTOR * polarity
    return prior


def fold_ids(n: int, folds: int) -> npt.NDArray[np.int64]:
    """A fixed shuffled fold assignment, so every figure can be reproduced exactly."""
    ids: npt.NDArray[np.int64] = np.random.default_rng(FOLD_SEED).permutation(n) % folds
    return ids


@dataclass(frozen=True)
class Fold:
    """One outer fold of a cross-validation: what to fit on and what to label."""

    train: npt.NDArray[np.intp]
    test: npt.NDArray[np.intp]
    train_texts: list[str]
    train_labels: list[int]
    test_texts: list[str]


def outer_folds(corpus: Corpus, folds: int) -> Iterator[Fold]:
    """``corpus`` split by ``fold_ids``: the same folds for every evaluation."""
    ids = fold_ids(len(corpus.texts), folds)
    for k in range(folds):
        train = np.flatnonzero(ids != k)
        test = np.flatnonzero(ids == k)
        yield Fold(
            train, test,
            [corpus.texts[i] for i in train], [corpus.labels[i] for i in train],
            [corpus.texts[i] for i in test],
        )


def train_scorer(
    texts: Sequence[str], labels: Sequence[int], calibration_folds: int = 10
) -> tuple[CriticScorer, Floats]:
    """Fit the shipped recipe on ``texts``; also return its out-of-fold probabilities.

    Aggregation, calibration and thresholds are fitted on out-of-fold evidence, then the
    final model is refitted on everything.
    """
    docs = [features(t) for t in texts]
    prior = lexicon_prior()
    opts = FitOptions()
    y = np.asarray(labels, dtype=np.int64)
    ids = fold_ids(len(docs), calibration_folds)
    whole, turn, bias = np.zeros(len(docs)), np.zeros(len(docs)), np.zeros(len(docs))
    lengths = [0] * len(docs)
    for k in range(calibration_folds):
        held = np.flatnonzero(ids == k)
        train = np.flatnonzero(ids != k)
        model = fit([docs[i] for i in train], y[train].tolist(), opts, prior)
        # A bare scorer around the fold's model reads evidence exactly as scoring will.
        reader = CriticScorer(model, Platt(1.0, 0.0), Thresholds(0.5, 0.5))
        for i in held:
            whole[i], turn[i], lengths[i] = reader.evidence(texts[int(i)])
        bias[held] = model.bias
        _log.debug("calibration fold %d/%d done", k + 1, calibration_folds)
    aggregation, platt = fit_aggregation(
        whole.tolist(), turn.tolist(), lengths, bias.tolist(), labels
    )
    p_positive = np.array(
        [
            platt.probability(aggregation.margin(b, w, t, n))
            for b, w, t, n in zip(bias, whole, turn, lengths, strict=True)
        ]
    )
    thresholds = choose_thresholds(p_positive.tolist(), labels)
    final = fit(docs, labels, opts, prior)
    return CriticScorer(final, platt, thresholds, aggregation=aggregation), p_positive


def train_to_file(pos: Path, neg: Path, out: Path) -> CriticScorer:
    """Train on the two files, write the weights to ``out`` and provenance beside them."""
    corpus = read_corpus(pos, neg)
    _log.info("training on %d snippets from %s, %s", len(corpus.texts), pos, neg)
    scorer, p_positive = train_scorer(corpus.texts, corpus.labels)
    scorer.meta = {
        "trained_on_sha256": corpus.sha256,
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%d"),
        "features": len(scorer.model.weights),
    }
    scorer.save(out)
    _provenance_path(out).write_text(_provenance(corpus, scorer, p_positive, out), encoding="utf-8")
    return scorer


def _provenance_path(out: Path) -> Path:
    return out.with_name(out.name.split(".", 1)[0] + ".PROVENANCE.md")


def _provenance(corpus: Corpus, scorer: CriticScorer, p_positive: Floats, out: Path) -> str:
    gold = [Label.POSITIVE if y else Label.NEGATIVE for y in corpus.labels]
    committed_everywhere = [Label.POSITIVE if p >= 0.5 else Label.NEGATIVE for p in p_positive]
    shipped = [scorer.thresholds.label(float(p)) for p in p_positive]
    rows = [
        figures("no abstention (p >= 0.5)", gold, committed_everywhere),
        figures("shipped thresholds", gold, shipped),
    ]
    files = "\n".join(
        f"| `{name}` | {corpus.lines[name]:,} | `{digest}` |"
        for name, digest in corpus.sha256.items()
    )
    opts = FitOptions()
    t = scorer.thresholds
    agg = scorer.aggregation
    return f"""# Provenance of `{out.name}`

Weights of the critic sentiment scorer (`bot.sentiment.CriticScorer`). The file holds
n-gram features with weights, a bias, a Platt calibration and two thresholds: no text
of the training corpus.

## Data

Pang & Lee's *sentence polarity dataset v1.0* ("MR", ACL 2005): Rotten Tomatoes
critics' snippets, "fresh" = positive and "rotten" = negative, as described in
`shared/eval/README.md`. The corpus is read from the paths given to the trainer and is
never copied into the project. It carries no explicit licence.

| file | lines | sha256 |
| --- | --- | --- |
{files}

## Command

    reviewbot train --pos ../shared/eval/rt-polarity.pos \\
        --neg ../shared/eval/rt-polarity.neg --out bot/data/{out.name}

which calls `bot.sentiment.training.train_to_file(pos, neg, out)`. Training is deterministic
(fixed fold seed {FOLD_SEED}, full-batch optimisation): the same files give the same
weights file byte for byte, but for the training date in its metadata.
Trained {scorer.meta.get("trained_at")} with Python {platform.python_version()},
numpy {np.__version__}; {len(scorer.model.weights):,} features.

## Recipe

- Text folded to MR's form (`bot.sentiment.tokenizer`): lowercase, ASCII quotes, split punctuation,
  dashes as `--`, ellipses as `. . .`; words after a negator marked `not_` up to the
  next punctuation mark.
- Features: distinct unigrams and bigrams, and character 4/5-grams of each distinct word
  of 5+ characters.
- Model (`bot.sentiment.linear`): logistic regression on naive-Bayes-scaled binary features
  (NBSVM, Wang & Manning 2012) with alpha={opts.alpha}, l2={opts.l2}, beta={opts.beta},
  {opts.iterations} full-batch Adam steps; plus TextBlob's lexicon polarity as one learned
  input, folded into the word weights.
- Aggregation (`bot.sentiment.model.Aggregation`): the clause after the last contrast word
  ("but", "though", ...) counts again with weight {agg.contrast}, and the summed
  weights are divided by (distinct tokens / {REFERENCE_LENGTH}) ** {agg.length_power}, so
  long quotes are not over-confident. Both chosen from a grid by out-of-fold log-loss.
- Calibration: Platt sigmoid a={scorer.platt.a:.4f}, b={scorer.platt.b:.4f}, fitted on
  10-fold out-of-fold margins.
- Thresholds: positive when P(positive) >= {t.positive}; negative when P(negative) >=
  {t.negative}; otherwise neutral ("mixed"). Negative is the strictest threshold that keeps
  out-of-fold negative recall >= {NEGATIVE_RECALL_FLOOR}; positive is the laxest with
  out-of-fold positive precision >= {POSITIVE_PRECISION}. Negatives are held stricter because
  real critics lean positive (94% for *Her*), which multiplies false negatives.

## Out-of-fold figures (10-fold CV on MR)

The thresholds were chosen on these same out-of-fold probabilities; for figures where
they are chosen inside each fold too, run `reviewbot eval --pos ... --neg ... --folds 10`.

```
{table(rows)}
```
"""
