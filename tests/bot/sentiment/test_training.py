"""Training pieces on hand-written data, and the whole command on a small MR sample."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from bot.models import Label
from bot.sentiment import CriticScorer
from bot.sentiment.calibration import (
    NEGATIVE_RECALL_FLOOR,
    choose_thresholds,
    fit_aggregation,
    fit_platt,
)
from bot.sentiment.linear import FitOptions, fit
from bot.sentiment.tokenizer import features
from bot.sentiment.training import lexicon_prior, read_corpus, train_scorer, train_to_file

MR = Path(__file__).resolve().parents[4] / "shared" / "eval"

POSITIVE = [
    "A wonderful, moving film.",
    "Smart, funny and wonderful.",
    "The acting is superb and the story moving.",
    "A superb, funny delight.",
    "Wonderful performances throughout.",
    "Funny, smart and superb.",
] * 3
NEGATIVE = [
    "A dull, tedious film.",
    "Tedious and badly acted.",
    "The plot is dull and the acting wooden.",
    "A tedious, wooden mess.",
    "Badly written and dull.",
    "Dull, wooden and tedious.",
] * 3


def test_fit_learns_signs_from_handwritten_snippets() -> None:
    docs = [features(t) for t in POSITIVE + NEGATIVE]
    labels = [1] * len(POSITIVE) + [0] * len(NEGATIVE)
    model = fit(docs, labels, FitOptions())
    for word in ("wonderful", "superb", "funny"):
        assert model.weights[word] > 0
    for word in ("dull", "tedious", "wooden"):
        assert model.weights[word] < 0
    assert model.margin(features("Superb!")) > 0 > model.margin(features("So dull."))


def test_lexicon_prior_reaches_words_unseen_in_training() -> None:
    docs = [features(t) for t in POSITIVE + NEGATIVE]
    labels = [1] * len(POSITIVE) + [0] * len(NEGATIVE)
    model = fit(docs, labels, FitOptions(), lexicon_prior())
    assert model.margin(features("atrocious")) < model.margin(features("brilliant"))


def test_platt_recovers_a_known_sigmoid() -> None:
    rng = np.random.default_rng(1)
    margins = rng.normal(0, 2, 20_000)
    labels = (rng.random(20_000) < 1 / (1 + np.exp(-(0.5 * margins + 0.3)))).astype(int)
    platt = fit_platt(margins.tolist(), labels.tolist())
    assert platt.a == pytest.approx(0.5, abs=0.05)
    assert platt.b == pytest.approx(0.3, abs=0.05)
    assert 0.0 <= platt.probability(-1e6) < platt.probability(0) < platt.probability(1e6) <= 1.0


def _evidence(turn_informs: bool, seed: int) -> tuple[list[float], ...]:
    """Synthetic out-of-fold evidence: the label's sign plus noise that grows with length.

    When ``turn_informs`` the turn carries the sign too; otherwise it is noise.
    """
    rng = np.random.default_rng(seed)
    n = 20_000
    y = rng.integers(0, 2, n)
    sign = np.where(y == 1, 1.0, -1.0)
    lengths = rng.integers(4, 60, n)
    whole = sign * 1.0 + rng.normal(0, 1, n) * np.sqrt(lengths / 19) * 2
    turn = (sign if turn_informs else 0.0) * 1.5 + rng.normal(0, 1, n)
    has_turn = rng.random(n) < 0.3
    turn = np.where(has_turn, turn, 0.0)
    return whole.tolist(), turn.tolist(), lengths.tolist(), [0.0] * n, y.tolist()


def test_aggregation_counts_an_informative_turn() -> None:
    aggregation, _ = fit_aggregation(*_evidence(turn_informs=True, seed=3))
    assert aggregation.contrast > 0


def test_aggregation_tempers_noise_that_grows_with_length() -> None:
    aggregation, platt = fit_aggregation(*_evidence(turn_informs=False, seed=4))
    assert aggregation.contrast == 0
    assert aggregation.length_power > 0
    assert platt.a > 0


def test_thresholds_keep_negative_recall_and_favour_negative_precision() -> None:
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 5_000)
    p = 1 / (1 + np.exp(-(rng.normal(0, 1.5, 5_000) + np.where(labels == 1, 1.0, -1.0))))
    t = choose_thresholds(p.tolist(), labels.tolist())
    said_negative = (1 - p) >= t.negative
    recall = np.sum(said_negative & (labels == 0)) / np.sum(labels == 0)
    assert recall >= NEGATIVE_RECALL_FLOOR
    assert t.label(0.5) is Label.NEUTRAL or t.negative == 0.5


def test_read_corpus_splits_on_newline_only(tmp_path: Path) -> None:
    # U+0085 is a line break to str.splitlines() but part of a line in MR.
    (tmp_path / "p").write_text("fine \u0085 film . \ngood .\n", encoding="utf-8")
    (tmp_path / "n").write_text("bad .\n", encoding="utf-8")
    corpus = read_corpus(tmp_path / "p", tmp_path / "n")
    assert corpus.texts == ["fine \u0085 film . ", "good .", "bad ."]
    assert corpus.labels == [1, 1, 0]
    raw = (tmp_path / "n").read_bytes()
    assert corpus.sha256["n"] == hashlib.sha256(raw).hexdigest()


def test_read_corpus_reads_the_upstream_windows_1252_release(tmp_path: Path) -> None:
    # Upstream MR writes an ellipsis as byte 0x85 and apostrophes as 0x92.
    (tmp_path / "p").write_bytes(b"it\x92s a gem \x85 truly .\n")
    (tmp_path / "n").write_bytes(b"dull .\n")
    corpus = read_corpus(tmp_path / "p", tmp_path / "n")
    assert corpus.texts[0] == "it\u2019s a gem \u2026 truly ."


def test_train_scorer_returns_out_of_fold_probabilities() -> None:
    labels = [1] * len(POSITIVE) + [0] * len(NEGATIVE)
    scorer, p = train_scorer(POSITIVE + NEGATIVE, labels, calibration_folds=3)
    assert p.shape == (len(labels),)
    assert scorer.score("Superb and wonderful.").polarity > 0
    assert scorer.score("Dull and tedious.").polarity < 0


def _sample(tmp_path: Path, lines: int = 300) -> tuple[Path, Path]:
    if not (MR / "rt-polarity.pos").exists():
        pytest.skip("MR is not at ../shared/eval")
    out = []
    for name in ("rt-polarity.pos", "rt-polarity.neg"):
        head = (MR / name).read_text(encoding="utf-8").split("\n")[:lines]
        (tmp_path / name).write_text("\n".join(head) + "\n", encoding="utf-8")
        out.append(tmp_path / name)
    return out[0], out[1]


def test_train_to_file_writes_weights_and_provenance_only(tmp_path: Path) -> None:
    pos, neg = _sample(tmp_path)
    out = tmp_path / "model" / "scorer.json.gz"
    out.parent.mkdir()
    train_to_file(pos, neg, out)
    scorer = CriticScorer.load(out)
    provenance = (out.parent / "scorer.PROVENANCE.md").read_text(encoding="utf-8")
    for path in (pos, neg):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in provenance
    weights_text = gzip.decompress(out.read_bytes()).decode("utf-8")
    for line in pos.read_text(encoding="utf-8").split("\n")[:50]:
        if len(line.split()) >= 4:
            assert line.strip() not in weights_text
            assert line.strip() not in provenance
    assert scorer.meta["trained_on_sha256"]["rt-polarity.pos"] in provenance
