"""Figures for a labelling of polar texts by a scorer that may abstain.

Accuracy is reported twice because they answer different questions: over everything
(an abstention counts as wrong) says how much the bot can label; over committed answers
says how far a label it does show can be trusted.
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


def figures(
    name: str, gold: Sequence[Label], said: Sequence[Label], seconds: float | None = None
) -> Figures:
    """``gold`` holds only POSITIVE/NEGATIVE; ``said`` may also hold NEUTRAL."""
    if len(gold) != len(said) or not gold:
        raise ValueError("need as many predictions as gold labels, and at least one")
    right = sum(g is s for g, s in zip(gold, said, strict=True))
    committed = sum(s is not Label.NEUTRAL for s in said)
    return Figures(
        name=name,
        n=len(gold),
        accuracy=right / len(gold),
        committed_accuracy=right / committed if committed else 0.0,
        coverage=committed / len(gold),
        positive=_per_class(Label.POSITIVE, gold, said),
        negative=_per_class(Label.NEGATIVE, gold, said),
        quotes_per_second=len(gold) / seconds if seconds else None,
    )


def _per_class(label: Label, gold: Sequence[Label], said: Sequence[Label]) -> ClassFigures:
    hits = sum(g is label and s is label for g, s in zip(gold, said, strict=True))
    n_said = sum(s is label for s in said)
    n_gold = sum(g is label for g in gold)
    return ClassFigures(hits / n_said if n_said else 0.0, hits / n_gold if n_gold else 0.0, n_said)


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
