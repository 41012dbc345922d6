"""Fixtures: a fake Discord on loopback, a real core on SQLite, the real client between."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.discord.runner import run_discord
from bot.app import ReviewBot
from bot.settings import Settings
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import GUILD_ID, FakeDiscord

STOP_TIMEOUT = 10.0
DB_NAME = "reviewbot.sqlite3"


@dataclass
class RunningBot:
    """``run_discord`` as the CLI runs it, in a task; ``stop()`` is the CLI's SIGTERM."""

    task: asyncio.Task[None]
    stop_event: asyncio.Event

    async def stop(self) -> None:
        self.stop_event.set()
        await asyncio.wait_for(self.task, STOP_TIMEOUT)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    server.redirect(monkeypatch)
    yield server
    await server.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database holding the default corpus, ingested once for the session:
    scoring the seed files takes about a second, too long to repeat for every test."""
    path = tmp_path_factory.mktemp("seeded") / DB_NAME

    async def seed() -> None:
        await (await ReviewBot.open(Settings(db_path=path))).close()

    asyncio.run(seed())
    return path


@pytest.fixture
def settings(tmp_path: Path, fake: FakeDiscord, seeded_db: Path) -> Settings:
    for file in seeded_db.parent.glob(DB_NAME + "*"):
        shutil.copyfile(file, tmp_path / file.name)
    return Settings(
        db_path=tmp_path / DB_NAME,
        discord_token=fake.token,
        discord_guild_id=GUILD_ID,
    )


@pytest.fixture
async def core(settings: Settings, clock: FakeClock) -> AsyncIterator[ReviewBot]:
    bot = await ReviewBot.open(settings, clock=clock)
    yield bot
    await bot.close()


@contextlib.asynccontextmanager
async def running(
    core: ReviewBot, settings: Settings, fake: FakeDiscord
) -> AsyncIterator[RunningBot]:
    """Start the client and wait for its gateway session; stop it cleanly on exit."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_discord(core, settings, stop))
    bot = RunningBot(task, stop)
    try:
        ready = asyncio.create_task(fake.wait_ready())
        await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()  # raise what ended the client
        await ready
        yield bot
    finally:
        if not task.done():
            await bot.stop()


@pytest.fixture
async def bot(core: ReviewBot, settings: Settings, fake: FakeDiscord) -> AsyncIterator[RunningBot]:
    async with running(core, settings, fake) as running_bot:
        yield running_bot
