"""Evaluation figures: exact on hand-made labels, sane on a small MR sample."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.models import Label
from bot.sentiment.evaluation import run_eval
from bot.sentiment.metrics import figures, table

MR = Path(__file__).resolve().parents[4] / "shared" / "eval"
P, N, U = Label.POSITIVE, Label.NEGATIVE, Label.NEUTRAL


def test_figures_count_abstentions_as_wrong_overall_only() -> None:
    f = figures("toy", gold=[P, P, N, N], said=[P, U, N, P], seconds=2.0)
    assert f.accuracy == pytest.approx(2 / 4)
    assert f.committed_accuracy == pytest.approx(2 / 3)
    assert f.coverage == pytest.approx(3 / 4)
    assert f.positive.precision == pytest.approx(1 / 2)
    assert f.positive.recall == pytest.approx(1 / 2)
    assert f.negative.precision == pytest.approx(1.0)
    assert f.negative.recall == pytest.approx(1 / 2)
    assert f.quotes_per_second == pytest.approx(2.0)
    assert "toy" in table([f])


def test_figures_reject_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        figures("toy", [P], [P, N])


@pytest.fixture()
def mr_sample(tmp_path: Path) -> tuple[Path, Path]:
    if not (MR / "rt-polarity.pos").exists():
        pytest.skip("MR is not at ../shared/eval")
    paths = []
    for name in ("rt-polarity.pos", "rt-polarity.neg"):
        head = (MR / name).read_text(encoding="utf-8").split("\n")[:300]
        (tmp_path / name).write_text("\n".join(head) + "\n", encoding="utf-8")
        paths.append(tmp_path / name)
    return paths[0], paths[1]


def test_cross_validated_eval_on_mr_sample(mr_sample: tuple[Path, Path]) -> None:
    out = io.StringIO()
    rows = run_eval(*mr_sample, folds=3, stream=out)
    names = [r.name for r in rows]
    assert names == [
        "critic 3-fold, no abstain",
        "critic 3-fold, thresholds",
        "textblob (baseline)",
    ]
    no_abstain, shipped, textblob = rows
    assert no_abstain.coverage == 1.0 and no_abstain.accuracy > 0.6
    assert shipped.committed_accuracy >= no_abstain.accuracy - 0.05
    assert 0.0 < shipped.coverage < 1.0
    assert shipped.quotes_per_second and textblob.quotes_per_second
    assert all(r.n == 600 for r in rows)
    text = out.getvalue()
    assert "textblob (baseline)" in text and "acc(commit)" in text


def test_shipped_eval_on_mr_sample(mr_sample: tuple[Path, Path]) -> None:
    rows = run_eval(*mr_sample, folds=None, stream=io.StringIO())
    shipped = rows[1]
    assert shipped.name == "critic shipped, thresholds"
    assert shipped.committed_accuracy > 0.8  # it was trained on MR: not an honest figure
    assert rows[0].accuracy > rows[2].accuracy


def test_shipped_eval_says_when_it_was_trained_on_the_files() -> None:
    if not (MR / "rt-polarity.pos").exists():
        pytest.skip("MR is not at ../shared/eval")
    out = io.StringIO()
    run_eval(MR / "rt-polarity.pos", MR / "rt-polarity.neg", folds=None, stream=out)
    assert "trained on these files" in out.getvalue()
