"""Reply objects as Discord embeds: one function per reply type, no command logic.

Everything shown comes from the reply, and figures are worded by ``bot.render`` so an
embed says what the console and Slack say; this module only chooses layout, colours and
the truncation Discord's limits force (title 256, description 4,096, field value 1,024).
"""

from __future__ import annotations

from functools import singledispatch

import discord

from adapters.discord.views import ROW_LIMIT
from bot.models import Label
from bot.render import (
    SHIFTED,
    checked_line,
    drivers_line,
    group_line,
    histogram_lines,
    percent,
    quote_footer,
    render_text,
    review_headline,
    review_line,
    schedule_status,
    schedule_summary,
    signed,
    verdict_headline,
)
from bot.replies import (
    CorpusMoodReply,
    ErrorReply,
    HelpReply,
    QuoteReply,
    Reply,
    ReviewReply,
    ScheduleReply,
    ScheduleView,
    TextMoodReply,
    VerdictReply,
)

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
CONTENT_LIMIT = 2000
FOOTER_LIMIT = 2048

LABEL_COLOURS: dict[Label, discord.Colour] = {
    Label.POSITIVE: discord.Colour.green(),
    Label.NEGATIVE: discord.Colour.red(),
    Label.NEUTRAL: discord.Colour.light_grey(),
}
INFO_COLOUR = discord.Colour.blurple()
DONE = " ✓ done"  # after a /review item's number once a manager has acted on it


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters with an ellipsis: Discord rejects longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_text(reply: ErrorReply) -> str:
    """An error is one plain line: it is ephemeral and has no structure worth an embed."""
    return clip(render_text(reply), CONTENT_LIMIT)


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
        url=quote.link,  # the title links to the review; only ever http(s)
    )
    footer = quote_footer(reply)
    embed.set_footer(text=clip(f"{footer}\n{reply.note}" if reply.note else footer,
                               FOOTER_LIMIT))
    return embed


@render_embed.register
def _text_mood(reply: TextMoodReply) -> discord.Embed:
    embed = discord.Embed(
        title=f"Mood: {reply.label.display}",
        # The member's own words, shown as typed: "**so**" is not a request for bold.
        description=clip(discord.utils.escape_markdown(reply.text), DESCRIPTION_LIMIT),
        colour=LABEL_COLOURS[reply.label],
    )
    embed.add_field(name="Polarity", value=signed(reply.polarity))
    embed.add_field(name="Confidence", value=percent(reply.confidence))
    embed.add_field(
        name="Driven by", value=clip(drivers_line(reply), FIELD_VALUE_LIMIT), inline=False
    )
    return embed


@render_embed.register
def _corpus_mood(reply: CorpusMoodReply) -> discord.Embed:
    top = max(reply.counts, key=lambda c: c.count, default=None)
    histogram = "\n".join(histogram_lines(reply)) if reply.counts else ""
    embed = discord.Embed(
        title=clip(f"The critics' mood: {reply.film}", TITLE_LIMIT),
        # A code block keeps the histogram's bars aligned.
        description=clip(f"```\n{histogram}\n```", DESCRIPTION_LIMIT) if histogram else None,
        colour=LABEL_COLOURS[top.label] if top and top.count else INFO_COLOUR,
    )
    embed.set_footer(
        text=f"{reply.total} quotes · average polarity {signed(reply.average_polarity)}"
    )
    return embed


@render_embed.register
def _verdict(reply: VerdictReply) -> discord.Embed:
    if reply.fresh is None:
        colour = INFO_COLOUR
    else:
        colour = LABEL_COLOURS[Label.POSITIVE if reply.fresh else Label.NEGATIVE]
    lines = [verdict_headline(reply)]
    if reply.consensus:
        lines.append(f"> {reply.consensus}")
    embed = discord.Embed(
        title=clip(f"Verdict: {reply.film}", TITLE_LIMIT),
        description=clip("\n".join(lines), DESCRIPTION_LIMIT),
        colour=colour,
    )
    voices = "\n".join(group_line(g) for g in (reply.critics, reply.reviews, reply.readers))
    embed.add_field(
        name="Critics, reviews, readers", value=clip(voices, FIELD_VALUE_LIMIT), inline=False
    )
    if reply.checked_by_people or reply.second_opinion:
        embed.set_footer(text=checked_line(reply))
    return embed


@render_embed.register
def _review(reply: ReviewReply) -> discord.Embed:
    """One field per item, in the order of the button rows under it (``review_view``):
    field N and row N are the same quote, which is how a press finds its item again."""
    embed = discord.Embed(
        title=clip(f"Review: {reply.film}", TITLE_LIMIT),
        description=clip(render_text(reply) if not reply.items else review_headline(reply),
                         DESCRIPTION_LIMIT),
        colour=INFO_COLOUR,
    )
    for number, item in enumerate(reply.items[:ROW_LIMIT], start=1):
        embed.add_field(
            name=f"{number}.",
            # The quote is the critic's text, not markdown: shown as written.
            value=clip(discord.utils.escape_markdown(review_line(item)), FIELD_VALUE_LIMIT),
            inline=False,
        )
    return embed


def mark_done(embed: discord.Embed, index: int, outcome: str) -> discord.Embed:
    """``embed`` (a /review page) with item ``index`` marked done by ``outcome``."""
    if not 0 <= index < len(embed.fields):
        return embed
    field = embed.fields[index]
    name = field.name or ""
    embed.set_field_at(
        index,
        name=clip(name if name.endswith(DONE) else f"{name}{DONE}", FIELD_NAME_LIMIT),
        value=clip(f"{field.value or ''}\n**{outcome}**", FIELD_VALUE_LIMIT),
        inline=False,
    )
    return embed


@render_embed.register
def _schedule(reply: ScheduleReply) -> discord.Embed:
    embed = discord.Embed(
        title="Daily quote", description=clip(reply.message, DESCRIPTION_LIMIT), colour=INFO_COLOUR
    )
    for view in reply.schedules[:FIELD_COUNT_LIMIT]:
        embed.add_field(
            name=clip(schedule_summary(view), FIELD_NAME_LIMIT),
            value=clip("\n".join(_schedule_lines(view)), FIELD_VALUE_LIMIT),
            inline=False,
        )
    return embed


def _schedule_lines(view: ScheduleView) -> list[str]:
    """A Discord timestamp shows each reader the instant in their own zone; the
    schedule's own local time and offset follow it."""
    lines = [f"Status: {schedule_status(view)}"]
    if view.role:
        lines.append(f"Mentions <@&{view.role}>")  # embeds never ping
    lines += [
        f"<t:{p.unix}:F> · {p.local[11:16]} {p.local[-6:]}" + (f" ({SHIFTED})" if p.shifted else "")
        for p in view.upcoming
    ]
    if view.skipped:
        lines.append(f"Skips {', '.join(view.skipped)}")
    return lines


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
