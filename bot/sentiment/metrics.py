"""Figures for a labelling of polar texts by a scorer that may abstain.

Accuracy is reported twice because they answer different questions: over everything
(an abstention counts as wrong) says how much the bot can label; over committed answers
says how far a label it does show can be trusted.

Evaluation data such as MR is balanced, but a film critics loved is not (94% positive for
*Her*): there, a negative label's precision is far lower than on MR, because its false
negatives come from a pool sixteen times the size. ``figures(..., prior=0.94)`` gives the
figures at such a prior by reweighting rather than resampling: each positive text weighs
``prior / positives`` and each negative ``(1 - prior) / negatives``. That is exactly the
expectation of resampling at that prior, with no sampling noise and no seed, so the same
labels always give the same figures. Recall is a within-class rate, so the prior leaves
it unchanged; precision, accuracy and coverage move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Label


@dataclass(frozen=True)
class ClassFigures:
    precision: float
    recall: float
    said: int  # how many texts got this label


@dataclass(frozen=True)
class Figures:
    name: str
    n: int
    accuracy: float  # abstentions count as wrong
    committed_accuracy: float
    coverage: float  # share of texts labelled positive or negative
    positive: ClassFigures
    negative: ClassFigures
    quotes_per_second: float | None = None
    prior: float | None = None  # the share of positives reweighted to; None: as sampled


def figures(
    name: str,
    gold: Sequence[Label],
    said: Sequence[Label],
    seconds: float | None = None,
    prior: float | None = None,
) -> Figures:
    """``gold`` holds only POSITIVE/NEGATIVE; ``said`` may also hold NEUTRAL.

    With ``prior``, every rate is computed with each text weighted so that positives
    make up that share (see the module docstring); ``said`` counts stay plain counts.
    """
    if len(gold) != len(said) or not gold:
        raise ValueError("need as many predictions as gold labels, and at least one")
    weight = _weights(gold, prior)
    total = sum(weight[g] for g in gold)
    right = sum(weight[g] for g, s in zip(gold, said, strict=True) if g is s)
    committed = sum(weight[g] for g, s in zip(gold, said, strict=True) if s is not Label.NEUTRAL)
    return Figures(
        name=name,
        n=len(gold),
        accuracy=right / total,
        committed_accuracy=right / committed if committed else 0.0,
        coverage=committed / total,
        positive=_per_class(Label.POSITIVE, gold, said, weight),
        negative=_per_class(Label.NEGATIVE, gold, said, weight),
        quotes_per_second=len(gold) / seconds if seconds else None,
        prior=prior,
    )


def _weights(gold: Sequence[Label], prior: float | None) -> dict[Label, float]:
    """Each gold label's weight: 1 as sampled, else its class's share at ``prior`` per text."""
    if prior is None:
        return {Label.POSITIVE: 1.0, Label.NEGATIVE: 1.0}
    if not 0 < prior < 1:
        raise ValueError(f"a prior is a share of positives strictly between 0 and 1, not {prior}")
    positives = sum(g is Label.POSITIVE for g in gold)
    negatives = len(gold) - positives
    if not positives or not negatives:
        raise ValueError("reweighting to a prior needs gold texts of both classes")
    return {Label.POSITIVE: prior / positives, Label.NEGATIVE: (1 - prior) / negatives}


def _per_class(
    label: Label, gold: Sequence[Label], said: Sequence[Label], weight: dict[Label, float]
) -> ClassFigures:
    pairs = list(zip(gold, said, strict=True))
    hits = sum(weight[g] for g, s in pairs if g is label and s is label)
    w_said = sum(weight[g] for g, s in pairs if s is label)
    w_gold = sum(weight[g] for g in gold if g is label)
    n_said = sum(s is label for s in said)
    return ClassFigures(hits / w_said if w_said else 0.0, hits / w_gold if w_gold else 0.0, n_said)


def prior_name(prior: float) -> str:
    """``0.94`` -> ``"94:6"``, the positive:negative ratio as people say it."""
    pos = round(prior * 100, 2)
    return f"{pos:g}:{round(100 - pos, 2):g}"


def table(rows: Sequence[Figures]) -> str:
    """A fixed-width table, one scorer per row, for terminals and provenance notes."""
    head = (
        f"{'scorer':<28} {'n':>6} {'acc(all)':>8} {'acc(commit)':>11} {'coverage':>8} "
        f"{'P(pos)':>6} {'R(pos)':>6} {'P(neg)':>6} {'R(neg)':>6} {'quotes/s':>9}"
    )
    lines = [head]
    for r in rows:
        speed = f"{r.quotes_per_second:>9,.0f}" if r.quotes_per_second else f"{'-':>9}"
        lines.append(
            f"{r.name:<28} {r.n:>6} {r.accuracy:>8.3f} {r.committed_accuracy:>11.3f} "
            f"{r.coverage:>8.3f} {r.positive.precision:>6.3f} {r.positive.recall:>6.3f} "
            f"{r.negative.precision:>6.3f} {r.negative.recall:>6.3f} {speed}"
        )
    return "\n".join(lines)
