"""The second opinion: the lexicon gate, its agreement with the scorer, and its fitting."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.models import Driver, Label, Sentiment
from bot.sentiment import GatedScorer, critic_scorer, default_gate, default_scorer
from bot.sentiment.gate import Cutoffs, Lexicon, LexiconGate, Rules, compound, words
from bot.sentiment.gate_training import best_cutoff, fit_gate, fit_to_file

MR = Path(__file__).resolve().parents[4] / "shared" / "eval"
P, N, U = Label.POSITIVE, Label.NEGATIVE, Label.NEUTRAL

# The praise that issue 11 found in the negative pool, as the critic wrote it.
PRAISE_WITH_NEGATED_NEGATIVE = (
    "I haven't stopped thinking about Her since I saw it. It's a gift when anything does that."
)


# -- the shipped gate on sentences nobody would dispute -------------------------------------


@pytest.mark.parametrize(
    "text", ["A dull, lifeless, tedious mess.", "Badly written, badly acted and boring."]
)
def test_pans_stay_negative(text: str) -> None:
    assert critic_scorer().score(text).label is N
    assert default_scorer().score(text).label is N


@pytest.mark.parametrize(
    "text", ["A wonderful, moving film.", "A gorgeous, heartbreaking, brilliantly acted film."]
)
def test_praise_stays_positive(text: str) -> None:
    assert critic_scorer().score(text).label is P
    assert default_scorer().score(text).label is P


def test_praise_with_a_negated_negative_is_not_served_as_a_pan() -> None:
    # The critic scorer reads "haven't stopped" as pan words; the lexicon flips "stopped"
    # under the negation and counts "gift", so it vetoes the negative label.
    assert critic_scorer().score(PRAISE_WITH_NEGATED_NEGATIVE).label is N
    gated = default_scorer().score(PRAISE_WITH_NEGATED_NEGATIVE)
    assert gated.label is U
    assert default_gate().compound(PRAISE_WITH_NEGATED_NEGATIVE) > default_gate().cutoffs.negative


def test_the_short_negated_negative_alone_is_still_missed() -> None:
    # Without "gift", the flipped "stopped" alone is too weak to veto: a known limit.
    text = "I haven't stopped thinking about it."
    assert critic_scorer().score(text).label is N
    assert default_scorer().score(text).label is N


def test_compound_reads_direction_negation_and_but() -> None:
    gate = default_gate()
    assert gate.compound("A dull, lifeless mess.") < 0 < gate.compound("A wonderful, moving film.")
    assert gate.compound("It is not good.") < 0 < gate.compound("It is good.")
    assert gate.compound("It isn't bad.") > 0 > gate.compound("It is bad.")
    # After "but" outweighs before.
    assert gate.compound("Dull at first, but wonderful in the end.") > 0
    assert gate.compound("Wonderful at first, but dull in the end.") < 0


def test_negation_stops_at_the_clause() -> None:
    lexicon = Lexicon({"good": 2.0}, frozenset({"not"}), {})
    rules = Rules(negation=1.0, scope=3)
    assert compound(lexicon, rules, words("not good")) < 0
    assert compound(lexicon, rules, words("not, good")) > 0
    assert compound(lexicon, rules, words("not a b c good")) > 0  # beyond the scope


def test_words_fold_typographic_apostrophes_and_keep_clause_marks() -> None:
    assert words("I haven’t — ‘really’ — seen it…") == [
        "i", "haven't", "—", "really", "—", "seen", "it", "…"
    ]


# -- agreement logic --------------------------------------------------------------------------


class _Scripted:
    """A scorer that says what it is told, and a gate that agrees as it is told."""

    name = "scripted"

    def __init__(self, labels: dict[str, Label], agree: dict[str, bool]) -> None:
        self.labels = labels
        self.agreements = agree
        self.asked: list[list[tuple[str, Label]]] = []

    def score(self, text: str) -> Sentiment:
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[Sentiment]:
        return [Sentiment(self.labels[t], 0.5, 0.8) for t in texts]

    def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]:
        return (Driver("because", 1.0),)

    def agree(self, texts: Sequence[str], labels: Sequence[Label]) -> list[bool]:
        self.asked.append(list(zip(texts, labels, strict=True)))
        return [self.agreements[t] for t in texts]


def test_a_label_stands_only_when_the_gate_agrees() -> None:
    fake = _Scripted(
        {"a": P, "b": P, "c": N, "d": N, "e": U},
        {"a": True, "b": False, "c": True, "d": False},
    )
    gated = GatedScorer(fake, fake)
    said = gated.score_many(["a", "b", "c", "d", "e"])
    assert [s.label for s in said] == [P, U, N, U, U]
    # One batch, abstentions never asked about; polarity and confidence stay the scorer's.
    assert fake.asked == [[("a", P), ("b", P), ("c", N), ("d", N)]]
    assert all(s.polarity == 0.5 and s.confidence == 0.8 for s in said)
    assert gated.score("b").label is U
    assert gated.explain("a") == (Driver("because", 1.0),)
    assert gated.name == "scripted+scripted"


def test_the_gate_is_not_asked_when_the_scorer_abstains() -> None:
    fake = _Scripted({"e": U}, {})
    assert GatedScorer(fake, fake).score("e").label is U
    assert fake.asked == []


def test_lexicon_gate_cutoffs() -> None:
    lexicon = Lexicon({"good": 2.0, "bad": -2.0}, frozenset({"not"}), {})
    gate = LexiconGate(lexicon, Rules(), Cutoffs(positive=0.2, negative=-0.2))
    assert gate.agree(["good", "bad", "it", "good"], [P, N, P, N]) == [True, True, False, False]
    assert gate.agrees("bad", U)  # an abstention needs no second opinion
    always = LexiconGate(lexicon, Rules(), Cutoffs(positive=-1.0, negative=1.0))
    assert always.agree(["bad", "good"], [P, N]) == [True, True]


def test_default_scorer_is_the_critic_confirmed_by_the_lexicon_gate() -> None:
    scorer = default_scorer()
    assert isinstance(scorer, GatedScorer)
    assert scorer.scorer is critic_scorer() and scorer.gate is default_gate()
    assert scorer.name == "critic+lexicon"


# -- fitting ----------------------------------------------------------------------------------


def test_best_cutoff_maximises_f_half_at_the_prior() -> None:
    # Four texts the scorer called negative: compounds -0.9, -0.5 (pans), 0.4, 0.8 (praise).
    compounds = np.array([-0.9, -0.5, 0.4, 0.8, 0.9])
    gold = np.array([0, 0, 1, 1, 1])
    said = np.array([True, True, True, True, False])
    cut, f = best_cutoff(compounds, gold, said, N, prior=0.5)
    # Keeping both pans and vetoing both praises is perfect: the cut lies between them.
    assert -0.5 <= cut < 0.4 and f == pytest.approx(1.0)
    # Positive: the one text the scorer called positive is right; keeping it is best.
    cut, f = best_cutoff(compounds, gold, ~said, P, prior=0.5)
    assert cut == -1.0 and f > 0


def test_fit_gate_is_deterministic_and_saves_the_same_bytes(tmp_path: Path) -> None:
    texts = ["a wonderful film", "a dull film", "not a dull film", "not wonderful", "fine"] * 4
    gold = [1, 0, 1, 0, 1] * 4
    said = [P, N, N, P, P] * 4
    paths = []
    for run in range(2):
        gate = fit_gate(texts, gold, said)
        paths.append(tmp_path / f"gate{run}.json")
        gate.save(paths[-1])
    assert paths[0].read_bytes() == paths[1].read_bytes()
    back = LexiconGate.load(paths[0])
    assert back.rules == gate.rules and back.cutoffs == gate.cutoffs


def test_fit_to_file_on_an_mr_sample_is_reproducible(tmp_path: Path) -> None:
    if not (MR / "rt-polarity.pos").exists():
        pytest.skip("MR is not at ../shared/eval")
    files = []
    for name in ("rt-polarity.pos", "rt-polarity.neg"):
        head = (MR / name).read_text(encoding="utf-8").split("\n")[:200]
        (tmp_path / name).write_text("\n".join(head) + "\n", encoding="utf-8")
        files.append(tmp_path / name)
    outs = [tmp_path / "a" / "gate.json", tmp_path / "b" / "gate.json"]
    for out in outs:
        out.parent.mkdir()
        fit_to_file(files[0], files[1], out)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    provenance = (outs[0].parent / "gate.PROVENANCE.md").read_text(encoding="utf-8")
    assert provenance == (outs[1].parent / "gate.PROVENANCE.md").read_text(encoding="utf-8")
    for line in files[0].read_text(encoding="utf-8").split("\n")[:50]:
        if len(line.split()) >= 4:
            assert line.strip() not in provenance  # no MR text in the project


def test_shipped_gate_file_says_what_it_was_fitted_on() -> None:
    doc = json.loads((Path(__file__).resolve().parents[3] / "bot/data/gate.json").read_text())
    assert doc["meta"]["trained_on_sha256"] == {
        "rt-polarity.pos": "4134882974a28d0c7b5151256f0e33a6169984ee7372c279e673f1114f475d58",
        "rt-polarity.neg": "2d11cfbc790f1cd96d78339f41ce53ced1efa83cd22d37d6788fa3fe3d17e2fd",
    }
    assert doc["meta"]["fit_prior"] == 0.94
    gate = default_gate()
    assert gate.rules == Rules(**doc["rules"]) and gate.cutoffs == Cutoffs(**doc["cutoffs"])
