"""Platform-neutral reply objects.

Commands return one of these; each adapter renders it (a Discord embed, Slack blocks, a
terminal paragraph). Nothing here knows about a platform, so a reply is also what
``reviewbot ask --json`` prints.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.models import Correction, Driver, Label, Mood, Quote


@dataclass(frozen=True)
class Reply:
    """Base of every reply. ``ephemeral`` replies are shown only to the person who asked."""

    ephemeral: bool = field(default=False, kw_only=True)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict tagged with the reply's type (``"type": "quote"`` ...)."""
        body = _jsonable(dataclasses.asdict(self))
        assert isinstance(body, dict)
        return {"type": _TYPE_NAMES[type(self)], **body}


@dataclass(frozen=True)
class QuoteReply(Reply):
    """A quote, with what the "Another" button needs to ask for the next one."""

    quote: Quote
    mood: Mood
    film_id: int
    remaining: int  # quotes of this mood this channel has not seen in the current round
    pool_size: int
    # When the film has few confident quotes of this mood, how many and why ("Her (2013)
    # has only 18 confident negative critic quotes: critics loved it (91 % positive).").
    note: str | None = None

    @property
    def another_value(self) -> str:
        """What an "Another" button carries; give it back to ``ReviewBot.another``."""
        return f"{self.mood.value}:{self.film_id}"

    def correction_value(self, to: Correction) -> str:
        """What a "Wrong mood?" option carries; give it back to ``ReviewBot.correct``."""
        return correction_value(self.quote.id, to)


# The choices a "Wrong mood?" menu under a posted quote offers (KEEP is for /review).
WRONG_MOOD_CHOICES = (Correction.POSITIVE, Correction.NEGATIVE, Correction.MIXED,
                      Correction.HIDE)
# The buttons of each /review item, in order.
REVIEW_CHOICES = (Correction.KEEP, Correction.POSITIVE, Correction.NEGATIVE,
                  Correction.MIXED, Correction.HIDE)


def correction_value(quote_id: int, to: Correction) -> str:
    """``"<correction>:<quote id>"``: a button's or menu option's value (≤ 40 chars)."""
    return f"{to.value}:{quote_id}"


@dataclass(frozen=True)
class TextMoodReply(Reply):
    text: str
    label: Label
    polarity: float
    confidence: float
    drivers: tuple[Driver, ...]


@dataclass(frozen=True)
class LabelCount:
    label: Label
    count: int


@dataclass(frozen=True)
class CorpusMoodReply(Reply):
    film: str
    counts: tuple[LabelCount, ...]
    total: int
    average_polarity: float


@dataclass(frozen=True)
class GroupVerdict:
    """Scores of one kind of voice (critics or readers)."""

    name: str
    count: int
    positive: int
    negative: int
    average_polarity: float

    @property
    def positive_share(self) -> float | None:
        committed = self.positive + self.negative
        return self.positive / committed if committed else None


@dataclass(frozen=True)
class VerdictReply(Reply):
    film: str
    consensus: str | None
    critics: GroupVerdict
    readers: GroupVerdict
    reviews: GroupVerdict
    fresh_threshold: float = 0.6
    checked_by_people: int = 0  # labels a manager set or confirmed
    from_source: int = 0  # labels the review source gave (a dataset's Fresh/Rotten)
    second_opinion: str | None = None  # the gate confirming the scorer: lexicon, MiniLM

    @property
    def score(self) -> float | None:
        """Tomatometer-like share: positive critic quotes among confident critic quotes."""
        return self.critics.positive_share

    @property
    def fresh(self) -> bool | None:
        s = self.score
        return None if s is None else s >= self.fresh_threshold


@dataclass(frozen=True)
class PostTime:
    """One upcoming daily post, as ``/daily show`` previews it."""

    local: str  # ISO 8601 with the zone's offset
    utc: str  # ISO 8601, "Z"
    shifted: bool = False  # a clock change moved it off its wall time (a spring-forward gap)

    @property
    def unix(self) -> int:
        """Seconds since the epoch: what Discord's ``<t:…>`` and Slack's date tokens take."""
        return int(datetime.fromisoformat(self.utc).timestamp())


@dataclass(frozen=True)
class ScheduleView:
    """One schedule of a channel as people see it."""

    name: str  # its id within the channel: "1", "rave"
    active: bool
    local_time: str  # "HH:MM"
    timezone: str
    days: str  # "every day", "weekdays", "Mon, Wed, Fri"
    mood: Mood
    film: str | None = None
    role: str | None = None  # the platform's id of the role or user group it mentions
    pause_reason: str | None = None
    upcoming: tuple[PostTime, ...] = ()  # the next posts, soonest first (none when paused)
    skipped: tuple[str, ...] = ()  # ISO dates still ahead that get no post


@dataclass(frozen=True)
class ScheduleReply(Reply):
    """A channel's daily posts after ``/daily`` set/show/pause/resume/off/skip.

    ``schedules`` starts with the one the command acted on; ``/daily show`` lists every
    schedule of the channel. Empty when the channel has none.
    """

    message: str
    schedules: tuple[ScheduleView, ...] = ()

    @property
    def active(self) -> bool | None:
        """Whether the schedule acted on posts; None when the channel has none."""
        return self.schedules[0].active if self.schedules else None

    @property
    def timezone(self) -> str | None:
        return self.schedules[0].timezone if self.schedules else None

    @property
    def pause_reason(self) -> str | None:
        return self.schedules[0].pause_reason if self.schedules else None

    @property
    def next_local(self) -> str | None:
        return self._next.local if self._next else None

    @property
    def next_utc(self) -> str | None:
        return self._next.utc if self._next else None

    @property
    def _next(self) -> PostTime | None:
        return self.schedules[0].upcoming[0] if self.schedules and self.schedules[0].upcoming \
            else None


@dataclass(frozen=True)
class CorrectionReply(Reply):
    """The answer to a "Wrong mood?" choice or a /review button (ephemeral).

    ``applied`` is True when a manager's correction took effect at once, False when a
    member's report went to the review queue.
    """

    message: str
    quote_id: int
    to: Correction
    applied: bool


@dataclass(frozen=True)
class ReviewItem:
    """One quote to check: reported by members, or among the scorer's least certain."""

    quote: Quote
    reports: int  # open member reports on it
    suggested: Correction | None  # the members' most common suggestion
    reason: str  # "reported" or "uncertain"

    def action_value(self, to: Correction) -> str:
        return correction_value(self.quote.id, to)


@dataclass(frozen=True)
class ReviewReply(Reply):
    """``/review``: a page of quotes to check, each with ``REVIEW_CHOICES`` buttons."""

    film: str
    items: tuple[ReviewItem, ...]
    open_reports: int  # for the whole film, not only this page
    checked_by_people: int


@dataclass(frozen=True)
class HelpEntry:
    usage: str
    description: str


@dataclass(frozen=True)
class HelpReply(Reply):
    entries: tuple[HelpEntry, ...]


@dataclass(frozen=True)
class ErrorReply(Reply):
    """A one-line answer to a wrong argument, or an internal error's correlation id."""

    message: str
    error_id: str | None = None
    usage: bool = True  # True for a user mistake, False for an internal failure


class JobState(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class SourceLine:
    """One source of a ``/film add``: a file name or a link, and what became of it."""

    source: str  # as the manager gave it: an attachment's name, a link, a path
    status: str  # "added", "replaced", "unchanged" or "failed"
    quotes: int = 0
    summary: str = ""  # its one line: "reviews.csv: added 120 quotes of 3 films"
    notes: tuple[str, ...] = ()  # a dataset's malformed rows, "line 12: …"


@dataclass(frozen=True)
class FilmAddReply(Reply):
    """A ``/film add`` job: the message that starts it, each progress edit, the summary.

    The same object at every stage, so an adapter edits one message in place with it;
    ``job_id`` is what ``FilmJobs.follow`` takes. ``total`` is None while unknown (a
    dataset streamed from a link).
    """

    job_id: str
    film: str | None  # None: the films are named by a dataset's rows
    sources: tuple[str, ...]
    state: JobState
    done: int = 0
    total: int | None = None
    results: tuple[SourceLine, ...] = ()
    error: str | None = None  # why the job stopped, when it failed

    @property
    def quotes_added(self) -> int:
        return sum(r.quotes for r in self.results if r.status in ("added", "replaced"))


@dataclass(frozen=True)
class FilmRemovalReply(Reply):
    """``/film remove``: the question before (``removed`` None), or what was done.

    The buttons carry ``confirm_value``/``cancel_value``; give either back to
    ``ReviewBot.confirm_film_removal``.
    """

    film: str
    film_id: int
    documents: int
    quotes: int
    schedules: int  # daily posts that used this film (paused by the removal)
    removed: bool | None = None  # None: waiting for the manager's confirmation
    message: str = ""

    @property
    def confirm_value(self) -> str:
        return f"yes:{self.film_id}"

    @property
    def cancel_value(self) -> str:
        return f"no:{self.film_id}"


@dataclass(frozen=True)
class FilmEntry:
    """One line of ``/films``: the figures ``/verdict`` gives, for a list."""

    name: str
    quotes: int  # visible quotes of every kind
    score: float | None  # share of positive confident critic quotes (``VerdictReply.score``)
    fresh: bool | None
    committed: int  # the confident critic quotes the score is a share of


@dataclass(frozen=True)
class FilmsReply(Reply):
    """``/films``: one page of films; ``page`` counts from 1."""

    entries: tuple[FilmEntry, ...]
    page: int
    pages: int
    total: int

    def page_value(self, page: int) -> str:
        """What a Previous/Next button carries: the page number it shows."""
        return str(page)


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


_TYPE_NAMES: dict[type[Reply], str] = {
    QuoteReply: "quote",
    TextMoodReply: "text_mood",
    CorpusMoodReply: "corpus_mood",
    VerdictReply: "verdict",
    ScheduleReply: "schedule",
    HelpReply: "help",
    CorrectionReply: "correction",
    ReviewReply: "review",
    FilmAddReply: "film_add",
    FilmRemovalReply: "film_removal",
    FilmsReply: "films",
    ErrorReply: "error",
}
