"""Measure the critic scorer, the scorer with its gate, and the TextBlob baseline.

All run in the same process on the same texts, so their figures and speeds are
comparable. With ``folds`` the critic recipe is retrained per fold (thresholds and
calibration included, from inner folds) and the gate refitted on the fold's out-of-fold
labels, so no figure comes from a text either model saw. With ``prior`` every row is
given again as at a film whose critics are that share positive (``metrics``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from bot.models import Label
from bot.sentiment.deep import second_opinion
from bot.sentiment.gate import Gate, confirmed
from bot.sentiment.gate_training import fit_gate
from bot.sentiment.metrics import Figures, figures, prior_name, table
from bot.sentiment.scorer import Scorer, TextBlobScorer, critic_scorer
from bot.sentiment.training import Corpus, outer_folds, read_corpus, train_scorer

_log = logging.getLogger(__name__)

# Inner folds for calibration inside each outer fold: 5 rather than the shipped 10 keeps a
# 10-fold run to a few minutes, and changes the thresholds by about one grid step.
INNER_FOLDS = 5


def run_eval(
    pos: Path, neg: Path, folds: int | None, stream: TextIO, prior: float | None = None
) -> list[Figures]:
    """Print accuracy, coverage, per-class precision/recall and speed for each scorer.

    The printed rows are also returned, for callers that check them rather than read them:
    the rows as sampled, then (with ``prior``) the same rows at that prior.
    """
    corpus = read_corpus(pos, neg)
    gold = [Label.POSITIVE if y else Label.NEGATIVE for y in corpus.labels]
    runs = _cross_validated(corpus, folds) if folds else _shipped(corpus, stream)
    said, seconds = _timed(TextBlobScorer(), corpus.texts)
    runs.append(_Run("textblob (baseline)", said, seconds))
    rows = [figures(r.name, gold, r.said, r.seconds) for r in runs]
    stream.write(f"{len(corpus.texts):,} snippets from {pos} and {neg}\n")
    stream.write(table(rows) + "\n")
    stream.write("acc(all) counts abstentions as wrong; acc(commit) is over labelled texts only.\n")
    if prior is None:
        return rows
    at_prior = [figures(r.name, gold, r.said, r.seconds, prior=prior) for r in runs]
    stream.write(
        f"\nAt a prior of {prior_name(prior)} positive:negative (reweighted: each positive "
        f"snippet weighs {prior:g}/{corpus.labels.count(1):,}, each negative "
        f"{1 - prior:.4g}/{corpus.labels.count(0):,}; recall does not move):\n"
    )
    stream.write(table(at_prior) + "\n")
    return rows + at_prior


class _Run(NamedTuple):
    """One scorer's labels of every snippet, and the seconds it took (None: not timed)."""

    name: str
    said: list[Label]
    seconds: float | None = None


def _cross_validated(corpus: Corpus, folds: int) -> list[_Run]:
    n = len(corpus.texts)
    shipped_rule: list[Label] = [Label.NEUTRAL] * n
    no_abstention: list[Label] = [Label.NEUTRAL] * n
    gated: list[Label] = [Label.NEUTRAL] * n
    scorer_seconds = gate_seconds = 0.0
    for k, fold in enumerate(outer_folds(corpus, folds)):
        test = fold.test
        scorer, p_train = train_scorer(fold.train_texts, fold.train_labels, INNER_FOLDS)
        gate = fit_gate(
            fold.train_texts, fold.train_labels,
            [scorer.thresholds.label(float(p)) for p in p_train],
        )
        texts = fold.test_texts
        said, spent = _timed(scorer, texts)
        scorer_seconds += spent
        confirmed_labels, spent = _gated(gate, texts, said)
        gate_seconds += spent
        for i, label, gated_label, text in zip(test, said, confirmed_labels, texts, strict=True):
            shipped_rule[i] = label
            gated[i] = gated_label
            no_abstention[i] = Label.POSITIVE if scorer.probability(text) >= 0.5 else Label.NEGATIVE
        _log.info("fold %d/%d done", k + 1, folds)
    return [
        _Run(f"critic {folds}-fold, no abstain", no_abstention),
        _Run(f"critic {folds}-fold, thresholds", shipped_rule, scorer_seconds),
        _Run(f"critic+lexicon {folds}-fold", gated, scorer_seconds + gate_seconds),
    ]


def _shipped(corpus: Corpus, stream: TextIO) -> list[_Run]:
    scorer = critic_scorer()
    gate = second_opinion()  # the gate the bot runs with: MiniLM when [deep] is installed
    fitted_on = set(scorer.meta.get("trained_on_sha256", {}).values())
    fitted_on |= set(gate.meta.get("trained_on_sha256", {}).values())
    if set(corpus.sha256.values()) & fitted_on:
        stream.write(
            "NOTE: the shipped model and gate were trained on these files; their figures here "
            "are training-set figures. Use --folds 10 for honest ones.\n"
        )
    said, seconds = _timed(scorer, corpus.texts)
    gated, gate_seconds = _gated(gate, corpus.texts, said)
    no_abstention = [
        Label.POSITIVE if scorer.probability(t) >= 0.5 else Label.NEGATIVE for t in corpus.texts
    ]
    return [
        _Run("critic shipped, no abstain", no_abstention),
        _Run("critic shipped, thresholds", said, seconds),
        _Run(f"critic+{gate.name} shipped", gated, seconds + gate_seconds),
    ]


def _timed(scorer: Scorer, texts: Sequence[str]) -> tuple[list[Label], float]:
    start = time.perf_counter()
    sentiments = scorer.score_many(texts)
    return [s.label for s in sentiments], time.perf_counter() - start


def _gated(gate: Gate, texts: Sequence[str], said: Sequence[Label]) -> tuple[list[Label], float]:
    """The gate's share of the time is timed apart, so the scorer's first pass is not
    counted twice (scoring again would hit its warm word cache)."""
    start = time.perf_counter()
    labels = confirmed(gate, texts, said)
    return labels, time.perf_counter() - start
