"""The sentiment scorer: what labels a quote positive, negative or mixed.

What the bot uses at run time is re-exported here (pure Python, the weights shipped in
``bot/data``); training and measuring (``training``, ``evaluation``, ``linear``,
``calibration``, ``metrics``) need numpy and are imported only by ``reviewbot train`` and
``reviewbot eval``.
"""

from bot.sentiment.scorer import CriticScorer, Scorer, TextBlobScorer, default_scorer

__all__ = ["CriticScorer", "Scorer", "TextBlobScorer", "default_scorer"]
