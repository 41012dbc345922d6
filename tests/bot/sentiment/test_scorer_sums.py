"""The scorer's fast path (exact sums, n-grams cut by slices in C) gives the scores the
plain formula gives: on the seed corpus, on made-up words, and on MR when it is beside
the checkout (read there, never copied)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bot.app import default_corpus_dir
from bot.sentiment import CriticScorer, critic_scorer, default_scorer
from bot.sentiment.tokenizer import Units, char_grams, gram_slices, parse
from tests.bot.sentiment.test_workers import TEXTS

MR = Path(__file__).resolve().parents[3].parent / "shared" / "eval"


def texts() -> list[str]:
    lines = [line.strip() for path in sorted(default_corpus_dir().iterdir())
             for line in path.read_text("utf-8").splitlines() if line.strip()]
    if (MR / "rt-polarity.pos").exists():
        for name in ("rt-polarity.pos", "rt-polarity.neg"):
            lines += (MR / name).read_text("latin-1").splitlines()[:2000]
    return TEXTS + lines


def plain_sum(scorer: CriticScorer, units: Units) -> float:
    """The formula as first written: every feature's weight, missing ones 0, in a list."""
    get = scorer.model.weights.get
    words = [get(w, 0.0) + sum(get(g, 0.0) for g in char_grams(w)) for w in units.words]
    return sum(words) + sum(get(b, 0.0) for b in units.bigrams)


def exact_sum(scorer: CriticScorer, units: Units) -> float:
    get = scorer.model.weights.get
    words = [math.fsum([get(w, 0.0), *(get(g, 0.0) for g in char_grams(w))])
             for w in units.words]
    return math.fsum(words + [get(b, 0.0) for b in units.bigrams])


@pytest.mark.parametrize("reference", [exact_sum, plain_sum])
def test_evidence_is_the_formulas(reference: object) -> None:
    scorer = CriticScorer(critic_scorer().model, critic_scorer().platt,
                          critic_scorer().thresholds, aggregation=critic_scorer().aggregation)
    assert callable(reference)
    for text in texts():
        parsed = parse(text)
        whole, turn, length = scorer.evidence(text)
        expected_turn = reference(scorer, parsed.turn) if parsed.turn else 0.0
        if reference is exact_sum:  # the same numbers, to the last bit
            assert (whole, turn) == (reference(scorer, parsed.whole), expected_turn), text
        else:  # a plain sum differs from the exact one in its last bits only
            assert math.isclose(whole, reference(scorer, parsed.whole), abs_tol=1e-12), text
            assert math.isclose(turn, expected_turn, abs_tol=1e-12), text
        assert length == len(parsed.whole.words)


def test_slices_cut_the_same_grams() -> None:
    for word in ("dull", "lifeless", "co-writer", "doesn't", "x" * 40):
        padded = f"<{word}>"
        assert ["#" + padded[s] for s in gram_slices(len(word))] == char_grams(word)


def test_a_batch_scores_as_one_by_one() -> None:
    sample = texts()[:300]
    scorer = default_scorer()
    assert scorer.score_many(sample) == [scorer.score(t) for t in sample]
