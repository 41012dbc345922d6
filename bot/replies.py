"""Platform-neutral reply objects.

Commands return one of these; each adapter renders it (a Discord embed, Slack blocks, a
terminal paragraph). Nothing here knows about a platform, so a reply is also what
``reviewbot ask --json`` prints.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
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
class ScheduleReply(Reply):
    """The state of a channel's daily post after ``/daily`` set/show/pause/resume/off."""

    message: str
    active: bool | None  # None when the channel has no schedule
    local_time: str | None = None  # "HH:MM"
    timezone: str | None = None
    mood: Mood | None = None
    film: str | None = None
    next_local: str | None = None  # ISO 8601 with offset
    next_utc: str | None = None
    pause_reason: str | None = None


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
    ErrorReply: "error",
}
