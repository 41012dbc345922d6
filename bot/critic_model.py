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
