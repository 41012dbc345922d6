"""Wall-clock times in IANA zones to UTC instants, with the DST rules spelled out.

A schedule keeps (local time, zone), never an offset, and its next instant is computed
again after every run.

- Spring forward: a local time inside the gap (02:30 on a day that jumps from 02:00 to
  03:00) does not exist. It posts once, at the instant the pre-jump clock would have
  shown that time, which the post-jump clock calls 03:30: as late after the jump as the
  time was after 02:00.
- Fall back: a local time that happens twice (01:30 on a day that goes back from 02:00
  to 01:00) posts once, at the first occurrence.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def zone(name: str) -> ZoneInfo | None:
    """The zone, or None when ``name`` is not an IANA zone name."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def fire_instant(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``hour:minute`` on local ``day`` under the rules above."""
    # fold=0 picks the first of two repeated times, and for a time in the gap applies the
    # offset from before the jump, which lands after the jump by the same distance.
    local = datetime.combine(day, time(hour, minute), tzinfo=tz).replace(fold=0)
    return local.astimezone(timezone.utc)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def upcoming(
    hour: int, minute: int, tz: ZoneInfo, now: datetime, posted_on: date | None
) -> datetime:
    """The first instant after ``now`` on a local date that has no post yet."""
    day = local_date(now, tz)
    if posted_on is not None and day <= posted_on:
        day = posted_on + timedelta(days=1)
    instant = fire_instant(day, hour, minute, tz)
    if instant <= now:
        instant = fire_instant(day + timedelta(days=1), hour, minute, tz)
    return instant


def iso_utc(instant: datetime) -> str:
    """Fixed-width ISO 8601 in UTC, so string order is time order in SQLite."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_utc(text: str) -> datetime:
    # fromisoformat reads the trailing "Z" (3.11+) and is ~50x faster than strptime,
    # which matters when a scheduler batch parses hundreds of rows.
    return datetime.fromisoformat(text)
