"""The numpy-free parts the critic scorer runs on: weight table, calibration, thresholds.

Kept apart from the training code so that loading the bot never imports numpy (~80 ms
of cold start).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bot.models import Label


@dataclass(frozen=True)
class LinearModel:
    weights: dict[str, float]
    bias: float

    def margin(self, feats: Iterable[str]) -> float:
        get = self.weights.get
        return self.bias + sum([get(f, 0.0) for f in feats])


# MR's median number of distinct tokens per snippet: a quote this long keeps its margin.
REFERENCE_LENGTH = 19


@dataclass(frozen=True)
class Aggregation:
    """How a quote's feature weights add up to one margin; both knobs are fitted on MR.

    ``contrast``: the clause after the last "but"/"though"/... counts again with this
    weight, because in "X, but Y" the verdict is usually Y. ``length_power``: a sum of
    weights grows with the quote's length while MR accuracy falls with it (86% under 10
    tokens, 76% over 30), so long quotes were over-confident; dividing the evidence by
    (length / REFERENCE_LENGTH) ** length_power brings their calibration back in line.
    The defaults leave the plain linear margin.
    """

    contrast: float = 0.0
    length_power: float = 0.0

    def margin(self, bias: float, whole: float, turn: float, length: int) -> float:
        evidence = whole + self.contrast * turn
        if not self.length_power:
            return bias + evidence
        return bias + evidence * self.scale(length)

    def scale(self, length: int) -> float:
        return float((max(1, length) / REFERENCE_LENGTH) ** -self.length_power)


@dataclass(frozen=True)
class Platt:
    """P(positive | margin) = sigmoid(a * margin + b) (Platt 1999)."""

    a: float
    b: float

    def probability(self, margin: float) -> float:
        z = self.a * margin + self.b
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)


@dataclass(frozen=True)
class Thresholds:
    """Minimum calibrated confidence to commit to each label; below both, abstain."""

    positive: float
    negative: float

    def label(self, p_positive: float) -> Label:
        if p_positive >= self.positive:
            return Label.POSITIVE
        if 1 - p_positive >= self.negative:
            return Label.NEGATIVE
        return Label.NEUTRAL
