"""Daily-post times against an independent oracle, over every zone's clock changes.

The oracle never converts local time to UTC with zoneinfo: it finds a zone's offset
changes by stepping UTC and reading the offset (``fromutc``), then answers by arithmetic
on those changes. "The instant for local date D at h:m" is the first UTC instant whose
wall clock reads D h:m; if none does (a gap), the wall time minus the offset before the
jump (as far after the jump as it was after the pre-jump clock). A date gets a post iff
some instant has that local date.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import Mood, Schedule, ScheduleStatus
from bot.schedule_times import (
    COMMON_ZONES,
    canonical_zone,
    fire_instant,
    upcoming,
    zone,
    zone_names,
    zone_suggestions,
)
from bot.scheduler import GRACE, following, plan
from bot.weekdays import EVERY_DAY, posts_on

UTC = timezone.utc
DAY = timedelta(days=1)
STEP = timedelta(minutes=30)  # no zone has two changes within 30 min that cancel out
ZONES = sorted(zone_names())


# -- the oracle ----------------------------------------------------------------------------


def offset_at(tz: ZoneInfo, u: datetime) -> timedelta:
    """The zone's UTC offset at UTC instant ``u`` (naive UTC)."""
    off = datetime.fromtimestamp(u.replace(tzinfo=UTC).timestamp(), tz).utcoffset()
    assert off is not None
    return off


@dataclass(frozen=True)
class Change:
    at: datetime  # naive UTC
    before: timedelta
    after: timedelta


def changes(tz: ZoneInfo, start: datetime, end: datetime,
            steps: tuple[timedelta, ...] = (STEP,)) -> list[Change]:
    """Every change in [start, end], to the second, stepping by each of ``steps`` in turn
    (a coarse step only finds the stretches whose two ends differ)."""
    found: list[Change] = []
    u, off = start, offset_at(tz, start)
    while u < end:
        v = min(u + steps[0], end)
        off_v = offset_at(tz, v)
        if off_v != off and len(steps) > 1:
            found += changes(tz, u, v, steps[1:])
        elif off_v != off:
            lo, hi = u, v  # offset(lo) == off, offset(hi) != off
            while hi - lo > timedelta(seconds=1):
                mid = (lo + (hi - lo) / 2).replace(microsecond=0)
                if offset_at(tz, mid) == off:
                    lo = mid
                else:
                    hi = mid
            found.append(Change(hi, off, offset_at(tz, hi)))
        u, off = v, off_v
    return found


class Oracle:
    """Instants and dates of one zone around a window of local dates, by arithmetic."""

    def __init__(self, tz: ZoneInfo, first: date, last: date) -> None:
        start = datetime.combine(first, time()) - timedelta(days=3)
        end = datetime.combine(last, time()) + timedelta(days=4)
        self.tz = tz
        self.initial, self.changes = offset_at(tz, start), changes(tz, start, end)
        # Periods of constant offset: (offset, from, to) in naive UTC.
        bounds = [start] + [c.at for c in self.changes] + [end]
        offsets = [self.initial] + [c.after for c in self.changes]
        self.periods = list(zip(offsets, bounds, bounds[1:], strict=False))

    def occurrences(self, wall: datetime) -> list[datetime]:
        return sorted(wall - off for off, lo, hi in self.periods if lo <= wall - off < hi)

    def instant(self, day: date, hour: int, minute: int) -> datetime:
        wall = datetime.combine(day, time(hour, minute))
        found = self.occurrences(wall)
        if found:
            return found[0].replace(tzinfo=UTC)
        gaps = [c for c in self.changes if c.at + c.before <= wall < c.at + c.after]
        assert len(gaps) == 1, (self.tz, wall, gaps)
        return (wall - gaps[0].before).replace(tzinfo=UTC)

    def exists(self, day: date) -> bool:
        """Whether some instant's wall clock shows ``day``."""
        midnight = datetime.combine(day, time())
        return bool(self.occurrences(midnight)) or any(
            (c.at + c.after).date() == day for c in self.changes
        )

    def local(self, u: datetime) -> datetime:
        naive = u.astimezone(UTC).replace(tzinfo=None)
        off = next(o for o, lo, hi in self.periods if lo <= naive < hi)
        return naive + off

    def posts(self, first: date, last: date, hour: int, minute: int) -> list[tuple[date, datetime]]:
        """(date, instant) of every date in [first, last] that exists, in order."""
        days = [first + DAY * i for i in range((last - first).days + 1)]
        return [(d, self.instant(d, hour, minute)) for d in days if self.exists(d)]


# -- the implementation, driven like the scheduler drives it ------------------------------


def schedule(tz_name: str, hour: int, minute: int, next_run: datetime,
             posted: date | None) -> Schedule:
    return Schedule(
        id=1, platform="console", channel="c", workspace="w", created_by="u", hour=hour,
        minute=minute, timezone=tz_name, mood=Mood.ANY, film_id=None,
        status=ScheduleStatus.ACTIVE, pause_reason=None, next_run_utc=next_run,
        last_local_date=posted,
    )


def look(s: Schedule, now: datetime) -> tuple[Schedule, list[tuple[date, datetime]]]:
    """What ``Scheduler.run_due`` does at ``now`` with a poster that always succeeds."""
    posted: list[tuple[date, datetime]] = []
    for _ in range(10):
        if s.next_run_utc > now:
            return s, posted
        day, next_look = plan(s, now)
        if day is None:
            s = schedule(s.timezone, s.hour, s.minute, next_look, s.last_local_date)
        else:
            posted.append((day, now))
            s = schedule(s.timezone, s.hour, s.minute, following(s, day), day)
        assert s.next_run_utc > now, (s, now)
    raise AssertionError(f"run_due would not end at {now}")


def run_through(tz_name: str, hour: int, minute: int, times: list[datetime]
                ) -> list[tuple[date, datetime]]:
    """Set the schedule at ``times[0]``, then look at every later instant of ``times``."""
    tz = ZoneInfo(tz_name)
    s = schedule(tz_name, hour, minute, upcoming(hour, minute, tz, times[0], None), None)
    assert s.next_run_utc > times[0]
    out: list[tuple[date, datetime]] = []
    for now in times[1:]:
        s, posted = look(s, now)
        out += posted
    return out


# -- every zone's changes near midnight, 2010-2030 ---------------------------------------


@functools.cache
def midnight_changes() -> list[tuple[str, Change]]:
    """One zone's change for each kind of change within three hours of midnight.

    A kind is (offset before, offset after, wall time it happens): zones that change
    alike behave alike, so one representative each keeps the test fast.
    """
    kinds: dict[tuple[timedelta, timedelta, time], tuple[str, Change]] = {}
    steps = (timedelta(days=7), DAY, timedelta(hours=3), STEP)
    for name in ZONES:
        for c in changes(ZoneInfo(name), datetime(2010, 1, 1), datetime(2031, 1, 1), steps):
            wall = c.at + c.before
            near = [w for w in (wall, c.at + c.after)
                    if abs(w - datetime.combine((w + timedelta(hours=12)).date(), time()))
                    <= timedelta(hours=3)]
            if near:
                kinds.setdefault((c.before, c.after, wall.time()), (name, c))
    return sorted(kinds.values(), key=lambda kind: (kind[0], kind[1].at))


@functools.cache
def oracle_around(name: str, c: Change) -> Oracle:
    return Oracle(ZoneInfo(name), c.at.date() - 2 * DAY, c.at.date() + 2 * DAY)


def times_near(c: Change) -> list[tuple[int, int]]:
    """Wall times at the edges and inside of the change, and the minutes around midnight."""
    walls = {c.at + c.before, c.at + c.after}
    lo, hi = min(walls), max(walls)
    picks = {lo - timedelta(minutes=1), lo, lo + (hi - lo) / 2, hi - timedelta(minutes=1), hi}
    found = {(w.hour, w.minute) for w in picks}
    return sorted(found | {(23, 59), (0, 0)})


def test_the_scan_finds_the_changes_named_in_issue_15() -> None:
    def found(name: str, day: date) -> bool:
        start = datetime.combine(day, time())
        return any(c.at.date() == day for c in changes(
            ZoneInfo(name), start - DAY, start + DAY, (timedelta(days=7), DAY, STEP)))

    assert found("America/Nuuk", date(2025, 3, 30))
    assert found("America/Goose_Bay", date(2010, 11, 7))
    assert found("Antarctica/Casey", date(2010, 3, 4))
    assert found("Pacific/Apia", date(2011, 12, 30))
    kinds = {(c.before, c.after) for _, c in midnight_changes()}
    assert (timedelta(hours=-10), timedelta(hours=14)) in kinds  # Apia's lost day
    assert (timedelta(hours=11), timedelta(hours=8)) in kinds  # Casey's 3-hour fall back


def check_window(name: str, c: Change, hour: int, minute: int) -> None:
    tz = ZoneInfo(name)
    first, last = c.at.date() - 2 * DAY, c.at.date() + 2 * DAY
    oracle = oracle_around(name, c)
    expected = oracle.posts(first, last, hour, minute)
    instants = [i for _, i in expected]
    assert instants == sorted(set(instants)), "the oracle's own instants must increase"
    # fire_instant: each existing date's instant, filed under that date.
    for day, instant in expected:
        assert fire_instant(day, hour, minute, tz) == instant, (name, day, hour, minute)
    # Running all along: every date exactly once, on time, filed under its own date.
    start = instants[0] - timedelta(hours=1)
    events = {start, c.at.replace(tzinfo=UTC), c.at.replace(tzinfo=UTC) - timedelta(minutes=1)}
    for i in instants:
        events |= {i - timedelta(minutes=1), i, i + timedelta(minutes=1)}
    times = sorted(e for e in events if e >= start)
    assert run_through(name, hour, minute, times) == expected, (name, c, hour, minute)
    # Set (or resumed) at any of those moments: the next post is after now, on the first
    # existing date whose instant is after now.
    for now in times:
        if now > instants[-1] - timedelta(minutes=1):
            break
        want = next(i for i in instants if i > now)
        assert upcoming(hour, minute, tz, now, None) == want, (name, now, hour, minute)


def test_every_zone_change_near_midnight_2010_to_2030() -> None:
    for name, c in midnight_changes():
        for hour, minute in times_near(c):
            check_window(name, c, hour, minute)


# -- the cases of issue 15 ----------------------------------------------------------------


def test_nuuk_gap_across_midnight_posts_every_day_under_its_own_date() -> None:
    # 2025-03-29 23:00 -02 jumps to 2025-03-30 00:00 -01.
    start = datetime(2025, 3, 28, 12, tzinfo=UTC)
    times = [start + timedelta(minutes=15 * i) for i in range(4 * 24 * 4)]
    posts = run_through("America/Nuuk", 23, 30, times)
    assert [d.isoformat() for d, _ in posts] == ["2025-03-28", "2025-03-29", "2025-03-30",
                                                 "2025-03-31"]
    # Saturday's 23:30 does not exist: it posts at 00:30 Sunday, filed under Saturday.
    assert posts[1][1] == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert posts[2][1] == datetime(2025, 3, 31, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "hour", "now", "want"),
    [
        ("America/Goose_Bay", 0, datetime(2010, 11, 7, 3, 1, tzinfo=UTC),
         datetime(2010, 11, 8, 4, 0, tzinfo=UTC)),
        ("America/St_Johns", 0, datetime(2010, 11, 7, 2, 31, tzinfo=UTC),
         datetime(2010, 11, 8, 3, 30, tzinfo=UTC)),
    ],
)
def test_fall_back_across_midnight_never_offers_a_past_instant(
    name: str, hour: int, now: datetime, want: datetime
) -> None:
    assert upcoming(hour, 0, ZoneInfo(name), now, None) == want


def test_casey_three_hour_fall_back_ends_and_posts_each_day_once() -> None:
    # 2010-03-05 02:00 +11 goes back to 2010-03-04 23:00 +08.
    start = datetime(2010, 3, 3, 0, tzinfo=UTC)
    times = [start + timedelta(minutes=15 * i) for i in range(4 * 24 * 4)]
    for hour, minute in [(0, 0), (0, 30), (1, 45), (23, 30)]:
        posts = run_through("Antarctica/Casey", hour, minute, times)
        days = [d for d, _ in posts]
        assert days == sorted(set(days)) and len(days) >= 3, (hour, minute, posts)


def test_apia_skipped_day_gets_no_post() -> None:
    start = datetime(2011, 12, 28, 0, tzinfo=UTC)
    times = [start + timedelta(minutes=30 * i) for i in range(2 * 24 * 4)]
    posts = run_through("Pacific/Apia", 9, 0, times)
    assert [d.isoformat() for d, _ in posts] == ["2011-12-28", "2011-12-29", "2011-12-31",
                                                 "2012-01-01"]


def test_a_post_less_than_an_hour_late_goes_out_for_its_day_after_midnight() -> None:
    # UTC 23:59, down three days, back at 00:27: yesterday's post still goes out.
    s = schedule("UTC", 23, 59, datetime(2026, 6, 1, 23, 59, tzinfo=UTC), date(2026, 5, 31))
    now = datetime(2026, 6, 5, 0, 27, tzinfo=UTC)
    assert plan(s, now)[0] == date(2026, 6, 4)
    s, posted = look(s, now)
    assert [d for d, _ in posted] == [date(2026, 6, 4)]
    assert s.next_run_utc == datetime(2026, 6, 5, 23, 59, tzinfo=UTC)


# -- any zone, any date, any downtime (hypothesis) ----------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(ZONES),
    day=st.dates(date(1971, 1, 1), date(2037, 12, 31)),
    hour=st.sampled_from([0, 0, 1, 2, 3, 12, 22, 23, 23]),
    minute=st.sampled_from([0, 1, 15, 30, 45, 59]),
    down=st.timedeltas(timedelta(0), timedelta(days=3)),
    last_ago=st.integers(1, 4),
)
def test_downtime_posts_the_day_the_readme_promises(
    name: str, day: date, hour: int, minute: int, down: timedelta, last_ago: int
) -> None:
    tz = ZoneInfo(name)
    oracle = Oracle(tz, day - 6 * DAY, day + 3 * DAY)
    expected = oracle.posts(day - 6 * DAY, day + 3 * DAY, hour, minute)
    # Last posted last_ago existing dates before the date the downtime starts around; down
    # since just after that post, back at any moment of the three days that follow.
    idx = next(i for i, (d, _) in enumerate(expected) if d >= day - 2 * DAY)
    posted_day, _ = expected[idx - last_ago]
    next_run = next(i for d, i in expected if d > posted_day)
    s = schedule(name, hour, minute, next_run, posted_day)
    now = expected[idx][1] - DAY + down
    # The oracle's reading of the README: the last date whose time has passed posts if
    # it has none yet and is at most an hour late or is today.
    passed = [(d, i) for d, i in expected if i <= now]
    due_day, due_at = passed[-1]
    today = oracle.local(now).date()
    open_day = due_day > posted_day
    want = due_day if open_day and (now - due_at <= GRACE or due_day == today) else None
    after, posted = look(s, now)
    if s.next_run_utc > now:
        assert posted == []
        return
    assert [d for d, _ in posted] == ([want] if want else [])
    assert after.next_run_utc == next(i for _, i in expected if i > now)


# -- zone names --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Europe", "US", "Asia", "America/Argentina", "Etc",
                                  "localtime", "posixrules", "Factory", "right/UTC",
                                  "posix/Europe/Paris", "x" * 300, "Europe/" + "x" * 300,
                                  "../etc/passwd", "", "Europe/Paris\x00"])
def test_only_iana_zones_are_zones(name: str) -> None:
    assert zone(name) is None
    assert canonical_zone(name) is None


def test_zone_names_are_real_zones() -> None:
    assert "Europe/Paris" in zone_names() and "UTC" in zone_names()
    assert not {"localtime", "posixrules", "Factory"} & zone_names()
    assert not any(n.startswith(("right/", "posix/")) for n in zone_names())
    assert canonical_zone(" europe/paris ") == "Europe/Paris"


@pytest.mark.parametrize(
    ("typed", "first"),
    [("paris", "Europe/Paris"), ("Paris", "Europe/Paris"), ("new york", "America/New_York"),
     ("new_york", "America/New_York"), ("Europe/Paris", "Europe/Paris"), ("tokyo", "Asia/Tokyo"),
     ("los ang", "America/Los_Angeles"), ("buenos aires", "America/Argentina/Buenos_Aires"),
     ("utc", "UTC"), ("europe/lon", "Europe/London"), ("am new", "America/New_York")],
)
def test_zone_suggestions_put_the_city_first(typed: str, first: str) -> None:
    assert zone_suggestions(typed)[0] == first


def test_zone_suggestions_without_text_are_common_zones() -> None:
    assert zone_suggestions("") == list(COMMON_ZONES)[:25]
    assert zone_suggestions("", limit=3) == ["UTC", "Europe/London", "Europe/Paris"]
    assert set(COMMON_ZONES) <= zone_names()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.integers(0, 30))
def test_zone_suggestions_are_zones_within_the_limit(typed: str, limit: int) -> None:
    got = zone_suggestions(typed, limit)
    assert len(got) <= limit and len(set(got)) == len(got)
    assert set(got) <= zone_names()


def test_zone_suggestions_are_fast() -> None:
    import time as clock

    start = clock.perf_counter()
    for typed in ["e", "new york", "zzz", "america/", "a b"] * 20:
        zone_suggestions(typed)
    assert (clock.perf_counter() - start) / 100 < 0.005  # < 1 ms unloaded; slack for CI


# -- chosen weekdays (issue 14) ------------------------------------------------------------


def look_on(s: Schedule, now: datetime) -> tuple[Schedule, list[date]]:
    """``look`` for a schedule with chosen days: its days and skips stay as they are."""
    posted: list[date] = []
    for _ in range(10):
        if s.next_run_utc > now:
            return s, posted
        day, next_look = plan(s, now)
        if day is None:
            s = replace(s, next_run_utc=next_look)
        else:
            posted.append(day)
            s = replace(s, next_run_utc=following(s, day), last_local_date=day)
        assert s.next_run_utc > now, (s, now)
    raise AssertionError(f"run_due would not end at {now}")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(ZONES),
    day=st.dates(date(1971, 1, 1), date(2037, 12, 31)),
    hour=st.sampled_from([0, 1, 2, 3, 12, 23]),
    minute=st.sampled_from([0, 30, 59]),
    days=st.integers(1, EVERY_DAY),
    down=st.timedeltas(timedelta(0), timedelta(days=9)),
)
def test_chosen_days_follow_the_readme_rules_for_their_own_dates(
    name: str, day: date, hour: int, minute: int, days: int, down: timedelta
) -> None:
    """The oracle's posts restricted to the chosen weekdays, under the same downtime rule:
    the last chosen date whose time has passed posts if it has none and is at most an hour
    late or is today; a day not chosen is never posted, not even as a catch-up."""
    tz = ZoneInfo(name)
    oracle = Oracle(tz, day - 10 * DAY, day + 20 * DAY)
    chosen = [(d, i) for d, i in oracle.posts(day - 10 * DAY, day + 20 * DAY, hour, minute)
              if posts_on(days, d)]
    before = [(d, i) for d, i in chosen if d < day]
    if not before:
        return  # no chosen date in the ten days before: nothing posted yet to start from
    posted_day, posted_at = before[-1]
    next_run = next(i for d, i in chosen if d > posted_day)
    s = replace(schedule(name, hour, minute, next_run, posted_day), days=days)
    now = posted_at + timedelta(minutes=1) + down
    passed = [(d, i) for d, i in chosen if i <= now]
    due_day, due_at = passed[-1]
    today = oracle.local(now).date()
    want = ([due_day] if due_day > posted_day and (now - due_at <= GRACE or due_day == today)
            else [])
    after, got = look_on(s, now)
    assert got == want
    assert all(posts_on(days, d) for d in got)
    assert after.next_run_utc == next(i for _, i in chosen if i > now)
