"""The sentiment scorer interface and its implementations.

TEMPORARY: the TextBlob baseline only; the trained critic scorer replaces
``default_scorer`` (issue 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from textblob import TextBlob

from bot.models import Driver, Label, Sentiment


class Scorer(Protocol):
    name: str

    def score(self, text: str) -> Sentiment: ...

    def score_many(self, texts: Sequence[str]) -> list[Sentiment]: ...

    def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]: ...


class TextBlobScorer:
    """TextBlob's pattern lexicon: polarity < 0 is negative. Needs no NLTK data."""

    name = "textblob"

    def score(self, text: str) -> Sentiment:
        s = TextBlob(text).sentiment
        polarity = float(s.polarity)
        label = Label.POSITIVE if polarity > 0 else Label.NEGATIVE if polarity < 0 else Label.NEUTRAL
        return Sentiment(label, polarity, min(1.0, abs(polarity)))

    def score_many(self, texts: Sequence[str]) -> list[Sentiment]:
        return [self.score(t) for t in texts]

    def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]:
        return ()


def default_scorer() -> Scorer:
    return TextBlobScorer()
