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

from bot.models import Driver, Label, Mood, Quote


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

    @property
    def another_value(self) -> str:
        """What an "Another" button carries; give it back to ``ReviewBot.another``."""
        return f"{self.mood.value}:{self.film_id}"


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
    ErrorReply: "error",
}
