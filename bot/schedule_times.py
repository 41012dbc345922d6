"""Wall-clock times in IANA zones to UTC instants, with the DST rules spelled out.

A schedule keeps (local time, zone), never an offset, and its next instant is computed
again after every run.

- Spring forward: a local time inside the gap (02:30 on a day that jumps from 02:00 to
  03:00) does not exist. It posts once, at the instant the pre-jump clock would have
  shown that time, which the post-jump clock calls 03:30: as late after the jump as the
  time was after 02:00.
- Fall back: a local time that happens twice (01:30 on a day that goes back from 02:00
  to 01:00) posts once, at the first occurrence.

Everything is counted in local dates: "the instant for date D" is ``fire_instant(D)``,
and a post is filed under the D it was computed for, never under the date its instant
falls on (a gap across midnight moves D's post onto D+1; a fall back across midnight
shows D-1 again after D's post). Days are walked in date order, so:

- Each day's instant is before the next day's. A day whose instant is not (a day that
  does not exist locally, as Pacific/Apia's 2011-12-30) gets no post; the next day has
  the slot. So posts are never filed twice for one instant or out of order.
- The next post is the first day with no post yet whose instant is after now: after a
  fall back across midnight a day whose first occurrence has passed is not offered
  again at its second occurrence.

Chosen weekdays and skipped dates (``PostDays``) only remove days from that walk: a day
not chosen or skipped gets no post and is never caught up, and the days that remain
keep every rule above, each judged by its own date.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.weekdays import EVERY_DAY, posts_on

_DAY = timedelta(days=1)


# In available_timezones() on some systems but not zones anyone lives in: the host's own
# setting, the template for POSIX TZ strings, and the "no zone set" placeholder. The
# posix/ and right/ trees duplicate every zone (right/ with leap seconds, which would
# shift posts by ~27 s).
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_NOT_ZONE_PREFIXES = ("posix/", "right/")

# What autocomplete offers before anything is typed, and the first picks among equally
# good matches: the zones most people are in.
COMMON_ZONES = (
    "UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York",
    "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto",
    "America/Mexico_City", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Moscow", "Africa/Lagos",
    "Africa/Johannesburg", "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul",
    "Asia/Singapore", "Australia/Sydney", "Pacific/Auckland",
)


@functools.cache
def zone_names() -> frozenset[str]:
    """Every IANA zone a schedule may use (cached: reading the zone tree costs ~50 ms)."""
    return frozenset(
        name for name in available_timezones()
        if name not in _NOT_ZONES and not name.startswith(_NOT_ZONE_PREFIXES)
    )


@functools.cache
def _by_fold() -> dict[str, str]:
    return {name.casefold(): name for name in zone_names()}


def canonical_zone(text: str) -> str | None:
    """The zone name ``text`` spells, in any letter case, or None if it is not one."""
    return _by_fold().get(text.strip().casefold())


def zone(name: str) -> ZoneInfo | None:
    """The zone, or None when ``name`` is not exactly an IANA zone name.

    Only names in ``zone_names()`` reach ZoneInfo: a folder of the zone tree ("Europe"),
    a name too long for the file system, or a file that is not a zone would otherwise
    raise IsADirectoryError or another OSError instead of being a usage error.
    """
    if name not in zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


class UnknownZone(ValueError):
    """A stored schedule's zone no longer loads (the zone database changed under it)."""


def stored_zone(name: str) -> ZoneInfo:
    """The zone of a schedule already in the database.

    Schedules set before only real IANA names were accepted may hold ``posixrules`` or
    ``posix/Europe/Paris``; they keep the zone they were set with as long as zoneinfo
    still loads it, rather than stopping. Raises ``UnknownZone`` when it does not.
    """
    tz = zone(name)
    if tz is not None:
        return tz
    try:
        if name and not name.startswith(("/", ".")) and ".." not in name:
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    raise UnknownZone(name)


def _words(text: str) -> str:
    """Lower case, with "_", "-" and runs of spaces as one space: how people type cities."""
    return " ".join(re.sub(r"[_\-\s]+", " ", text.casefold()).split())


@functools.cache
def _suggestion_index() -> tuple[tuple[str, str, tuple[str, ...], tuple[int, int, str]], ...]:
    """Per zone: (words of the name, of its city, each word, tie-break key ending in the name).

    Ties go to common zones, then to Area/City names over legacy aliases ("US/Eastern",
    "Etc/GMT+5", "EST"), then alphabetical order.
    """
    common = {name: rank for rank, name in enumerate(COMMON_ZONES)}
    rows = []
    for name in sorted(zone_names()):
        full = _words(name)
        city = full.rsplit("/", 1)[-1]
        area = name.split("/", 1)[0]
        legacy = "/" not in name or area in ("Etc", "US", "SystemV", "Brazil", "Canada",
                                             "Chile", "Mexico")
        tie = (common.get(name, len(common)), int(legacy), name)
        rows.append((full, city, tuple(re.split(r"[ /]", full)), tie))
    return tuple(rows)


def zone_suggestions(text: str, limit: int = 25) -> list[str]:
    """Zone names for an autocomplete box, best first.

    A city typed on its own finds its zone ("paris" offers Europe/Paris first,
    "new york" America/New_York); a folder ("europe") lists its zones; several words
    each match the start of a word of the name ("am new" finds America/New_York).
    Nothing typed gives ``COMMON_ZONES``.
    """
    if limit <= 0:
        return []
    query = _words(text)
    if not query:
        return [name for name in COMMON_ZONES if name in zone_names()][:limit]
    parts = [p for p in re.split(r"[ /]", query) if p]
    ranked: list[tuple[int, tuple[int, int, str]]] = []
    for full, city, words, tie in _suggestion_index():
        if full == query:
            tier = 0
        elif city == query:
            tier = 1
        elif city.startswith(query):
            tier = 2
        elif full.startswith(query):
            tier = 3
        elif not all(p in full for p in parts):  # cheap test first: most names fail it
            continue
        elif all(any(w.startswith(p) for w in words) for p in parts):
            tier = 4
        elif query in full:
            tier = 5
        else:
            continue
        ranked.append((tier, tie))
    ranked.sort()
    return [tie[2] for _, tie in ranked[:limit]]


def fire_instant(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``hour:minute`` for local ``day`` under the rules above.

    The post at this instant is filed under ``day`` even when a gap moved it onto the
    next local date (23:30 in a gap from 23:00 to 00:00 posts at 00:30 the next day):
    callers keep the day they asked for and never derive it back from the instant.
    """
    # fold=0 picks the first of two repeated times, and for a time in the gap applies the
    # offset from before the jump, which lands after the jump by the same distance.
    local = datetime.combine(day, time(hour, minute), tzinfo=tz).replace(fold=0)
    return local.astimezone(timezone.utc)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


@dataclass(frozen=True)
class PostDays:
    """Which local dates a schedule posts on: chosen weekdays (``bot.weekdays`` mask)
    less the dates skipped one by one. Never empty: the mask has at least one day."""

    weekdays: int = EVERY_DAY
    skipped: frozenset[date] = frozenset()

    def chosen(self, day: date) -> bool:
        return posts_on(self.weekdays, day) and day not in self.skipped


EVERY = PostDays()


def has_post(day: date, hour: int, minute: int, tz: ZoneInfo, on: PostDays = EVERY) -> bool:
    """Whether ``day`` gets a post: it is chosen and its instant comes before the next
    day's.

    It does not when the day does not exist locally (Pacific/Apia skipped 2011-12-30:
    that day's gap-moved instant is the 31st's own), or more generally when a jump of a
    day or more makes its instant meet or overtake the next day's, which then has the
    slot. The next day is compared whether or not it is chosen, so the instants of the
    days that get a post are a subset of one strictly increasing sequence.
    """
    return on.chosen(day) and (
        fire_instant(day, hour, minute, tz) < fire_instant(day + _DAY, hour, minute, tz)
    )


def next_post(
    after: date, hour: int, minute: int, tz: ZoneInfo, on: PostDays = EVERY
) -> tuple[date, datetime]:
    """The first day after ``after`` that gets a post, and its instant."""
    day = after + _DAY
    # Ends: days without a post need a jump of a day or more (offsets stay within ±26 h),
    # a weekday left out (one of each seven is chosen) or a skip (finitely many).
    while not has_post(day, hour, minute, tz, on):
        day += _DAY
    return day, fire_instant(day, hour, minute, tz)


def latest_due(
    hour: int, minute: int, tz: ZoneInfo, now: datetime, on: PostDays = EVERY
) -> tuple[date, datetime]:
    """The last day that gets a post and whose instant is at or before ``now``.

    Found by walking back over local dates, not by reading ``now``'s date: after a fall
    back across midnight the clock shows yesterday although today's first occurrence
    has passed. The walk starts two days ahead of the clock's date, more than any clock
    change sets a clock back, so every later day's instant is after ``now``.
    """
    day = local_date(now, tz) + 2 * _DAY
    while True:
        instant = fire_instant(day, hour, minute, tz)
        if instant <= now and has_post(day, hour, minute, tz, on):
            return day, instant
        day -= _DAY


def upcoming(
    hour: int, minute: int, tz: ZoneInfo, now: datetime, posted_on: date | None,
    on: PostDays = EVERY,
) -> datetime:
    """The first instant after ``now`` of a day that gets a post and has none yet."""
    return upcoming_posts(hour, minute, tz, now, posted_on, 1, on)[0][1]


def upcoming_posts(
    hour: int, minute: int, tz: ZoneInfo, now: datetime, posted_on: date | None, count: int,
    on: PostDays = EVERY,
) -> list[tuple[date, datetime]]:
    """The next ``count`` (date, instant) after ``now`` of days with no post yet: what
    ``/daily show`` previews and the first of which the scheduler waits for."""
    due, _ = latest_due(hour, minute, tz, now, on)
    after = due if posted_on is None else max(due, posted_on)
    posts = []
    for _ in range(count):
        after, instant = next_post(after, hour, minute, tz, on)
        posts.append((after, instant))
    return posts


def shifted(day: date, hour: int, minute: int, tz: ZoneInfo) -> bool:
    """Whether a clock change moves ``day``'s post off its wall time (a time in a
    spring-forward gap posts later): the preview marks it."""
    local = fire_instant(day, hour, minute, tz).astimezone(tz)
    return (local.date(), local.hour, local.minute) != (day, hour, minute)


def iso_utc(instant: datetime) -> str:
    """Fixed-width ISO 8601 in UTC, so string order is time order in SQLite."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_utc(text: str) -> datetime:
    # fromisoformat reads the trailing "Z" (3.11+) and is ~50x faster than strptime,
    # which matters when a scheduler batch parses hundreds of rows.
    return datetime.fromisoformat(text)
