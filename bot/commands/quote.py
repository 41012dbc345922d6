"""/quote: where a quote is picked. The no-repeat deck lives in ``CorpusStore.draw``.

When a film has few confident quotes of the mood asked for (the pans of a film critics
loved), the answer says how many and why, so a short or odd pool is not a surprise.
"""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.parsing import ParsedCommand, UsageError, mood_value
from bot.invocation import Invocation
from bot.models import Film, Label, Mood, QuoteKind, critics_voice
from bot.replies import QuoteReply
from bot.storage.corpus import StatRow

FEW_SHARE = 0.10  # a mood's pool below this share of the critics' quotes is "few"
FEW_COUNT = 10  # and a pool this small is few whatever the share
LOPSIDED = 0.80  # the other mood's share (of confident quotes) that explains it

_VOICE_WORDS = {
    QuoteKind.CRITIC: "critic quotes",
    QuoteKind.REVIEW: "review sentences",
    QuoteKind.READER: "reader comments",
}


async def run(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> QuoteReply:
    mood = mood_value(cmd.values.get("mood"))
    film = await ctx.film(cmd.values.get("film"))
    return await pick(ctx, inv.channel_key, film, mood)


async def pick(ctx: CommandContext, channel_key: str, film: Film, mood: Mood) -> QuoteReply:
    """The channel's next quote of ``mood``: no repeat until it has seen them all."""
    draw = await ctx.corpus.draw(channel_key, film.id, mood, ctx.rng)
    if draw is None:
        raise UsageError(await _none_left(ctx, film, mood))
    note = None
    if mood is not Mood.ANY:
        note = few_note(film, mood, await ctx.corpus.stats(film.id))
    return QuoteReply(
        quote=draw.quote, mood=mood, film_id=film.id, remaining=draw.remaining,
        pool_size=draw.pool_size, note=note,
    )


def few_note(film: Film, mood: Mood, stats: list[StatRow]) -> str | None:
    """"Her (2013) has only 18 confident negative critic quotes: critics loved it (91 %
    positive)." when the pool of ``mood`` is few, else None."""
    voice = critics_voice({s.kind for s in stats})
    if voice is None:
        return None
    counts = _voice_counts(voice, stats)
    total = sum(counts.values())
    mine = counts[Label(mood.value)]
    if total == 0 or (mine >= FEW_COUNT and mine / total >= FEW_SHARE):
        return None
    return (f"{film.name} has only {mine} confident {mood.value} {_VOICE_WORDS[voice]}: "
            f"{_why(mood, counts)}.")


def _voice_counts(voice: QuoteKind, stats: list[StatRow]) -> dict[Label, int]:
    return {label: sum(s.count for s in stats if s.kind is voice and s.label is label)
            for label in Label}


def _why(mood: Mood, counts: dict[Label, int]) -> str:
    """Why a mood's pool is small: the critics' lean when it is lopsided, else the
    scorer's caution."""
    committed = counts[Label.POSITIVE] + counts[Label.NEGATIVE]
    other = Label.POSITIVE if mood is Mood.NEGATIVE else Label.NEGATIVE
    share = counts[other] / committed if committed else 0.0
    if share >= LOPSIDED:
        feeling = "loved" if other is Label.POSITIVE else "panned"
        return f"critics {feeling} it ({share * 100:.0f} % {other.value})"
    return f"the scorer labels a quote {mood.value} only when it is sure"


async def _none_left(ctx: CommandContext, film: Film, mood: Mood) -> str:
    if mood is Mood.ANY:
        return f"{film.name} has no quotes yet."
    stats = await ctx.corpus.stats(film.id)
    voice = critics_voice({s.kind for s in stats})
    counts = _voice_counts(voice, stats) if voice else dict.fromkeys(Label, 0)
    return (f"No quote of {film.name} is confidently {mood.value}: {_why(mood, counts)}. "
            "Try /quote any.")
