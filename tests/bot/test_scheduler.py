"""The daily scheduler driven by a fake clock: DST, downtime, exactly once, failures."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.app import ReviewBot
from bot.delivery import (
    Claim,
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDeliveryError,
)
from bot.invocation import Invocation
from bot.models import Mood, Schedule, ScheduleStatus
from bot.replies import ErrorReply, QuoteReply, ScheduleReply
from bot.scheduler import BATCH, IN_FLIGHT
from bot.storage.schedules import ScheduleSpec
from tests.backends import both_backends as backend  # noqa: F401
from tests.backends import execute, read_only
from tests.fakes.clock import FakeClock
from tests.fakes.poster import RecordingPoster

NY = ZoneInfo("America/New_York")
AT_9 = "/daily set 09:00 America/New_York"


def at(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=zone).replace(fold=fold).astimezone(timezone.utc)  # type: ignore[misc]


async def setup(core: ReviewBot, clock: FakeClock, admin: Invocation, when: datetime,
                line: str) -> RecordingPoster:
    clock.set(when)
    poster = RecordingPoster()
    core.scheduler.register(poster)
    reply = await core.handle_text(admin, line)
    assert isinstance(reply, ScheduleReply), reply
    return poster


async def run_until(
    core: ReviewBot, clock: FakeClock, end: datetime, step: timedelta
) -> list[datetime]:
    """Step the clock to ``end``, running what is due; return the instants that posted."""
    fired: list[datetime] = []
    while clock.now() < end:
        clock.advance(seconds=step.total_seconds())
        if await core.scheduler.run_due():
            fired.append(clock.now())
    return fired


def local(times: list[datetime]) -> list[str]:
    return [t.astimezone(NY).strftime("%m-%d %H:%M %Z") for t in times]


async def test_posts_once_a_day_at_the_local_time(core: ReviewBot, clock: FakeClock,
                                                   admin: Invocation) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    fired = await run_until(core, clock, at(NY, 2026, 6, 4, 8, 0), timedelta(minutes=15))
    assert local(fired) == ["06-01 09:00 EDT", "06-02 09:00 EDT", "06-03 09:00 EDT"]
    assert len(poster.posts) == 3


async def test_spring_forward_gap_posts_once_at_the_documented_instant(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    # 2026-03-08: New York jumps from 02:00 to 03:00; 02:30 does not exist.
    poster = await setup(
        core, clock, admin, at(NY, 2026, 3, 7, 12, 0), "/daily set 02:30 America/New_York"
    )
    fired = await run_until(core, clock, at(NY, 2026, 3, 10, 12, 0), timedelta(minutes=5))
    assert local(fired) == ["03-08 03:30 EDT", "03-09 02:30 EDT", "03-10 02:30 EDT"]
    assert len(poster.posts) == 3


async def test_fall_back_posts_once_at_the_first_occurrence(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    # 2026-11-01: New York goes back from 02:00 EDT to 01:00 EST; 01:30 happens twice.
    poster = await setup(
        core, clock, admin, at(NY, 2026, 10, 31, 12, 0), "/daily set 01:30 America/New_York"
    )
    fired = await run_until(core, clock, at(NY, 2026, 11, 2, 12, 0), timedelta(minutes=5))
    assert local(fired) == ["11-01 01:30 EDT", "11-02 01:30 EST"]
    assert fired[0] == at(NY, 2026, 11, 1, 1, 30, fold=0)
    assert len(poster.posts) == 2


async def test_three_days_down_gives_one_catch_up_post(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    clock.set(at(NY, 2026, 6, 4, 14, 0))  # down from before the first post until the 4th, 14:00
    assert await core.scheduler.run_due() == 1
    assert await core.scheduler.run_due() == 0
    schedule = await core.schedules.get("console", "W1", "general")
    assert schedule is not None
    assert [d for d, *_ in await core.schedules.posts(schedule.id)] == ["2026-06-04"]
    assert schedule.next_run_utc == at(NY, 2026, 6, 5, 9, 0)
    assert len(poster.posts) == 1


async def test_back_before_todays_time_waits_for_it(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    clock.set(at(NY, 2026, 6, 3, 7, 0))  # missed the 1st and 2nd; today's 09:00 is ahead
    assert await core.scheduler.run_due() == 0
    await run_until(core, clock, at(NY, 2026, 6, 3, 10, 0), timedelta(minutes=10))
    assert len(poster.posts) == 1


async def test_a_claimed_day_is_never_posted_again(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    schedule = await core.schedules.get("console", "W1", "general")
    assert schedule is not None
    # A previous process claimed today and died before sending.
    assert await core.schedules.claim(schedule.id, date(2026, 6, 1), clock.now())
    await run_until(core, clock, at(NY, 2026, 6, 1, 23, 0), timedelta(minutes=30))
    assert poster.posts == []
    await run_until(core, clock, at(NY, 2026, 6, 2, 10, 0), timedelta(minutes=30))
    assert len(poster.posts) == 1


async def test_permanent_error_pauses_after_one_attempt_and_tells_the_setter(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    poster.failures.append(PermanentDeliveryError("the bot lost access to this channel"))
    await run_until(core, clock, at(NY, 2026, 6, 3, 12, 0), timedelta(minutes=15))
    assert poster.attempts == 1 and poster.posts == []
    show = await core.handle_text(admin, "/daily show")
    assert isinstance(show, ScheduleReply) and show.active is False
    assert show.pause_reason == "the bot lost access to this channel"
    assert len(poster.notices) == 1 and "/daily resume" in poster.notices[0][1]
    await core.handle_text(admin, "/daily resume")
    await run_until(core, clock, at(NY, 2026, 6, 4, 12, 0), timedelta(minutes=15))
    assert len(poster.posts) == 1


async def test_transient_error_retries_the_same_day(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    poster.failures.append(TransientDeliveryError("502 from the platform", retry_after=120))
    await run_until(core, clock, at(NY, 2026, 6, 1, 12, 0), timedelta(minutes=1))
    assert poster.attempts == 2 and len(poster.posts) == 1
    schedule = await core.schedules.get("console", "W1", "general")
    assert schedule is not None and schedule.status is ScheduleStatus.ACTIVE


async def test_uncertain_outcome_is_not_resent(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    poster.failures.append(UncertainDeliveryError("fatal_error"))
    await run_until(core, clock, at(NY, 2026, 6, 1, 23, 0), timedelta(minutes=15))
    assert poster.attempts == 1


async def test_daily_quotes_do_not_repeat_in_the_channel(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0),
                         f"{AT_9} positive")
    await run_until(core, clock, at(NY, 2026, 6, 21, 10, 0), timedelta(hours=1))
    ids = [reply.quote.id for _, reply in poster.posts]
    assert len(ids) == 21 and len(set(ids)) == 21
    assert all(reply.quote.label.value == "positive" for _, reply in poster.posts)


async def test_setting_a_time_already_past_today_starts_tomorrow(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 10, 0), AT_9)
    assert await core.scheduler.run_due() == 0
    await run_until(core, clock, at(NY, 2026, 6, 2, 9, 30), timedelta(minutes=30))
    assert len(poster.posts) == 1


async def test_a_late_evening_post_missed_by_minutes_goes_out_after_midnight(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    # 23:59 UTC, down three days, back at 00:27: the 4th's post is 28 minutes late.
    poster = await setup(core, clock, admin, datetime(2026, 6, 1, 12, tzinfo=timezone.utc),
                         "/daily set 23:59 UTC")
    clock.set(datetime(2026, 6, 5, 0, 27, tzinfo=timezone.utc))
    assert await core.scheduler.run_due() == 1
    schedule = await core.schedules.get("console", "W1", "general")
    assert schedule is not None
    assert [d for d, *_ in await core.schedules.posts(schedule.id)] == ["2026-06-04"]
    assert schedule.next_run_utc == datetime(2026, 6, 5, 23, 59, tzinfo=timezone.utc)
    assert len(poster.posts) == 1


async def test_set_during_a_fall_back_across_midnight_shows_a_future_time(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    # Goose Bay 2010-11-07: 00:01 ADT went back to 23:01 AST on the 6th; 00:00 on the
    # 7th has already happened once, so the next post is the 8th's.
    await setup(core, clock, admin, datetime(2010, 11, 7, 3, 1, tzinfo=timezone.utc),
                "/daily set 00:00 America/Goose_Bay")
    show = await core.handle_text(admin, "/daily show")
    assert isinstance(show, ScheduleReply)
    assert show.next_utc == "2010-11-08T04:00:00Z"
    assert await core.scheduler.run_due() == 0


async def test_run_due_ends_across_caseys_three_hour_fall_back(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    # Antarctica/Casey 2010-03-05: 02:00 +11 went back to 23:00 +08 on the 4th. Set at
    # 23:30 of the second pass: the 5th's 00:00 has happened (13:00Z), so the next post
    # is the 6th's, and nothing is ever due in the past.
    poster = await setup(core, clock, admin, datetime(2010, 3, 4, 15, 30, tzinfo=timezone.utc),
                         "/daily set 00:00 Antarctica/Casey")
    end = datetime(2010, 3, 8, tzinfo=timezone.utc)
    await asyncio.wait_for(run_until(core, clock, end, timedelta(minutes=15)), timeout=30)
    schedule = await core.schedules.get("console", "W1", "general")
    assert schedule is not None
    days = [d for d, *_ in await core.schedules.posts(schedule.id)]
    assert days == ["2010-03-06", "2010-03-07", "2010-03-08"]
    assert len(poster.posts) == 3


@pytest.mark.parametrize("zone_text", ["Europe", "US", "Asia", "localtime", "x" * 300])
async def test_a_folder_or_non_zone_is_a_usage_error(
    core: ReviewBot, clock: FakeClock, admin: Invocation, zone_text: str
) -> None:
    for line in (f"/daily set 09:00 {zone_text}", f"/daily set 09:00 timezone:{zone_text}"):
        reply = await core.handle_text(admin, line)
        assert isinstance(reply, ErrorReply) and reply.usage, reply
        assert "error id" not in reply.message and "\n" not in reply.message
    # Longer than the option's cap: refused by length before any zone lookup.
    assert ("takes at most 64" if len(zone_text) > 64 else "IANA") in reply.message


@pytest.mark.parametrize(("stored", "keeps_posting"), [("posixrules", True),
                                                        ("Nowhere/Atlantis", False)])
async def test_a_stored_zone_the_stricter_check_refuses(
    core: ReviewBot, clock: FakeClock, admin: Invocation, stored: str, keeps_posting: bool
) -> None:
    """Schedules saved before only IANA names were accepted keep their zone if it still
    loads; one that does not is paused with the reason, and the loop ends."""
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    await execute(core.db, "UPDATE schedules SET timezone = ?", (stored,))
    fired = await asyncio.wait_for(
        run_until(core, clock, at(NY, 2026, 6, 3, 8, 0), timedelta(minutes=30)), 30
    )
    shown = await core.handle_text(admin, "/daily show")
    assert isinstance(shown, ScheduleReply)
    if keeps_posting:
        assert len(fired) == 2 and shown.active
    else:
        assert fired == [] and not shown.active
        assert shown.pause_reason and "no longer a known IANA zone" in shown.pause_reason
        assert len(poster.notices) == 1 and "/daily set" in poster.notices[0][1]


async def test_a_poster_that_registers_as_the_bot_stops_still_gets_what_was_due(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    """`reviewbot` started with a post due and quit at once: the console's poster
    registers (a wake) while the first pass runs and `quit` sets stop; the wake is kept,
    so the due post goes out before the loop ends."""
    clock.set(at(NY, 2026, 6, 1, 8, 0))
    assert isinstance(await core.handle_text(admin, AT_9), ScheduleReply)
    clock.set(at(NY, 2026, 6, 1, 9, 1))
    stop = asyncio.Event()
    running = asyncio.ensure_future(core.scheduler.run(stop))
    poster = RecordingPoster()
    core.scheduler.register(poster)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert len(poster.posts) == 1


async def test_a_storage_failure_pauses_daily_posts_not_the_bot(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    """A claim that cannot be written (the file turned read-only, the disk filled) used
    to end Scheduler.run, and with it every adapter. Now the pass waits and retries."""
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    clock.set(at(NY, 2026, 6, 1, 9, 1))
    async with read_only(core.db):
        stop = asyncio.Event()
        running = asyncio.ensure_future(core.scheduler.run(stop))
        for _ in range(50):
            await asyncio.sleep(0.01)
        assert not running.done() and poster.posts == []
    clock.advance(minutes=3)  # past RETRY_AFTER
    for _ in range(200):
        if poster.posts:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert len(poster.posts) == 1


# -- chosen days, several schedules, skip, now (issue 14) ----------------------------------


def posted_dates(poster: RecordingPoster) -> list[tuple[int, str]]:
    return [(c.schedule_id, c.local_date.isoformat()) for c in poster.claims]


async def test_monday_only_in_a_week_with_a_spring_forward_sunday(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    # 2026-03-08 is a Sunday: New York jumps from 02:00 to 03:00. One channel, two
    # schedules at 02:30: Mondays only, and Sundays only.
    poster = await setup(core, clock, admin, at(NY, 2026, 3, 5, 12, 0),
                         "/daily set 02:30 America/New_York days:monday id:mon")
    sunday = await core.handle_text(admin, "/daily set 02:30 America/New_York days:sun id:sun")
    assert isinstance(sunday, ScheduleReply)
    # The preview marks the post the gap moves, and only that one.
    first, second = sunday.schedules[0].upcoming[:2]
    assert (first.local, first.shifted) == ("2026-03-08T03:30:00-04:00", True)
    assert (second.local, second.shifted) == ("2026-03-15T02:30:00-04:00", False)
    fired = await run_until(core, clock, at(NY, 2026, 3, 17, 12, 0), timedelta(minutes=5))
    assert local(fired) == ["03-08 03:30 EDT", "03-09 02:30 EDT", "03-15 02:30 EDT",
                            "03-16 02:30 EDT"]
    by_name = {s.name: s.id for s in await core.schedules.in_channel("console", "W1", "general")}
    assert posted_dates(poster) == [
        (by_name["sun"], "2026-03-08"), (by_name["mon"], "2026-03-09"),
        (by_name["sun"], "2026-03-15"), (by_name["mon"], "2026-03-16"),
    ]


@pytest.mark.parametrize(("back", "posts"), [
    (at(NY, 2026, 6, 6, 10, 0), []),  # back on Saturday: Friday is not caught up
    (at(NY, 2026, 6, 5, 9, 40), ["2026-06-05"]),  # back on Friday, less than an hour late
    (at(NY, 2026, 6, 5, 15, 0), ["2026-06-05"]),  # back later on Friday: today's post
])
async def test_a_friday_schedule_after_three_days_down(
    core: ReviewBot, clock: FakeClock, admin: Invocation, back: datetime, posts: list[str]
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 2, 12, 0),
                         "/daily set 09:00 America/New_York days:fri")
    clock.set(back)  # down from Tuesday noon, three days and more
    await core.scheduler.run_due()
    assert await core.scheduler.run_due() == 0
    assert [d for _, d in posted_dates(poster)] == posts
    schedule = await core.schedules.get("console", "W1", "general")
    assert schedule is not None and schedule.next_run_utc == at(NY, 2026, 6, 12, 9, 0)


async def test_a_weekday_schedule_is_never_caught_up_on_the_weekend(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), f"{AT_9} days:mon-fri")
    fired = await run_until(core, clock, at(NY, 2026, 6, 15, 8, 0), timedelta(minutes=20))
    assert len(fired) == 10
    assert {date.fromisoformat(d).weekday() for _, d in posted_dates(poster)} == set(range(5))


async def test_several_schedules_firing_in_the_same_minute_post_once_each(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), f"{AT_9} id:a")
    for line in (f"{AT_9} positive id:b", f"{AT_9} negative id:c"):
        assert isinstance(await core.handle_text(admin, line), ScheduleReply)
    clock.set(at(NY, 2026, 6, 1, 9, 0))
    assert await core.scheduler.run_due() == 3
    assert await core.scheduler.run_due() == 0
    await run_until(core, clock, at(NY, 2026, 6, 1, 23, 0), timedelta(minutes=10))
    ids = [s.id for s in await core.schedules.in_channel("console", "W1", "general")]
    assert sorted(posted_dates(poster)) == sorted((i, "2026-06-01") for i in ids)
    moods = {sid: reply.mood.value for sid, reply in poster.posts}
    assert sorted(moods.values()) == ["any", "negative", "positive"]


async def test_a_sixth_schedule_is_refused_and_several_need_an_id(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    for name in ("b", "c", "d", "e"):
        assert isinstance(await core.handle_text(admin, f"{AT_9} id:{name}"), ScheduleReply)
    sixth = await core.handle_text(admin, f"{AT_9} id:f")
    assert isinstance(sixth, ErrorReply) and "already has 5 daily quotes" in sixth.message
    for line in ("/daily pause", "/daily skip next", "/daily now", f"{AT_9}"):
        which = await core.handle_text(admin, line)
        assert isinstance(which, ErrorReply) and "1 (09:00 America/New_York" in which.message
    unknown = await core.handle_text(admin, "/daily pause zz")
    assert isinstance(unknown, ErrorReply) and "No daily quote 'zz' here" in unknown.message
    shown = await core.handle_text(admin, "/daily show")
    assert isinstance(shown, ScheduleReply)
    assert [v.name for v in shown.schedules] == ["1", "b", "c", "d", "e"]
    assert all(len(v.upcoming) == 5 for v in shown.schedules)
    paused = await core.handle_text(admin, "/daily pause c")
    assert isinstance(paused, ScheduleReply) and paused.schedules[0].name == "c"
    assert not paused.active and paused.schedules[0].upcoming == ()


async def test_changing_the_time_on_a_day_already_posted_does_not_post_again(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), f"{AT_9} id:rave")
    await run_until(core, clock, at(NY, 2026, 6, 1, 9, 30), timedelta(minutes=10))
    assert len(poster.posts) == 1
    before = await core.schedules.get("console", "W1", "general", "rave")
    changed = await core.handle_text(admin, "/daily set 18:00 America/New_York id:rave")
    assert isinstance(changed, ScheduleReply) and changed.message == "Daily quote rave updated."
    after = await core.schedules.get("console", "W1", "general", "rave")
    assert before is not None and after is not None and after.id == before.id
    assert changed.next_utc == at(NY, 2026, 6, 2, 18, 0).isoformat().replace("+00:00", "Z")
    await run_until(core, clock, at(NY, 2026, 6, 2, 19, 0), timedelta(minutes=10))
    assert posted_dates(poster) == [(after.id, "2026-06-01"), (after.id, "2026-06-02")]


async def test_skip_leaves_out_one_date_and_show_says_so(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), AT_9)
    skipped = await core.handle_text(admin, "/daily skip next")
    assert isinstance(skipped, ScheduleReply)
    assert skipped.message == "Daily quote skips Monday 2026-06-01."
    assert await core.handle_text(admin, "/daily skip 2026-06-03") is not None
    shown = await core.handle_text(admin, "/daily show")
    assert isinstance(shown, ScheduleReply)
    assert shown.schedules[0].skipped == ("2026-06-01", "2026-06-03")
    assert shown.next_utc == at(NY, 2026, 6, 2, 9, 0).isoformat().replace("+00:00", "Z")
    await run_until(core, clock, at(NY, 2026, 6, 4, 9, 30), timedelta(minutes=15))
    assert [d for _, d in posted_dates(poster)] == ["2026-06-02", "2026-06-04"]
    for line, says in (("/daily skip 2026-06-03", "has passed"),
                       ("/daily skip 2026-06-04", "already gone out"),
                       ("/daily skip 2026-13-01", "YYYY-MM-DD"),
                       ("/daily skip soon", "YYYY-MM-DD")):
        refused = await core.handle_text(admin, line)
        assert isinstance(refused, ErrorReply) and says in refused.message, line


async def test_skip_refuses_a_day_the_schedule_does_not_post_on(
    core: ReviewBot, clock: FakeClock, admin: Invocation
) -> None:
    await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), f"{AT_9} days:mon,wed,fri")
    refused = await core.handle_text(admin, "/daily skip 2026-06-02")
    assert isinstance(refused, ErrorReply)
    assert refused.message == ("Daily quote posts on Mon, Wed, Fri: Tuesday 2026-06-02 has no "
                               "post to skip.")


async def test_now_posts_at_once_without_being_the_days_post(
    core: ReviewBot, clock: FakeClock, admin: Invocation, member: Invocation
) -> None:
    poster = await setup(core, clock, admin, at(NY, 2026, 6, 1, 8, 0), f"{AT_9} negative")
    now = await core.handle_text(admin, "/daily now")
    assert isinstance(now, QuoteReply) and not now.ephemeral
    assert now.quote.label.value == "negative"
    refused = await core.handle_text(member, "/daily now")
    assert isinstance(refused, ErrorReply) and "manage" in refused.message
    await run_until(core, clock, at(NY, 2026, 6, 1, 10, 0), timedelta(minutes=10))
    assert [d for _, d in posted_dates(poster)] == ["2026-06-01"]  # the day's post still goes
    # It posts in the channel, so it counts against the per-member limit (on a chat
    # platform: the console is exempt).
    on_slack = replace(admin, platform="slack")
    await core.handle_text(on_slack, f"{AT_9} negative")
    replies = [await core.handle_text(on_slack, "/daily now")
               for _ in range(core.cooldowns.limit + 1)]
    assert all(isinstance(r, QuoteReply) for r in replies[:-1])
    assert isinstance(replies[-1], ErrorReply) and "Try again in" in replies[-1].message


# -- a busy minute (issue 16) ---------------------------------------------------------------


class GatedPoster(RecordingPoster):
    """Holds every post until ``opened``; records how many were under way at once."""

    def __init__(self, platform: str) -> None:
        super().__init__(platform)
        self.opened = asyncio.Event()
        self.under_way = 0
        self.most = 0

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        self.under_way += 1
        self.most = max(self.most, self.under_way)
        try:
            await self.opened.wait()
            return await super().post(schedule, reply, claim)
        finally:
            self.under_way -= 1


async def many_due(core: ReviewBot, clock: FakeClock, platform: str, n: int) -> None:
    clock.set(at(NY, 2026, 6, 1, 8, 0))
    for i in range(n):
        spec = ScheduleSpec(platform, "W1", f"{platform}-{i}", "U1", 9, 0, "America/New_York",
                            Mood.ANY, None)
        assert await core.schedules.upsert(spec, at(NY, 2026, 6, 1, 9, 0)) is not None


async def test_a_busy_minute_posts_every_schedule_once_with_posts_under_way_together(
    core: ReviewBot, clock: FakeClock
) -> None:
    n = BATCH * 2 + IN_FLIGHT  # more than a page and more than the window
    await many_due(core, clock, "console", n)
    poster = GatedPoster("console")
    core.scheduler.register(poster)
    clock.set(at(NY, 2026, 6, 1, 9, 1))
    running = asyncio.ensure_future(core.scheduler.run_due())
    while poster.under_way < IN_FLIGHT:
        await asyncio.sleep(0.01)
    # The window is full: no more claims are made than posts under way.
    claimed = await core.db.fetchall("SELECT COUNT(*) FROM posts")
    assert claimed[0][0] == IN_FLIGHT
    poster.opened.set()
    assert await asyncio.wait_for(running, 30) == n
    assert poster.most == IN_FLIGHT
    assert sorted(c.schedule_id for c in poster.claims) == sorted(
        {c.schedule_id for c in poster.claims})
    sent = await core.db.fetchall(
        "SELECT COUNT(DISTINCT schedule_id), COUNT(*) FROM posts WHERE outcome = 'sent'")
    assert tuple(sent[0]) == (n, n)
    assert await core.scheduler.run_due() == 0


async def test_a_slow_platform_does_not_hold_back_another(core: ReviewBot,
                                                          clock: FakeClock) -> None:
    await many_due(core, clock, "slow", 3)
    await many_due(core, clock, "fast", BATCH + 5)
    slow, fast = GatedPoster("slow"), RecordingPoster("fast")
    core.scheduler.register(slow)
    core.scheduler.register(fast)
    clock.set(at(NY, 2026, 6, 1, 9, 1))
    running = asyncio.ensure_future(core.scheduler.run_due())
    for _ in range(1000):
        if len(fast.posts) == BATCH + 5:
            break
        await asyncio.sleep(0.01)
    assert len(fast.posts) == BATCH + 5 and slow.posts == []
    slow.opened.set()
    assert await asyncio.wait_for(running, 30) == BATCH + 8
