"""/verdict: consensus, a Tomatometer-like share, critics versus readers.

Every figure comes from ``film_stats`` (kept current at ingest), never from a scan.
"""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.parsing import ParsedCommand
from bot.invocation import Invocation
from bot.models import Label, QuoteKind
from bot.replies import GroupVerdict, VerdictReply
from bot.storage.corpus import StatRow


async def run(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> VerdictReply:
    film = await ctx.film(cmd.values.get("film"))
    stats = await ctx.corpus.stats(film.id)
    return VerdictReply(
        film=film.name,
        consensus=film.consensus,
        critics=_group("critics", QuoteKind.CRITIC, stats),
        reviews=_group("full reviews", QuoteKind.REVIEW, stats),
        readers=_group("readers", QuoteKind.READER, stats),
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
