"""The scheduler at scale: finding due schedules among 100k, and a minute with 10k due.

A copy of the 1k corpus gets ``--schedules`` daily schedules (bulk-inserted, as
``/daily set`` would store them, in UTC): ``--due`` of them at 09:00, the rest spread
over every other minute of the day, each with its next instant after 09:00.

- ``ScheduleStore.due`` at 09:00:30 (one batch of ``scheduler.BATCH``), against the
  same SQL with ``NOT INDEXED`` (a full scan and sort of the table); and at 08:59:30,
  when nothing is due, which is what every quiet minute costs.
- ``Scheduler.run_due`` at 09:00:30 with a ``FakeClock`` and a poster that only records
  what it is given: claim, compose (a real ``/quote`` draw), post, settle, for every due
  schedule. The claim and the settle are durable (``synchronous=FULL``); the baseline
  is the floor one fsync each would set (as the scheduler did before issue 16): as
  many bare one-row ``transaction(durable=True)`` commits on a database opened the
  same way. Claims and settles made together now share a commit, so ``run_due`` can
  pass that floor (a ratio above 1).

Run: ``.venv/bin/python -m benchmarks.bench_scheduler --schedules 100k --due 10k``
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import corpus
from benchmarks.common import data_dir, parse_size, print_table, summary_ms, timed
from bot.app import ReviewBot
from bot.delivery import Claim
from bot.models import Mood, Schedule
from bot.replies import QuoteReply
from bot.schedule_times import iso_utc
from bot.scheduler import BATCH
from bot.settings import Settings
from bot.storage import Database
from tests.fakes.clock import FakeClock

PLATFORM = "bench"
DAY = datetime(2026, 11, 24, tzinfo=UTC)
BUSY = DAY.replace(hour=9)
COMMITS_PER_POST = 2  # the claim and the settle, one fsync each before group commits


class RecordingPoster:
    """A platform that accepts every post instantly and remembers it."""

    platform = PLATFORM

    def __init__(self) -> None:
        self.posts: list[tuple[int, int]] = []

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        self.posts.append((schedule.id, reply.quote.id))
        return f"m{len(self.posts)}"

    async def notify(self, schedule: Schedule, message: str) -> None:
        raise AssertionError(f"schedule {schedule.id} failed: {message}")


async def populate(db_path: Path, schedules: int, due: int) -> None:
    """``schedules`` rows, ``due`` of them at 09:00 UTC and the rest at other minutes."""
    db = await Database.open(db_path)
    try:
        moods = list(Mood)
        rows = []
        for i in range(schedules):
            minute_of_day = 9 * 60 if i < due else (9 * 60 + 1 + i % (24 * 60 - 1)) % (24 * 60)
            instant = DAY + timedelta(minutes=minute_of_day)
            if instant <= BUSY and i >= due:
                instant += timedelta(days=1)
            rows.append((
                PLATFORM, f"ch{i}", "u", minute_of_day // 60, minute_of_day % 60, "UTC",
                moods[i % 3].value, 1 + i % 2, iso_utc(instant),
            ))
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO schedules (platform, channel, name, created_by, hour, minute,"
                " timezone, mood, film_id, status, next_run_utc) VALUES (?, ?, '1', ?, ?, ?,"
                " ?, ?, ?, 'active', ?)",
                rows,
            )
    finally:
        await db.close()


async def commit_floor(db_path: Path, transactions: int) -> float:
    """Seconds for ``transactions`` durable one-row commits, as the bot makes them."""
    for stale in db_path.parent.glob(db_path.name + "*"):
        stale.unlink()
    db = await Database.open(db_path)
    try:
        await db.conn.execute("CREATE TABLE floor (x INTEGER)")
        start = time.perf_counter()
        for i in range(transactions):
            async with db.transaction(durable=True) as conn:
                await conn.execute("INSERT INTO floor VALUES (?)", (i,))
        return time.perf_counter() - start
    finally:
        await db.close()


async def measure(schedules: int, due: int, queries: int) -> None:
    db_path = data_dir() / f"schedules-{schedules}.sqlite3"
    for stale in db_path.parent.glob(db_path.name + "*"):
        stale.unlink()
    shutil.copy(await corpus.database("1k"), db_path)
    await populate(db_path, schedules, due)
    clock = FakeClock(BUSY - timedelta(seconds=30))
    core = await ReviewBot.open(Settings(db_path=db_path), clock=clock,
                                ingest_default_corpus=False)
    try:
        poster = RecordingPoster()
        core.scheduler.register(poster)
        store = core.schedules
        indexed = (
            f"SELECT * FROM schedules WHERE status = 'active' AND next_run_utc <= ?"
            f" AND platform IN (?) ORDER BY next_run_utc LIMIT {BATCH}"
        )
        scan = indexed.replace("FROM schedules", "FROM schedules NOT INDEXED")

        async def raw(sql: str, now: datetime) -> None:
            async with core.db.conn.execute(sql, (iso_utc(now), PLATFORM)) as cur:
                await cur.fetchall()

        rows: list[list[object]] = []
        for label, now in (("none due (08:59:30)", clock.now()),
                           (f"{min(due, BATCH)} of {due:,} due (09:00:30)",
                            BUSY + timedelta(seconds=30))):
            store_t, sql_t, scan_t = [], [], []
            for _ in range(queries):
                store_t.append(await timed(store.due(now, [PLATFORM], BATCH)))
                sql_t.append(await timed(raw(indexed, now)))
                scan_t.append(await timed(raw(scan, now)))
            d50, _, d99 = summary_ms(store_t)
            q50, _, q99 = summary_ms(sql_t)
            b50, _, b99 = summary_ms(scan_t)
            rows.append([label, d50, d99, q50, q99, b50, b99, f"{b50 / q50:.1f}x",
                         f"{b99 / q99:.1f}x"])

        clock.set(BUSY + timedelta(seconds=30))
        start = time.perf_counter()
        posted = await core.scheduler.run_due()
        run_s = time.perf_counter() - start
        if posted != due or len(poster.posts) != due:
            raise RuntimeError(f"run_due posted {posted} of {due}")
    finally:
        await core.close()
    sample = min(due, 1000)
    floor_s = await commit_floor(data_dir() / "commit-floor.sqlite3", sample * COMMITS_PER_POST)
    floor_rate = sample / floor_s
    print_table(
        f"Due schedules among {schedules:,}, ms ({queries} queries each): due() is"
        " ScheduleStore.due (SQL + Schedule objects); SQL alone with the index and"
        " NOT INDEXED; speed-up = NOT INDEXED / indexed SQL",
        ["case", "due() p50", "due() p99", "SQL p50", "SQL p99", "scan p50", "scan p99",
         "x p50", "x p99"], rows,
    )
    print_table(
        f"Scheduler.run_due: a minute with {due:,} due of {schedules:,}",
        ["what", "posts", "seconds", "posts/s", "vs floor"],
        [["run_due (claim, /quote draw, post, settle)", due, run_s, due / run_s,
          f"{due / run_s / floor_rate:.2f}x"],
         [f"floor of one fsync each: {COMMITS_PER_POST} durable commits a post ({sample:,})",
          sample, floor_s, floor_rate, "1.00x"]],
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", default="100k", help="schedules in the table")
    parser.add_argument("--due", default="10k", help="schedules due in the busy minute")
    parser.add_argument("--queries", type=int, default=200, help="due() calls timed per case")
    args = parser.parse_args(argv)
    asyncio.run(measure(parse_size(args.schedules), parse_size(args.due), args.queries))


if __name__ == "__main__":
    main()
