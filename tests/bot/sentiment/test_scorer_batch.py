"""A batch scored in numpy (``bot.sentiment.batch``) gets the very bits that scoring its
texts one by one in pure Python gets: evidence, polarity, confidence and label, on
thousands of made-up texts (respelled critic sentences, unicode, empty, very long) and
on the seed corpus and MR (when it is beside the checkout)."""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bot.sentiment import CriticScorer, critic_scorer, default_scorer
from bot.sentiment.batch import BatchModel
from bot.sentiment.model import LinearModel
from bot.sentiment.tokenizer import parse
from tests.bot.sentiment.test_scorer_sums import texts as corpus_texts

# Typography, negation, contrast, the odd characters the tokenizer keeps or splits off.
ODD = ["\u2019s", "n't", "not", "never", "but", "though", "\u2014", "\u2026", "...", "--",
       "#", "#1", "co-writer", "a-", "caf\u00e9", "na\u00efve", "\u03a3\u039f\u03a6\u039f\u03a3",
       "\u65e5\u672c\u8a9e\u306e\u6620\u753b", "\U0001f600", "\x00", "\ud800", "_", "<b>",
       "\u00a0", "\u201cquoted\u201d", "!", "?", "(", ")", ";"]


def fresh() -> CriticScorer:
    """A critic of its own, with an empty word cache."""
    shipped = critic_scorer()
    return CriticScorer(shipped.model, shipped.platt, shipped.thresholds,
                        aggregation=shipped.aggregation)


def respelled(word: str, rng: random.Random) -> str:
    """``word`` with up to three letters changed, as a never-seen word would be."""
    letters = list(word)
    for _ in range(min(3, len(letters))):
        letters[rng.randrange(len(letters))] = rng.choice("abcdefghijklmnopqrstuvwxyz\u00e9")
    return "".join(letters)


def made_up(count: int) -> list[str]:
    """``count`` texts: critic sentences respelled in part, salted with odd tokens, and
    edge cases (empty, blank, one long word, thousands of words)."""
    rng = random.Random(20261130)
    bank = [t for t in corpus_texts() if t.strip()]
    out = ["", " ", "but", "not", "x" * 300, "Not bad. Not good either, but fine.",
           " ".join(rng.choice(bank) for _ in range(200)), "\ud800\udfff \x00\x00 #####"]
    while len(out) < count:
        words = rng.choice(bank).split()
        for i in range(len(words)):
            roll = rng.random()
            if roll < 0.5:
                words[i] = respelled(words[i], rng)
            elif roll < 0.6:
                words[i] = rng.choice(ODD) + words[i] + rng.choice(["", *ODD])
            elif roll < 0.65:
                words[i] = words[i].upper()
        out.append(" ".join(words))
    return out


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return made_up(6000) + corpus_texts()


def test_batch_evidence_is_the_per_text_evidence(texts: list[str]) -> None:
    one_by_one, batched = fresh(), fresh()
    expected = [one_by_one.evidence(t) for t in texts]
    got = [e for start in range(0, len(texts), batched.BATCH)
           for e in batched._batch_evidence(texts[start : start + batched.BATCH])]
    assert batched._batch is not None
    for text, (whole, turn, length), (whole2, turn2, length2) in zip(texts, expected, got,
                                                                     strict=True):
        # float.hex: equal to the last bit, and 0.0 is not -0.0
        assert (whole.hex(), turn.hex(), length) == (whole2.hex(), turn2.hex(), length2), text


def test_score_many_is_score_one_by_one(texts: list[str]) -> None:
    sample = texts[::3]
    batched, one_by_one = fresh(), fresh()
    assert len(sample) > batched.BATCH  # several batches, each in numpy
    assert batched.score_many(sample) == [one_by_one.score(t) for t in sample]
    assert one_by_one._batch is None  # a text at a time never loads numpy's tables
    gated = default_scorer()
    assert gated.score_many(sample[:500]) == [gated.score(t) for t in sample[:500]]


def test_threads_score_in_pure_python(texts: list[str]) -> None:
    """Beside a busy thread, numpy waits for the GIL after each operation: a thread
    (the bot's in-process ingest) takes the pure-Python path, with the same scores."""
    sample = texts[:200]
    in_thread, in_main = fresh(), fresh()
    with ThreadPoolExecutor(1) as pool:
        scored = pool.submit(in_thread.score_many, sample).result()
    assert in_thread._batch is None
    assert scored == in_main.score_many(sample)
    assert in_main._batch is not None


def test_word_totals_are_the_per_word_sums(texts: list[str]) -> None:
    scorer = fresh()
    words = sorted({w for t in texts for units in parse(t) if units for w in units.words})
    words += ["", "abcd", "abcde", "\ud800" * 6, "<abc>", "a b c d e", "x" * 1000, "#abcd"]
    model = BatchModel(scorer.model.weights)
    own = np.array([scorer.model.weights.get(w, 0.0) for w in words])
    totals = model.word_totals(words, own).tolist()
    assert [t.hex() for t in totals] == [scorer._word_weight(w).hex() for w in words]


@pytest.mark.parametrize("weights", [
    {"good": 1.0, "bad": -1.0, "-0": -0.0},  # no n-gram, no bigram: empty tables
    # Odd keys: blank halves, other white space, "#" as a word and in a bigram.
    {"good": 1.0, " x": 0.5, "y ": 0.5, "a\tb c": 0.3, "good film": 0.7, "# 1": 0.2,
     "not_good film": -0.7, "#<goo": 0.2, "#ood>": 0.1, "#": 0.05, "#good>": -0.4},
])
def test_toy_models(weights: dict[str, float]) -> None:
    toy = CriticScorer(LinearModel(weights, 0.0), critic_scorer().platt,
                       critic_scorer().thresholds)
    sample = made_up(50) + ["good film", "not good film", "# 1 good", "a\tb c y x"] * 3
    assert toy.score_many(sample) == [toy.score(t) for t in sample]


@pytest.mark.parametrize("scorer", [fresh, lambda: CriticScorer(
    LinearModel({}, 0.5), critic_scorer().platt, critic_scorer().thresholds)])
def test_a_batch_of_empty_texts(scorer: Callable[[], CriticScorer]) -> None:
    critic = scorer()
    blank = ["", " ", "\n"] * critic.NUMPY_TEXTS
    assert critic.score_many(blank) == [critic.score("")] * len(blank)
