"""Reply objects as Discord embeds: one function per reply type, no command logic.

Everything shown comes from the reply; this module only chooses layout, colours and the
truncation Discord's limits force (title 256, description 4,096, field value 1,024).
"""

from __future__ import annotations

from datetime import datetime
from functools import singledispatch

import discord

from bot.models import Label
from bot.replies import (
    CorpusMoodReply,
    ErrorReply,
    GroupVerdict,
    HelpReply,
    QuoteReply,
    Reply,
    ScheduleReply,
    TextMoodReply,
    VerdictReply,
)

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
CONTENT_LIMIT = 2000

LABEL_COLOURS: dict[Label, discord.Colour] = {
    Label.POSITIVE: discord.Colour.green(),
    Label.NEGATIVE: discord.Colour.red(),
    Label.NEUTRAL: discord.Colour.light_grey(),
}
INFO_COLOUR = discord.Colour.blurple()


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters with an ellipsis: Discord rejects longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_text(reply: ErrorReply) -> str:
    """An error is one plain line: it is ephemeral and has no structure worth an embed."""
    if reply.error_id is None:
        return clip(reply.message, CONTENT_LIMIT)
    return clip(f"{reply.message} (error id {reply.error_id})", CONTENT_LIMIT)


@singledispatch
def render_embed(reply: Reply) -> discord.Embed:
    """The embed for ``reply``; every reply type except ``ErrorReply`` has one."""
    raise TypeError(f"no Discord embed for {type(reply).__name__}")


@render_embed.register
def _quote(reply: QuoteReply) -> discord.Embed:
    quote = reply.quote
    embed = discord.Embed(
        title=clip(quote.film, TITLE_LIMIT),
        description=clip(f"“{quote.text}”\n— {quote.attribution}", DESCRIPTION_LIMIT),
        colour=LABEL_COLOURS[quote.label],
    )
    embed.set_footer(
        text=f"{quote.label.display} {quote.kind.display} · "
        f"{reply.remaining} of {reply.pool_size} {reply.mood.value} quotes left this round"
    )
    return embed


@render_embed.register
def _text_mood(reply: TextMoodReply) -> discord.Embed:
    embed = discord.Embed(
        title=f"Mood: {reply.label.display}",
        description=clip(reply.text, DESCRIPTION_LIMIT),
        colour=LABEL_COLOURS[reply.label],
    )
    embed.add_field(name="Polarity", value=f"{reply.polarity:+.2f}")
    embed.add_field(name="Confidence", value=f"{reply.confidence:.0%}")
    if reply.drivers:
        drivers = ", ".join(f"{d.phrase} ({d.weight:+.2f})" for d in reply.drivers)
        embed.add_field(name="Driven by", value=clip(drivers, FIELD_VALUE_LIMIT), inline=False)
    return embed


@render_embed.register
def _corpus_mood(reply: CorpusMoodReply) -> discord.Embed:
    top = max(reply.counts, key=lambda c: c.count, default=None)
    embed = discord.Embed(
        title=clip(f"The critics' mood: {reply.film}", TITLE_LIMIT),
        colour=LABEL_COLOURS[top.label] if top and top.count else INFO_COLOUR,
    )
    for count in reply.counts:
        share = count.count / reply.total if reply.total else 0.0
        embed.add_field(name=count.label.display, value=f"{count.count} ({share:.0%})")
    embed.set_footer(text=f"{reply.total} quotes · average polarity {reply.average_polarity:+.2f}")
    return embed


def _group(group: GroupVerdict) -> str:
    share = group.positive_share
    shown = "no committed quotes" if share is None else f"{share:.0%} positive"
    return (
        f"{shown}\n{group.positive} positive · {group.negative} negative · {group.count} in all\n"
        f"average polarity {group.average_polarity:+.2f}"
    )


@render_embed.register
def _verdict(reply: VerdictReply) -> discord.Embed:
    score, fresh = reply.score, reply.fresh
    if fresh is None:
        colour = INFO_COLOUR
    else:
        colour = LABEL_COLOURS[Label.POSITIVE if fresh else Label.NEGATIVE]
    embed = discord.Embed(
        title=clip(f"Verdict: {reply.film}", TITLE_LIMIT),
        description=clip(reply.consensus, DESCRIPTION_LIMIT) if reply.consensus else None,
        colour=colour,
    )
    if score is not None:
        embed.add_field(
            name="Score", value=f"{score:.0%} ({'fresh' if fresh else 'rotten'})", inline=False
        )
    for group in (reply.critics, reply.readers, reply.reviews):
        if group.count:
            embed.add_field(name=clip(group.name, FIELD_NAME_LIMIT), value=_group(group))
    return embed


@render_embed.register
def _schedule(reply: ScheduleReply) -> discord.Embed:
    embed = discord.Embed(
        title="Daily quote", description=clip(reply.message, DESCRIPTION_LIMIT), colour=INFO_COLOUR
    )
    if reply.local_time:
        zone = f" {reply.timezone}" if reply.timezone else ""
        embed.add_field(name="Time", value=f"{reply.local_time}{zone}")
    if reply.mood:
        embed.add_field(name="Mood", value=reply.mood.value)
    if reply.film:
        embed.add_field(name="Film", value=clip(reply.film, FIELD_VALUE_LIMIT))
    if reply.active is not None:
        embed.add_field(name="Status", value="active" if reply.active else "paused")
    if reply.next_utc:
        # A Discord timestamp shows each reader the instant in their own zone.
        when = int(datetime.fromisoformat(reply.next_utc).timestamp())
        embed.add_field(name="Next post", value=f"<t:{when}:F> (<t:{when}:R>)", inline=False)
    if reply.pause_reason:
        embed.add_field(
            name="Paused because", value=clip(reply.pause_reason, FIELD_VALUE_LIMIT), inline=False
        )
    return embed


@render_embed.register
def _help(reply: HelpReply) -> discord.Embed:
    embed = discord.Embed(title="Commands", colour=INFO_COLOUR)
    for entry in reply.entries[:FIELD_COUNT_LIMIT]:
        embed.add_field(
            name=clip(entry.usage, FIELD_NAME_LIMIT),
            value=clip(entry.description, FIELD_VALUE_LIMIT),
            inline=False,
        )
    return embed
