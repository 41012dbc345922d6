"""The daily minute at a real platform's latency: ``Scheduler.run_due`` through the real
discord.py and slack_sdk posters against the fakes of ``tests/fakes`` on 127.0.0.1.

A copy of the 1k corpus gets ``--due`` schedules due at 09:00 UTC, one per channel, on
``--platform``. The fake runs in a process of its own (so the bot's event loop does not
stall the clock that judges the limit), answers every request after ``--latency`` ms and
enforces the platform's limit: Discord's global 50 requests/s (a global 429 with ``retry_after``
past it), Slack's one ``chat.postMessage`` per second per channel (a 429 with
``Retry-After``; one bot token stands for many workspaces: no shared limit). Then
``run_due`` at 09:00:30 is timed, and the run is checked: every schedule posted once
(one message at the fake, one ``sent`` claim each), and how many 429s the fake gave.

Baselines: for Discord the floor its limit sets, ``due / 50`` seconds (ratio = time /
floor; the target is within 1.10); for Slack the target of 150 posts/s, and, measured in
the same run on ``--due / 5`` schedules, the scheduler's former bound of 8 posts in flight.

Run: ``.venv/bin/python -m benchmarks.bench_daily --platform discord --due 10k --latency 150``
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import discord
from slack_sdk.web.async_client import AsyncWebClient

from adapters.discord.client import ReviewBotClient
from adapters.discord.poster import DiscordPoster
from adapters.slack.poster import SlackPoster
from benchmarks import corpus
from benchmarks.common import add_due_schedules, data_dir, parse_size, print_table
from bot import scheduler
from bot.app import ReviewBot
from bot.delivery import Poster
from bot.settings import Settings
from bot.storage import Database
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.fakes.slack_server import BOT_TOKEN, TEAM_ID, FakeSlack

BUSY = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
DISCORD_GLOBAL = 50  # requests per second
SLACK_TARGET = 150.0  # posts per second
FORMER_IN_FLIGHT = 8


@dataclass(frozen=True)
class Run:
    due: int
    seconds: float
    refused: int  # 429s the fake answered
    messages: int  # messages the fake created
    sent: int  # claims settled as sent

    @property
    def rate(self) -> float:
        return self.due / self.seconds


def channel(platform: str, i: int) -> str:
    return str(CHANNEL_ID + i) if platform == "discord" else f"C{i:07d}"


async def populate(db_path: Path, platform: str, due: int) -> None:
    """``due`` schedules at 09:00 UTC, each in its own channel."""
    workspace = str(GUILD_ID) if platform == "discord" else TEAM_ID
    db = await Database.open(db_path)
    try:
        await add_due_schedules(db, platform, [channel(platform, i) for i in range(due)],
                                BUSY, (1, 2), workspace=workspace)
    finally:
        await db.close()


@dataclass(frozen=True)
class FakeReport:
    refused: int  # 429s the fake answered
    messages: int  # messages it created
    channels: int  # distinct channels they went to


def serve_fake(platform: str, latency: float, conn: Connection) -> None:
    """The fake platform in a process of its own (``spawn``): its clock, which judges the
    limit, is not stalled by the bot's event loop, as Discord's and Slack's are not."""
    asyncio.run(_serve(platform, latency, conn))


async def _serve(platform: str, latency: float, conn: Connection) -> None:
    fake: FakeDiscord | FakeSlack
    if platform == "discord":
        fake = FakeDiscord()
        await fake.start()
        fake.latency = latency
        fake.global_limit = DISCORD_GLOBAL
        conn.send(fake.api_base)
    else:
        fake = FakeSlack(latency=latency, post_interval=1.0)
        await fake.start()
        conn.send(fake.base_url)
    await asyncio.to_thread(conn.recv)  # the run is over
    if isinstance(fake, FakeDiscord):
        report = FakeReport(fake.global_violations, len(fake.messages),
                            len({m["channel_id"] for m in fake.messages}))
    else:
        calls = fake.calls("chat.postMessage")
        report = FakeReport(fake.rate_limited, len(calls) - fake.rate_limited,
                            len({c["channel"] for c in calls}))
    conn.send(report)
    await fake.close()


@asynccontextmanager
async def fake_platform(platform: str, latency: float) -> AsyncIterator[
        tuple[str, Callable[[], Awaitable[FakeReport]]]]:
    """(the fake's API base URL, a call that ends the run and returns what the fake saw)."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=serve_fake, args=(platform, latency, theirs), daemon=True)
    process.start()
    try:
        url = await asyncio.to_thread(ours.recv)

        async def report() -> FakeReport:
            ours.send("report")
            result: FakeReport = await asyncio.to_thread(ours.recv)
            return result

        yield url, report
    finally:
        await asyncio.to_thread(process.join, 30)
        if process.is_alive():
            process.kill()


@asynccontextmanager
async def discord_poster(core: ReviewBot, api_base: str) -> AsyncIterator[Poster]:
    base = discord.http.Route.BASE
    discord.http.Route.BASE = api_base
    token = FakeDiscord().token
    client = ReviewBotClient(core, Settings(discord_token=token, discord_guild_id=GUILD_ID))
    try:
        await client.login(token)  # REST only: daily posts need no gateway
        yield DiscordPoster(client)
    finally:
        await client.close()
        discord.http.Route.BASE = base


async def measure(platform: str, due: int, latency: float) -> Run:
    db_path = data_dir() / f"daily-{platform}-{due}.sqlite3"
    for stale in db_path.parent.glob(db_path.name + "*"):
        stale.unlink()
    shutil.copy(await corpus.database("1k"), db_path)
    await populate(db_path, platform, due)
    async with fake_platform(platform, latency) as (url, report):
        clock = FakeClock(BUSY + timedelta(seconds=30))
        core = await ReviewBot.open(Settings(db_path=db_path), clock=clock,
                                    ingest_default_corpus=False)
        try:
            if platform == "discord":
                async with discord_poster(core, url) as poster:
                    seconds, posted = await timed_run(core, poster)
            else:
                poster = SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=url))
                seconds, posted = await timed_run(core, poster)
            seen = await report()
            rows = await core.db.fetchall(
                "SELECT COUNT(DISTINCT schedule_id), COUNT(*) FROM posts"
                " WHERE outcome = 'sent'")
            distinct, sent = rows[0][0], rows[0][1]
        finally:
            await core.close()
    if {posted, seen.messages, seen.channels, distinct, sent} != {due}:
        raise RuntimeError(f"{platform}: {due} due, run_due said {posted}, the fake got"
                           f" {seen.messages} messages in {seen.channels} channels,"
                           f" {sent} claims sent ({distinct} schedules)")
    return Run(due, seconds, seen.refused, seen.messages, sent)


async def timed_run(core: ReviewBot, poster: Poster) -> tuple[float, int]:
    core.scheduler.register(poster)
    start = time.perf_counter()
    posted = await core.scheduler.run_due()
    return time.perf_counter() - start, posted


async def main_async(platform: str, due: int, latencies: Sequence[float]) -> None:
    rows: list[list[object]] = []
    for latency_ms in latencies:
        latency = latency_ms / 1000
        run = await measure(platform, due, latency)
        if platform == "discord":
            floor = due / DISCORD_GLOBAL
            rows.append([f"{latency_ms:.0f} ms", f"{due:,}", run.seconds, run.rate, run.refused,
                         f"{floor:.1f} s", f"{run.seconds / floor:.3f}"])
            continue
        former = scheduler.IN_FLIGHT
        scheduler.IN_FLIGHT = FORMER_IN_FLIGHT
        try:
            old = await measure(platform, max(1, due // 5), latency)
        finally:
            scheduler.IN_FLIGHT = former
        rows.append([f"{latency_ms:.0f} ms", f"{due:,}", run.seconds, run.rate, run.refused,
                     f"{run.rate / SLACK_TARGET:.2f}x of 150/s",
                     f"{old.rate:.0f}/s: {run.rate / old.rate:.1f}x"])
    if platform == "discord":
        header = ["latency", "due", "seconds", "posts/s", "429s", "floor (due/50)",
                  "time/floor"]
        title = ("run_due to the fake Discord (global 50 req/s enforced): every schedule"
                 " posted once; 429s were waited out by discord.py")
    else:
        header = ["latency", "due", "seconds", "posts/s", "429s", "vs target",
                  f"{FORMER_IN_FLIGHT} in flight (due/5)"]
        title = ("run_due to the fake Slack (1 post/s per channel enforced, no shared"
                 " limit): every schedule posted once")
    print_table(title, header, rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", choices=("discord", "slack"), default="discord")
    parser.add_argument("--due", default="2k", help="schedules due in the minute")
    parser.add_argument("--latency", default="0,50,150",
                        help="platform latencies in ms, comma-separated")
    args = parser.parse_args(argv)
    latencies = [float(x) for x in args.latency.split(",")]
    asyncio.run(main_async(args.platform, parse_size(args.due), latencies))


if __name__ == "__main__":
    main()
