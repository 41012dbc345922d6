"""Domain objects shared by storage, ingest, commands and adapters.

They are plain frozen dataclasses so that every layer can pass them around without
holding a database row or a platform object.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime


class Label(enum.StrEnum):
    """What the scorer decided. ``NEUTRAL`` is an abstention: shown to users as "mixed"."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"

    @property
    def display(self) -> str:
        return "mixed" if self is Label.NEUTRAL else self.value


class Mood(enum.StrEnum):
    """The mood a user asks ``/quote`` for."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    ANY = "any"


class Correction(enum.StrEnum):
    """What a person can say a quote's mood is. ``KEEP`` confirms the current label (from
    /review); ``HIDE`` takes the quote out of every pool. Applied by a manager it is
    final: the scorer never overwrites it, re-ingest of the same text keeps it."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    MIXED = "mixed"
    HIDE = "hide"
    KEEP = "keep"


class LabelSource(enum.StrEnum):
    """Who decided a quote's label: the scorer, the review source (a dataset's
    Fresh/Rotten), or people (a manager's correction)."""

    SCORER = "scorer"
    SOURCE = "source"
    PEOPLE = "people"


class QuoteKind(enum.StrEnum):
    CRITIC = "critic"  # a one-line critic excerpt
    REVIEW = "review"  # a sentence of a full review's prose
    READER = "reader"  # a reader's comment under a review

    @property
    def display(self) -> str:
        return {"critic": "critic excerpt", "review": "review", "reader": "reader comment"}[
            self.value
        ]


def critics_voice(kinds: Collection[QuoteKind]) -> QuoteKind | None:
    """Which quotes speak for a film's critics in /quote and /mood.

    Its critic excerpts (curated one-line verdicts) when it has any, else the sentences of
    its full reviews, else, for a film known only from comment threads, its readers.
    Mixing them would let plot summary and chit-chat ("Thanks! Hope you like it.") into
    ``/quote negative``, where the scorer, trained on verdicts, is weakest.
    """
    return next((k for k in QuoteKind if k in kinds), None)  # declared in that order


class DocumentKind(enum.StrEnum):
    EXCERPTS = "excerpts"
    WEBPAGE = "webpage"  # a page saved as text, a saved HTML page or a fetched link
    DATASET = "dataset"  # one film's rows of a CSV or JSON Lines file


_LINK_MAX = 2048


def web_link(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) link a chat client may open, else ``None``.

    Links come from files and pages people hand the bot: ``javascript:``, ``data:`` or a
    link with spaces, control characters or no host must never become a clickable title.
    Checked where links are stored and again where they are shown.
    """
    if not url or len(url) > _LINK_MAX:
        return None
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return None
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if not host.strip("@:.") or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    if any(c in url for c in '<>"\\^`{|}'):
        return None
    return url


@dataclass(frozen=True)
class Driver:
    """A word or phrase that pushed a score, with its signed weight."""

    phrase: str
    weight: float


@dataclass(frozen=True)
class Sentiment:
    """A scorer's judgement of one text."""

    label: Label
    polarity: float  # -1 (negative) .. 1 (positive)
    confidence: float  # 0 .. 1, calibrated: the probability the label is right


@dataclass(frozen=True)
class Film:
    id: int
    title: str
    year: int | None
    consensus: str | None

    @property
    def name(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


@dataclass(frozen=True)
class Quote:
    """A quote as served to a user, with everything needed to attribute it."""

    id: int
    text: str
    film: str
    kind: QuoteKind
    label: Label
    polarity: float
    confidence: float
    author: str | None
    outlet: str | None
    published: str | None
    source: str
    label_source: LabelSource = LabelSource.SCORER
    url: str | None = None  # the review's own page, or the page its document came from

    @property
    def link(self) -> str | None:
        """The link back to the review, only when it is safe to make clickable."""
        return web_link(self.url)

    @property
    def attribution(self) -> str:
        who = self.author or {
            QuoteKind.READER: "a reader", QuoteKind.REVIEW: "a reviewer"
        }.get(self.kind, "a critic")
        parts = [who]
        if self.outlet:
            parts.append(self.outlet)
        if self.published:
            parts.append(self.published)
        return ", ".join(parts)


class ScheduleStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


@dataclass(frozen=True)
class Schedule:
    """A quote posted to a channel at a local time on chosen days. ``channel`` is the
    platform's own channel id; a channel has a few, each with a short ``name`` ("1",
    "rave"). ``days`` is a weekday mask (``bot.weekdays``), ``skipped`` the local dates
    left out one by one, ``role`` the platform's id of a role or user group the post
    mentions (opt-in, set by a manager; the only mention a post may carry)."""

    id: int
    platform: str
    channel: str
    workspace: str | None
    created_by: str
    hour: int
    minute: int
    timezone: str
    mood: Mood
    film_id: int | None
    status: ScheduleStatus
    pause_reason: str | None
    next_run_utc: datetime
    last_local_date: date | None
    name: str = "1"
    days: int = 0b1111111  # every day: bot.weekdays.EVERY_DAY
    role: str | None = None
    skipped: frozenset[date] = frozenset()
