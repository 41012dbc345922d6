"""The sentiment scorer: what labels a quote positive, negative or mixed.

What the bot uses at run time is re-exported here (pure Python, the weights shipped in
``bot/data``): the critic scorer and the second opinion (``gate``) that must agree with
its positive and negative labels. Training and measuring (``training``,
``gate_training``, ``evaluation``, ``linear``, ``calibration``, ``metrics``) need numpy
and are imported only by ``reviewbot train``, ``reviewbot eval`` and the gate's fitting.
"""

from bot.sentiment.gate import Gate, LexiconGate, default_gate
from bot.sentiment.scorer import (
    CriticScorer,
    GatedScorer,
    Scorer,
    TextBlobScorer,
    critic_scorer,
    default_scorer,
    fingerprint,
)

__all__ = [
    "CriticScorer",
    "Gate",
    "GatedScorer",
    "LexiconGate",
    "Scorer",
    "TextBlobScorer",
    "critic_scorer",
    "default_gate",
    "default_scorer",
    "fingerprint",
]
