"""/quote: where a quote is picked. The no-repeat deck lives in ``CorpusStore.draw``."""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.parsing import ParsedCommand, UsageError, mood_value
from bot.invocation import Invocation
from bot.models import Film, Mood
from bot.replies import QuoteReply


async def run(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> QuoteReply:
    mood = mood_value(cmd.values.get("mood"))
    film = await ctx.film(cmd.values.get("film"))
    return await pick(ctx, inv.channel_key, film, mood)


async def pick(ctx: CommandContext, channel_key: str, film: Film, mood: Mood) -> QuoteReply:
    """The channel's next quote of ``mood``: no repeat until it has seen them all."""
    draw = await ctx.corpus.draw(channel_key, film.id, mood, ctx.rng)
    if draw is None:
        raise UsageError(_none_left(film, mood))
    return QuoteReply(
        quote=draw.quote, mood=mood, film_id=film.id, remaining=draw.remaining,
        pool_size=draw.pool_size,
    )


def _none_left(film: Film, mood: Mood) -> str:
    if mood is Mood.ANY:
        return f"{film.name} has no quotes yet."
    return (
        f"No quote of {film.name} is confidently {mood.value}: the scorer labels a quote "
        f"{mood.value} only when it is sure. Try /quote any."
    )
