"""The shipped critic scorer on sentences whose polarity nobody would dispute."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.critic_model import LinearModel, Platt, Thresholds
from bot.models import Label
from bot.sentiment import CriticScorer, TextBlobScorer, default_scorer
from bot.tokenizer import display, features, mark_negation, tokens


@pytest.fixture(scope="module")
def scorer() -> CriticScorer:
    s = default_scorer()
    assert isinstance(s, CriticScorer)
    return s


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
        margin = scorer.model.margin(features(text))
        assert scorer.probability(text) == pytest.approx(scorer.platt.probability(margin))


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


def test_features_include_character_grams_of_long_words() -> None:
    feats = features("Lifeless.")
    assert {"lifeless", ".", "lifeless .", "#<lif", "#ess>"} <= set(feats)
    assert not [f for f in features("A dud.") if f.startswith("#")]


def test_round_trip(tmp_path: Path, scorer: CriticScorer) -> None:
    toy = _toy(Thresholds(0.7, 0.8))
    toy.meta = {"note": "toy"}
    toy.save(tmp_path / "toy.json.gz")
    back = CriticScorer.load(tmp_path / "toy.json.gz")
    assert back.model == toy.model and back.platt == toy.platt
    assert back.thresholds == toy.thresholds and back.meta == toy.meta


def test_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the scorer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    default_scorer.cache_clear()
    try:
        fresh = default_scorer()
        assert fresh.score("A dull, lifeless mess.").label is Label.NEGATIVE
        assert TextBlobScorer().score("A dull, lifeless mess.").label is Label.NEGATIVE
    finally:
        default_scorer.cache_clear()


def test_default_scorer_is_loaded_once() -> None:
    assert default_scorer() is default_scorer()
