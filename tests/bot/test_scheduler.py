"""The daily scheduler driven by a fake clock: DST, downtime, exactly once, failures."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.app import ReviewBot
from bot.delivery import PermanentDeliveryError, TransientDeliveryError, UncertainDeliveryError
from bot.invocation import Invocation
from bot.models import ScheduleStatus
from bot.replies import ErrorReply, ScheduleReply
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
    await core.db.conn.execute("UPDATE schedules SET timezone = ?", (stored,))
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
    await core.db.conn.execute("PRAGMA query_only=1")
    stop = asyncio.Event()
    running = asyncio.ensure_future(core.scheduler.run(stop))
    for _ in range(50):
        await asyncio.sleep(0.01)
    assert not running.done() and poster.posts == []
    await core.db.conn.execute("PRAGMA query_only=0")
    clock.advance(minutes=3)  # past RETRY_AFTER
    for _ in range(200):
        if poster.posts:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert len(poster.posts) == 1
