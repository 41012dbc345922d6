"""/review: what a manager should check, one page of buttons at a time.

First the quotes members reported (most reported first), then the scorer's least
certain positive and negative quotes that no one has checked, taken in turn from each
pool. Hidden quotes are never shown. A page holds ``PAGE`` items: Discord allows five
rows of five buttons, one row per item.
"""

from __future__ import annotations

from itertools import chain, zip_longest

from bot.commands.context import CommandContext
from bot.commands.parsing import ParsedCommand, UsageError
from bot.invocation import Invocation
from bot.models import Label, LabelSource, Quote, critics_voice
from bot.replies import ReviewItem, ReviewReply

PAGE = 5


async def run(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> ReviewReply:
    if not inv.can_manage:
        raise UsageError("Only people who manage this server or workspace can use /review; "
                         "anyone can report a quote's mood with the button under it.")
    film = await ctx.film(cmd.values.get("film"))
    items = [
        ReviewItem(r.quote, r.reports, r.suggested, "reported")
        for r in await ctx.corrections.reported(film.id, PAGE)
    ]
    voice = critics_voice({s.kind for s in await ctx.corpus.stats(film.id)})
    if voice is not None and len(items) < PAGE:
        shown = {i.quote.id for i in items}
        negative = await ctx.corrections.uncertain(film.id, voice, Label.NEGATIVE, PAGE)
        positive = await ctx.corrections.uncertain(film.id, voice, Label.POSITIVE, PAGE)
        turns: chain[Quote | None] = chain.from_iterable(zip_longest(negative, positive))
        for quote in turns:
            if len(items) == PAGE:
                break
            if quote is not None and quote.id not in shown:
                items.append(ReviewItem(quote, 0, None, "uncertain"))
    sources = await ctx.corpus.label_sources(film.id)
    return ReviewReply(
        film=film.name, items=tuple(items),
        open_reports=await ctx.corrections.open_reports(film.id),
        checked_by_people=sources.get(LabelSource.PEOPLE, 0), ephemeral=True,
    )
