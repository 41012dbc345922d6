"""The shipped critic scorer on sentences whose polarity nobody would dispute."""

from __future__ import annotations

import gzip
import json
import socket
import time
from pathlib import Path

import pytest

from bot.models import Label
from bot.sentiment import CriticScorer, TextBlobScorer, critic_scorer, default_gate, default_scorer
from bot.sentiment.gate import vader_lexicon
from bot.sentiment.model import Aggregation, LinearModel, Platt, Thresholds
from bot.sentiment.tokenizer import display, features, mark_negation, parse, tokens


@pytest.fixture(scope="module")
def scorer() -> CriticScorer:
    return critic_scorer()


@pytest.mark.parametrize(
    "text",
    [
        "A gorgeous, heartbreaking, brilliantly acted film.",
        "One of the best films of the year.",
        "Wonderful!",
        "Not a bad film.",
    ],
)
def test_positive(scorer: CriticScorer, text: str) -> None:
    assert scorer.score(text).label is Label.POSITIVE


@pytest.mark.parametrize(
    "text",
    [
        "A dull, lifeless mess of a movie.",
        "Tedious, predictable and badly acted.",
        "An utter waste of time.",
        "It is not funny, not moving and not worth your time.",
        "The cast is fine, but the film is a dull mess.",
    ],
)
def test_negative(scorer: CriticScorer, text: str) -> None:
    assert scorer.score(text).label is Label.NEGATIVE


def test_negation_pulls_towards_negative(scorer: CriticScorer) -> None:
    good = scorer.probability("The film is good.")
    not_good = scorer.probability("The film is not good.")
    assert not_good < 0.5 < good
    assert scorer.score("The film is not good.").label is not Label.POSITIVE


def test_real_typography_scores_like_mr_form(scorer: CriticScorer) -> None:
    real = scorer.probability(
        "It\u2019s a \u201cDULL\u201d, lifeless film\u2026 Honestly \u2014 no."
    )
    mr_form = scorer.probability('it\'s a " dull " , lifeless film . . . honestly -- no .')
    assert real == pytest.approx(mr_form)


def test_sentiment_fields_are_consistent(scorer: CriticScorer) -> None:
    texts = ["Boring.", "A triumph.", "The film is good.", "It opens on Friday.", ""]
    for text, s in zip(texts, scorer.score_many(texts), strict=True):
        assert -1.0 <= s.polarity <= 1.0
        assert 0.5 <= s.confidence <= 1.0
        p = scorer.probability(text)
        assert s.label is scorer.thresholds.label(p)
        assert s == scorer.score(text)


def test_fast_path_matches_training_features(scorer: CriticScorer) -> None:
    """Scoring sums cached per-word weights; training sees flat feature lists: same sum."""
    for text in ["Not a bad film, but overlong.", "Lifeless, lifeless, LIFELESS!", ""]:
        whole, turn, length = scorer.evidence(text)
        assert scorer.model.margin(features(text)) == pytest.approx(scorer.model.bias + whole)
        turn_units = parse(text).turn
        turn_features = turn_units.features() if turn_units else []
        assert turn == pytest.approx(scorer.model.margin(turn_features) - scorer.model.bias)
        margin = scorer.aggregation.margin(scorer.model.bias, whole, turn, length)
        assert scorer.probability(text) == pytest.approx(scorer.platt.probability(margin))


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("It starts slowly, but the payoff is wonderful.", Label.POSITIVE),
        ("A handsome production, but a dull and lifeless one.", Label.NEGATIVE),
    ],
)
def test_contrast_follows_the_turn(scorer: CriticScorer, text: str, label: Label) -> None:
    assert scorer.score(text).label is label


def test_negative_threshold_is_stricter(scorer: CriticScorer) -> None:
    assert scorer.thresholds.negative > scorer.thresholds.positive >= 0.5


def _toy(thresholds: Thresholds) -> CriticScorer:
    return CriticScorer(LinearModel({"good": 2.0, "bad": -2.0}, 0.0), Platt(1.0, 0.0), thresholds)


def test_abstains_below_either_threshold() -> None:
    toy = _toy(Thresholds(positive=0.8, negative=0.9))  # p(good) = p(not bad) = 0.88
    assert toy.score("good").label is Label.POSITIVE
    assert toy.score("good").confidence == pytest.approx(0.8808, abs=1e-4)
    neutral = toy.score("bad")
    assert neutral.label is Label.NEUTRAL
    assert neutral.label.display == "mixed"
    assert neutral.polarity == pytest.approx(-0.7616, abs=1e-4)
    assert toy.score("nothing to see").label is Label.NEUTRAL


def test_explain_ranks_phrases_by_weight(scorer: CriticScorer) -> None:
    drivers = scorer.explain("The cast is fine, but the film is a dull mess.", top=3)
    assert len(drivers) == 3
    assert drivers[0].phrase == "dull" and drivers[0].weight < 0
    weights = [abs(d.weight) for d in drivers]
    assert weights == sorted(weights, reverse=True)
    assert scorer.explain("", top=5) == ()


def test_explain_shows_negation_readably() -> None:
    toy = CriticScorer(
        LinearModel({"not_good": -1.0, "not not_good": -0.5}, 0.0),
        Platt(1, 0),
        Thresholds(0.6, 0.6),
    )
    phrases = [d.phrase for d in toy.explain("Not good.")]
    assert phrases == ["(not) good", "not good"]


def test_tokens_follow_mr_conventions() -> None:
    assert tokens("It\u2019s Jonze\u2019s \u201cbest\u201d\u2014really... Isn't it?") == [
        "it's", "jonze's", '"', "best", '"', "--", "really", ".", ".", ".", "isn't", "it", "?",
    ]  # fmt: skip
    assert mark_negation(["not", "very", "good", ",", "but", "fun"]) == [
        "not", "not_very", "not_good", ",", "but", "fun",
    ]  # fmt: skip
    assert display("not_very not_good") == "(not) very good"


@pytest.mark.parametrize(
    ("text", "turn_words"),
    [
        ("Not funny, but never dull either.", {"never", "not_dull", "not_either", "."}),
        ("Good yet long, though oddly moving.", {"oddly", "moving", "."}),  # the last one
        ("But it is great.", None),  # opens the quote: argues with text we don't have
        ("Great cast but dull", None),  # fewer than two tokens follow
        ("Simply great.", None),
    ],
)
def test_turn_is_the_clause_after_the_last_contrast(text: str, turn_words: set[str] | None) -> None:
    turn = parse(text).turn
    assert (turn.words if turn else None) == turn_words


def test_negation_does_not_reach_past_the_turn() -> None:
    turn = parse("It isn't long, but it is fun.").turn
    assert turn is not None and "fun" in turn.words


def test_features_include_character_grams_of_long_words() -> None:
    feats = features("Lifeless.")
    assert {"lifeless", ".", "lifeless .", "#<lif", "#ess>"} <= set(feats)
    assert not [f for f in features("A dud.") if f.startswith("#")]


def test_turn_counts_again_and_length_tempers() -> None:
    plain = _toy(Thresholds(0.6, 0.6))
    shaped = CriticScorer(
        plain.model, plain.platt, plain.thresholds, aggregation=Aggregation(1.0, 0.5)
    )
    # "good" after "but" counts twice: -2 + 2 + 1.0 * 2, scaled for 6 distinct tokens.
    text = "bad , but oh so good"
    expected = 2.0 * (6 / 19) ** -0.5
    assert shaped.probability(text) == pytest.approx(plain.platt.probability(expected))
    assert plain.probability(text) == pytest.approx(plain.platt.probability(0.0))
    drivers = {d.phrase: d.weight for d in shaped.explain(text)}
    assert drivers["good"] == pytest.approx(2 * 2.0 * (6 / 19) ** -0.5, abs=1e-3)
    # The same evidence among more distinct tokens is less sure of itself.
    long = "good " + " ".join(f"filler{i}" for i in range(40))
    assert 0.5 < shaped.probability(long) < plain.probability(long)


def test_round_trip(tmp_path: Path, scorer: CriticScorer) -> None:
    toy = CriticScorer(
        LinearModel({"good": 2.0}, 0.1), Platt(1.0, 0.0), Thresholds(0.7, 0.8),
        {"note": "toy"}, Aggregation(0.25, 0.75),
    )  # fmt: skip
    toy.save(tmp_path / "toy.json.gz")
    back = CriticScorer.load(tmp_path / "toy.json.gz")
    assert back.model == toy.model and back.platt == toy.platt
    assert back.thresholds == toy.thresholds and back.meta == toy.meta
    assert back.aggregation == toy.aggregation


def test_saving_twice_writes_the_same_bytes(tmp_path: Path) -> None:
    toy = _toy(Thresholds(0.7, 0.8))
    first, second = tmp_path / "a" / "w.json.gz", tmp_path / "b" / "w.json.gz"
    first.parent.mkdir()
    second.parent.mkdir()
    toy.save(first)
    time.sleep(1.1)  # the gzip header's clock ticks in seconds
    toy.save(second)
    assert first.read_bytes() == second.read_bytes()


def test_version_1_weights_load_as_a_plain_sum(tmp_path: Path) -> None:
    doc = {
        "format": "reviewbot-critic-scorer/1",
        "bias": 0.0,
        "platt": {"a": 1.0, "b": 0.0},
        "thresholds": {"positive": 0.6, "negative": 0.6},
        "features": ["good"],
        "weights": [2.0],
    }
    path = tmp_path / "v1.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(doc, fh)
    assert CriticScorer.load(path).aggregation == Aggregation()
    doc["format"] = "something-else/9"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(doc, fh)
    with pytest.raises(ValueError, match="not a reviewbot-critic-scorer"):
        CriticScorer.load(path)


def test_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the scorer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    loaders = (default_scorer, critic_scorer, default_gate, vader_lexicon)
    for loader in loaders:
        loader.cache_clear()
    try:
        fresh = default_scorer()
        assert fresh.score("A dull, lifeless mess.").label is Label.NEGATIVE
        assert TextBlobScorer().score("A dull, lifeless mess.").label is Label.NEGATIVE
    finally:
        for loader in loaders:
            loader.cache_clear()


def test_default_scorer_is_loaded_once() -> None:
    assert default_scorer() is default_scorer()
