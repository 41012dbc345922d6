"""Evaluation figures: exact on hand-made labels, sane on a small MR sample."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.cli import main
from bot.models import Label
from bot.sentiment import TextBlobScorer, critic_scorer, default_scorer
from bot.sentiment.evaluation import run_eval
from bot.sentiment.metrics import figures, prior_name, table

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


def test_figures_at_a_prior_reweight_each_class() -> None:
    # At 94:6 each positive weighs 0.94 / 2 = 0.47 and each negative 0.06 / 2 = 0.03.
    f = figures("toy", gold=[P, P, N, N], said=[P, U, N, P], prior=0.94)
    assert f.accuracy == pytest.approx(0.47 + 0.03)
    assert f.committed_accuracy == pytest.approx(0.50 / (0.47 + 0.03 + 0.03))
    assert f.coverage == pytest.approx(0.53)
    assert f.positive.precision == pytest.approx(0.47 / (0.47 + 0.03))
    assert f.positive.recall == pytest.approx(1 / 2)  # recall does not move
    assert f.negative.precision == pytest.approx(1.0)
    assert f.negative.recall == pytest.approx(1 / 2)
    assert f.positive.said == 2 and f.prior == 0.94
    # The same labels always give the same figures: no sampling.
    assert figures("toy", [P, P, N, N], [P, U, N, P], prior=0.94) == f
    with pytest.raises(ValueError):
        figures("toy", [P, P], [P, P], prior=0.94)  # no negative to weigh
    with pytest.raises(ValueError):
        figures("toy", [P, N], [P, N], prior=1.0)


def test_prior_names() -> None:
    assert prior_name(0.94) == "94:6"
    assert prior_name(0.5) == "50:50"
    assert prior_name(0.875) == "87.5:12.5"


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
        "critic+lexicon 3-fold",
        "textblob (baseline)",
    ]
    no_abstain, shipped, gated, textblob = rows
    assert no_abstain.coverage == 1.0 and no_abstain.accuracy > 0.6
    assert shipped.committed_accuracy >= no_abstain.accuracy - 0.05
    assert 0.0 < shipped.coverage < 1.0
    # The gate only ever takes labels away.
    assert gated.coverage <= shipped.coverage
    assert gated.negative.said <= shipped.negative.said
    assert gated.positive.said <= shipped.positive.said
    assert shipped.quotes_per_second and gated.quotes_per_second and textblob.quotes_per_second
    assert all(r.n == 600 for r in rows)
    text = out.getvalue()
    assert "textblob (baseline)" in text and "acc(commit)" in text


def test_shipped_eval_on_mr_sample(mr_sample: tuple[Path, Path]) -> None:
    rows = run_eval(*mr_sample, folds=None, stream=io.StringIO())
    shipped, gated, textblob = rows[1:]
    assert shipped.name == "critic shipped, thresholds"
    assert gated.name == "critic+lexicon shipped"
    assert shipped.committed_accuracy > 0.8  # it was trained on MR: not an honest figure
    assert rows[0].accuracy > textblob.accuracy


def test_shipped_eval_says_when_it_was_trained_on_the_files() -> None:
    if not (MR / "rt-polarity.pos").exists():
        pytest.skip("MR is not at ../shared/eval")
    out = io.StringIO()
    run_eval(MR / "rt-polarity.pos", MR / "rt-polarity.neg", folds=None, stream=out)
    assert "trained on these files" in out.getvalue()


# Four praises and four pans whose labels by the shipped scorer, its gate and TextBlob are
# checked first, so that the figures below are plain arithmetic on known labels.
PRAISE = [
    "A wonderful, moving film.",
    "One of the best films of the year.",
    "Smart, funny and superb.",
    "I haven't stopped thinking about Her since I saw it. It's a gift when anything does that.",
]
PANS = [
    "A dull, lifeless, tedious mess.",
    "Badly written, badly acted and boring.",
    "A triumph of style over substance, and a gorgeous one.",
    "The film is two hours long.",
]


def _rows(text: str, heading: str) -> dict[str, list[float]]:
    """The figures of each row of the table under ``heading``, by scorer name."""
    section = text.split(heading, 1)[1]
    rows: dict[str, list[float]] = {}
    for line in section.split("\n")[1:]:
        for name in ("critic shipped, thresholds", "critic+lexicon shipped", "textblob (baseline)"):
            if line.startswith(name) and name not in rows:
                rows[name] = [float(v.replace(",", "")) for v in line[len(name):].split()[:8]]
    return rows


def test_eval_prior_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pos, neg = tmp_path / "pos.txt", tmp_path / "neg.txt"
    pos.write_text("\n".join(PRAISE) + "\n", encoding="utf-8")
    neg.write_text("\n".join(PANS) + "\n", encoding="utf-8")
    critic, gated, textblob = critic_scorer(), default_scorer(), TextBlobScorer()
    assert [critic.score(t).label for t in PRAISE + PANS] == [P, P, P, N, N, N, P, U]
    assert [gated.score(t).label for t in PRAISE + PANS] == [P, P, P, U, N, N, P, U]
    assert [textblob.score(t).label for t in PRAISE + PANS] == [P, P, P, U, N, N, P, N]

    assert main(["eval", "--pos", str(pos), "--neg", str(neg), "--prior", "0.94"]) == 0
    out = capsys.readouterr().out
    # columns: n, acc(all), acc(commit), coverage, P(pos), R(pos), P(neg), R(neg)
    even = _rows(out, "acc(commit)")
    assert even["critic shipped, thresholds"] == [8, 0.625, 0.714, 0.875, 0.75, 0.75, 0.667, 0.5]
    assert even["critic+lexicon shipped"] == [8, 0.625, 0.833, 0.75, 0.75, 0.75, 1.0, 0.5]
    # At 94:6 a positive weighs 0.94/4 = 0.235 and a negative 0.06/4 = 0.015.
    assert "At a prior of 94:6 positive:negative" in out
    loved = _rows(out, "At a prior of 94:6")
    hits = 3 * 0.235 + 2 * 0.015
    critic_row = loved["critic shipped, thresholds"]
    assert critic_row == [
        8,
        round(hits, 3),  # acc(all) 0.735
        round(hits / (4 * 0.235 + 3 * 0.015), 3),  # acc(commit) 0.746
        round(4 * 0.235 + 3 * 0.015, 3),  # coverage 0.985
        round(3 * 0.235 / (3 * 0.235 + 0.015), 3),  # P(pos) 0.979: one pan called praise
        0.75,
        round(2 * 0.015 / (2 * 0.015 + 0.235), 3),  # P(neg) 0.113: one praise called a pan
        0.5,
    ]
    assert loved["critic+lexicon shipped"] == [
        8, round(hits, 3), round(hits / 0.75, 3), 0.75, 0.979, 0.75, 1.0, 0.5
    ]
    assert loved["textblob (baseline)"] == [
        8, round(hits + 0.015, 3), round((hits + 0.015) / 0.765, 3), 0.765, 0.979, 0.75, 1.0,
        0.75,
    ]


@pytest.mark.parametrize("prior", ["0", "1", "1.5", "-0.2"])
def test_eval_refuses_a_prior_outside_0_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prior: str
) -> None:
    pos, neg = tmp_path / "pos.txt", tmp_path / "neg.txt"
    pos.write_text(PRAISE[0] + "\n", encoding="utf-8")
    neg.write_text(PANS[0] + "\n", encoding="utf-8")
    assert main(["eval", "--pos", str(pos), "--neg", str(neg), "--prior", prior]) == 2
    assert "--prior" in capsys.readouterr().err
