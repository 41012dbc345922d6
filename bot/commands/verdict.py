"""/verdict: consensus, a Tomatometer-like share, critics versus readers.

Every figure comes from ``film_stats`` (kept current at ingest and by corrections),
never from a scan; who labelled the quotes (people, the source) from an index.
"""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.parsing import ParsedCommand
from bot.invocation import Invocation
from bot.models import Film, Label, LabelSource, QuoteKind
from bot.replies import GroupVerdict, VerdictReply
from bot.sentiment import GatedScorer
from bot.storage.corpus import StatRow


async def run(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> VerdictReply:
    return await verdict_of(ctx, await ctx.film(cmd.values.get("film")))


async def verdict_of(ctx: CommandContext, film: Film) -> VerdictReply:
    """The verdict on ``film``; ``/films`` shows the same figures for each film."""
    stats = await ctx.corpus.stats(film.id)
    sources = await ctx.corpus.label_sources(film.id)
    return VerdictReply(
        film=film.name,
        consensus=film.consensus,
        critics=_group("critics", QuoteKind.CRITIC, stats),
        reviews=_group("full reviews", QuoteKind.REVIEW, stats),
        readers=_group("readers", QuoteKind.READER, stats),
        checked_by_people=sources.get(LabelSource.PEOPLE, 0),
        from_source=sources.get(LabelSource.SOURCE, 0),
        # The gate this bot scores new quotes with ([deep] installed or not).
        second_opinion=ctx.scorer.gate.name if isinstance(ctx.scorer, GatedScorer) else None,
    )


def _group(name: str, kind: QuoteKind, stats: list[StatRow]) -> GroupVerdict:
    rows = [s for s in stats if s.kind is kind]
    count = sum(s.count for s in rows)
    return GroupVerdict(
        name=name,
        count=count,
        positive=sum(s.count for s in rows if s.label is Label.POSITIVE),
        negative=sum(s.count for s in rows if s.label is Label.NEGATIVE),
        average_polarity=sum(s.polarity_sum for s in rows) / count if count else 0.0,
    )
