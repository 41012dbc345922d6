"""Plain-text rendering of replies: the console's output and the adapters' fallback text.

Figures are formatted here once (percentages, polarity, histogram bars) so that a
Discord embed, a Slack block and a terminal say the same thing in the same words.
"""

from __future__ import annotations

from functools import singledispatch

from bot.replies import (
    CorpusMoodReply,
    CorrectionReply,
    ErrorReply,
    GroupVerdict,
    HelpReply,
    QuoteReply,
    Reply,
    ReviewItem,
    ReviewReply,
    ScheduleReply,
    TextMoodReply,
    VerdictReply,
)
from bot.safe_text import excerpt

BAR_WIDTH = 24


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.0f}%"


def signed(value: float) -> str:
    return f"{value:+.2f}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def bar(count: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * count / total) if total else 0
    return "█" * filled + "·" * (width - filled)


def quote_footer(reply: QuoteReply) -> str:
    q = reply.quote
    return f"{q.kind.display} · {q.label.display} · {q.film}"


def group_line(group: GroupVerdict) -> str:
    if not group.count:
        return f"{group.name}: none"
    return (
        f"{group.name}: {percent(group.positive_share)} positive "
        f"({group.positive} positive, {group.negative} negative of {group.count}; "
        f"average polarity {signed(group.average_polarity)})"
    )


def verdict_headline(reply: VerdictReply) -> str:
    if reply.score is None:
        return "Not enough confident critic quotes for a score."
    word = "Fresh" if reply.fresh else "Rotten"
    committed = reply.critics.positive + reply.critics.negative
    return f"{word}: {percent(reply.score)} of {committed} critic quotes are positive"


def checked_line(reply: VerdictReply) -> str:
    """Who labelled the quotes: "12 checked by people · 3 from the source · second
    opinion: lexicon" (the gate confirming the scorer's labels, ``sentiment.deep``)."""
    parts = [f"{reply.checked_by_people} checked by people"]
    if reply.from_source:
        parts.append(f"{reply.from_source} from the source")
    if reply.second_opinion:
        parts.append(f"second opinion: {reply.second_opinion}")
    return " · ".join(parts)


REVIEW_EXCERPT = 120  # characters of a quote in a /review line


def review_line(item: ReviewItem) -> str:
    """"#123 “…” — negative (scorer, 0.62) · reported 2×, suggested positive": the id lets
    the console act on it."""
    q = item.quote
    line = (f"#{q.id} “{excerpt(q.text, REVIEW_EXCERPT)}” — {q.label.display} "
            f"({q.label_source.value}, {q.confidence:.2f})")
    if item.reports:
        line += f" · reported {item.reports}×"
        if item.suggested:
            line += f", suggested {item.suggested.value}"
    return line


def review_headline(reply: ReviewReply) -> str:
    return (f"To review in {reply.film}: {plural(reply.open_reports, 'open report')}, "
            f"{plural(reply.checked_by_people, 'quote')} checked by people")


def histogram_lines(reply: CorpusMoodReply) -> list[str]:
    width = max(len(c.label.display) for c in reply.counts)
    return [
        f"{c.label.display:<{width}} {bar(c.count, reply.total)} {c.count:>5} "
        f"({percent(c.count / reply.total if reply.total else None)})"
        for c in reply.counts
    ]


def drivers_line(reply: TextMoodReply) -> str:
    if not reply.drivers:
        return "No word stood out."
    return ", ".join(f"{d.phrase} ({signed(d.weight)})" for d in reply.drivers)


def schedule_lines(reply: ScheduleReply) -> list[str]:
    lines = [reply.message]
    if reply.active is None:
        return lines
    mood = reply.mood.value if reply.mood else "any"
    film = f", {reply.film}" if reply.film else ""
    lines.append(f"Every day at {reply.local_time} {reply.timezone}, mood {mood}{film}")
    if reply.active:
        lines.append(f"Next post: {reply.next_local} (UTC {reply.next_utc})")
    else:
        lines.append(f"Paused: {reply.pause_reason or 'no reason given'}")
    return lines


@singledispatch
def render_text(reply: Reply) -> str:
    raise TypeError(f"no text rendering for {type(reply).__name__}")


@render_text.register
def _(reply: QuoteReply) -> str:
    q = reply.quote
    text = f"“{q.text}”\n— {q.attribution}\n({quote_footer(reply)})"
    return f"{text}\n{reply.note}" if reply.note else text


@render_text.register
def _(reply: TextMoodReply) -> str:
    return (
        f"{reply.label.display.capitalize()} (polarity {signed(reply.polarity)}, "
        f"confidence {percent(reply.confidence)})\nDriven by: {drivers_line(reply)}"
    )


@render_text.register
def _(reply: CorpusMoodReply) -> str:
    head = f"The critics of {reply.film}: {reply.total} quotes, average polarity " + signed(
        reply.average_polarity
    )
    return "\n".join([head, *histogram_lines(reply)])


@render_text.register
def _(reply: VerdictReply) -> str:
    lines = [f"Verdict on {reply.film}", verdict_headline(reply)]
    if reply.consensus:
        lines.append(f"Consensus: {reply.consensus}")
    lines += [group_line(g) for g in (reply.critics, reply.reviews, reply.readers)]
    lines.append(checked_line(reply))
    return "\n".join(lines)


@render_text.register
def _(reply: ScheduleReply) -> str:
    return "\n".join(schedule_lines(reply))


@render_text.register
def _(reply: CorrectionReply) -> str:
    return reply.message


@render_text.register
def _(reply: ReviewReply) -> str:
    if not reply.items:
        return f"{review_headline(reply)}. Nothing to review."
    return "\n".join([f"{review_headline(reply)}:", *(review_line(i) for i in reply.items)])


@render_text.register
def _(reply: HelpReply) -> str:
    width = max(len(e.usage) for e in reply.entries)
    return "\n".join(f"{e.usage:<{width}}  {e.description}" for e in reply.entries)


@render_text.register
def _(reply: ErrorReply) -> str:
    return reply.message

