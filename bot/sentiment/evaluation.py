"""Measure the critic scorer against the TextBlob baseline on labelled snippets.

Both scorers run in the same process on the same texts, so their figures and speeds
are comparable. With ``folds`` the critic recipe is retrained per fold (thresholds and
calibration included, from inner folds), so no figure comes from a text the model saw.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from bot.models import Label
from bot.sentiment.metrics import Figures, figures, table
from bot.sentiment.scorer import CriticScorer, Scorer, TextBlobScorer, default_scorer
from bot.sentiment.training import Corpus, fold_ids, read_corpus, train_scorer

_log = logging.getLogger(__name__)

# Inner folds for calibration inside each outer fold: 5 rather than the shipped 10 keeps a
# 10-fold run to a few minutes, and changes the thresholds by about one grid step.
INNER_FOLDS = 5


def run_eval(pos: Path, neg: Path, folds: int | None, stream: TextIO) -> list[Figures]:
    """Print accuracy, coverage, per-class precision/recall and speed for both scorers.

    The printed rows are also returned, for callers that check them rather than read them.
    """
    corpus = read_corpus(pos, neg)
    gold = [Label.POSITIVE if y else Label.NEGATIVE for y in corpus.labels]
    rows = _cross_validated(corpus, gold, folds) if folds else _shipped(corpus, gold, stream)
    said, seconds = _timed(TextBlobScorer(), corpus.texts)
    rows.append(figures("textblob (baseline)", gold, said, seconds))
    stream.write(f"{len(corpus.texts):,} snippets from {pos} and {neg}\n")
    stream.write(table(rows) + "\n")
    stream.write("acc(all) counts abstentions as wrong; acc(commit) is over labelled texts only.\n")
    return rows


def _cross_validated(corpus: Corpus, gold: list[Label], folds: int) -> list[Figures]:
    ids = fold_ids(len(corpus.texts), folds)
    shipped_rule: list[Label] = [Label.NEUTRAL] * len(gold)
    no_abstention: list[Label] = [Label.NEUTRAL] * len(gold)
    seconds = 0.0
    for k in range(folds):
        train = np.flatnonzero(ids != k)
        test = np.flatnonzero(ids == k)
        scorer, _ = train_scorer(
            [corpus.texts[i] for i in train], [corpus.labels[i] for i in train], INNER_FOLDS
        )
        texts = [corpus.texts[i] for i in test]
        said, spent = _timed(scorer, texts)
        seconds += spent
        for i, label, text in zip(test, said, texts, strict=True):
            shipped_rule[i] = label
            no_abstention[i] = Label.POSITIVE if scorer.probability(text) >= 0.5 else Label.NEGATIVE
        _log.info("fold %d/%d done", k + 1, folds)
    return [
        figures(f"critic {folds}-fold, no abstain", gold, no_abstention),
        figures(f"critic {folds}-fold, thresholds", gold, shipped_rule, seconds),
    ]


def _shipped(corpus: Corpus, gold: list[Label], stream: TextIO) -> list[Figures]:
    scorer = default_scorer()
    if not isinstance(scorer, CriticScorer):
        raise TypeError(f"the shipped scorer is {scorer.name!r}, not the critic scorer")
    trained_on = scorer.meta.get("trained_on_sha256", {})
    if set(corpus.sha256.values()) & set(trained_on.values()):
        stream.write(
            "NOTE: the shipped model was trained on these files; its figures here are "
            "training-set figures. Use --folds 10 for honest ones.\n"
        )
    said, seconds = _timed(scorer, corpus.texts)
    no_abstention = [
        Label.POSITIVE if scorer.probability(t) >= 0.5 else Label.NEGATIVE for t in corpus.texts
    ]
    return [
        figures("critic shipped, no abstain", gold, no_abstention),
        figures("critic shipped, thresholds", gold, said, seconds),
    ]


def _timed(scorer: Scorer, texts: Sequence[str]) -> tuple[list[Label], float]:
    start = time.perf_counter()
    sentiments = scorer.score_many(texts)
    return [s.label for s in sentiments], time.perf_counter() - start
