"""Plain-text rendering of replies: the console's output and the adapters' fallback text.

Figures are formatted here once (percentages, polarity, histogram bars) so that a
Discord embed, a Slack block and a terminal say the same thing in the same words.
"""

from __future__ import annotations

from datetime import datetime
from functools import singledispatch

from bot.models import Quote
from bot.replies import (
    CorpusMoodReply,
    CorrectionReply,
    ErrorReply,
    FilmAddReply,
    FilmEntry,
    FilmRemovalReply,
    FilmsReply,
    GroupVerdict,
    HelpReply,
    JobState,
    PostTime,
    QuoteReply,
    Reply,
    ReviewItem,
    ReviewReply,
    ScheduleReply,
    ScheduleView,
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
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def bar(count: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * count / total) if total else 0
    return "█" * filled + "·" * (width - filled)


def link_text(quote: Quote) -> str:
    """What a link back to the review says: its outlet, else the site's host name."""
    if quote.outlet:
        return quote.outlet
    host = (quote.link or "").partition("://")[2].split("/", 1)[0].rpartition("@")[2]
    return host.removeprefix("www.") or "source"


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


def schedule_summary(view: ScheduleView) -> str:
    """``rave: 09:00 Europe/Paris, weekdays, mood positive, Her (2013)``: one schedule's
    settings in the same words on every platform (its mention is rendered by each)."""
    film = f", {view.film}" if view.film else ""
    return (f"{view.name}: {view.local_time} {view.timezone}, {view.days}, "
            f"mood {view.mood.value}{film}")


def schedule_status(view: ScheduleView) -> str:
    """``active``, or ``paused: why``."""
    return "active" if view.active else f"paused: {view.pause_reason or 'no reason given'}"


SHIFTED = "moved by the clock change"


def post_line(post: PostTime) -> str:
    """A previewed post in plain text: local time with its offset, and UTC."""
    local = datetime.fromisoformat(post.local)
    utc = datetime.fromisoformat(post.utc)
    mark = f" ({SHIFTED})" if post.shifted else ""
    return f"{local:%a %Y-%m-%d %H:%M} {post.local[-6:]} = {utc:%H:%M} UTC{mark}"


def schedule_lines(reply: ScheduleReply) -> list[str]:
    lines = [reply.message]
    for view in reply.schedules:
        role = f", mentions {view.role}" if view.role else ""
        lines.append(schedule_summary(view) + role)
        lines.append(f"  {schedule_status(view)}")
        lines += [f"  next: {post_line(p)}" for p in view.upcoming]
        if view.skipped:
            lines.append(f"  skips: {', '.join(view.skipped)}")
    return lines


@singledispatch
def render_text(reply: Reply) -> str:
    raise TypeError(f"no text rendering for {type(reply).__name__}")


@render_text.register
def _(reply: QuoteReply) -> str:
    q = reply.quote
    link = f"\n{q.link}" if q.link else ""
    text = f"“{q.text}”\n— {q.attribution}{link}\n({quote_footer(reply)})"
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



def film_add_headline(reply: FilmAddReply) -> str:
    """"Adding reviews to Her (2013): 2 of 3 done…" (documents and dataset rows), then
    "Added 251 quotes to Her (2013)." once done."""
    film = reply.film or "the films the dataset names"
    if reply.state is JobState.RUNNING:
        if reply.total is None and not reply.done:
            return f"Adding reviews to {film}…"
        of = f" of {reply.total:,}" if reply.total is not None else ""
        return f"Adding reviews to {film}: {reply.done:,}{of} done…"
    if reply.state is JobState.FAILED:
        return f"Adding reviews to {film} stopped: {reply.error}"
    if not reply.quotes_added and any(r.status == "failed" for r in reply.results):
        return f"Nothing was added to {film}:"
    return f"Added {plural(reply.quotes_added, 'quote')} to {film}."


def film_add_lines(reply: FilmAddReply) -> list[str]:
    """One line per source done (quotes added, or why it was skipped), after the lines
    of a dataset's rows it left out."""
    return [line for r in reply.results for line in (*r.notes, r.summary)]


def film_entry_line(entry: FilmEntry) -> str:
    """"Her (2013) — 251 quotes · Fresh 94% of 150"."""
    if entry.score is None:
        verdict = "no score yet"
    else:
        verdict = (f"{'Fresh' if entry.fresh else 'Rotten'} {percent(entry.score)} "
                   f"of {entry.committed}")
    return f"{entry.name} — {plural(entry.quotes, 'quote')} · {verdict}"


def films_footer(reply: FilmsReply) -> str:
    return f"Page {reply.page} of {reply.pages} · {plural(reply.total, 'film')}"


@render_text.register
def _(reply: FilmAddReply) -> str:
    return "\n".join([film_add_headline(reply), *film_add_lines(reply)])


@render_text.register
def _(reply: FilmRemovalReply) -> str:
    return reply.message


@render_text.register
def _(reply: FilmsReply) -> str:
    if not reply.entries:
        return "No films yet: a manager can add one with /film add."
    return "\n".join([*(film_entry_line(e) for e in reply.entries), films_footer(reply)])
