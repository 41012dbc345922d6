"""Turn model margins into calibrated probabilities and choose when to abstain.

Both are fitted on out-of-fold margins: a model's margins on its own training data are
over-confident, so calibrating on them would make every "95%" a lie.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.sentiment.model import Aggregation, Platt, Thresholds

Floats = npt.NDArray[np.float64]

# The bar for negatives is MR precision >= 0.85 at recall >= 0.5; the recall floor
# keeps 0.05 in hand for fold-to-fold noise. See ``choose_thresholds`` for the asymmetry.
NEGATIVE_RECALL_FLOOR = 0.55
POSITIVE_PRECISION = 0.85


def fit_platt(margins: Sequence[float], labels: Sequence[int]) -> Platt:
    """Newton's method on the two-parameter logistic likelihood.

    Targets are Platt's smoothed ones, (N+ + 1)/(N+ + 2) and 1/(N- + 2), so that separable
    margins (a tiny corpus) still give a finite slope.
    """
    x = np.asarray(margins, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    n_pos = float(y.sum())
    n_neg = len(y) - n_pos
    t = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    a, b = 1.0, 0.0
    loss = _log_loss(a, b, x, t)
    for _ in range(100):
        p = _sigmoid(a * x + b)
        g = np.array([np.dot(p - t, x), np.sum(p - t)])
        s = p * (1 - p) + 1e-12
        h = np.array([[np.dot(s, x * x), np.dot(s, x)], [np.dot(s, x), np.sum(s)]])
        step = np.linalg.solve(h, g)
        scale = 1.0
        while scale > 1e-6:  # backtrack: a full Newton step can overshoot
            new_a, new_b = a - scale * float(step[0]), b - scale * float(step[1])
            new_loss = _log_loss(new_a, new_b, x, t)
            if new_loss <= loss:
                break
            scale /= 2
        else:
            break
        converged = loss - new_loss < 1e-12
        a, b, loss = new_a, new_b, new_loss
        if converged:
            break
    return Platt(a, b)


# Candidate knobs of ``Aggregation``; 0 is in both grids, so the plain sum stays possible.
CONTRAST_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
LENGTH_POWER_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


def fit_aggregation(
    whole: Sequence[float],
    turn: Sequence[float],
    lengths: Sequence[int],
    bias: Sequence[float],
    labels: Sequence[int],
) -> tuple[Aggregation, Platt]:
    """The grid point whose Platt fit has the lowest log-loss on out-of-fold evidence.

    Log-loss rather than accuracy: the length knob exists to fix confidence, which is
    what abstention reads, and accuracy barely sees it.
    """
    y = np.asarray(labels, dtype=np.float64)
    best: tuple[float, Aggregation, Platt] | None = None
    for contrast in CONTRAST_GRID:
        for power in LENGTH_POWER_GRID:
            agg = Aggregation(contrast, power)
            parts = zip(bias, whole, turn, lengths, strict=True)
            margins = [agg.margin(b, w, t, n) for b, w, t, n in parts]
            platt = fit_platt(margins, labels)
            z = platt.a * np.asarray(margins) + platt.b
            loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
            if best is None or loss < best[0] - 1e-9:
                best = (loss, agg, platt)
    assert best is not None
    return best[1], best[2]


def _sigmoid(z: Floats) -> Floats:
    out: Floats = 0.5 * (1.0 + np.tanh(0.5 * z))  # no overflow for large |z|
    return out


def _log_loss(a: float, b: float, x: Floats, t: Floats) -> float:
    z = a * x + b
    # log(1 + e^z) - t z, written to stay finite for large |z|
    return float(np.sum(np.logaddexp(0.0, z) - t * z))


def choose_thresholds(p_positive: Sequence[float], labels: Sequence[int]) -> Thresholds:
    """Pick asymmetric confidence thresholds from out-of-fold probabilities.

    Negative: the strictest threshold that still finds ``NEGATIVE_RECALL_FLOOR`` of the
    negatives, i.e. the highest precision the recall target allows. MR is balanced, but
    94% of *Her*'s critics are positive: false negatives then come from a pool 16 times
    the size of the true negatives, so the negative label is made as strict as the recall
    target allows rather than merely meeting 0.85 on balanced data.
    Positive: the laxest threshold whose precision reaches ``POSITIVE_PRECISION``; real
    critics lean positive, which only raises positive precision above MR's figure.
    """
    p = np.asarray(p_positive, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    grid = np.round(np.arange(0.50, 1.0, 0.005), 3)
    negative = 0.5
    for t in grid:
        said = (1 - p) >= t
        if np.sum(said & (y == 0)) / max(1, np.sum(y == 0)) < NEGATIVE_RECALL_FLOOR:
            break
        negative = float(t)
    positive = float(grid[-1])
    for t in grid:
        said = p >= t
        if np.sum(said & (y == 1)) / max(1, np.sum(said)) >= POSITIVE_PRECISION:
            positive = float(t)
            break
    return Thresholds(positive, negative)
