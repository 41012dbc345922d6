"""The daily scheduler: exactly one post per (schedule, local date), whatever crashes.

For each due schedule: decide which local date (if any) to post for, commit a claim for
that date, send through the platform's poster, then record the message id and the next
instant. A crash after the claim leaves the claim, so the date is never posted twice;
the price is that such a date may get no post (at most once beats at least once here).

Catch-up: a post late by less than ``GRACE`` still goes out for its own date, even when
that date ended meanwhile (23:59 seen at 00:27 posts for yesterday). After a longer
downtime only today is considered: one post if today's time has passed and today has
none, so three days down gives one post, not three. Dates and instants come from
``bot.schedule_times``, which files each post under the date it was computed for.

A schedule's chosen weekdays and skipped dates (``post_days``) take days out of that
walk: the candidate is the last chosen day whose time has passed, judged by the same
rules, so a day not chosen is never caught up. Several schedules in one channel are
independent rows with their own claims.

Pace: each platform's due schedules are walked page by page with up to ``IN_FLIGHT``
posts under way at once, enough that the platform's own limit, kept by its poster's
pacer (``bot.pacing``) and its client's limiter, sets the speed rather than this loop
(50 posts/s to Discord at 150 ms a request needs 8 under way at the very least, with no
time left for the claim and the quote; several workspaces' Slack posts go faster).
Claims and outcomes made together share one fsync (``GroupCommit``). A claim is
committed just before its post, so a crash leaves at most ``IN_FLIGHT`` claimed days
per platform unposted, each documented as "claimed" and never posted twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.delivery import (
    Claim,
    PermanentDeliveryError,
    Poster,
    TransientDeliveryError,
    UncertainDeliveryError,
)
from bot.faults import crash_point
from bot.models import Schedule, ScheduleStatus
from bot.replies import QuoteReply
from bot.schedule_times import (
    PostDays,
    UnknownZone,
    latest_due,
    local_date,
    next_post,
    stored_zone,
)
from bot.storage.errors import StorageError
from bot.storage.schedules import DueCursor, ScheduleStore

_log = logging.getLogger(__name__)

GRACE = timedelta(hours=1)
RETRY_AFTER = timedelta(minutes=2)
BATCH = 100  # schedules per page of due work; each page is one indexed query
IN_FLIGHT = 64  # posts under way at once per platform: a bound, not the pacer

Composer = Callable[[Schedule], Awaitable[QuoteReply | None]]


def plan(schedule: Schedule, now: datetime) -> tuple[date | None, datetime]:
    """(local date to post for now, or None; the instant to look again if not posting).

    Decided from ``now`` and the last posted date alone, never from the date that
    ``next_run_utc`` falls on: that instant may be a retry time, and a gap or fall back
    across midnight puts a day's post on another local date. The candidate is the last
    day whose time has passed; it posts if it has no post yet and is at most ``GRACE``
    late or is today. Otherwise the next look is the following day's instant, which is
    after ``now``, so ``run_due`` always ends.
    """
    tz = stored_zone(schedule.timezone)
    on = post_days(schedule)
    posted = schedule.last_local_date
    day, at = latest_due(schedule.hour, schedule.minute, tz, now, on)
    is_open = posted is None or day > posted
    if is_open and (now - at <= GRACE or day == local_date(now, tz)):
        return day, at
    after = day if posted is None else max(day, posted)
    return None, next_post(after, schedule.hour, schedule.minute, tz, on)[1]


def post_days(schedule: Schedule) -> PostDays:
    return PostDays(schedule.days, schedule.skipped)


def pause_notice(exc: PermanentDeliveryError) -> str:
    """What the person who set a schedule reads when it pauses itself."""
    if exc.resumable:
        return f"The daily quote is paused: {exc.reason}. Fix that, then use /daily resume."
    return (f"The daily quote is off: {exc.reason}. To have one elsewhere, use /daily set "
            "in that channel.")


def following(schedule: Schedule, day: date) -> datetime:
    """The instant of the first day after ``day`` that gets a post."""
    tz = stored_zone(schedule.timezone)
    return next_post(day, schedule.hour, schedule.minute, tz, post_days(schedule))[1]


class Scheduler:
    def __init__(self, store: ScheduleStore, compose: Composer, clock: Clock) -> None:
        self.store = store
        self.compose = compose
        self.clock = clock
        self.posters: dict[str, Poster] = {}
        self._wake = asyncio.Event()

    def register(self, poster: Poster) -> None:
        self.posters[poster.platform] = poster
        self.wake()

    def wake(self) -> None:
        """Look at the schedules again now (one was set, resumed or a poster arrived)."""
        self._wake.set()

    async def run_due(self) -> int:
        """Process every schedule due at the clock's now; return how many posts went out.

        Platforms are walked side by side, so a slow one never holds another's posts
        back. A storage failure ends the pass once what was under way has finished.
        """
        results = await asyncio.gather(
            *(self._run_platform(p) for p in list(self.posters)), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return sum(r for r in results if isinstance(r, int))

    async def _run_platform(self, platform: str) -> int:
        """Walk ``platform``'s due schedules until a walk finds nothing due (each one
        processed moves past now, so this ends)."""
        posted = 0
        window = asyncio.Semaphore(IN_FLIGHT)
        while True:
            under_way: set[asyncio.Task[bool]] = set()
            failures: list[StorageError] = []
            try:
                await self._walk(platform, window, under_way, failures)
                if not under_way and not failures:
                    return posted
                posted += sum(await asyncio.gather(*under_way))
            except BaseException:
                for task in under_way:  # cancelled: so are the posts under way, as before
                    task.cancel()
                raise
            if failures:
                raise failures[0]

    async def _walk(self, platform: str, window: asyncio.Semaphore,
                    under_way: set[asyncio.Task[bool]], failures: list[StorageError]) -> None:
        """Start a task for each due schedule, pages read ahead while posts are under way,
        as the window allows; stop at the first storage failure."""
        after: DueCursor | None = None
        while not failures:
            try:
                page = await self.store.due(self.clock.now(), [platform], BATCH, after)
            except StorageError as exc:
                failures.append(exc)
                return
            if not page:
                return
            after = (page[-1].next_run_utc, page[-1].id)
            for schedule in page:
                await window.acquire()
                if failures:
                    window.release()
                    return
                under_way.add(asyncio.create_task(self._one(schedule, window, failures)))

    async def _one(self, schedule: Schedule, window: asyncio.Semaphore,
                   failures: list[StorageError]) -> bool:
        try:
            return await self._process(schedule)
        except StorageError as exc:
            failures.append(exc)  # the database, not this schedule: run() waits, tries again
            return False
        except Exception:
            _log.exception("daily post for schedule %d failed", schedule.id)
            try:
                await self.store.move(schedule.id, self.clock.now() + RETRY_AFTER)
            except StorageError as exc:
                failures.append(exc)
            return False
        finally:
            window.release()

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: run what is due, then sleep until the next instant or a wake.

        A wake that comes during a pass (a poster registering as its adapter connects) is
        kept for the next pass, even when ``stop`` has come too: what was due for that
        platform still goes out before the loop ends (``reviewbot`` started with a post
        due and quit at once still posts it).
        """
        self._wake.set()
        while self._wake.is_set() or not stop.is_set():
            self._wake.clear()
            try:
                await self.run_due()
                if stop.is_set():
                    continue
                upcoming = await self.store.next_due(list(self.posters))
            except StorageError as exc:
                # A full disk or a locked file stops daily posts, not the bot: commands
                # keep being answered, and the pass is tried again later. No claim was
                # lost: a failed claim never committed, a failed settle left its claim.
                _log.warning("daily posts wait %.0f s: %s", RETRY_AFTER.total_seconds(), exc)
                if stop.is_set():
                    return
                upcoming = self.clock.now() + RETRY_AFTER
            target = upcoming or self.clock.now() + timedelta(minutes=5)
            sleeper = asyncio.ensure_future(self.clock.sleep_until(target))
            waiters = [sleeper, asyncio.ensure_future(self._wake.wait()),
                       asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def _process(self, schedule: Schedule) -> bool:
        now = self.clock.now()
        try:
            day, next_look = plan(schedule, now)
        except UnknownZone:
            reason = f"its time zone {schedule.timezone!r} is no longer a known IANA zone"
            await self.store.set_status(schedule.id, ScheduleStatus.PAUSED, reason)
            _log.warning("schedule %d paused: %s", schedule.id, reason)
            poster = self.posters[schedule.platform]
            await poster.notify(schedule, f"The daily quote is paused: {reason}. Use /daily "
                                          "set with a zone such as Europe/Paris to start it again.")
            return False
        if day is None:
            await self.store.move(schedule.id, next_look)
            return False
        if not await self.store.claim(schedule.id, day, now):
            # Claimed already: by a process that died before settling (never post this
            # date again), or by another process posting it right now. Only move on,
            # and only if nobody moved it meanwhile: settling would overwrite that
            # process's outcome with "claimed", and moving it over that process's own
            # move would undo a retry it set after a transient failure (it gives the
            # claim back and moves the schedule to the retry).
            _log.info("schedule %d: %s is claimed already; not posting it here", schedule.id,
                      day)
            await self.store.move(schedule.id, following(schedule, day),
                                  seen=schedule.next_run_utc)
            return False
        crash_point("scheduler.after_claim")
        reply = await self.compose(schedule)
        if reply is None:
            _log.warning("schedule %d: no quote of mood %s", schedule.id, schedule.mood.value)
            await self.store.settle(schedule.id, day, "no_quote", None, following(schedule, day))
            return False
        poster = self.posters[schedule.platform]
        try:
            message_id = await poster.post(schedule, reply, Claim(schedule.id, day))
        except PermanentDeliveryError as exc:
            await self.store.release(schedule.id, day)
            await self.store.set_status(schedule.id, ScheduleStatus.PAUSED, exc.reason)
            _log.warning("schedule %d paused: %s", schedule.id, exc.reason)
            await poster.notify(schedule, pause_notice(exc))
            return False
        except TransientDeliveryError as exc:
            await self.store.release(schedule.id, day)
            delay = max(RETRY_AFTER.total_seconds(), exc.retry_after or 0.0)
            await self.store.move(schedule.id, now + timedelta(seconds=delay))
            _log.warning("schedule %d: %s; trying again in %.0f s", schedule.id, exc.reason, delay)
            return False
        except UncertainDeliveryError as exc:
            _log.warning("schedule %d: %s; not resending %s", schedule.id, exc, day)
            await self.store.settle(schedule.id, day, "uncertain", None, following(schedule, day))
            return False
        crash_point("scheduler.after_send")
        await self.store.settle(schedule.id, day, "sent", message_id, following(schedule, day))
        return True
