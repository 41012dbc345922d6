"""/mood: the mood of a text with the words that drove it, or of the critics."""

from __future__ import annotations

import asyncio

from bot.commands.context import CommandContext
from bot.commands.parsing import ParsedCommand, text_value
from bot.invocation import Invocation
from bot.models import Driver, Label, Sentiment, critics_voice
from bot.replies import CorpusMoodReply, LabelCount, Reply, TextMoodReply


def _judge(ctx: CommandContext, text: str) -> tuple[Sentiment, tuple[Driver, ...]]:
    return ctx.scorer.score(text), ctx.scorer.explain(text)


async def run(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> Reply:
    text = text_value(cmd.values.get("text"))
    if text is not None:
        # Off the event loop: with the [deep] extra a text runs through MiniLM (tens of
        # ms), which would hold every other platform event behind it.
        sentiment, drivers = await asyncio.to_thread(_judge, ctx, text)
        return TextMoodReply(
            text=text, label=sentiment.label, polarity=sentiment.polarity,
            confidence=sentiment.confidence, drivers=drivers,
        )
    film = await ctx.film(cmd.values.get("film"))
    stats = await ctx.corpus.stats(film.id)
    voice = critics_voice({s.kind for s in stats})
    rows = [s for s in stats if s.kind is voice]
    counts = {label: sum(s.count for s in rows if s.label is label) for label in Label}
    total = sum(counts.values())
    polarity = sum(s.polarity_sum for s in rows) / total if total else 0.0
    return CorpusMoodReply(
        film=film.name, counts=tuple(LabelCount(label, n) for label, n in counts.items()),
        total=total, average_polarity=polarity,
    )
